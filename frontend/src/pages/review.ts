// The review step of a draft: what the applicant reads before signing. Every answer by section
// (a choice by its label, a date and a number written as the reader's language writes them, an
// answer not saved with what is wrong with it), each with a link to the step and the field where
// it is asked; the documents attached; the fees and whether they are paid; and the declaration in
// the language read, which the applicant confirms with the submission (the API records its
// version, language and text). Anything still wrong — an answer the rules refuse, what the API
// says is missing, the declaration left unconfirmed — is listed at the top, each item linking to
// where it is fixed. Once submitted, the applicant goes to the confirmation page.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, api, type FieldProblem, type Schemas } from '../api/client';
import { follow, navigate, notFoundShown, refresh } from '../app';
import type { Application, ApplicationType, Field } from '../catalog';
import { isDate, problemMessage, type Answers } from '../field-rules';
import { agreement, emptyState, focusSummary, summary, type FormState } from '../forms';
import { formatDate, formatNumber, language, pick, t } from '../i18n';
import { isApplicant, mayAct, type Standing } from '../representation';
import { keepUnsavedAnswers } from '../unsaved-answers';
import { stateText } from './documents';
import { feesPanel } from './payments';

/** The draft as the wizard holds it. */
export interface Draft {
  application: Application;
  type: ApplicationType;
  fees: Schemas['Fees'];
  /** The answers as typed, saved or not. */
  answers: Answers;
  /** What is wrong with answers (found here or by the API), by field: those are not saved. */
  problems: Map<string, FieldProblem>;
  standing: Standing;
  /** Saves what is typed. */
  save: () => Promise<void>;
}

/** The id of the declaration's checkbox, which its error names. */
const DECLARATION = 'declaration';

let listed: Schemas['DocumentList'] | null = null;
let statement: Schemas['Statement'] | null = null;
/** Which application `listed` and the rest are about, once loaded: until then the page (painted
 * before its load ends) shows no declaration to confirm and no button that could not submit. */
let reviewing: string | null = null;
let agreed = false;
/** What stopped the last submission, by field (the declaration's by `DECLARATION`). */
let stopped: FieldProblem[] = [];

/** Loads what the review shows besides the draft: its documents and the declaration. A new
 * application starts unticked, with nothing missing. */
export async function loadReview(id: string): Promise<void> {
  const [documents, declared] = await Promise.all([
    api('GET', '/api/applications/{id}/documents', { path: { id } }),
    statement ? Promise.resolve(statement) : api('GET', '/api/declaration-statement'),
  ]);
  if (reviewing !== id) {
    reviewing = id;
    agreed = false;
    stopped = [];
  }
  [listed, statement] = [documents, declared];
}

const fieldsOf = (type: ApplicationType): Field[] => type.sections.flatMap((section) => section.fields);

/** The wizard's step where `field` (a form field, `documents.<kind>`, `fees`) is answered. */
export function stepOf(type: ApplicationType, field: string): number {
  if (field === 'fees') return type.sections.length + 2;
  if (field.startsWith('documents.')) return type.sections.length + 1;
  return type.sections.findIndex((section) => section.fields.some((f) => f.id === field)) + 1;
}

/** The step's address that shows `field`, focused, with a way back to the review. */
function changeHref(application: Application, type: ApplicationType, field: string): string {
  const step = stepOf(type, field);
  const focus = step <= type.sections.length ? `&field=${encodeURIComponent(field)}` : '';
  return `/applications/${application.id}?step=${step}${focus}&from=review`;
}

function labelOf(type: ApplicationType, field: string): string {
  if (field === 'fees') return t('application.fees');
  if (field === DECLARATION) return t('review.declaration');
  if (field.startsWith('documents.')) {
    const kind = field.slice('documents.'.length);
    const requirement = type.documents.find((d) => d.kind === kind);
    return requirement ? pick(requirement.label) : kind;
  }
  const found = fieldsOf(type).find((f) => f.id === field);
  return found ? pick(found.label) : field;
}

/** An answer as the reader writes it: a choice's label, a date written out, a number with its
 * separators; or that there is none. */
