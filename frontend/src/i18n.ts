// Both official languages: every visible string comes from en.json / fr.json (a unit test fails
// when a key is missing in either). The choice is remembered, sent to the API, and used to
// format dates and amounts.
import en from './i18n/en.json';
import fr from './i18n/fr.json';

export type Language = 'en' | 'fr';
export type MessageKey = keyof typeof en;

export const MESSAGES: Record<Language, Record<string, string>> = { en, fr };
const STORAGE_KEY = 'portal.language';

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'fr') return saved;
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
export function pick(label: { en: string; fr: string }): string {
  return label[current];
}

const locale = (): string => (current === 'fr' ? 'fr-CA' : 'en-CA');

/** A date and time (seconds since the epoch) as people write it in the current language. */
export function formatDateTime(seconds: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeStyle: 'short' }).format(seconds * 1000);
}

/** An amount in cents of CAD, formatted per language ($1,234.00 / 1 234,00 $). */
export function formatMoney(cents: number): string {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CAD' }).format(cents / 100);
}
