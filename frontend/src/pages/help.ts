// Help and support, in both languages: supported browsers (and whether this one is), what to try
// when a page misbehaves, a forgotten password, a lost authenticator, how to recognize the official
// site, and how to reach support with the account reference number. Open to anyone; signed in,
// it shows the reader's own reference number.
import { html, nothing, type TemplateResult } from 'lit-html';
import { signedIn, whoAmI } from '../api/client';
import { follow, type Page } from '../app';
import { missingFeatures } from '../browser-support';
import { t, type MessageKey } from '../i18n';
import { officialAddress, supportContact } from '../site';

/** The signed-in reader's account reference number, once read. */
let reference: string | null = null;

/** One part of the help: its anchor, its heading, what it says. */
type Section = [id: string, heading: MessageKey, body: () => TemplateResult];

const SECTIONS: Section[] = [
  ['browsers', 'help.browsers.heading', () => {
    const missing = missingFeatures();
    return html`<p>${t('help.browsers.text')}</p>
      <p class=${missing.length ? 'field-error' : 'notice'} id="browser-check">${missing.length
        ? t('help.browsers.missing', { features: missing.join(', ') })
        : t('help.browsers.ok')}</p>`;
  }],
  ['display', 'help.display.heading', () => html`<ol>
      <li>${t('help.display.reload')}</li>
      <li>${t('help.display.cache')}</li>
      <li>${t('help.display.private')}</li>
      <li>${t('help.display.other')}</li>
    </ol>`],
  ['password', 'help.password.heading', () => html`<p>${t('help.password.text')}</p>
    <p><gcds-link href="/forgot" @click=${follow}>${t('help.password.link')}</gcds-link></p>`],
  ['authenticator', 'help.authenticator.heading', () => html`<p>${t('help.authenticator.text')}</p>
    <p>${t('help.authenticator.support')}</p>`],
  ['official', 'help.official.heading', () => {
    const address = officialAddress();
    return html`<p>${address ? t('help.official.address', { address }) : t('app.loading')}</p>
      <p><strong>${t('help.official.never')}</strong></p>
      <p>${t('help.official.report')}</p>`;
  }],
  ['support', 'help.support.heading', support],
];

/** How to reach support: the reader's reference number (signed in) and the deployment's contact. */
function support(): TemplateResult {
  const contact = supportContact();
  return html`<p>${t('help.support.text')}</p>
    ${reference ? nothing : html`<p>${t('help.support.referenceWhere')}</p>`}
    <dl class="answers contact">
      ${reference ? html`<dt>${t('help.support.reference')}</dt><dd class="reference">${reference}</dd>` : nothing}
      ${contact
        ? html`<dt>${t('help.support.email')}</dt><dd><a href="mailto:${contact.email}">${contact.email}</a></dd>
            ${contact.phone ? html`<dt>${t('help.support.phone')}</dt><dd><a href="tel:${contact.phone}">${contact.phone}</a></dd>` : nothing}
            ${contact.hours ? html`<dt>${t('help.support.hours')}</dt><dd>${contact.hours}</dd>` : nothing}`
        : nothing}
    </dl>
    ${contact ? nothing : html`<p>${t('help.support.loading')}</p>`}`;
}

export const helpPage: Page = {
  title: () => t('help.heading'),
  knowsWhoIsThere: true,
  load: async () => {
    reference = signedIn() ? ((await whoAmI().catch(() => null))?.reference ?? null) : null;
  },
  view: () => html`<p>${t('help.lead')}</p>
    <nav aria-labelledby="help-contents"><h2 id="help-contents">${t('help.contents')}</h2>
      <ul>${SECTIONS.map(([id, heading]) => html`<li><a href="#${id}">${t(heading)}</a></li>`)}</ul>
    </nav>
    ${SECTIONS.map(([id, heading, body]) => html`<h2 id=${id}>${t(heading)}</h2>${body()}`)}`,
};
