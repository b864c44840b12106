// The local test gateway's checkout page, served by the local portal at /checkout/{id} (in AWS
// the payer pays on Stripe's page instead, and this page is never reached). It plays a hosted
// checkout in the GC Design System: the fees to pay, the card form, the processor's refusal in
// the payer's language tied to the card field, and the way back to the application. It talks to
// the gateway only (`/checkout/{id}/session`, `POST /checkout/{id}`), never to the API.
import '@gcds-core/components/dist/gcds/gcds.css';
import { defineCustomElements } from '@gcds-core/components/loader';
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { values } from './forms';
import { formatMoney, isLanguage, isMessageKey, language, setLanguage, t } from './i18n';
import './fonts.css';
import './styles.css';

/** What the gateway shows of an open checkout. */
interface Session {
  language: string;
  applicationNumber: string | null;
  items: { name: string; amountCents: number }[];
  totalCents: number;
  cancelUrl: string;
}

const id = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const root = document.getElementById('checkout') as HTMLElement;
let session: Session | null = null;
/** Why the gateway refused the card: a processor's decline reason, or the form's own checks. */
let refusal: string | null = null;
let unreachable = false;
let busy = false;

/** The refusal in words: decline reasons are the application page's too. */
function refusalText(code: string): string {
  const decline = `payments.decline.${code}`;
  if (isMessageKey(decline)) return `${t(decline)} ${t('checkout.tryAnother')}`;
  return code === 'incomplete' ? t('checkout.incomplete') : t('checkout.unknownCard');
}

async function pay(event: Event): Promise<void> {
  event.preventDefault();
  if (busy) return;
  const card = values(event.currentTarget as HTMLFormElement);
  busy = true;
  unreachable = false;
  paint();
  try {
    const answer = await fetch(`/checkout/${encodeURIComponent(id)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ number: card.number, expiry: card.expiry, cvc: card.cvc }),
    });
    if (answer.status === 404) {
      session = null;
    } else {
      const body = (await answer.json()) as { returnUrl?: string; refusal?: string };
      if (body.returnUrl) {
        location.assign(body.returnUrl);
        return;
      }
      refusal = body.refusal ?? 'declined';
    }
  } catch {
    unreachable = true;
  }
  busy = false;
  paint();
  requestAnimationFrame(() => document.getElementById('refusal')?.focus());
}

function form(open: Session): TemplateResult {
  const total = formatMoney(open.totalCents);
  const error = refusal ? refusalText(refusal) : '';
  return html`
    <gcds-notice notice-role="info" notice-title-tag="h2" notice-title=${t('checkout.testTitle')}>
      <gcds-text>${t('checkout.intro')}</gcds-text>
      <gcds-text>${t('checkout.testCards')}</gcds-text>
    </gcds-notice>
    ${open.applicationNumber ? html`<p>${t('checkout.application', { number: open.applicationNumber })}</p>` : nothing}
    <table class="applications">
      <thead><tr><th scope="col">${t('payments.fee')}</th><th scope="col">${t('payments.amount')}</th></tr></thead>
      <tbody>
        ${open.items.map((item) => html`<tr><th scope="row">${item.name}</th><td>${formatMoney(item.amountCents)}</td></tr>`)}
        <tr><th scope="row">${t('checkout.total')}</th><td><strong>${total}</strong></td></tr>
      </tbody>
    </table>
    ${refusal || unreachable
      ? html`<div class="error-summary" role="alert" tabindex="-1" id="refusal">
          <h2>${t('checkout.notPaid')}</h2>
          <p>${unreachable ? t('checkout.unreachable') : error}</p></div>`
      : nothing}
    <form novalidate @submit=${(event: Event) => void pay(event)}>
      <gcds-input input-id="number" name="number" label=${t('checkout.number')} autocomplete="cc-number"
        inputmode="numeric" required validate-on="other" error-message=${error}></gcds-input>
      <gcds-input input-id="expiry" name="expiry" label=${t('checkout.expiry')} autocomplete="cc-exp"
        required validate-on="other"></gcds-input>
      <gcds-input input-id="cvc" name="cvc" label=${t('checkout.cvc')} autocomplete="cc-csc" inputmode="numeric"
        required validate-on="other"></gcds-input>
      <gcds-button type="submit" ?disabled=${busy}>${busy ? t('checkout.paying') : t('payments.pay', { amount: total })}</gcds-button>
    </form>
    <p><gcds-link href=${open.cancelUrl}>${t('checkout.cancel')}</gcds-link></p>`;
}

function ended(): TemplateResult {
  return html`<p>${t('checkout.ended')}</p><p><gcds-link href="/dashboard">${t('checkout.home')}</gcds-link></p>`;
}

function paint(): void {
  const title = session ? t('checkout.title') : t('checkout.endedTitle');
  document.title = title;
  document.documentElement.lang = language();
  render(
    html`<gcds-header skip-to-href="#main-content" signature-has-link="false" lang=${language()}></gcds-header>
      <main id="main-content">
        <gcds-container size="xl" centered>
          <h1>${title}</h1>
          ${session ? form(session) : ended()}
        </gcds-container>
      </main>
      <gcds-footer display="compact" lang=${language()}></gcds-footer>`,
    root,
  );
}

async function open(): Promise<void> {
  try {
    const answer = await fetch(`/checkout/${encodeURIComponent(id)}/session`);
    session = answer.ok ? ((await answer.json()) as Session) : null;
  } catch {
    session = null;
  }
  // The checkout speaks the payer's language, as Stripe's does from the session's locale.
  if (session && isLanguage(session.language)) setLanguage(session.language);
  paint();
}

void defineCustomElements();
void open();
