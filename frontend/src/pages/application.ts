// One application. A draft is a wizard generated from its type's data — one step per form
// section, then documents, then review and submit — that saves as the applicant types (a
// stale version is reloaded and saved again, invalid answers are shown in place and the
// valid ones still saved: nothing typed is lost). A submitted application shows its status,
// its appointment when the status asks for one, and its timeline. A representative sees what
// their grant allows: with read access the answers and documents without a way to change them;
// with full access the wizard too, but never what only the applicant does (submit, pay, choose
// representatives). A refusal is said as the API says it; a case no longer theirs is not found.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, api, type FieldProblem, type Schemas } from '../api/client';
import { follow, navigate, notFoundShown, refresh, showNotFound, type Page } from '../app';
import { documentsStep, loadDocuments } from './documents';
import { feesPanel, loadPayments } from './payments';
import { appointmentsPanel, loadAppointments } from './appointments';
import { emptyState, summary } from '../forms';
import { PagedList, loadMore } from '../paging';
import { formatDateTime, pick, t } from '../i18n';
import { applicationTypes, statusLabel, type Application, type ApplicationType, type Field } from '../catalog';
import { isApplicant, mayAct, standingNotice, standingOf, type Standing } from '../representation';

/** How long typing pauses before the draft is saved. */
const SAVE_DELAY_MS = 800;

let application: Application | null = null;
let history = new PagedList<Schemas['HistoryView']>();
/** What went wrong loading more of the history. */
let historyState = emptyState();
let type: ApplicationType | null = null;
let fees: Schemas['Fees'] | null = null;
/** The answers as typed, saved or not. */
let answers: Record<string, unknown> = {};
let fieldErrors = new Map<string, string>();
let saving: 'saved' | 'saving' | 'invalid' | 'failed' | 'refused' = 'saved';
let saveTimer: number | undefined;
/** Answers typed since the last successful save. */
let dirty = false;
/** Counts edits, so a save finishing while the applicant types does not claim it saved all. */
let edits = 0;
let missing: FieldProblem[] = [];
/** How the viewer stands to the application (its applicant, a representative). */
let standing: Standing = { role: 'owner' };
/** Why the API refused to save (a representative whose access is read-only now). */
let refusal: string | null = null;

function step(): number {
  const query = new URLSearchParams(location.search);
  // Back from the checkout: to the review step, where the fees and the outcome are.
  const back = query.has('payment') && type ? type.sections.length + 2 : 1;
  return Number(query.get('step') ?? back);
}

/** The draft's answers as the API takes them: numbers as numbers, blanks left out. */
function payload(exclude: Set<string>): Record<string, unknown> {
  const fields = type?.sections.flatMap((s) => s.fields) ?? [];
  const data: Record<string, unknown> = {};
  for (const field of fields) {
    const value = answers[field.id];
    if (exclude.has(field.id) || value === undefined || value === '') continue;
    data[field.id] = field.type === 'number' ? Number(value) : value;
  }
  return data;
}

/** Saves the answers; invalid ones are shown and left out so the rest is saved. */
export async function save(): Promise<void> {
  const draft = application;
  if (!draft || draft.status !== 'draft' || !mayAct(standing)) return;
  window.clearTimeout(saveTimer);
  saving = 'saving';
  refresh();
  let exclude = new Set<string>();
  let version = draft.version;
  const upTo = edits;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const saved = await api('PUT', '/api/applications/{id}/form', {
        path: { id: draft.id },
        body: { data: payload(exclude), version },
      });
      application = saved;
      const typedMeanwhile = edits !== upTo;
      dirty = exclude.size > 0 || typedMeanwhile;
      saving = typedMeanwhile ? 'saving' : exclude.size > 0 ? 'invalid' : 'saved';
      if (exclude.size === 0) fieldErrors = new Map();
      refresh();
      return;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.problem?.currentVersion) {
        // Saved meanwhile (another tab): save these answers over it rather than lose them.
        version = error.problem.currentVersion;
      } else if (error instanceof ApiError && error.status === 400 && error.problem?.errors) {
        fieldErrors = new Map(error.problem.errors.map((e) => [e.field, e.message ?? e.code]));
        exclude = new Set(fieldErrors.keys());
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
}

