// An application's message thread, as its applicant sees it: newest first, page by page (officer
// messages are marked read when shown), and a form to write to the officer — for the applicant
// and a representative with full access (a representative's messages say who wrote them).
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { notFoundShown, refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, loaded, notice, summary, type FormState } from '../forms';
import { PagedList, loadMore } from '../paging';
import { formatDateTime, t } from '../i18n';
import { actingName, mayAct, standingNotice, standingOf, type Standing } from '../representation';

let messages = new PagedList<Schemas['MessageView']>();
let state: FormState = emptyState();
let standing: Standing = { role: 'other' };

/** Who wrote a message, as the thread says it. */
function author(m: Schemas['MessageView']): string {
  if (m.from === 'officer') return t('messages.fromOfficer');
  if (m.representative) return t('messages.fromRepresentative', { name: actingName(m.representative) });
  return standing.role === 'owner' ? t('messages.fromMe') : t('messages.fromApplicant');
}

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
      const [list, found] = await Promise.all([
        new PagedList(thread(id)).first(),
        api('GET', '/api/applications/{id}', { path: { id } }),
      ]);
      messages = list;
      standing = await standingOf(found.application);
      await markRead(id, messages.items);
    });
  },
  view: ({ id }) => html`
    ${standingNotice(standing)}
    ${summary(state, { body: t('messages.body') })} ${notice(state)}
    ${messages.items.length === 0
      ? html`<p>${t('messages.empty')}</p>`
      : html`<ol class="thread">
          ${messages.items.map(
            (m) => html`<li class=${m.from}>
              <p class="meta">
                <strong>${author(m)}</strong>,
                ${formatDateTime(m.sentAt)}
                ${m.from === 'applicant' ? html` — ${m.readAt ? t('messages.read') : t('messages.unread')}` : nothing}
              </p>
              <p class="body">${m.body}</p>
            </li>`,
          )}
        </ol>
        ${loadMore(messages, state, (added) => markRead(id, added))}`}
    ${mayAct(standing) ? writeForm(id) : nothing}`,
};

/** The form to write to the officer. */
function writeForm(id: string): TemplateResult {
  return html`<h2>${t('messages.new')}</h2>
    <form novalidate @submit=${async (event: SubmitEvent) => {
      event.preventDefault();
      const field = (event.currentTarget as HTMLFormElement).querySelector<HTMLElement & { value: string }>('[name=body]');
      try {
        await api('POST', '/api/applications/{id}/messages', { path: { id }, body: { body: field?.value ?? '' } });
        if (field) field.value = '';
        await messagesPage.load?.({ id });
        state.notice = t('messages.sent');
      } catch (error) {
        if (notFoundShown(error)) return;
        failed(state, error);
        focusSummary();
      }
      refresh();
    }}>
      <gcds-textarea textarea-id="body" name="body" label=${t('messages.body')} required validate-on="other"
        error-message=${state.errors.get('body') ?? ''}></gcds-textarea>
      <gcds-button type="submit">${t('messages.send')}</gcds-button>
    </form>`;
}
