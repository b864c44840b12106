// The application types (forms, checklists, fees — data the API serves, loaded once) and the
// words for statuses: what every page about applications shares.
import { api } from './api/client';
import type { ApplicationType } from './api/pending-types';
import { pick, t, type MessageKey } from './i18n';

export type { Application, ApplicationType, Field, Label } from './api/pending-types';

let types: ApplicationType[] = [];

/** Every application type, loaded once. */
export async function applicationTypes(): Promise<ApplicationType[]> {
  if (types.length === 0) types = (await api('GET', '/api/application-types')) as ApplicationType[];
  return types;
}

/** The name of the type with `code`, in the current language (the code if it is unknown). */
export function typeName(types: ApplicationType[], code: string): string {
  const found = types.find((type) => type.code === code);
  return found ? pick(found.name) : code;
}

/** A status as applicants read it, in the current language. */
export const statusLabel = (status: string): string => t(`status.${status}` as MessageKey);
