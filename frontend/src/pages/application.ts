// One application. A draft is a wizard generated from its type's data — one step per form
// section, then documents, then review and submit (`review.ts`) — that saves as the applicant
// types (a stale version is reloaded and saved again). Each answer is checked against the rules
// of the type's data as it is entered (`field-rules.ts`); a wrong one is shown in place with what
// is expected, left out of the save so the rest is saved, and kept in the tab (`unsaved-answers.ts`)
// so a reload shows it again: nothing typed is lost. A submitted application shows its status,
// its appointment when the status asks for one, and its timeline. A representative sees what
// their grant allows: with read access the answers and documents without a way to change them;
// with full access the wizard too, but never what only the applicant does (submit, pay, choose
// representatives). A refusal is said as the API says it; a case no longer theirs is not found.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, api, type FieldProblem, type Schemas } from '../api/client';
import { follow, navigate, refresh, showNotFound, type Page } from '../app';
import { documentsStep, loadDocuments } from './documents';
import { feesPanel, loadPayments } from './payments';
import { appointmentsPanel, loadAppointments } from './appointments';
import { emptyState, summary } from '../forms';
import { PagedList, loadMore } from '../paging';
import { formatDateTime, pick, t } from '../i18n';
import { applicationTypes, statusLabel, type Application, type ApplicationType, type Field } from '../catalog';
import { affectedBy, problemMessage, problemOf, problemsOf, type Answers } from '../field-rules';
import { isApplicant, mayAct, standingNotice, standingOf, type Standing } from '../representation';
import { forgetUnsavedAnswers, keepUnsavedAnswers, unsavedAnswers } from '../unsaved-answers';
import { answerText, loadReview, reviewStep } from './review';
import { processingTimeOf } from '../processing-times';

/** How long typing pauses before the draft is saved. */
const SAVE_DELAY_MS = 800;

let application: Application | null = null;
let history = new PagedList<Schemas['HistoryView']>();
/** What went wrong loading more of the history. */
let historyState = emptyState();
let type: ApplicationType | null = null;
let fees: Schemas['Fees'] | null = null;
/** The answers as typed, saved or not. */
let answers: Answers = {};
/** What is wrong with answers, by field: found by the rules as they are entered, or by the API
 * on saving. Those answers stay out of the save until they change. */
let problems = new Map<string, FieldProblem>();
let saving: 'saved' | 'saving' | 'invalid' | 'failed' | 'refused' = 'saved';
let saveTimer: number | undefined;
/** Answers typed since the last successful save. */
let dirty = false;
/** Counts edits, so a save finishing while the applicant types does not claim it saved all. */
let edits = 0;
/** How the viewer stands to the application (its applicant, a representative). */
let standing: Standing = { role: 'owner' };
/** Why the API refused to save (a representative whose access is read-only now). */
let refusal: string | null = null;

const formFields = (): Field[] => type?.sections.flatMap((s) => s.fields) ?? [];

function step(): number {
  const query = new URLSearchParams(location.search);
  // Back from the checkout: to the review step, where the fees and the outcome are.
  const back = query.has('payment') && type ? type.sections.length + 2 : 1;
  return Number(query.get('step') ?? back);
}

/** The draft's answers as the API takes them: numbers as numbers, blanks left out. */
function payload(exclude: Set<string>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of formFields()) {
    const value = answers[field.id];
    if (exclude.has(field.id) || value === undefined || value === '') continue;
    data[field.id] = field.type === 'number' ? Number(value) : value;
  }
  return data;
}

/** The answers the server does not hold as typed: typed since the last save, or left out of it. */
function unsaved(): Answers {
  const held = application?.data ?? {};
  const differ = formFields().filter((f) => answers[f.id] !== undefined && String(answers[f.id]) !== String(held[f.id] ?? ''));
  return Object.fromEntries(differ.map((f) => [f.id, answers[f.id]]));
}

