// Processing-time estimates (`GET /api/processing-times`): per application type, how long its
// recent decisions took from submission (the median and the 80th percentile) and how many
// decisions that rests on — said in days under two weeks, in weeks beyond. A type with no
// decision yet has no estimate, and the page says so rather than make one up.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from './api/client';
import { refresh } from './app';
import type { Application, Status } from './catalog';
import { formatNumber, language, t } from './i18n';

type Estimate = Schemas['Estimate'];

/** Whether an application in each status still waits for its decision (as the status machine
 * has it: until approved or refused, or closed or withdrawn). A record, so that the compiler
 * fails here when a status is added. */
const AWAITS_DECISION: Record<Status, boolean> = {
  draft: true,
  submitted: true,
  received: true,
  biometrics_requested: true,
  biometrics_completed: true,
  in_review: true,
  documents_requested: true,
  interview_scheduled: true,
  approved: false,
  refused: false,
  closed: false,
  withdrawn: false,
};

/** Whether an application in `status` still waits for its decision. */
export const awaitsDecision = (status: Status): boolean => AWAITS_DECISION[status];

/** Below this many days a duration is said in days; from it on, in weeks. */
const WEEKS_FROM_DAYS = 14;

/** Per type code, its estimate (`null`: not enough decisions); `null` until loaded. */
let estimates: Map<string, Estimate | null> | null = null;
/** The load started by a page that did not load them itself (see `processingTimeOf`). */
let loading: Promise<void> | null = null;

/** Reads every type's estimate again. */
export async function loadProcessingTimes(): Promise<void> {
  const times = await api('GET', '/api/processing-times');
  estimates = new Map(times.map((time) => [time.type, time.estimate]));
}

/** `count` with the singular or plural text of `key` (`…one` / `…other`) as the language
 * chooses it (French says "1 jour", "0 jour"; English "1 day", "0 days"). */
function counted(key: 'processing.days' | 'processing.weeks' | 'processing.basedOn', count: number): string {
  const form = new Intl.PluralRules(language() === 'fr' ? 'fr-CA' : 'en-CA').select(count) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}`, { count: formatNumber(count) });
}

/** A number of days (a fraction from the API's percentiles) in whole days or weeks, rounded up:
 * a promise of "3 days" should not be broken by 2.5 taking 3. */
export function duration(days: number): string {
  const whole = Math.max(1, Math.ceil(days));
  return whole < WEEKS_FROM_DAYS ? counted('processing.days', whole) : counted('processing.weeks', Math.ceil(whole / 7));
}

/** An estimate in words, with the number of decisions it rests on; or that there is none yet. */
export function estimateText(estimate: Estimate | null): string {
  if (!estimate) return t('processing.none');
  return t('processing.estimate', {
    median: duration(estimate.medianDays),
    p80: duration(estimate.p80Days),
    basedOn: counted('processing.basedOn', estimate.sampleSize),
  });
}

/** The estimate of `type`, in words, once the estimates are loaded. */
export function processingTimeText(type: string): string | null {
  if (!estimates) return null;
  return estimateText(estimates.get(type) ?? null);
}

/** The processing time of applications like `application`, while it waits for its decision (its
 * page shows it without loading the estimates itself: they are read here the first time, and the
 * page painted again). Nothing while they load, or if they cannot be read: an estimate is a
 * help, not the page's matter. */
export function processingTimeOf(application: Application): TemplateResult | typeof nothing {
  if (!awaitsDecision(application.status)) return nothing;
  const text = processingTimeText(application.type);
  if (text === null) {
    loading ??= loadProcessingTimes().then(refresh, () => {
      loading = null;
    });
    return nothing;
  }
  return html`<dl class="estimate"><dt>${t('processing.label')}</dt><dd>${text}</dd></dl>`;
}
