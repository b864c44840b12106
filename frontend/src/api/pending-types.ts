// Answers of the routes the OpenAPI document does not type yet (issue 11: their areas are being
// typed; until then the document says "anything" and `schema.d.ts` has `unknown` for them).
// Each type names the route it answers. Once the document types a route, regenerate
// (`UPDATE_CONTRACT=1 cargo nextest run -p portal-tests contract`, then `npm run gen:api`),
// replace the type here by `Schemas['…']` at its uses, and delete it; this file goes when empty.
import type { PageOf } from '../paging';

// ---- auth ----

/** `POST /api/auth/refresh`, `POST /api/auth/mfa`, `POST /api/auth/mfa/setup/verify`. */
export interface Tokens {
  accessToken: string;
  expiresIn: number;
}

/** `POST /api/auth/login`: the next step of signing in. */
export interface Challenge {
  challenge: 'MFA_SETUP' | 'SOFTWARE_TOKEN_MFA';
  session: string;
}

/** `POST /api/auth/mfa/setup`: the authenticator secret to enrol. */
export interface Enrolment {
  secret: string;
  otpauthUri: string;
  session: string;
}

// ---- applications ----

/** A text in both official languages (within `ApplicationType`). */
export type Label = { en: string; fr: string };

/** One question of an application type's form (within `ApplicationType`). */
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

/** `GET /api/application-types`: an array of these. */
export interface ApplicationType {
  code: string;
  name: Label;
  sections: { id: string; title: Label; fields: Field[] }[];
  documents: { kind: string; required: boolean; label: Label }[];
  fees: { code: string; amountCents: number; label: Label }[];
}

/** `PUT /api/applications/{id}/form`, `POST /api/applications/{id}/submit`, and within
 * `ApplicantCase` and `OfficerCase`. */
export interface Application {
  id: string;
  type: string;
  status: string;
  version: number;
  data: Record<string, unknown>;
  number?: string;
}

/** `POST /api/applications`: the new draft. */
export interface Created {
  id: string;
}

/** `GET /api/applications`: an array of these. */
export interface ApplicationSummary {
  id: string;
  type: string;
  status: string;
  number?: string;
  updatedAt: number;
  actionRequired: boolean;
}

/** `GET /api/applications/{id}/history` (items), and within `ApplicantCase`. */
export interface HistoryEntry {
  at: number;
  to: string;
  noteToApplicant?: string;
}

/** `GET /api/applications/{id}`: the application and the first page of its history. */
export interface ApplicantCase {
  application: Application;
  /** The first page of the history; the rest at `…/history`. */
  history: PageOf<HistoryEntry>;
}

// ---- documents ----

/** One requirement of the checklist (within `DocumentList`). */
export interface ChecklistLine {
  kind: string;
  required: boolean;
  state: string | null;
  satisfied: boolean;
  requested?: { note?: string; dueDate: string };
}

/** One document of an application as its applicant sees it (within `DocumentList`). */
export interface ApplicantDocument {
  id: string;
  kind: string;
  fileName: string;
  state: string;
  quarantineReason?: string;
  reviewReason?: string;
  createdAt: number;
}

/** `GET /api/applications/{id}/documents`: a page of documents and the checklist. */
export type DocumentList = PageOf<ApplicantDocument> & { checklist: ChecklistLine[] };

/** `POST /api/applications/{id}/documents`: the declared document and its presigned upload. */
export interface Upload {
  documentId: string;
  upload: { method: string; url: string; fields: Record<string, string> };
}

/** `GET /api/applications/{id}/documents/{docId}/download`: a short-lived link. */
export interface DocumentDownload {
  url: string;
}

// ---- messages ----

/** `GET /api/applications/{id}/messages` (items), and within `OfficerCase`. */
export interface Message {
  id: string;
  from: 'applicant' | 'officer';
  body: string;
  sentAt: number;
  readAt: number;
}

/** `GET /api/inbox`: unread messages per application. */
export interface Inbox {
  applications: { applicationId: string; unread: number }[];
}

/** `GET /api/notifications` (items). */
export interface Notification {
  id: string;
  applicationId: string;
  title: string;
  body: string;
  at: number;
  readAt: number;
}

// ---- officer ----

/** `GET /api/officer/queue` (items). */
export interface QueueItem {
  id: string;
  type: string;
  status: string;
  number?: string;
  updatedAt: number;
}

/** One status change as officers see it (within `OfficerCase`; also the items of
 * `GET /api/applications/{id}/history` when an officer reads it). */
export interface OfficerHistoryEntry {
  at: number;
  actor: string;
  from: string;
  to: string;
  reason?: string;
  noteToApplicant?: string;
}

/** One document as officers see it (within `OfficerCase`). */
export interface OfficerDocument {
  id: string;
  kind: string;
  fileName: string;
  state: string;
}

/** `GET /api/officer/applications/{id}`: the application and the first page of each list. */
export interface OfficerCase {
  application: Application;
  history: PageOf<OfficerHistoryEntry>;
  /** All of them: the cap (100) is one page. */
  documents: PageOf<OfficerDocument>;
  /** Newest first. */
  messages: PageOf<Message>;
}