/** Saves the answers; wrong ones stay shown and out of the save, so the rest is saved. */
export async function save(): Promise<void> {
  const draft = application;
  if (!draft || draft.status !== 'draft' || !mayAct(standing)) return;
  window.clearTimeout(saveTimer);
  saving = 'saving';
  refresh();
  let version = draft.version;
  const upTo = edits;
  for (let attempt = 0; attempt < 3; attempt++) {
    const exclude = new Set(problems.keys());
    try {
      const saved = await api('PUT', '/api/applications/{id}/form', {
        path: { id: draft.id },
        body: { data: payload(exclude), version },
      });
      application = saved;
      keepUnsavedAnswers(saved.id, unsaved());
      const typedMeanwhile = edits !== upTo;
      dirty = exclude.size > 0 || typedMeanwhile;
      saving = typedMeanwhile ? 'saving' : exclude.size > 0 ? 'invalid' : 'saved';
      refresh();
      return;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.problem?.currentVersion) {
        // Saved meanwhile (another tab): save these answers over it rather than lose them.
        version = error.problem.currentVersion;
      } else if (error instanceof ApiError && error.status === 400 && error.problem?.errors) {
        // Refused by a rule the browser did not see (or saw otherwise): out of the next try too.
        for (const problem of error.problem.errors) problems.set(problem.field, problem);
      } else if (error instanceof ApiError && error.status === 404) {
        // No longer theirs to see (a representative whose grant ended).
        showNotFound();
        return;
      } else if (error instanceof ApiError && error.status === 403) {
        // Not theirs to change (read-only access): trying again would not help.
        refusal = error.problem?.title ?? error.message;
        saving = 'refused';
        refresh();
        requestAnimationFrame(() => document.getElementById('save-refused')?.focus());
        return;
      } else {
        saving = 'failed';
        refresh();
        saveTimer = window.setTimeout(() => void save(), SAVE_DELAY_MS * 5);
        return;
      }
    }
  }
  saving = 'failed';
  refresh();
}

/** Checks the answer to `id`, and the dates bounded by it, against the type's rules. */
function check(id: string): void {
  for (const field of affectedBy(formFields(), id)) {
    const code = problemOf(field, answers);
    if (code) problems.set(field.id, { field: field.id, code });
    else problems.delete(field.id);
  }
}

function scheduleSave(): void {
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => void save(), SAVE_DELAY_MS);
}

function edited(event: Event): void {
  const target = event.target as HTMLElement & { name?: string; value?: string };
  const name = target.getAttribute('name');
  if (!name || !application) return;
  answers[name] = target.value ?? '';
  // Checked once entered (a text field left, a date or an option chosen), and as it is typed once
  // found wrong, so the error goes as soon as the answer is right.
  if (event.type === 'gcdsChange' || problems.has(name)) check(name);
  keepUnsavedAnswers(application.id, unsaved());
  dirty = true;
  edits += 1;
  saving = 'saving';
  refresh();
  scheduleSave();
}

function field(field: Field): TemplateResult {
  const problem = problems.get(field.id);
  const common = {
    id: field.id,
    label: pick(field.label),
    error: problem ? problemMessage(formFields(), problem) : '',
    value: String(answers[field.id] ?? ''),
  };
  if (field.type === 'select') {
    return html`<gcds-select select-id=${common.id} name=${common.id} label=${common.label}
      ?required=${field.required} validate-on="other" error-message=${common.error} .value=${common.value}
      default-value=${t('application.choose')}>
      ${(field.options ?? []).map((o) => html`<option value=${o.value}>${pick(o.label)}</option>`)}
    </gcds-select>`;
  }
  return html`<gcds-input input-id=${common.id} name=${common.id} label=${common.label}
    hint=${field.patternHint ? pick(field.patternHint) : nothing}
    type=${field.type === 'date' ? 'date' : field.type === 'number' ? 'number' : 'text'}
    ?required=${field.required} validate-on="other" error-message=${common.error} .value=${common.value}
    maxlength=${field.maxLength ?? nothing} min=${field.min ?? nothing} max=${field.max ?? nothing}></gcds-input>`;
}

