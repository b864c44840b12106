// The application types (forms, checklists, fees — data the API serves, loaded once) and the
// words for statuses: what every page about applications shares.
import { api } from './api';
import { pick, t, type MessageKey } from './i18n';

export type Label = { en: string; fr: string };

export interface Field {
  id: string;
  type: 'text' | 'date' | 'number' | 'select';
  required: boolean;
  label: Label;
  maxLength?: number;
  min?: number;
  max?: number;
  options?: { value: string; label: Label }[];
}

export interface ApplicationType {
  code: string;
  name: Label;
  sections: { id: string; title: Label; fields: Field[] }[];
  documents: { kind: string; required: boolean; label: Label }[];
  fees: { code: string; amountCents: number; label: Label }[];
}

export interface Application {
  id: string;
  type: string;
  status: string;
  version: number;
  data: Record<string, unknown>;
  number?: string;
}

let types: ApplicationType[] = [];

/** Every application type, loaded once. */
export async function applicationTypes(): Promise<ApplicationType[]> {
  if (types.length === 0) types = await api<ApplicationType[]>('GET', '/api/application-types');
  return types;
}

/** The name of the type with `code`, in the current language (the code if it is unknown). */
export function typeName(types: ApplicationType[], code: string): string {
  const found = types.find((type) => type.code === code);
  return found ? pick(found.name) : code;
}

/** A status as applicants read it, in the current language. */
export const statusLabel = (status: string): string => t(`status.${status}` as MessageKey);
