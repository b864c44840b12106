// The application types (forms, checklists, fees — data the API serves, loaded once) and the
// words for statuses: what every page about applications shares.
import { api, type Schemas } from './api/client';
import { pick, t } from './i18n';

export type Application = Schemas['Application'];
export type ApplicationType = Schemas['ApplicationType'];
export type Field = Schemas['Field'];
export type Status = Schemas['Status'];

let types: ApplicationType[] = [];

/** Every application type, loaded once. */
export async function applicationTypes(): Promise<ApplicationType[]> {
  if (types.length === 0) types = await api('GET', '/api/application-types');
  return types;
}

/** The name of the type with `code`, in the current language (the code if it is unknown). */
export function typeName(types: ApplicationType[], code: string): string {
  const found = types.find((type) => type.code === code);
  return found ? pick(found.name) : code;
}

/** Every status the document names, in the order an application goes through them: a record,
 * so that the compiler fails here when the document adds or drops one. */
const STATUS_ORDER: Record<Status, true> = {
  draft: true,
  submitted: true,
  received: true,
  biometrics_requested: true,
  biometrics_completed: true,
  in_review: true,
  documents_requested: true,
  interview_scheduled: true,
  approved: true,
  refused: true,
  closed: true,
  withdrawn: true,
};

/** Whether `value` (from a URL or a form) is one of the statuses. */
export function isStatus(value: string): value is Status {
  return Object.hasOwn(STATUS_ORDER, value);
}

/** Every status, in order. */
export const STATUSES: readonly Status[] = Object.keys(STATUS_ORDER).filter(isStatus);

/** A status as applicants read it, in the current language (every status has its words: the
 * key is checked against en.json). */
export const statusLabel = (status: Status): string => t(`status.${status}`);
