// Forms: field values read from GC Design System inputs, and errors shown the accessible way —
// a summary at the top linking to each field, focused when it appears, and each message tied
// to its field (`error-message`), in the user's language (the API sends them translated).
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, type FieldProblem } from './api/client';
import { follow } from './app';
import { said, t, type MessageKey, type Said } from './i18n';

/** What a form shows besides its fields. */
export interface FormState {
  /** Field id → message. */
  errors: Map<string, string>;
  /** A message about the whole form (wrong password, network down...), worded when shown. */
  alert: Said | null;
  /** A confirmation (code sent...), worded when shown. */
  notice: Said | null;
  busy: boolean;
}

export function emptyState(): FormState {
  return { errors: new Map(), alert: null, notice: null, busy: false };
}

/** Runs a page's loading and gives the state to show: empty, or what went wrong. A 404 is
 * thrown on, for the app to show its not-found page (what is asked for is not there, or no
 * longer for this user). */
export async function loaded(load: () => Promise<void>): Promise<FormState> {
  const state = emptyState();
  try {
    await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw error;
    failed(state, error);
  }
  return state;
}

/** The form's values by field name. */
export function values(form: HTMLFormElement): Record<string, string> {
  const entries: Record<string, string> = {};
  form.querySelectorAll<HTMLElement & { name?: string; value?: string }>('[name]').forEach((field) => {
    const name = field.getAttribute('name');
    if (name) entries[name] = String(field.value ?? '');
  });
  return entries;
}

/** The values of the fields `names` (a form's `values`), each one empty when the form has no
 * such field: what a request body of those text fields takes. */
export function fields<Name extends string>(all: Record<string, string>, names: readonly Name[]): Record<Name, string> {
  const picked: Partial<Record<Name, string>> = {};
  for (const name of names) picked[name] = all[name] ?? '';
  // Every name was given a value just above.
  return picked as Record<Name, string>;
}

/** What went wrong with a request, worded when shown: the API's problem (in the language of the
 * request), or `fallback` when no problem came back. */
export function whatWentWrong(error: unknown, fallback: MessageKey): Said {
  if (error instanceof ApiError && error.problem) {
    const title = error.problem.title;
    return () => title;
  }
  return said(fallback);
}

/** Puts what went wrong into the state: field errors by field, anything else as an alert. */
export function failed(state: FormState, error: unknown): void {
  state.errors = new Map();
  state.alert = null;
  if (error instanceof ApiError && error.problem?.errors?.length) {
    error.problem.errors.forEach((problem: FieldProblem) =>
      state.errors.set(problem.field, problem.message ?? problem.code),
    );
  } else if (error instanceof ApiError && error.problem && error.status < 500) {
    // Worded by the API in the language of the request: it stays so until the next answer.
    const title = error.problem.title;
    state.alert = () => title;
  } else if (error instanceof ApiError) {
    state.alert = said('errors.unexpected');
  } else {
    state.alert = said('errors.network');
  }
}

/** The summary of errors, linking to each field (or, for a field asked on another page, to the
 * in-app address `links` gives it); focus it after rendering. */
export function summary(
  state: FormState,
  labels: Record<string, string>,
  { title = t('errors.summary'), links = {} }: { title?: string; links?: Record<string, string> } = {},
): TemplateResult | typeof nothing {
  if (state.errors.size === 0 && !state.alert) return nothing;
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
    <h2>${title}</h2>
    ${state.alert ? html`<p>${state.alert()}</p>` : nothing}
    <ul>
      ${[...state.errors].map(
        ([field, message]) => html`<li><a href=${links[field] ?? `#${field}`} @click=${links[field] ? follow : nothing}>
          ${labels[field] ?? field}: ${message}</a></li>`,
      )}
    </ul>
  </div>`;
}

/** Moves focus to the error summary, if one is shown. */
export function focusSummary(): void {
  requestAnimationFrame(() => document.getElementById('error-summary')?.focus());
}

/** A text input with its label, hint and error. */
export function input(
  state: FormState,
  field: string,
  label: string,
  options: { type?: string; hint?: string; autocomplete?: string; value?: string; required?: boolean } = {},
): TemplateResult {
  return html`<gcds-input
    input-id=${field}
    name=${field}
    label=${label}
    type=${options.type ?? 'text'}
    hint=${options.hint ?? nothing}
    autocomplete=${options.autocomplete ?? nothing}
    .value=${options.value ?? ''}
    ?required=${options.required ?? true}
    validate-on="other"
    error-message=${state.errors.get(field) ?? ''}
  ></gcds-input>`;
}

/** A notice of success. */
export function notice(state: FormState): TemplateResult | typeof nothing {
  return state.notice ? html`<p class="notice" role="status">${state.notice()}</p>` : nothing;
}

/** A required "I agree" checkbox with its label and its error (tied to it, and linked from the
 * summary by `id`); `checked` keeps the tick across renders (a language switch). */
export function agreement(
  state: FormState,
  id: string,
  label: string,
  { checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void },
): TemplateResult {
  const error = state.errors.get(id);
  return html`${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : nothing}
    <div class="choice">
      <input type="checkbox" id=${id} name=${id} required .checked=${checked}
        aria-invalid=${error ? 'true' : nothing} aria-describedby=${error ? `${id}-error` : nothing}
        @change=${(event: Event) => onChange((event.target as HTMLInputElement).checked)} />
      <label for=${id}>${label}</label>
    </div>`;
}
