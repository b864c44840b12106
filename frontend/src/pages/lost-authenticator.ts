// For someone with neither their authenticator app nor a recovery code: a code emailed to them
// (a password reset's), a new password, and the number and date of birth of one of their
// applications. Their authenticator is then removed, and they set up a new one at sign-in.
import { html } from 'lit-html';
import { api } from '../api/client';
import { follow, refresh, type Page } from '../app';
import { emptyState, failed, fields, focusSummary, input, summary, values, type FormState } from '../forms';
import { said, t } from '../i18n';
import { signedOutWith } from './account';

let state: FormState = emptyState();
/** The address the code was sent to (step two once set). */
let email: string | null = null;

const FIELDS = ['code', 'newPassword', 'applicationNumber', 'dateOfBirth'] as const;

async function sendCode(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const typed = fields(values(event.currentTarget as HTMLFormElement), ['email'] as const);
  try {
    await api('POST', '/api/auth/forgot', { body: typed });
    email = typed.email;
    state = emptyState();
  } catch (error) {
    failed(state, error);
    focusSummary();
  }
  refresh();
}

async function reset(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const typed = fields(values(event.currentTarget as HTMLFormElement), FIELDS);
  try {
    await api('POST', '/api/auth/reset-authenticator', { body: { email: email ?? '', ...typed } });
    email = null;
    await signedOutWith(said('lost.done'));
  } catch (error) {
    failed(state, error);
    focusSummary();
    refresh();
  }
}

export const lostAuthenticatorPage: Page = {
  title: () => t('lost.heading'),
  load: async () => {
    state = emptyState();
    email = null;
  },
  view: () => {
    const labels = {
      email: t('signIn.email'),
      code: t('lost.code'),
      newPassword: t('security.password.new'),
      applicationNumber: t('lost.number'),
      dateOfBirth: t('lost.dateOfBirth'),
    };
    if (email === null) {
      return html`
        <p>${t('lost.lead')}</p>
        ${summary(state, labels)}
        <form novalidate @submit=${sendCode}>
          ${input(state, 'email', labels.email, { type: 'email', autocomplete: 'username' })}
          <gcds-button type="submit">${t('lost.send')}</gcds-button>
        </form>
        <p>${t('lost.support')} <gcds-link href="/help" @click=${follow}>${t('lost.supportLink')}</gcds-link></p>`;
    }
    return html`
      <p>${t('lost.sent', { email })}</p>
      ${summary(state, labels)}
      <form novalidate @submit=${reset}>
        ${input(state, 'code', labels.code, { autocomplete: 'one-time-code' })}
        ${input(state, 'newPassword', labels.newPassword, {
          type: 'password', autocomplete: 'new-password', hint: t('security.password.rules') })}
        ${input(state, 'applicationNumber', labels.applicationNumber, { hint: t('lost.numberHint') })}
        ${input(state, 'dateOfBirth', labels.dateOfBirth, { type: 'date', hint: t('lost.dateOfBirthHint') })}
        <gcds-button type="submit">${t('lost.submit')}</gcds-button>
      </form>
      <p><gcds-link href="/lost-authenticator" @click=${(event: Event) => {
        event.preventDefault();
        email = null;
        refresh();
      }}>${t('lost.again')}</gcds-link></p>`;
  },
};

