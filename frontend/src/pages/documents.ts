// The documents step: the type's checklist with each requirement's state, an officer's requests,
// and uploads straight to storage through the presigned form, with a progress bar. Size and
// type are checked before anything is sent; the verification result is shown as soon as the
// upload completes. Once submitted, only the kinds an officer asks for take a new file. A file
// that passed the checks can be downloaded again.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { notFoundShown, refresh } from '../app';
import { formatDate, formatDateTime, pick, said, t, type Said } from '../i18n';
import { whatWentWrong } from '../forms';
import type { Application, ApplicationType } from '../catalog';

type Document = Schemas['Document'];
type DeclaredType = Schemas['DeclaredType'];

const MAX_BYTES = 10 * 1024 * 1024;
/** The content types the API takes: a record, so that the compiler fails here when the
 * document's list changes. */
const ACCEPTED: Record<DeclaredType, true> = { 'application/pdf': true, 'image/jpeg': true, 'image/png': true };

/** The states in which a document's file can be downloaded (checked, whatever an officer then
 * decided): a record, so that the compiler fails here when a state is added. */
const SERVABLE: Record<Schemas['DocumentState'], boolean> = {
  pending: false,
  quarantined: false,
  verified: true,
  accepted: true,
  rejected: true,
};

/** Whether `document`'s file can be downloaded. */
export const isServable = (document: Document): boolean => SERVABLE[document.state];

/** Has the browser download a document's file, through a link the API signs for a few minutes
 * (asked for at the click, so it has not expired). */
export async function downloadDocument(applicationId: string, documentId: string): Promise<void> {
  const link = await api('GET', '/api/applications/{id}/documents/{docId}/download', {
    path: { id: applicationId, docId: documentId },
  });
  window.location.assign(link.url);
}

/** Whether a file can be sent for a checklist line: any in a draft; once submitted, only for a
 * kind an officer asked for, while that request is open (the API's rule: it refuses others). */
function takesFiles(application: Application, entry: Schemas['ChecklistLine']): boolean {
  return application.status === 'draft' || (application.status === 'documents_requested' && Boolean(entry.requested));
}

/** Whether a file's type (as the browser names it) is one the API takes. */
function isAccepted(type: string): type is DeclaredType {
  return Object.hasOwn(ACCEPTED, type);
}

let checklist: Schemas['ChecklistLine'][] = [];
let documents: Document[] = [];
/** Per kind: the upload in progress (0–100) or the last problem. */
const progress = new Map<string, { name: string; percent: number }>();
const problems = new Map<string, Said>();

/** The checklist and the documents: an application holds at most 100 (the cap), which is one
 * page of the list's default size, so the first page holds them all. */
export async function loadDocuments(applicationId: string): Promise<void> {
  const listed = await api('GET', '/api/applications/{id}/documents', { path: { id: applicationId } });
  checklist = listed.checklist;
  documents = listed.items;
}

/** Posts the file with the signed form, reporting progress; resolves with the HTTP status. */
function post(upload: Schemas['UploadForm'], file: File, onProgress: (percent: number) => void): Promise<number> {
  return new Promise((done, failed) => {
    const form = new FormData();
    Object.entries(upload.fields).forEach(([name, value]) => form.append(name, value));
    form.append('file', file);
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () => done(request.status);
    request.onerror = () => failed(new Error('network'));
    request.send(form);
  });
}

/** The chosen file and its type as the API takes it, or what is wrong with it (checked before
 * anything is sent). */
function checked(file: File | undefined): { file: File; contentType: DeclaredType } | Said {
  if (!file) return said('documents.noFile');
  if (file.size > MAX_BYTES) return said('documents.tooLarge');
  if (!isAccepted(file.type)) return said('documents.wrongType');
  return { file, contentType: file.type };
}

/** The design system's file uploader: the files chosen in it, and how to empty it. */
type FileUploader = HTMLElement & { files?: FileList };

async function send(application: Application, kind: string, uploader: FileUploader): Promise<void> {
  problems.delete(kind);
  const chosen = checked(uploader.files?.[0]);
  if (typeof chosen === 'function') {
    problems.set(kind, chosen);
    refresh();
    return;
  }
  const { file, contentType } = chosen;
  progress.set(kind, { name: file.name, percent: 0 });
  refresh();
  try {
    const declared = await api('POST', '/api/applications/{id}/documents', {
      path: { id: application.id },
      body: { kind, fileName: file.name, contentType, size: file.size },
    });
    const status = await post(declared.upload, file, (percent) => {
      progress.set(kind, { name: file.name, percent });
      refresh();
    });
    if (status >= 300) throw new Error(`storage answered ${status}`);
    await api('POST', '/api/applications/{id}/documents/{docId}/complete', {
      path: { id: application.id, docId: declared.documentId },
    });
  } catch (error) {
    progress.delete(kind);
    if (notFoundShown(error)) return;
    problems.set(kind, whatWentWrong(error, 'documents.failed'));
  }
  progress.delete(kind);
  // Emptied once sent: the file shows in the list of what was sent instead.
  uploader.files = new DataTransfer().files;
  await loadDocuments(application.id).catch(() => undefined);
  refresh();
}

