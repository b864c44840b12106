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

/** A label in the current language from a `{en, fr}` pair sent by the API. */
export function pick(label: Schemas['Text']): string {
  return label[current];
}

const locale = (): string => (current === 'fr' ? 'fr-CA' : 'en-CA');

/** A date and time (seconds since the epoch) as people write it in the current language. */
export function formatDateTime(seconds: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeStyle: 'short' }).format(seconds * 1000);
}

/** A date and time (seconds since the epoch) in the time zone `timeZone` (an appointment
 * location's, not the reader's), its day written out: `Wednesday, January 20, 2027 at 9:00 a.m.`. */
export function formatZonedDateTime(seconds: number, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(), { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(seconds * 1000);
}

/** The day (seconds since the epoch) in the time zone `timeZone`, written out. */
export function formatZonedDate(seconds: number, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(), { timeZone, dateStyle: 'full' }).format(seconds * 1000);
}

/** The time of day (seconds since the epoch) in the time zone `timeZone`. */
export function formatZonedTime(seconds: number, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(), { timeZone, timeStyle: 'short' }).format(seconds * 1000);
}

/** An amount in cents of CAD, formatted per language ($1,234.00 / 1 234,00 $). */
export function formatMoney(cents: number): string {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CAD' }).format(cents / 100);
}
