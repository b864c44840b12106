// The signed-in applicant's own pages: an application's message thread (officer messages are
// marked read when shown), notifications, profile and notification preferences, and who
// accessed their files.
import { html, nothing } from 'lit-html';
import { api } from '../api';
import { follow, refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, loaded, notice, summary, values, type FormState } from '../forms';
import { table } from '../table';
import { PagedList, loadMore } from '../paging';
import { MESSAGES, formatDateTime, setLanguage, t, type Language, type MessageKey } from '../i18n';

interface Message {
  id: string;
  from: 'applicant' | 'officer';
  body: string;
  sentAt: number;
  readAt: number;
}

interface Notification {
  id: string;
  applicationId: string;
  title: string;
  body: string;
  at: number;
  readAt: number;
}

interface Profile {
  preferredLanguage: Language;
  notifications: { email: boolean; sms: boolean; phone?: string };
}

interface Activity {
  applicationId: string;
  at: number;
  role: string;
  action: string;
  outcome: 'allowed' | 'denied';
}

let messages = new PagedList<Message>('');
let notifications = new PagedList<Notification>('/api/notifications');
let profile: Profile | null = null;
let activity = new PagedList<Activity>('/api/me/activity');
let state: FormState = emptyState();

/** Records that the applicant read the officer's messages shown (newest first, page by page). */
async function markRead(id: string, shown: Message[]): Promise<void> {
  const unread = shown.filter((m) => m.from === 'officer' && m.readAt === 0);
  await Promise.all(unread.map((m) => api('POST', `/api/applications/${id}/messages/${m.id}/read`)));
}

export const messagesPage: Page = {
  title: () => t('messages.heading'),
  private: true,
  load: async ({ id }) => {
    state = await loaded(async () => {
      messages = await new PagedList<Message>(`/api/applications/${id}/messages`).first();
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
        await api('POST', `/api/applications/${id}/messages`, { body: field?.value ?? '' });
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

export const notificationsPage: Page = {
  title: () => t('notifications.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      notifications = await new PagedList<Notification>('/api/notifications').first();
    });
  },
  view: () => html`
    ${summary(state, {})}
    ${notifications.items.length === 0
      ? html`<p>${t('notifications.empty')}</p>`
      : html`<ul class="notifications">
          ${notifications.items.map(
            (n) => html`<li>
              <h2>${n.title} ${n.readAt === 0 ? html`<span class="tag">${t('notifications.unread')}</span>` : nothing}</h2>
              <p>${formatDateTime(n.at)}</p>
              <p>${n.body}</p>
              <p>
                <gcds-link href="/applications/${n.applicationId}" @click=${follow}>${t('notifications.open')}</gcds-link>
                ${n.readAt === 0
                  ? html`<gcds-button type="button" button-role="secondary" size="small" @click=${async () => {
                      await api('POST', `/api/notifications/${n.id}/read`);
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

export const profilePage: Page = {
  title: () => t('profile.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      profile = (await api<{ profile: Profile | null }>('GET', '/api/me')).profile;
    });
  },
  view: () => {
    if (!profile) return html`${summary(state, {})}`;
    const labels = { 'notifications.phone': t('profile.phone') };
    const channels = profile.notifications;
    return html`
      ${summary(state, labels)} ${notice(state)}
      <form novalidate @submit=${async (event: SubmitEvent) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const checked = (name: string) => form.querySelector<HTMLInputElement>(`input[name=${name}]`)?.checked ?? false;
        const language = (form.querySelector<HTMLInputElement>('input[name=language]:checked')?.value ?? 'en') as Language;
        const phone = values(form).phone?.trim() ?? '';
        try {
          profile = await api<Profile>('PATCH', '/api/me', {
            preferredLanguage: language,
            notifications: { email: checked('email'), sms: checked('sms'), phone: phone || null },
          });
          setLanguage(language);
          state = emptyState();
          state.notice = t('profile.saved');
        } catch (error) {
          failed(state, error);
          focusSummary();
        }
        refresh();
      }}>
        <fieldset>
          <legend>${t('profile.language')}</legend>
          ${(['en', 'fr'] as Language[]).map(
            (code) => html`<div class="choice">
              <input type="radio" id="language-${code}" name="language" value=${code}
                ?checked=${profile?.preferredLanguage === code} />
              <label for="language-${code}" lang=${code}>${code === 'en' ? 'English' : 'Français'}</label>
            </div>`,
          )}
        </fieldset>
        <fieldset>
          <legend>${t('profile.channels')}</legend>
          <div class="choice"><input type="checkbox" id="email" name="email" ?checked=${channels.email} />
            <label for="email">${t('profile.email')}</label></div>
          <div class="choice"><input type="checkbox" id="sms" name="sms" ?checked=${channels.sms} />
            <label for="sms">${t('profile.sms')}</label></div>
        </fieldset>
        <gcds-input input-id="phone" name="phone" type="tel" autocomplete="tel" label=${t('profile.phone')}
          .value=${channels.phone ?? ''} validate-on="other"
          error-message=${state.errors.get('notifications.phone') ?? ''}></gcds-input>
        <gcds-button type="submit">${t('profile.save')}</gcds-button>
      </form>
      <h2>${t('profile.export.heading')}</h2>
      <p>${t('profile.export.lead')}</p>
      <gcds-button type="button" button-role="secondary" @click=${async () => {
        try {
          // Assembled as a file in storage; the answer is a short-lived link to it.
          const link = await api<{ url: string }>('GET', '/api/me/export');
          window.location.assign(link.url);
        } catch (error) {
          failed(state, error);
          focusSummary();
          refresh();
        }
      }}>${t('profile.export.button')}</gcds-button>`;
  },
};

/** An audit action as people read it (the code itself for one this app does not know yet). */
function actionLabel(action: string): string {
  const key = `activity.action.${action}` as MessageKey;
  return key in MESSAGES.en ? t(key) : action;
}

export const activityPage: Page = {
  title: () => t('activity.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      activity = await new PagedList<Activity>('/api/me/activity').first();
    });
  },
  view: () => html`
    <p>${t('activity.lead')}</p>
    ${summary(state, {})}
    ${activity.items.length === 0
      ? html`<p>${t('activity.empty')}</p>`
      : html`${table(
          [t('activity.when'), t('activity.who'), t('activity.what'), t('activity.outcome')],
          activity.items.map(
            (a) => html`<tr>
              <td>${formatDateTime(a.at)}</td>
              <td>${t(`activity.role.${a.role}` as 'activity.role.officer')}</td>
              <td>${actionLabel(a.action)}</td>
              <td>${a.outcome === 'allowed' ? t('activity.allowed') : t('activity.denied')}</td>
            </tr>`,
          ),
        )}
        ${loadMore(activity, state)}`}`,
};
