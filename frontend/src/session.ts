// Inactivity: after 13 minutes without a key or a click, a warning offers to stay signed in
// (which renews the access token through the refresh cookie); at 15 minutes the draft being
// edited is saved first, then the session ends on the server too (its refresh cookie can no
// longer revive it) and the sign-in page says why.
import { html, render } from 'lit-html';
import { renew, signedIn, signOut } from './api/client';
import { navigate } from './app';
import { t } from './i18n';
import { saveBeforeLeaving } from './pages/application';

const WARN_AFTER_MS = 13 * 60 * 1000;
const END_AFTER_MS = 15 * 60 * 1000;

let lastActivity = Date.now();
let warned = false;

function dialog(): HTMLDialogElement {
  let element = document.getElementById('session-warning') as HTMLDialogElement | null;
  if (!element) {
    element = document.createElement('dialog');
    element.id = 'session-warning';
    element.setAttribute('aria-labelledby', 'session-warning-text');
    document.body.append(element);
  }
  return element;
}

async function stay(): Promise<void> {
  warned = false;
  lastActivity = Date.now();
  dialog().close();
  await renew();
}

function warn(): void {
  warned = true;
  const element = dialog();
  render(
    html`<p id="session-warning-text">${t('session.warning')}</p>
      <gcds-button type="button" @click=${() => void stay()}>${t('session.stay')}</gcds-button>`,
    element,
  );
  element.showModal();
}

async function end(): Promise<void> {
  await saveBeforeLeaving().catch(() => undefined);
  // Forgotten here even when the server cannot be reached; its session then ends by itself.
  await signOut().catch(() => undefined);
  dialog().close();
  warned = false;
  await navigate(`/sign-in?ended=inactivity`);
}

/** Watches activity while someone is signed in. */
export function watchInactivity(): void {
  for (const kind of ['keydown', 'pointerdown']) {
    window.addEventListener(kind, () => {
      if (!warned) lastActivity = Date.now();
    });
  }
  window.setInterval(() => {
    if (!signedIn()) return;
    const idle = Date.now() - lastActivity;
    if (idle >= END_AFTER_MS) void end();
    else if (idle >= WARN_AFTER_MS && !warned) warn();
  }, 10_000);
}
