// What an answer must be, read from the application type's data — never written in page code:
// a text's length and pattern, a number's bounds, a real date, a date before or after today or
// another date of the form. The wizard checks each answer against these as it is entered, and
// says what is expected in the words the API's problem codes for the same rules get here too, so
// a value refused by the server reads the same as one caught in the browser.
import type { Field } from './catalog';
import { formatNumber, pick, t } from './i18n';

/** The answers of a form by field id, as typed. */
export type Answers = Record<string, unknown>;

/** The API's codes for an answer that does not fit its field (`FieldProblem` in the domain). */
export type RuleCode =
  | 'wrong-type'
  | 'too-long'
  | 'pattern'
  | 'invalid-date'
  | 'too-small'
  | 'too-large'
  | 'not-an-option'
  | 'not-in-past'
  | 'not-in-future'
  | 'not-before'
  | 'not-after';

/** Today's date, `YYYY-MM-DD` (the bound of `before`/`after: "today"`): the UTC day, as the
 * server checks it, so the browser and the server never judge the same answer differently. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Whether `text` is a real calendar date written `YYYY-MM-DD`. */
export function isDate(text: string): boolean {
  const found = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!found) return false;
  const [year, month, day] = found.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function blank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function matches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    // A pattern JavaScript cannot read is left to the server, which checks every save.
    return true;
  }
}

/** The bound that means the day of the check. */
const TODAY = 'today';

/** The date a `before`/`after` bound names in `answers`, or null when there is none to compare
 * with yet (the other field is blank or not a date: its own check says so). */
function bound(name: string, answers: Answers, now: string): string | null {
  if (name === TODAY) return now;
  const other = answers[name];
  return typeof other === 'string' && isDate(other) ? other : null;
}

/** What is wrong with the answer to `field`, as the API's problem code, or null when it fits
 * (a blank answer fits: drafts may leave fields empty, and submission asks for what is missing). */
export function problemOf(field: Field, answers: Answers, now = today()): RuleCode | null {
  const value = answers[field.id];
  if (blank(value)) return null;
  const text = String(value);
  switch (field.type) {
    case 'text':
      if (field.maxLength != null && [...text].length > field.maxLength) return 'too-long';
      if (field.pattern && !matches(field.pattern, text)) return 'pattern';
      return null;
    case 'number': {
      const number = Number(text);
      if (!Number.isFinite(number)) return 'wrong-type';
      if (field.min != null && number < field.min) return 'too-small';
      if (field.max != null && number > field.max) return 'too-large';
      return null;
    }
    case 'date': {
      if (!isDate(text)) return 'invalid-date';
      // Real `YYYY-MM-DD` dates order as their text does; both bounds are strict.
      const before = field.before ? bound(field.before, answers, now) : null;
      if (before !== null && text >= before) return field.before === TODAY ? 'not-in-past' : 'not-before';
      const after = field.after ? bound(field.after, answers, now) : null;
      if (after !== null && text <= after) return field.after === TODAY ? 'not-in-future' : 'not-after';
      return null;
    }
    case 'select':
      return (field.options ?? []).some((option) => option.value === text) ? null : 'not-an-option';
  }
}

/** The problems of every answered field of `fields`, by field id. */
export function problemsOf(fields: Field[], answers: Answers, now = today()): Map<string, RuleCode> {
  const found = new Map<string, RuleCode>();
  for (const field of fields) {
    const problem = problemOf(field, answers, now);
    if (problem) found.set(field.id, problem);
  }
  return found;
}

/** The fields whose answer depends on `id`'s: itself, and the dates bounded by it. */
export function affectedBy(fields: Field[], id: string): Field[] {
  return fields.filter((field) => field.id === id || field.before === id || field.after === id);
}

/** The label of the field a date bound names ("Planned arrival date"). */
function boundLabel(name: string, fields: Field[]): string {
  const other = fields.find((field) => field.id === name);
  return other ? pick(other.label) : name;
}

/** What `field` expects, said for the problem `code` (the API's or the browser's), in the
 * current language; null for a code that is not about the field's rules (the API's own words
 * are shown then). */
export function ruleMessage(field: Field, code: string, fields: Field[]): string | null {
  switch (code) {
    case 'required':
      return t('rules.required');
    case 'wrong-type':
      return t(field.type === 'number' ? 'rules.number' : 'rules.wrongType');
    case 'too-long':
      return t('rules.tooLong', { max: formatNumber(field.maxLength ?? 0) });
    case 'pattern':
      return field.patternHint ? pick(field.patternHint) : t('rules.pattern');
    case 'invalid-date':
      return t('rules.invalidDate');
    case 'too-small':
      return t('rules.tooSmall', { min: formatNumber(field.min ?? 0) });
    case 'too-large':
      return t('rules.tooLarge', { max: formatNumber(field.max ?? 0) });
    case 'not-an-option':
      return t('rules.notAnOption');
    case 'not-in-past':
      return t('rules.past');
    case 'not-in-future':
      return t('rules.future');
    case 'not-before':
      return field.before ? t('rules.before', { other: boundLabel(field.before, fields) }) : null;
    case 'not-after':
      return field.after ? t('rules.after', { other: boundLabel(field.after, fields) }) : null;
    default:
      return null;
  }
}

/** A problem with an answer — found here or sent by the API (`{field, code, message}`) — in words
 * that say what is expected; the API's own words for what is not about the field's rules (a
 * missing document, a fee). */
export function problemMessage(fields: Field[], problem: { field: string; code: string; message?: string | null }): string {
  const field = fields.find((candidate) => candidate.id === problem.field);
  return (field && ruleMessage(field, problem.code, fields)) ?? problem.message ?? problem.code;
}
