// The documents step: the type's checklist with each requirement's state, an officer's requests,
// and uploads straight to storage through the presigned form, with a progress bar. Size and
// type are checked before anything is sent; the verification result is shown as soon as the
// upload completes.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, api, type Schemas } from '../api/client';
import { notFoundShown, refresh } from '../app';
import { formatDateTime, pick, t } from '../i18n';
import type { Application, ApplicationType } from '../catalog';

type Document = Schemas['Document'];
type DeclaredType = Schemas['DeclaredType'];

const MAX_BYTES = 10 * 1024 * 1024;
/** The content types the API takes: a record, so that the compiler fails here when the
 * document's list changes. */
const ACCEPTED: Record<DeclaredType, true> = { 'application/pdf': true, 'image/jpeg': true, 'image/png': true };

/** Whether a file's type (as the browser names it) is one the API takes. */
function isAccepted(type: string): type is DeclaredType {
  return Object.hasOwn(ACCEPTED, type);
}

let checklist: Schemas['ChecklistLine'][] = [];
let documents: Document[] = [];
/** Per kind: the upload in progress (0–100) or the last problem. */
const progress = new Map<string, { name: string; percent: number }>();
const problems = new Map<string, string>();

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
function checked(file: File | undefined): { file: File; contentType: DeclaredType } | string {
  if (!file) return t('documents.noFile');
  if (file.size > MAX_BYTES) return t('documents.tooLarge');
  if (!isAccepted(file.type)) return t('documents.wrongType');
  return { file, contentType: file.type };
}

async function send(application: Application, kind: string, input: HTMLInputElement): Promise<void> {
  problems.delete(kind);
  const chosen = checked(input.files?.[0]);
  if (typeof chosen === 'string') {
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
    problems.set(kind, error instanceof ApiError && error.problem ? error.problem.title : t('documents.failed'));
  }
  progress.delete(kind);
  input.value = '';
  await loadDocuments(application.id).catch(() => undefined);
  refresh();
}

async function remove(application: Application, document: Document): Promise<void> {
  try {
    await api('DELETE', '/api/applications/{id}/documents/{docId}', { path: { id: application.id, docId: document.id } });
  } catch (error) {
    if (notFoundShown(error)) return;
    problems.set(document.kind, error instanceof ApiError && error.problem ? error.problem.title : t('documents.failed'));
  }
  await loadDocuments(application.id).catch(() => undefined);
  refresh();
}

function stateText(document: Document): string {
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
          date: entry.requested.dueDate,
          note: entry.requested.note ?? '',
        })}</p>`
      : nothing}
    ${sent.length === 0
      ? html`<p>${t('documents.notSent')}</p>`
      : html`<ul>
          ${sent.map(
            (document) => html`<li>
              ${document.fileName} — ${stateText(document)} (${formatDateTime(document.createdAt)})
              ${application.status === 'draft' && canChange
                ? html`<gcds-button type="button" button-role="secondary" size="small"
                    @click=${() => void remove(application, document)}>${t('documents.delete', { name: document.fileName })}</gcds-button>`
                : nothing}
            </li>`,
          )}
        </ul>`}
    ${canChange ? upload(application, entry.kind, inputId, label) : nothing}
  </li>`;
}

/** The file picker of one requirement, its progress and its problem. */
function upload(application: Application, kind: string, inputId: string, label: string): TemplateResult {
  const uploading = progress.get(kind);
  const problem = problems.get(kind);
  return html`<label for=${inputId}>${t('documents.choose', { kind: label })}</label>
    <input id=${inputId} type="file" accept=${Object.keys(ACCEPTED).join(',')} aria-describedby=${problem ? `${inputId}-error` : nothing} />
    ${problem ? html`<p class="field-error" id="${inputId}-error" role="alert">${problem}</p>` : nothing}
    ${uploading
      ? html`<label for="${inputId}-progress">${t('documents.uploading', { name: uploading.name })}</label>
          <progress id="${inputId}-progress" max="100" value=${uploading.percent}>${uploading.percent}%</progress>`
      : nothing}
    <gcds-button type="button" button-role="secondary" ?disabled=${Boolean(uploading)}
      @click=${() => void send(application, kind, document.getElementById(inputId) as HTMLInputElement)}>
      ${t('documents.upload')}
    </gcds-button>`;
}

/** The checklist with what was sent; uploads and removals when `canChange` (the applicant, a
 * representative with full access). */
export function documentsStep(application: Application, type: ApplicationType, canChange: boolean): TemplateResult {
  return html`<ul class="documents">${checklist.map((entry) => line(application, type, entry, canChange))}</ul>`;
}
