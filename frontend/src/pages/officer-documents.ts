// The case's documents as officers review them: the files of one kind under that kind's
// heading (in the order of the type's checklist), each with when it was uploaded and where it
// stands. A checked file can be downloaded and accepted or not (with a reason); a reviewed one
// says the decision, when, and why, and is not offered for review again.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import type { ApplicationType } from '../catalog';
import type { FormState } from '../forms';
import { formatDateTime, pick, said, t } from '../i18n';
import { downloadDocument, isServable } from './documents';
import { outcome, type Act } from './officer-action';

type Document = Schemas['Document'];

/** The files of one kind, under its label. */
interface Group {
  kind: string;
  label: string;
  files: Document[];
}

/** `documents` by kind: the type's kinds in its checklist's order, then any other kind; the
 * files of a kind oldest first. */
export function byKind(type: ApplicationType, documents: Document[]): Group[] {
  const known = type.documents.map((d) => d.kind);
  const kinds = [...new Set([...known, ...documents.map((d) => d.kind)])];
  return kinds
    .map((kind) => ({
      kind,
      label: pick(type.documents.find((d) => d.kind === kind)?.label ?? { en: kind, fr: kind }),
      files: documents.filter((d) => d.kind === kind).sort((a, b) => a.createdAt - b.createdAt),
    }))
    .filter((group) => group.files.length > 0);
}

/** The id of a document's review reason field (one per document on the page). */
export const reasonField = (document: Document): string => `reason-${document.id}`;

/** Where a file stands, as officers read it: a decision says when it was made. */
function standing(document: Document): string {
  const when = formatDateTime(document.updatedAt);
  switch (document.state) {
    case 'accepted':
      return t('officer.documents.accepted', { date: when });
    case 'rejected':
      return t('officer.documents.rejected', { date: when });
    case 'verified':
      return t('officer.documents.toReview');
    case 'quarantined':
      return t('documents.state.quarantined', {
        reason: document.quarantineReason ? t(`documents.reason.${document.quarantineReason}`) : '',
      });
    case 'pending':
      return t('documents.state.pending');
  }
}

const reviewed = (document: Document): boolean => document.state === 'accepted' || document.state === 'rejected';

/** The review of a checked file: a reason (required to not accept it) and the two decisions. */
function reviewForm(applicationId: string, document: Document, state: FormState, act: Act): TemplateResult {
  const field = reasonField(document);
  const decide = (decision: Schemas['ReviewDecision']) => (event: Event) => {
    const form = (event.currentTarget as HTMLElement).closest('form');
    if (!form) return;
    const reason = form.querySelector<HTMLElement & { value: string }>('[name=reason]')?.value ?? '';
    void act({
      at: `document-${document.id}`,
      form,
      run: () =>
        api('POST', '/api/officer/applications/{id}/documents/{docId}/review', {
          path: { id: applicationId, docId: document.id },
          body: { decision, reason: reason || null },
        }),
      done: said(decision === 'accept' ? 'officer.documents.acceptedNow' : 'officer.documents.rejectedNow', {
        name: document.fileName,
      }),
      field: (name) => (name === 'reason' ? field : name),
    });
  };
  // Enter in the reason field decides nothing: the officer presses one of the two buttons.
  return html`<form novalidate @submit=${(event: SubmitEvent) => event.preventDefault()}>
    <gcds-input input-id=${field} name="reason" label=${t('officer.case.reviewReason')} validate-on="other"
      error-message=${state.errors.get(field) ?? ''}></gcds-input>
    <gcds-button type="button" size="small" @click=${decide('accept')}>${t('officer.case.accept')}</gcds-button>
    <gcds-button type="button" button-role="secondary" size="small" @click=${decide('reject')}>
      ${t('officer.case.reject')}</gcds-button>
  </form>`;
}

function file(applicationId: string, document: Document, state: FormState, act: Act): TemplateResult {
  return html`<li class="file">
    <p><strong>${document.fileName}</strong> — ${t('officer.documents.uploaded', { date: formatDateTime(document.createdAt) })}</p>
    <p>${standing(document)}</p>
    ${reviewed(document) && document.reviewReason
      ? html`<p>${t('officer.case.reason', { reason: document.reviewReason })}</p>`
      : nothing}
    ${outcome(`document-${document.id}`)}
    ${isServable(document)
      ? html`<gcds-button type="button" button-role="secondary" size="small"
          @click=${() => void downloadDocument(applicationId, document.id)}>${t('officer.case.download', { name: document.fileName })}</gcds-button>`
      : nothing}
    ${document.state === 'verified' ? reviewForm(applicationId, document, state, act) : nothing}
  </li>`;
}

/** The documents section's content. */
export function documentsSection(
  type: ApplicationType,
  applicationId: string,
  documents: Document[],
  state: FormState,
  act: Act,
): TemplateResult {
  const groups = byKind(type, documents);
  if (groups.length === 0) return html`<p>${t('officer.documents.none')}</p>`;
  return html`<ul class="documents">
    ${groups.map(
      (group) => html`<li class="document">
        <h3>${group.label}</h3>
        <ul class="files">${group.files.map((document) => file(applicationId, document, state, act))}</ul>
      </li>`,
    )}
  </ul>`;
}