async function download(application: Application, document: Document): Promise<void> {
  problems.delete(document.kind);
  try {
    await downloadDocument(application.id, document.id);
  } catch (error) {
    if (notFoundShown(error)) return;
    problems.set(document.kind, whatWentWrong(error, 'documents.downloadFailed'));
    refresh();
  }
}

async function remove(application: Application, document: Document): Promise<void> {
  try {
    await api('DELETE', '/api/applications/{id}/documents/{docId}', { path: { id: application.id, docId: document.id } });
  } catch (error) {
    if (notFoundShown(error)) return;
    problems.set(document.kind, whatWentWrong(error, 'documents.failed'));
  }
  await loadDocuments(application.id).catch(() => undefined);
  refresh();
}

/** A document's state in words (with why it was not accepted). */
export function stateText(document: Document): string {
  const reason = document.quarantineReason
    ? t(`documents.reason.${document.quarantineReason}`)
    : (document.reviewReason ?? '');
  return t(`documents.state.${document.state}`, { reason });
}

function line(
  application: Application,
  type: ApplicationType,
  entry: Schemas['ChecklistLine'],
  canChange: boolean,
): TemplateResult {
  const requirement = type.documents.find((d) => d.kind === entry.kind);
  const label = requirement ? pick(requirement.label) : entry.kind;
  const inputId = `file-${entry.kind}`;
  const sent = documents.filter((d) => d.kind === entry.kind);
  return html`<li class="document">
    <h3>${label} <span class="tag">${entry.required ? t('documents.required') : t('documents.optional')}</span></h3>
    ${entry.requested
      ? html`<p class="notice">${t('documents.requested', {
          date: formatDate(entry.requested.dueDate),
          note: entry.requested.note ?? '',
        })}</p>`
      : nothing}
    ${sent.length === 0
      ? html`<p>${t('documents.notSent')}</p>`
      : html`<ul>
          ${sent.map(
            (document) => html`<li>
              ${document.fileName} — ${stateText(document)} (${formatDateTime(document.createdAt)})
              ${isServable(document)
                ? html`<gcds-button type="button" button-role="secondary" size="small"
                    @click=${() => void download(application, document)}>${t('documents.download', { name: document.fileName })}</gcds-button>`
                : nothing}
              ${application.status === 'draft' && canChange
                ? html`<gcds-button type="button" button-role="secondary" size="small"
                    @click=${() => void remove(application, document)}>${t('documents.delete', { name: document.fileName })}</gcds-button>`
                : nothing}
            </li>`,
          )}
        </ul>`}
    ${canChange && takesFiles(application, entry)
      ? upload(application, entry.kind, inputId, label)
      : problems.has(entry.kind)
        ? html`<p class="field-error" role="alert">${problems.get(entry.kind)?.()}</p>`
        : nothing}
  </li>`;
}

/** The file picker of one requirement (the design system's, worded in the page's language; its
 * file input has the id `inputId`), its progress and its problem. */
function upload(application: Application, kind: string, inputId: string, label: string): TemplateResult {
  const uploading = progress.get(kind);
  const problem = problems.get(kind);
  return html`<gcds-file-uploader uploader-id=${inputId} name=${inputId} label=${t('documents.choose', { kind: label })}
      accept=${Object.keys(ACCEPTED).join(',')} error-message=${problem?.() ?? ''}></gcds-file-uploader>
    ${uploading
      ? html`<label for="${inputId}-progress">${t('documents.uploading', { name: uploading.name })}</label>
          <progress id="${inputId}-progress" max="100" value=${uploading.percent}>${uploading.percent}%</progress>`
      : nothing}
    <gcds-button type="button" button-role="secondary" ?disabled=${Boolean(uploading)}
      @click=${() => {
        const uploader = document.querySelector<FileUploader>(`gcds-file-uploader[uploader-id="${inputId}"]`);
        if (uploader) void send(application, kind, uploader);
      }}>
      ${t('documents.upload')}
    </gcds-button>`;
}

/** The checklist with what was sent; uploads and removals when `canChange` (the applicant, a
 * representative with full access). */
export function documentsStep(application: Application, type: ApplicationType, canChange: boolean): TemplateResult {
  return html`<ul class="documents">${checklist.map((entry) => line(application, type, entry, canChange))}</ul>`;
}
