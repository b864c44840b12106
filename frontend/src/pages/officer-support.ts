// The support desk: an officer of the support group removes the authenticator of a person who
// lost it and every recovery code, once they checked who the person is (the reason is kept in
// the account's audit trail). The person then sets up a new authenticator at their next sign-in.
import { html } from 'lit-html';
import { api, isSupport } from '../api/client';
import { refresh, type Page } from '../app';
import { emptyState, failed, fields, focusSummary, input, notice, summary, values, type FormState } from '../forms';
import { said, t } from '../i18n';

let state: FormState = emptyState();

async function resetAuthenticator(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const body = fields(values(form), ['email', 'reason'] as const);
  try {
    await api('POST', '/api/officer/accounts/reset-authenticator', { body });
    state = emptyState();
    state.notice = said('support.done', { email: body.email });
    for (const field of form.querySelectorAll<HTMLInputElement>('gcds-input, gcds-textarea')) field.value = '';
  } catch (error) {
    failed(state, error);
    focusSummary();
  }
  refresh();
}

export const supportPage: Page = {
  title: () => t('support.heading'),
  private: true,
  load: async () => {
    state = emptyState();
  },
  view: () => {
    if (!isSupport()) return html`<p>${t('support.notSupport')}</p>`;
    const labels = { email: t('support.email'), reason: t('support.reason') };
    return html`
      <p>${t('support.lead')}</p>
      ${summary(state, labels)} ${notice(state)}
      <form novalidate @submit=${resetAuthenticator}>
        ${input(state, 'email', labels.email, { type: 'email', autocomplete: 'off' })}
        <gcds-textarea textarea-id="reason" name="reason" label=${labels.reason} hint=${t('support.reasonHint')}
          required validate-on="other" error-message=${state.errors.get('reason') ?? ''}></gcds-textarea>
        <gcds-button type="submit">${t('support.submit')}</gcds-button>
      </form>`;
  },
};