function edited(event: Event): void {
  const target = event.target as HTMLElement & { name?: string; value?: string };
  const name = target.getAttribute('name');
  if (!name) return;
  answers[name] = target.value ?? '';
  dirty = true;
  edits += 1;
  if (saving !== 'saving') {
    saving = 'saving';
    refresh();
  }
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => void save(), SAVE_DELAY_MS);
}

function field(field: Field): TemplateResult {
  const common = {
    id: field.id,
    label: pick(field.label),
    error: fieldErrors.get(field.id) ?? '',
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

/** An answer as shown to someone who may not change it: a choice's label, or that there is none. */
function shown(field: Field): string {
  const value = answers[field.id];
  if (value === undefined || value === null || value === '') return t('application.notAnswered');
  const option = field.options?.find((o) => o.value === value);
  return option ? pick(option.label) : String(value);
}

/** A step's answers, read only. */
function answersOf(fields: Field[]): TemplateResult {
  return html`<dl class="answers">
    ${fields.map((f) => html`<dt>${pick(f.label)}</dt><dd>${shown(f)}</dd>`)}
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

async function submit(): Promise<void> {
  if (!application) return;
  await save();
  try {
    const submitted = await api('POST', '/api/applications/{id}/submit', { path: { id: application.id } });
    missing = [];
    application = submitted;
    await navigate(`/applications/${submitted.id}`);
  } catch (error) {
    if (error instanceof ApiError && error.problem?.errors) {
      missing = error.problem.errors;
      refresh();
      requestAnimationFrame(() => document.getElementById('missing')?.focus());
    } else if (!notFoundShown(error)) {
      throw error;
    }
  }
}

/** Where a missing item is fixed: its form step, or the documents step. */
function stepOf(field: string): number {
  if (!type) return 1;
  if (field === 'fees') return type.sections.length + 2;
  if (field.startsWith('documents.')) return type.sections.length + 1;
  const index = type.sections.findIndex((s) => s.fields.some((f) => f.id === field));
  return index + 1;
}

function labelOf(field: string): string {
  if (!type) return field;
  if (field === 'fees') return t('application.fees');
  if (field.startsWith('documents.')) {
    const kind = field.slice('documents.'.length);
    const document = type.documents.find((d) => d.kind === kind);
    return document ? pick(document.label) : kind;
  }
  const found = type.sections.flatMap((s) => s.fields).find((f) => f.id === field);
  return found ? pick(found.label) : field;
}

function review(): TemplateResult {
  if (!type || !application || !fees) return html``;
  return html`
    ${missing.length > 0
      ? html`<div class="error-summary" id="missing" tabindex="-1" role="alert">
          <h2>${t('application.missing')}</h2>
          <ul>
            ${missing.map(
              (item) => html`<li><a href="/applications/${application?.id}?step=${stepOf(item.field)}" @click=${follow}>
                ${labelOf(item.field)}: ${item.message ?? item.code}</a></li>`,
            )}
          </ul>
        </div>`
      : nothing}
    ${feesPanel(application, fees, isApplicant(standing))}
    ${isApplicant(standing)
      ? html`<p><gcds-button type="button" @click=${() => void submit()}>${t('application.submit')}</gcds-button></p>`
      : html`<p>${t('application.applicantOnly')}</p>`}`;
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
          : review()}
    <p class="step-navigation">
      ${current > 1 ? stepLink(current - 1, t('application.previous')) : nothing}
      ${current < total ? stepLink(current + 1, t('application.next')) : nothing}
    </p>`;
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
      : nothing}`;
}

function timeline(): TemplateResult {
  if (!application) return html``;
  return html`
    <p>${t('application.status', { status: statusLabel(application.status) })}</p>
    ${caseLinks(true)}
    ${application.number ? html`<p>${t('application.number', { number: application.number })}</p>` : nothing}
    ${application.status === 'documents_requested' && type
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
      missing = [];
      answers = {};
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
      answers = { ...found.application.data };
      fieldErrors = new Map();
      saving = 'saved';
    }
    const documentsShown =
      application.status === 'documents_requested' ||
      (application.status === 'draft' && step() === (type?.sections.length ?? 0) + 1);
    if (documentsShown) await loadDocuments(application.id);
    if (application.status !== 'draft') await loadAppointments(application);
  },
  view: () => (application?.status === 'draft' ? wizard() : timeline()),
};

/** Saves a draft before the session ends (sign-out or time-out), so nothing typed is lost. */
export async function saveBeforeLeaving(): Promise<void> {
  if (dirty) await save();
}
