// The confirmation after submission: the application's number (to keep and quote), when it was
// submitted, the declaration as it was recorded (version, language), and what happens next — processing, the messages and requests to expect, the
// notifications — with the way to the application and to the dashboard. A draft has nothing to
// confirm: its address leads to the draft itself.
import { html, nothing } from 'lit-html';
import { api } from '../api/client';
import { follow, navigate, type Page } from '../app';
import { applicationTypes, typeName, type Application, type ApplicationType } from '../catalog';
import { formatDateTime, t } from '../i18n';

let application: Application | null = null;
let types: ApplicationType[] = [];

export const submittedPage: Page = {
  title: () => t('submitted.heading'),
  private: true,
  load: async ({ id }) => {
    application = null;
    const [found, catalog] = await Promise.all([api('GET', '/api/applications/{id}', { path: { id } }), applicationTypes()]);
    types = catalog;
    if (found.application.status === 'draft') {
      await navigate(`/applications/${id}`, true);
      return;
    }
    application = found.application;
  },
  view: ({ id }) => {
    if (!application) return html`<p>${t('app.loading')}</p>`;
    const declared = application.declaration;
    return html`
      <gcds-notice notice-role="success" notice-title-tag="h2"
        notice-title=${t('submitted.numberTitle', { number: application.number ?? '' })}>
        <gcds-text>${typeName(types, application.type)}</gcds-text>
        ${application.submittedAt ? html`<gcds-text>${t('submitted.date', { date: formatDateTime(application.submittedAt) })}</gcds-text>` : nothing}
        <gcds-text>${t('submitted.keep')}</gcds-text>
      </gcds-notice>
      ${declared
        ? html`<p>${t('submitted.declared', {
            version: declared.version,
            language: t(`submitted.declaredIn.${declared.language}`),
            date: formatDateTime(declared.at),
          })}</p>`
        : nothing}
      <h2>${t('submitted.nextHeading')}</h2>
      <ul>
        <li>${t('submitted.processing')}</li>
        <li>${t('submitted.messages')}</li>
        <li>${t('submitted.notifications')}</li>
      </ul>
      <p class="actions">
        <gcds-link href="/applications/${id}" @click=${follow}>${t('submitted.open')}</gcds-link>
        <gcds-link href="/dashboard" @click=${follow}>${t('submitted.dashboard')}</gcds-link>
      </p>`;
  },
};
