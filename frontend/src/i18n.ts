// Both official languages: every visible string comes from en.json / fr.json (a unit test fails
// when a key is missing in either). The choice is remembered, sent to the API, and used to
// format dates and amounts.
import type { Schemas } from './api/client';
import en from './i18n/en.json';
import fr from './i18n/fr.json';

/** One of Canada's official languages, as the API names them. */
export type Language = Schemas['Language'];
export type MessageKey = keyof typeof en;

export const MESSAGES: Record<Language, Record<string, string>> = { en, fr };
const STORAGE_KEY = 'portal.language';

/** Whether `value` (stored, or from a form) names a language. */
export function isLanguage(value: string | null | undefined): value is Language {
  return value === 'en' || value === 'fr';
}

/** Whether `key` (made of a code the API sent) has a text. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(saved)) return saved;
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

let current: Language = initialLanguage();

export function language(): Language {
  return current;
}

export function otherLanguage(): Language {
  return current === 'en' ? 'fr' : 'en';
}

export function setLanguage(next: Language): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

/** The text of `key` in the current language, `{name}` placeholders filled from `values`. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  const text = MESSAGES[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** A text a page keeps in its state (a confirmation, a problem) and shows later: worded when it
 * is shown, so switching language re-words it like the rest of the page. */
export type Said = () => string;

/** The text of `key` (with `values`), worded when it is shown. */
export function said(key: MessageKey, values: Record<string, string | number> = {}): Said {
  return () => t(key, values);
}

/** A label in the current language from a `{en, fr}` pair sent by the API. */
export function pick(label: Schemas['Text']): string {
  return label[current];
}

const locale = (): string => (current === 'fr' ? 'fr-CA' : 'en-CA');

const NO_BREAK = '\u00a0';
const TIME_PARTS: ReadonlySet<Intl.DateTimeFormatPartTypes> = new Set(['hour', 'minute', 'second', 'dayPeriod']);

/** `date` written with `options` in the current language, the way people write it: French writes
 * the first day of a month `1er` (Intl writes `1`), and a time never breaks across lines (the
 * spaces inside `14 h 05` or `2:05 p.m.` become non-breaking). */
function written(date: number | Date, options: Intl.DateTimeFormatOptions): string {
  const parts = new Intl.DateTimeFormat(locale(), options).formatToParts(date);
  return parts
    .map((part, i) => {
      if (part.type === 'day' && current === 'fr' && Number(part.value) === 1) return '1er';
      const insideTime = part.type === 'literal' && TIME_PARTS.has(parts[i - 1]?.type) && TIME_PARTS.has(parts[i + 1]?.type);
      return insideTime || TIME_PARTS.has(part.type) ? part.value.replace(/\s/g, NO_BREAK) : part.value;
    })
    .join('');
}

/** A date and time (seconds since the epoch) as people write it in the current language. */
export function formatDateTime(seconds: number): string {
  return written(seconds * 1000, { dateStyle: 'long', timeStyle: 'short' });
}

/** A calendar day as the API sends it (`2027-12-01`), written out: `December 1, 2027` or
 * `1er décembre 2027`, with its weekday when `style` is `full` (the day itself, in no time zone). */
export function formatDate(day: string, style: 'long' | 'full' = 'long'): string {
  const [year, month, date] = day.split('-').map(Number);
  if (!year || !month || !date) return day;
  return written(Date.UTC(year, month - 1, date), { dateStyle: style, timeZone: 'UTC' });
}

/** A date and time (seconds since the epoch) in the time zone `timeZone` (an appointment
 * location's, not the reader's), its day written out: `Wednesday, January 20, 2027 at 9:00 a.m.`. */
export function formatZonedDateTime(seconds: number, timeZone: string): string {
  return written(seconds * 1000, { timeZone, dateStyle: 'full', timeStyle: 'short' });
}

/** The day (seconds since the epoch) in the time zone `timeZone`, written out. */
export function formatZonedDate(seconds: number, timeZone: string): string {
  return written(seconds * 1000, { timeZone, dateStyle: 'full' });
}

/** The time of day (seconds since the epoch) in the time zone `timeZone`. */
export function formatZonedTime(seconds: number, timeZone: string): string {
  return written(seconds * 1000, { timeZone, timeStyle: 'short' });
}

/** An amount in cents of CAD, formatted per language ($1,234.00 / 1 234,00 $). */
export function formatMoney(cents: number): string {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CAD' }).format(cents / 100);
}

/** A number as the current language writes it (10,000 / 10 000). */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat(locale()).format(value);
}
