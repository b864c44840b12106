// The page for an address that leads nowhere (or to something this user may no longer see). It
// keeps the signed-in menu when someone is signed in, and links back to where they start.
import { html } from 'lit-html';
import { isOfficer, signedIn } from '../api/client';
import { follow, type Page } from '../app';
import { t } from '../i18n';

export const notFoundPage: Page = {
  title: () => t('notFound.heading'),
  knowsWhoIsThere: true,
  view: () => {
    const start = signedIn() ? (isOfficer() ? '/officer' : '/dashboard') : '/';
    return html`<p>${t('notFound.lead')}</p>
      <p><gcds-link href=${start} @click=${follow}>${signedIn() ? t('notFound.dashboard') : t('notFound.home')}</gcds-link></p>`;
  },
};