export function answerText(field: Field, answers: Answers): string {
  const value = answers[field.id];
  if (value === undefined || value === null || value === '') return t('application.notAnswered');
  const text = String(value);
  if (field.type === 'select') {
    const option = field.options?.find((o) => o.value === text);
    return option ? pick(option.label) : text;
  }
  if (field.type === 'date' && isDate(text)) return formatDate(text);
  if (field.type === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return formatNumber(Number(text));
  return text;
}

/** One section's answers, each with what is wrong with it and (for who may change it) the link
 * to change it. */
function answerRows(draft: Draft, fields: Field[], canChange: boolean): TemplateResult {
  const all = fieldsOf(draft.type);
  return html`<dl class="summary-list">
    ${fields.map((field) => {
      const problem = draft.problems.get(field.id);
      const label = pick(field.label);
      return html`<div>
        <dt>${label}</dt>
        <dd>${answerText(field, draft.answers)}
          ${problem ? html`<p class="field-error">${t('review.notSaved', { problem: problemMessage(all, problem) })}</p>` : nothing}</dd>
        ${canChange
          ? html`<dd><gcds-link href=${changeHref(draft.application, draft.type, field.id)} @click=${follow}>
              ${t('review.change')} <gcds-sr-only tag="span">${label}</gcds-sr-only></gcds-link></dd>`
          : nothing}
      </div>`;
    })}
  </dl>`;
}

/** The checklist with the files attached to each line and their state. */
function documentRows(draft: Draft, canChange: boolean): TemplateResult {
  const documents = listed?.items ?? [];
  return html`<dl class="summary-list">
      ${(listed?.checklist ?? []).map((line) => {
        const requirement = draft.type.documents.find((d) => d.kind === line.kind);
        const sent = documents.filter((d) => d.kind === line.kind);
        return html`<div>
          <dt>${requirement ? pick(requirement.label) : line.kind}
            <span class="tag">${line.required ? t('documents.required') : t('documents.optional')}</span></dt>
          <dd>${sent.length === 0
            ? t('documents.notSent')
            : html`<ul>${sent.map((d) => html`<li>${d.fileName} — ${stateText(d)}</li>`)}</ul>`}</dd>
        </div>`;
      })}
    </dl>
    ${canChange
      ? html`<p><gcds-link href=${changeHref(draft.application, draft.type, 'documents.')} @click=${follow}>
          ${t('review.changeDocuments')}</gcds-link></p>`
      : nothing}`;
}

/** What is wrong with the declaration: left unconfirmed, or (the API's words) replaced by a new
 * version since it was shown. */
function declarationMessage(problem: FieldProblem): string {
  return problem.code === 'required' || problem.code === 'must-agree'
    ? t('review.agreeRequired')
    : (problem.message ?? problem.code);
}

/** What stopped the submission, in words: an answer's own problem (found here) before the API's
 * "required" for the answer it could not save. */
function stoppedState(draft: Draft): FormState {
  const state = emptyState();
  const fields = fieldsOf(draft.type);
  for (const item of stopped) {
    const message =
      item.field === DECLARATION ? declarationMessage(item) : problemMessage(fields, draft.problems.get(item.field) ?? item);
    state.errors.set(item.field, message);
  }
  return state;
}

async function submit(draft: Draft): Promise<void> {
  const { application } = draft;
  await draft.save();
  // Nothing goes while an answer is wrong (the API would take the form without it), nor unsigned.
  stopped = [...draft.problems.values()];
  if (!agreed) stopped.push({ field: DECLARATION, code: 'required' });
  if (stopped.length === 0 && statement) {
    try {
      const submitted = await api('POST', '/api/applications/{id}/submit', {
        path: { id: application.id },
        body: { declaration: { version: statement.version, language: language(), agreed: true } },
      });
      keepUnsavedAnswers(application.id, {});
      await navigate(`/applications/${submitted.id}/submitted`);
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.problem?.errors)) {
        if (notFoundShown(error)) return;
        throw error;
      }
      // The declaration's own fields (`declaration.agreed`, `.version`) are its checkbox's problem.
      stopped = error.problem.errors.map((item) => (item.field.startsWith(DECLARATION) ? { ...item, field: DECLARATION } : item));
      if (stopped.some((item) => item.code === 'stale-statement')) {
        // A new version came in force: the applicant reads it and confirms it again.
        agreed = false;
        statement = await api('GET', '/api/declaration-statement');
      }
    }
  }
  refresh();
  focusSummary();
}

/** The declaration in the language read, its "I confirm" and the submit button. */
function declaration(draft: Draft, state: FormState, shown: Schemas['Statement']): TemplateResult {
  return html`<h2>${t('review.declaration')}</h2>
    <div class="statement">
      <p lang=${language()}>${shown[language()]}</p>
      <p class="tag">${t('review.declarationVersion', { version: shown.version })}</p>
    </div>
    ${agreement(state, DECLARATION, t('review.agree'), {
      checked: agreed,
      onChange: (checked) => {
        agreed = checked;
      },
    })}
    <p><gcds-button type="button" @click=${() => void submit(draft)}>${t('application.submit')}</gcds-button></p>`;
}

/** The review step. */
export function reviewStep(draft: Draft): TemplateResult {
  const { application, type, fees, standing } = draft;
  if (reviewing !== application.id || !statement) return html`<p>${t('app.loading')}</p>`;
  const canChange = mayAct(standing);
  const state = stoppedState(draft);
  const links = Object.fromEntries(
    stopped.filter((item) => item.field !== DECLARATION).map((item) => [item.field, changeHref(application, type, item.field)]),
  );
  const labels = Object.fromEntries(stopped.map((item) => [item.field, labelOf(type, item.field)]));
  return html`
    ${summary(state, labels, { title: t('application.missing'), links })}
    <p>${t('review.lead')}</p>
    <h2>${t('review.answers')}</h2>
    ${type.sections.map((section) => html`<h3>${pick(section.title)}</h3>${answerRows(draft, section.fields, canChange)}`)}
    <h2>${t('review.documents')}</h2>
    ${documentRows(draft, canChange)}
    ${feesPanel(application, fees, isApplicant(standing))}
    ${isApplicant(standing) ? declaration(draft, state, statement) : html`<p>${t('application.applicantOnly')}</p>`}`;
}
