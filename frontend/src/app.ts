// The app shell: routes, the page layout (GC header with the language toggle, footer), and
// what happens on every navigation — render, set the title, move focus to the page's heading
// so screen readers announce the new page.
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { keyed } from 'lit-html/directives/keyed.js';
import { ApiError, isOfficer, isSupport, signedIn, renew, signOut } from './api/client';
import { language, otherLanguage, setLanguage, t } from './i18n';
import { forgetUnsavedAnswers } from './unsaved-answers';
import { missingFeatures } from './browser-support';
import { agencyLogo, agencyName, isDemo, isOfficial, loadSite } from './site';

export interface Page {
  /** The page's title (its h1 and the document title). */
  title: () => string;
  /** The page's content. */
  view: (params: Record<string, string>) => TemplateResult;
  /** Runs when the page opens (loading what it shows). */
  load?: (params: Record<string, string>) => Promise<void>;
  /** Only for signed-in users. */
  private?: boolean;
  /** Open to anyone, but shown with the signed-in menu when someone is: after a reload the session
   * is renewed quietly from the refresh cookie before the page is painted. */
  knowsWhoIsThere?: boolean;
}

interface Route {
  pattern: RegExp;
  names: string[];
  page: Page;
}

const routes: Route[] = [];
let notFound: Page;
let current: { page: Page; params: Record<string, string> } | null = null;
/** Whether the session was renewed quietly already (once per load: a reload forgets the access token). */
let renewedQuietly = false;
/** The address (path and query) of the page shown: a move to a #fragment of it opens nothing. */
let shownAddress = '';

/** Adds a route; `path` may hold `:name` parameters. */
export function route(path: string, page: Page): void {
  const names: string[] = [];
  const pattern = new RegExp(
    '^' + path.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)')) + '$',
  );
  routes.push({ pattern, names, page });
}

export function fallback(page: Page): void {
  notFound = page;
}

function match(path: string): { page: Page; params: Record<string, string> } {
  for (const { pattern, names, page } of routes) {
    const found = pattern.exec(path);
    if (found) {
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      return { page, params };
    }
  }
  return { page: notFound, params: {} };
}

/** Goes to `path` inside the app. */
export async function navigate(path: string, replace = false): Promise<void> {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  await open();
}

/** Renders the current page again (after its state changed), keeping focus where it is. */
export function refresh(): void {
  if (current) paint(current.page, current.params);
}

async function open(): Promise<void> {
  const found = match(location.pathname);
  if (found.page.private && !signedIn() && !(await renew())) {
    await navigate(`/sign-in?next=${encodeURIComponent(location.pathname)}`, true);
    return;
  }
  if (found.page.knowsWhoIsThere && !signedIn() && !renewedQuietly) {
    renewedQuietly = true;
    await renew();
  }
  current = found;
  shownAddress = location.pathname + location.search;
  paint(found.page, found.params);
  focusArrival();
  if (found.page.load) {
    try {
      await found.page.load(found.params);
    } catch (error) {
      // What the page shows is not there (or no longer for this user, C1): the normal page
      // for an address that leads nowhere.
      if (current === found && error instanceof ApiError && error.status === 404) {
        showNotFound();
        return;
      }
      throw error;
    }
    if (current === found) paint(found.page, found.params);
  }
}

/** Shows the not-found page when `error` is a 404 (a case the user may no longer see: their
 * grant ended); says whether it did. */
export function notFoundShown(error: unknown): boolean {
  if (!(error instanceof ApiError && error.status === 404)) return false;
  showNotFound();
  return true;
}

/** Shows the not-found page at the current address: what a page shows when the API answers 404
 * (an application that does not exist, or that the user may no longer see). */
export function showNotFound(): void {
  current = { page: notFound, params: {} };
  paint(notFound, {});
  focusHeading();
}

/** Moves focus where a new address leads: the part its #fragment names (a section of the help),
 * or the page's heading. */
function focusArrival(): void {
  const part = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (!part) {
    focusHeading();
    return;
  }
  part.tabIndex = -1;
  part.focus();
}

