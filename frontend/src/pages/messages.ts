// An application's message thread, as its applicant sees it: newest first, page by page (officer
// messages are marked read when shown), and a form to write to the officer.
import { html, nothing } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, loaded, notice, summary, type FormState } from '../forms';
import { PagedList, loadMore } from '../paging';
import { formatDateTime, t } from '../i18n';

let messages = new PagedList<Schemas['MessageView']>();
let state: FormState = emptyState();

/** Records that the applicant read the officer's messages shown (newest first, page by page). */
async function markRead(id: string, shown: Schemas['MessageView'][]): Promise<void> {
  const unread = shown.filter((m) => m.from === 'officer' && m.readAt === 0);
  const read = (messageId: string) =>
    api('POST', '/api/applications/{id}/messages/{messageId}/read', { path: { id, messageId } });
  await Promise.all(unread.map((m) => read(m.id)));
}

/** The thread of application `id`, page by page. */
const thread = (id: string) => (cursor?: string) =>
  api('GET', '/api/applications/{id}/messages', { path: { id }, query: { cursor } });

export const messagesPage: Page = {
  title: () => t('messages.heading'),
  private: true,
  load: async ({ id }) => {
    state = await loaded(async () => {
      messages = await new PagedList(thread(id)).first();
      await markRead(id, messages.items);
    });
  },
  view: ({ id }) => html`
    ${summary(state, { body: t('messages.body') })} ${notice(state)}
    ${messages.items.length === 0
      ? html`<p>${t('messages.empty')}</p>`
      : html`<ol class="thread">
          ${messages.items.map(
            (m) => html`<li class=${m.from}>
              <p class="meta">
                <strong>${m.from === 'officer' ? t('messages.fromOfficer') : t('messages.fromMe')}</strong>,
                ${formatDateTime(m.sentAt)}
                ${m.from === 'applicant' ? html` — ${m.readAt ? t('messages.read') : t('messages.unread')}` : nothing}
              </p>
              <p class="body">${m.body}</p>
            </li>`,
          )}
        </ol>
        ${loadMore(messages, state, (added) => markRead(id, added))}`}
    <h2>${t('messages.new')}</h2>
    <form novalidate @submit=${async (event: SubmitEvent) => {
      event.preventDefault();
      const field = (event.currentTarget as HTMLFormElement).querySelector<HTMLElement & { value: string }>('[name=body]');
      try {
        await api('POST', '/api/applications/{id}/messages', { path: { id }, body: { body: field?.value ?? '' } });
        if (field) field.value = '';
        await messagesPage.load?.({ id });
        state.notice = t('messages.sent');
      } catch (error) {
        failed(state, error);
        focusSummary();
      }
      refresh();
    }}>
      <gcds-textarea textarea-id="body" name="body" label=${t('messages.body')} required validate-on="other"
        error-message=${state.errors.get('body') ?? ''}></gcds-textarea>
      <gcds-button type="submit">${t('messages.send')}</gcds-button>
    </form>`,
};
