// An application's message thread, as its applicant sees it: newest first, page by page (officer
// messages are marked read when shown; the applicant's say when the agency read them), with the
// documents a message points to, to download; and a form to write to the officer, pointing to
// documents of the application if need be — for the applicant and a representative with full
// access (a representative's messages say who wrote them).
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, whoAmI, type Schemas } from '../api/client';
import { notFoundShown, refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, loaded, notice, summary, type FormState } from '../forms';
import { PagedList, loadMore } from '../paging';
import { formatDateTime, pick, said, t } from '../i18n';
import { isApplicant, mayAct, standingNotice, standingOf, type Standing } from '../representation';
import { author, markRead, ownSide, type Reader } from '../thread';
import { applicationTypes, type ApplicationType } from '../catalog';
import { downloadDocument, isServable, stateText } from './documents';

type Document = Schemas['Document'];

/** Documents one message may point to (the API's limit). */
const MAX_ATTACHED = 10;

let messages = new PagedList<Schemas['MessageView']>();
let state: FormState = emptyState();
let standing: Standing = { role: 'other' };
/** The application's documents (all of them: the cap keeps them to one page), and its type. */
let documents: Document[] = [];
let type: ApplicationType | undefined;

/** Who reads the thread here: the applicant, or one of their representatives. */
let reader: Reader = { side: 'applicant', sub: '', isApplicant: false };

/** The thread of application `id`, page by page. */
const thread = (id: string) => (cursor?: string) =>
  api('GET', '/api/applications/{id}/messages', { path: { id }, query: { cursor } });

export const messagesPage: Page = {
  title: () => t('messages.heading'),
  private: true,
  load: async ({ id }) => {
    state = await loaded(async () => {
      const [list, found, types] = await Promise.all([
        new PagedList(thread(id)).first(),
        api('GET', '/api/applications/{id}', { path: { id } }),
        applicationTypes(),
      ]);
      messages = list;
      documents = found.documents.items;
      type = types.find((candidate) => candidate.code === found.application.type);
      standing = await standingOf(found.application);
      reader = { side: 'applicant', sub: (await whoAmI()).sub, isApplicant: isApplicant(standing) };
      await markRead(id, messages.items, reader);
    });
  },
  view: ({ id }) => html`
    ${standingNotice(standing)}
    ${summary(state, { body: t('messages.body'), documentIds: t('messages.attach') })} ${notice(state)}
    ${messages.items.length === 0
      ? html`<p>${t('messages.empty')}</p>`
      : html`<ol class="thread">
          ${messages.items.map(
            (m) => html`<li class=${m.from}>
              <p class="meta">
                <strong>${author(m, reader)}</strong>,
                ${formatDateTime(m.sentAt)}
                ${ownSide(m, reader)
                  ? html` — ${m.readAt ? t('messages.readOn', { date: formatDateTime(m.readAt) }) : t('messages.unread')}`
                  : nothing}
              </p>
              <p class="body">${m.body}</p>
              ${attachments(id, m)}
            </li>`,
          )}
        </ol>
        ${loadMore(messages, state, (added) => markRead(id, added, reader))}`}
    ${mayAct(standing) ? writeForm(id) : nothing}`,
};

/** A document as the applicant knows it: its file's name, what it is for, when it was sent. */
function documentLabel(document: Document): string {
  const kind = type?.documents.find((d) => d.kind === document.kind);
  return t('messages.documentLabel', {
    name: document.fileName,
    kind: kind ? pick(kind.label) : document.kind,
    date: formatDateTime(document.createdAt),
  });
}

async function download(id: string, document: Document): Promise<void> {
  try {
    await downloadDocument(id, document.id);
  } catch (error) {
    if (notFoundShown(error)) return;
    failed(state, error);
    focusSummary();
    refresh();
  }
}

/** The documents a message points to, by name, each to download while its file can be. */
function attachments(id: string, message: Schemas['MessageView']): TemplateResult | typeof nothing {
  if (message.documentIds.length === 0) return nothing;
  const named = message.documentIds.map((documentId) => documents.find((d) => d.id === documentId));
  return html`<p>${t('messages.attached')}</p>
    <ul>
      ${named.map((document) =>
        !document
          ? html`<li>${t('messages.documentGone')}</li>`
          : html`<li>${document.fileName}
              ${isServable(document)
                ? html`<gcds-button type="button" button-role="secondary" size="small"
                    @click=${() => void download(id, document)}>${t('documents.download', { name: document.fileName })}</gcds-button>`
                : html` — ${stateText(document)}`}</li>`,
      )}
    </ul>`;
}

/** The documents a message may point to: the application's own, except those refused at the
 * checks (nobody can open them). */
const attachable = (): Document[] => documents.filter((document) => document.state !== 'quarantined');

/** The choice of documents to point to. */
function attachChoices(): TemplateResult {
  const error = state.errors.get('documentIds');
  return html`<fieldset id="documentIds" tabindex="-1" aria-describedby=${error ? 'documentIds-error' : nothing}>
    <legend>${t('messages.attach')}</legend>
    ${error ? html`<p class="field-error" id="documentIds-error">${error}</p>` : nothing}
    ${attachable().length === 0
      ? html`<p>${t('messages.nothingToAttach')}</p>`
      : attachable().map(
          (document) => html`<div class="choice">
            <input type="checkbox" id="attach-${document.id}" name="documentId" value=${document.id} />
            <label for="attach-${document.id}">${documentLabel(document)}</label>
          </div>`,
        )}
  </fieldset>`;
}

async function send(id: string, form: HTMLFormElement): Promise<void> {
  const field = form.querySelector<HTMLElement & { value: string }>('[name=body]');
  const boxes = [...form.querySelectorAll<HTMLInputElement>('input[name=documentId]:checked')];
  state = emptyState();
  if (boxes.length > MAX_ATTACHED) {
    state.errors.set('documentIds', t('messages.tooManyDocuments', { max: MAX_ATTACHED }));
    focusSummary();
    refresh();
    return;
  }
  try {
    await api('POST', '/api/applications/{id}/messages', {
      path: { id },
      body: { body: field?.value ?? '', documentIds: boxes.map((box) => box.value) },
    });
    if (field) field.value = '';
    boxes.forEach((box) => (box.checked = false));
    await messagesPage.load?.({ id });
    state.notice = said('messages.sent');
  } catch (error) {
    if (notFoundShown(error)) return;
    failed(state, error);
    // The API names each document it refuses (`documentIds[2]`): said once, at the choice.
    state.errors = new Map([...state.errors].map(([name, message]) => [name.startsWith('documentIds') ? 'documentIds' : name, message]));
    focusSummary();
  }
  refresh();
}

/** The form to write to the officer. */
function writeForm(id: string): TemplateResult {
  return html`<h2>${t('messages.new')}</h2>
    <form novalidate @submit=${(event: SubmitEvent) => {
      event.preventDefault();
      void send(id, event.currentTarget as HTMLFormElement);
    }}>
      <gcds-textarea textarea-id="body" name="body" label=${t('messages.body')} required validate-on="other"
        error-message=${state.errors.get('body') ?? ''}></gcds-textarea>
      ${attachChoices()}
      <gcds-button type="submit">${t('messages.send')}</gcds-button>
    </form>`;
}