function focusHeading(): void {
  const heading = document.querySelector<HTMLElement>('#main-content h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

async function toggleLanguage(event: Event): Promise<void> {
  event.preventDefault();
  setLanguage(otherLanguage());
  refresh();
  focusHeading();
}

async function leave(event: Event): Promise<void> {
  event.preventDefault();
  await signOut();
  // Answers typed but not saved are personal data: they do not outlive the session.
  forgetUnsavedAnswers();
  await navigate('/');
}

function paint(page: Page, params: Record<string, string>): void {
  document.title = `${page.title()} - ${t('app.title')}`;
  document.documentElement.lang = language();
  const shell = html`
    <gcds-header lang-href="#" skip-to-href="#main-content" signature-has-link="false" lang=${language()}>
      <div slot="banner">
        ${isDemo() ? html`<p class="demo-banner" id="demo-banner">${t('site.demo')}</p>` : nothing}
        ${unsupportedNotice()}
      </div>
      <gcds-lang-toggle slot="toggle" href="#" lang=${language()} @click=${toggleLanguage}></gcds-lang-toggle>
      <p slot="signature" class="agency">${agencyLogo()
        ? html`<img src=${agencyLogo() ?? ''} alt=${agencyName() ?? ''} />`
        : (agencyName() ?? t('site.neutralName'))}</p>
      <nav slot="menu" aria-label=${t('nav.menu')} class="portal-menu">
        <gcds-container size="xl" centered>
          ${signedIn()
            ? html`${isOfficer()
                  ? html`<gcds-link href="/officer" @click=${follow}>${t('nav.officer')}</gcds-link>
                      <gcds-link href="/officer/slots" @click=${follow}>${t('nav.officerSlots')}</gcds-link>
                      ${isSupport()
                        ? html`<gcds-link href="/officer/support" @click=${follow}>${t('nav.support')}</gcds-link>`
                        : nothing}`
                  : nothing}
                <gcds-link href="/dashboard" @click=${follow}>${t('nav.dashboard')}</gcds-link>
                <gcds-link href="/notifications" @click=${follow}>${t('nav.notifications')}</gcds-link>
                <gcds-link href="/representative/invitations" @click=${follow}>${t('nav.invitations')}</gcds-link>
                <gcds-link href="/profile" @click=${follow}>${t('nav.profile')}</gcds-link>
                <gcds-link href="/security" @click=${follow}>${t('nav.security')}</gcds-link>
                <gcds-link href="/activity" @click=${follow}>${t('nav.activity')}</gcds-link>
                <gcds-link href="/help" @click=${follow}>${t('nav.help')}</gcds-link>
                <gcds-link href="/" @click=${leave}>${t('nav.signOut')}</gcds-link>`
            : html`<gcds-link href="/sign-in" @click=${follow}>${t('nav.signIn')}</gcds-link>
                <gcds-link href="/register" @click=${follow}>${t('nav.register')}</gcds-link>
                <gcds-link href="/help" @click=${follow}>${t('nav.help')}</gcds-link>`}
        </gcds-container>
      </nav>
    </gcds-header>
    <main id="main-content">
      <gcds-container size="xl" centered>
        <h1>${page.title()}</h1>
        ${page.view(params)}
      </gcds-container>
    </main>
    ${footer()}
  `;
  render(shell, document.getElementById('app') as HTMLElement);
  relabelComponents();
}

/** The design system's components read the page's language once, when they first render, and
 * then follow only their own `lang` attribute: each one is given the current language after every
 * render, so that switching language re-words what they write themselves ("(required)", "Choose
 * file") without re-creating them (typed text and focus stay). */
function relabelComponents(): void {
  for (const element of document.body.querySelectorAll('*')) {
    if (element.tagName.startsWith('GCDS-') && element.getAttribute('lang') !== language()) {
      element.setAttribute('lang', language());
    }
  }
}

/** The footer: the help, and the Government of Canada's wordmark only on a deployment known to be
 * real (the footer decides once, when it first renders, so it is made again when that changes). */
function footer() {
  const official = isOfficial();
  return keyed(
    official,
    html`<gcds-footer display="compact" lang=${language()} sub-links=${JSON.stringify({ [t('nav.help')]: '/help' })}>
      ${official ? nothing : html`<span slot="signature"></span>`}
    </gcds-footer>`,
  );
}

/** The notice at the top of every page in a browser that lacks what the portal needs. */
function unsupportedNotice(): TemplateResult | typeof nothing {
  if (missingFeatures().length === 0) return nothing;
  return html`<div class="unsupported" role="status" id="unsupported-browser">
    <p>${t('help.unsupported')} <a href="/help#browsers" @click=${follow}>${t('help.unsupported.link')}</a></p>
  </div>`;
}

/** Follows an in-app link without reloading the page. */
export function follow(event: Event): void {
  const link = (event.currentTarget as HTMLElement).getAttribute('href');
  if (!link || !link.startsWith('/')) return;
  event.preventDefault();
  void navigate(link);
}

export function start(): void {
  // The app runs: the notice for browsers that cannot run it goes (see index.html).
  document.getElementById('no-app')?.remove();
  window.addEventListener('popstate', () => {
    // Only the #fragment changed (a link within the page): the browser scrolls there itself.
    if (location.pathname + location.search !== shownAddress) void open();
  });
  loadSite(refresh);
  void open();
}