function saveStatus(): TemplateResult {
  if (saving === 'refused') {
    return html`<p class="field-error" id="save-refused" role="alert" tabindex="-1">${t('application.notSaved', { reason: refusal ?? '' })}</p>`;
  }
  const text = {
    saved: t('application.saved'),
    saving: t('application.saving'),
    invalid: t('application.unsaved'),
    failed: t('application.saveFailed'),
  }[saving];
  return html`<p class="save-status" role="status" aria-live="polite">${text}</p>`;
}

/** A step's answers, read only. */
function answersOf(fields: Field[]): TemplateResult {
  return html`<dl class="answers">
    ${fields.map((f) => html`<dt>${pick(f.label)}</dt><dd>${answerText(f, answers)}</dd>`)}
  </dl>`;
}

function stepLink(target: number, label: string): TemplateResult {
  const go = async (event: Event) => {
    event.preventDefault();
    await save();
    await navigate(`/applications/${application?.id}?step=${target}`);
  };
  return html`<gcds-button type="link" button-role="secondary" href="?step=${target}" @click=${go}>${label}</gcds-button>`;
}

function wizard(): TemplateResult {
  if (!type || !application) return html``;
  const total = type.sections.length + 2;
  const current = Math.min(Math.max(step(), 1), total);
  const section = type.sections[current - 1];
  const title =
    current <= type.sections.length
      ? pick(section.title)
      : current === total - 1
        ? t('application.documentsStep')
        : t('application.reviewStep');
  return html`
    ${caseLinks(false)}
    <p class="step">${t('application.step', { current, total })}</p>
    <h2>${title}</h2>
    ${mayAct(standing) ? saveStatus() : nothing}
    ${section && mayAct(standing)
      ? html`<form novalidate @gcdsInput=${edited} @gcdsChange=${edited} @submit=${(e: Event) => e.preventDefault()}>
          ${section.fields.map(field)}
        </form>`
      : section
        ? answersOf(section.fields)
        : current === total - 1
          ? documentsStep(application, type, mayAct(standing))
          : fees
            ? reviewStep({ application, type, fees, answers, problems, standing, save })
            : nothing}
    <p class="step-navigation">
      ${current > 1 ? stepLink(current - 1, t('application.previous')) : nothing}
      ${current < total ? stepLink(current + 1, t('application.next')) : nothing}
      ${current < total && new URLSearchParams(location.search).get('from') === 'review'
        ? stepLink(total, t('review.back'))
        : nothing}
    </p>`;
}

/** Focuses the field the address names (a "Change" link of the review), once it is rendered. */
function focusAskedField(): void {
  const id = new URLSearchParams(location.search).get('field');
  if (!id) return;
  requestAnimationFrame(async () => {
    const element = document.querySelector<HTMLElement & { componentOnReady?: () => Promise<unknown> }>(`[name="${CSS.escape(id)}"]`);
    await element?.componentOnReady?.();
    element?.focus();
  });
}

/** Whose case it is (to a representative), and the links to its messages and (for the applicant)
 * its representatives. */
function caseLinks(withMessages: boolean): TemplateResult {
  const id = application?.id ?? '';
  return html`${standingNotice(standing)}
    ${withMessages
      ? html`<p><gcds-link href="/applications/${id}/messages" @click=${follow}>${t('messages.link')}</gcds-link></p>`
      : nothing}
    ${isApplicant(standing)
      ? html`<p><gcds-link href="/applications/${id}/representatives" @click=${follow}>${t('application.representatives')}</gcds-link></p>`
      : nothing}
    ${application ? processingTimeOf(application) : nothing}`;
}

