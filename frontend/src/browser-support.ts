// Whether this browser can run the portal, found by looking for what the app uses (never by
// reading the user-agent string, which browsers disguise). A browser too old to run the app's
// scripts at all gets index.html's own notice instead.

/** What the portal needs of a browser: the design system's components and their form fields,
 * the inactivity dialog, dates written per language, and the payment's idempotency key. */
const FEATURES: ReadonlyArray<[name: string, present: () => boolean]> = [
  ['custom elements', () => 'customElements' in window],
  ['form-associated elements', () => 'attachInternals' in HTMLElement.prototype],
  ['dialog', () => typeof HTMLDialogElement === 'function' && 'showModal' in HTMLDialogElement.prototype],
  ['Intl.DateTimeFormat.formatToParts', () => typeof Intl?.DateTimeFormat?.prototype?.formatToParts === 'function'],
  ['crypto.randomUUID', () => typeof crypto?.randomUUID === 'function'],
];

/** The features this browser lacks (none in a supported browser). */
export function missingFeatures(): string[] {
  return FEATURES.filter(([, present]) => !present()).map(([name]) => name);
}
