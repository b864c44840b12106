// The signed-in applicant's notifications, newest first, each marked read on request. Each notice
// holds its text in both languages and reads in the interface's (switching with the toggle).
import { html, nothing } from 'lit-html';
import { api } from '../api/client';
import { follow, refresh, type Page } from '../app';
import { emptyState, loaded, summary, type FormState } from '../forms';
import { PagedList, loadMore } from '../paging';
import { formatDateTime, pick, t } from '../i18n';

const readNotifications = (cursor?: string) => api('GET', '/api/notifications', { query: { cursor } });
let notifications = new PagedList(readNotifications);
let state: FormState = emptyState();

export const notificationsPage: Page = {
  title: () => t('notifications.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      notifications = await new PagedList(readNotifications).first();
    });
  },
  view: () => html`
    ${summary(state, {})}
    ${notifications.items.length === 0
      ? html`<p>${t('notifications.empty')}</p>`
      : html`<ul class="notifications">
          ${notifications.items.map(
            (n) => html`<li>
              <h2>${pick(n.title)} ${n.readAt === 0 ? html`<span class="tag">${t('notifications.unread')}</span>` : nothing}</h2>
              <p>${formatDateTime(n.at)}</p>
              <p>${pick(n.body)}</p>
              <p>
                <gcds-link href="/applications/${n.applicationId}" @click=${follow}>${t('notifications.open')}</gcds-link>
                ${n.readAt === 0
                  ? html`<gcds-button type="button" button-role="secondary" size="small" @click=${async () => {
                      await api('POST', '/api/notifications/{id}/read', { path: { id: n.id } });
                      await notificationsPage.load?.({});
                      refresh();
                    }}>${t('notifications.markRead')}</gcds-button>`
                  : nothing}
              </p>
            </li>`,
          )}
        </ul>
        ${loadMore(notifications, state)}`}`,
};