function timeline(): TemplateResult {
  if (!application) return html``;
  return html`
    <p>${t('application.status', { status: statusLabel(application.status) })}</p>
    ${caseLinks(true)}
    ${application.number ? html`<p>${t('application.number', { number: application.number })}</p>` : nothing}
    ${type
      ? html`<h2>${t('application.documentsStep')}</h2>${documentsStep(application, type, mayAct(standing))}`
      : nothing}
    ${appointmentsPanel(application, mayAct(standing))}
    ${fees ? feesPanel(application, fees, isApplicant(standing)) : nothing}
    <h2>${t('application.history')}</h2>
    ${summary(historyState, {})}
    ${history.items.length === 0
      ? html`<p>${t('application.noHistory')}</p>`
      : html`<ol class="timeline">
          ${history.items.map(
            (entry) => html`<li>
              <strong>${statusLabel(entry.to)}</strong> — ${formatDateTime(entry.at)}
              ${entry.noteToApplicant ? html`<p>${entry.noteToApplicant}</p>` : nothing}
            </li>`,
          )}
        </ol>
        ${loadMore(history, historyState)}`}`;
}

export const applicationPage: Page = {
  title: () => (type ? pick(type.name) : t('app.loading')),
  private: true,
  load: async ({ id }) => {
    if (application?.id !== id) {
      application = null;
      type = null;
      answers = {};
      problems = new Map();
      dirty = false;
    }
    const [found, catalog] = await Promise.all([
      api('GET', '/api/applications/{id}', { path: { id } }),
      applicationTypes(),
    ]);
    application = found.application;
    fees = found.fees;
    standing = await standingOf(found.application);
    refusal = null;
    if (saving === 'refused') saving = 'saved';
    await loadPayments(id);
    history = await new PagedList(
      (cursor) => api('GET', '/api/applications/{id}/history', { path: { id }, query: { cursor } }),
    ).first(found.history);
    historyState = emptyState();
    type = catalog.find((candidate) => candidate.code === found.application.type) ?? null;
    if (dirty) {
      // Typed while the page was loading: those answers are newer than the server's.
      answers = { ...found.application.data, ...answers };
    } else {
      restore(found.application);
    }
    const sections = type?.sections.length ?? 0;
    // A submitted application always lists its documents (to download; to send only what an
    // officer asks for); a draft on its documents step.
    const documentsShown = application.status !== 'draft' || step() === sections + 1;
    if (documentsShown) await loadDocuments(application.id);
    if (application.status === 'draft' && step() >= sections + 2) await loadReview(application.id);
    if (application.status !== 'draft') await loadAppointments(application);
    focusAskedField();
  },
  view: () => (application?.status === 'draft' ? wizard() : timeline()),
};

/** The answers of `found` as the server holds them, with those typed here and not saved yet
 * (kept across a reload) over them, each checked against the rules; those waiting only for
 * the save are saved. */
function restore(found: Application): void {
  if (found.status !== 'draft' || !mayAct(standing)) {
    // Nothing typed here can be saved any more (submitted, or access now read-only): the
    // server's answers are the answers.
    keepUnsavedAnswers(found.id, {});
    answers = { ...found.data };
    problems = new Map();
    saving = 'saved';
    return;
  }
  const kept = unsavedAnswers(found.id);
  answers = { ...found.data, ...kept };
  problems = new Map([...problemsOf(formFields(), answers)].map(([field, code]) => [field, { field, code }]));
  const waiting = Object.keys(kept);
  dirty = waiting.length > 0;
  saving = waiting.some((id) => problems.has(id)) ? 'invalid' : dirty ? 'saving' : 'saved';
  if (saving === 'saving') scheduleSave();
}

/** Saves a draft before the session ends (sign-out or time-out), so nothing typed is lost; what
 * could not be saved is forgotten with the session (it is personal data, on a maybe shared
 * computer). */
export async function saveBeforeLeaving(): Promise<void> {
  if (dirty) await save();
  forgetUnsavedAnswers();
}
