// The case's message thread as officers read it (newest first, page by page): who wrote each
// message in the words for an officer reading (`thread.ts`), the documents it points to, and on
// the agency's messages whether the applicant has read them; and the form to write to the
// applicant.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import type { FormState } from '../forms';
import { formatDateTime, t } from '../i18n';
import { loadMore, type PagedList } from '../paging';
import { author, markRead, ownSide, type Reader } from '../thread';
import { outcome, type Act } from './officer-action';

type Message = Schemas['MessageView'];

/** Officers read the thread from the agency's side. */
export const OFFICER: Reader = { side: 'officer' };

/** The case's documents a message points to, by name (each downloads from the documents
 * section above). */
function attached(message: Message, documents: Schemas['Document'][]): TemplateResult | typeof nothing {
  if (message.documentIds.length === 0) return nothing;
  return html`<p class="attached-heading">${t('messages.attached')}</p>
    <ul class="attached">
      ${message.documentIds.map(
        (id) => html`<li>${documents.find((d) => d.id === id)?.fileName ?? t('messages.documentGone')}</li>`,
      )}
    </ul>`;
}

function entry(message: Message, documents: Schemas['Document'][]): TemplateResult {
  return html`<li class=${message.from}>
    <p class="meta"><strong>${author(message, OFFICER)}</strong>, ${formatDateTime(message.sentAt)}
      ${ownSide(message, OFFICER) ? html` — ${message.readAt ? t('messages.read') : t('messages.unread')}` : nothing}</p>
    <p class="body">${message.body}</p>
    ${attached(message, documents)}
  </li>`;
}

/** The thread and the form to write to the applicant. */
export function messagesSection(
  applicationId: string,
  messages: PagedList<Message>,
  documents: Schemas['Document'][],
  state: FormState,
  act: Act,
): TemplateResult {
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const body = form.querySelector<HTMLElement & { value: string }>('[name=message]')?.value ?? '';
    void act({
      at: 'message',
      form,
      run: () => api('POST', '/api/officer/applications/{id}/messages', { path: { id: applicationId }, body: { body } }),
      done: () => t('messages.sent'),
      field: (name) => (name === 'body' ? 'message' : name),
    });
  };
  return html`
    <h2>${t('officer.case.messages')}</h2>
    ${messages.items.length === 0
      ? html`<p>${t('messages.empty')}</p>`
      : html`<ol class="thread">${messages.items.map((message) => entry(message, documents))}</ol>`}
    ${loadMore(messages, state, (added) => markRead(applicationId, added, OFFICER))}
    ${outcome('message')}
    <form novalidate @submit=${submit}>
      <gcds-textarea textarea-id="message" name="message" label=${t('officer.case.message')} required
        validate-on="other" error-message=${state.errors.get('message') ?? ''}></gcds-textarea>
      <gcds-button type="submit">${t('officer.case.send')}</gcds-button>
    </form>`;
}
