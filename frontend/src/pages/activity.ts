// Who read or changed the signed-in applicant's applications, newest first, page by page.
import { html } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { type Page } from '../app';
import { emptyState, loaded, summary, type FormState } from '../forms';
import { table } from '../table';
import { PagedList, loadMore } from '../paging';
import { formatDateTime, isMessageKey, t } from '../i18n';
import { actingName } from '../representation';

const readActivity = (cursor?: string) => api('GET', '/api/me/activity', { query: { cursor } });
let activity = new PagedList(readActivity);
let state: FormState = emptyState();

/** An audit action as people read it (the code itself for one this app does not know yet). */
function actionLabel(action: string): string {
  const key = `activity.action.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

/** Who acted: a representative by name (and firm), anyone else by role (`applicant`, `officer`,
 * `other`; the code itself for one this app does not know yet). */
function who(entry: Schemas['Activity']): string {
  if (entry.representative) return t('activity.representative', { name: actingName(entry.representative) });
  const key = `activity.role.${entry.role}`;
  return isMessageKey(key) ? t(key) : entry.role;
}

/** What was done, and what it was about when the record says (an upload's file name). */
const what = (entry: Schemas['Activity']): string =>
  entry.subject ? `${actionLabel(entry.action)} — ${entry.subject}` : actionLabel(entry.action);

export const activityPage: Page = {
  title: () => t('activity.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      activity = await new PagedList(readActivity).first();
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
              <td>${who(a)}</td>
              <td>${what(a)}</td>
              <td>${a.outcome === 'allowed' ? t('activity.allowed') : t('activity.denied')}</td>
            </tr>`,
          ),
        )}
        ${loadMore(activity, state)}`}`,
};
