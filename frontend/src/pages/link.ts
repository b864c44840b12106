// Linking a paper application to the account (`POST /api/applications/link`): its number, and
// the family name and date of birth as written on it. Any mismatch is the same "no match", with
// no hint of which detail was wrong; after 5 of them linking pauses for the account (A3), and
// the page says until when. The rule is said before the form, and what can be checked before
// sending is, so that a typo does not use up a try.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, api } from '../api/client';
import { follow, refresh, type Page } from '../app';
import { emptyState, failed, fields, focusSummary, input, summary, values, type FormState } from '../forms';
import { formatDateTime, said, t } from '../i18n';
import { backToDashboard } from './applications';

/** Tries that do not match before linking pauses: the API's rule (`LINK_FAILURES` in
 * `portal_domain::attempts`), which it does not publish; said here so it can be said first. */
const TRIES = 5;
const FIELDS = ['applicationNumber', 'familyName', 'dateOfBirth'] as const;
/** A number as printed: the type's letter and nine digits (what the API matches). */
const NUMBER = /^[A-Z][0-9]{9}$/;

let state: FormState = emptyState();
/** Linking is paused for the account (the API said so): support is the way on. */
let paused = false;

const labels = (): Record<string, string> => ({
  applicationNumber: t('link.number'),
  familyName: t('link.familyName'),
  dateOfBirth: t('link.dateOfBirth'),
});

/** The number as the API takes it: spaces (often typed in groups) dropped, capitals. */
const normalized = (number: string): string => number.replace(/\s+/g, '').toUpperCase();

/** What is wrong with the details before anything is sent, by field. */
function problems(details: Record<(typeof FIELDS)[number], string>): Map<string, string> {
  const found = new Map<string, string>();
  const number = normalized(details.applicationNumber);
  if (!number) found.set('applicationNumber', t('link.numberRequired'));
  else if (!NUMBER.test(number)) found.set('applicationNumber', t('link.numberInvalid'));
  if (!details.familyName.trim()) found.set('familyName', t('link.familyNameRequired'));
  const today = new Date().toISOString().slice(0, 10);
  if (!details.dateOfBirth) found.set('dateOfBirth', t('link.dateOfBirthRequired'));
  else if (details.dateOfBirth >= today) found.set('dateOfBirth', t('link.dateOfBirthPast'));
  return found;
}

/** Why the API refused, as the applicant needs it said. */
function refusal(error: unknown): void {
  if (error instanceof ApiError && error.status === 404) {
    state.alert = said('link.noMatch', { tries: TRIES });
  } else if (error instanceof ApiError && error.status === 429 && error.retryAfter) {
    const until = Date.now() / 1000 + error.retryAfter;
    state.alert = () => t('link.paused', { tries: TRIES, date: formatDateTime(until) });
    paused = true;
  } else {
    failed(state, error);
  }
}

async function link(form: HTMLFormElement): Promise<void> {
  const details = fields(values(form), FIELDS);
  state = emptyState();
  state.errors = problems(details);
  if (state.errors.size > 0) {
    focusSummary();
    refresh();
    return;
  }
  state.busy = true;
  refresh();
  try {
    const linked = await api('POST', '/api/applications/link', {
      body: { ...details, applicationNumber: normalized(details.applicationNumber), familyName: details.familyName.trim() },
    });
    state = emptyState();
    await backToDashboard(said('link.linked', { number: linked.number ?? '' }));
    return;
  } catch (error) {
    refusal(error);
    state.busy = false;
    focusSummary();
  }
  refresh();
}

function form(): TemplateResult {
  return html`<form novalidate @submit=${(event: SubmitEvent) => {
    event.preventDefault();
    void link(event.currentTarget as HTMLFormElement);
  }}>
    ${input(state, 'applicationNumber', t('link.number'), { hint: t('link.numberHint'), autocomplete: 'off' })}
    ${input(state, 'familyName', t('link.familyName'), { autocomplete: 'family-name' })}
    ${input(state, 'dateOfBirth', t('link.dateOfBirth'), { type: 'date', autocomplete: 'bday' })}
    <p class="actions">
      <gcds-button type="submit" ?disabled=${state.busy}>${t('link.submit')}</gcds-button>
      <gcds-button type="link" button-role="secondary" href="/dashboard" @click=${follow}>${t('link.cancel')}</gcds-button>
    </p>
  </form>`;
}

export const linkPage: Page = {
  title: () => t('link.heading'),
  private: true,
  load: async () => {
    state = emptyState();
    paused = false;
  },
  view: () => html`
    ${summary(state, labels())}
    ${paused ? html`<p><gcds-link href="/help#support" @click=${follow}>${t('support.needHelp')}</gcds-link></p>` : nothing}
    <p>${t('link.lead')}</p>
    <p>${t('link.where')}</p>
    <p class="notice" id="link-rule"><strong>${t('link.rule', { tries: TRIES })}</strong></p>
    ${form()}`,
};
