// An officer's action on the case page, as every section of the page sends one: the request,
// then the case read again. Once it succeeds its form is emptied (nothing typed is left to send
// twice) and says so where it stands, focused, so that a screen reader reads it and the officer
// keeps their place on a long page; when it fails, the error summary at the top names the
// form's fields (see `act` in officer.ts).
import { html, nothing, type TemplateResult } from 'lit-html';
import type { Said } from '../i18n';

/** One action from a section of the case page. */
export interface Action {
  /** Where the section says that it succeeded (an `outcome` slot of that name). */
  at: string;
  /** The form it is sent from, emptied once it succeeded (none for a lone button). */
  form?: HTMLFormElement;
  /** Sends it. */
  run: () => Promise<unknown>;
  /** What to say once it succeeded. */
  done: Said;
  /** The form's id of a field the API names in an error (several forms have a `reason`). */
  field?: (name: string) => string;
}

/** Runs an action and reloads the case. */
export type Act = (action: Action) => Promise<void>;

/** The last action that succeeded, while the officer is on its case. */
let last: { at: string; done: Said } | null = null;

const OUTCOME_ID = 'outcome';

/** Records that `action` succeeded and empties its form. */
export function succeeded(action: Action): void {
  action.form?.reset();
  last = { at: action.at, done: action.done };
}

/** Forgets the last success (an action failed, or another case is opened). */
export function forgetOutcome(): void {
  last = null;
}

/** The success of the last action, if it was sent from `at`. */
export function outcome(at: string): TemplateResult | typeof nothing {
  if (last?.at !== at) return nothing;
  return html`<p class="notice" role="status" tabindex="-1" id=${OUTCOME_ID}>${last.done()}</p>`;
}

/** Moves focus to the success just shown. */
export function focusOutcome(): void {
  requestAnimationFrame(() => document.getElementById(OUTCOME_ID)?.focus());
}
