// The dashboard (status per application, action required, unread messages — two calls, each
// one query on the server; a page of at most 50 lines, action required first, with "Load more"
// for the rest; the applications the user represents someone on in their own "Clients" section;
// what the applicant may end: a draft to delete, an application to withdraw)
// and starting an application of any type, with each type's processing time.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { follow, navigate, refresh, type Page } from '../app';
import { applicationTypes, statusLabel, typeName, type ApplicationType, type Status } from '../catalog';
import { emptyState, failed, focusSummary, loaded, summary, values, type FormState } from '../forms';
import { loadMore, PagedList } from '../paging';
import { table } from '../table';
import { formatDateTime, pick, t, type Said } from '../i18n';
import { endLabel, scopeLabel } from '../representation';
import { awaitsDecision, loadProcessingTimes, processingTimeText } from '../processing-times';

/** The dashboard's lines read so far (the API answers a page at a time). */
let applications = new PagedList<Schemas['Summary']>();
let unread = new Map<string, number>();
let types: ApplicationType[] = [];
let state: FormState = emptyState();
/** What the dashboard says once it opens (an application linked, withdrawn or deleted). */
let arrival: Said | null = null;

/** Opens the dashboard, which says `done` (what the applicant just did) and takes focus to it. */
export async function backToDashboard(done: Said): Promise<void> {
  arrival = done;
  await navigate('/dashboard');
}

/** Where an application stands, with what asks for attention. */
function statusCell(application: Schemas['Summary']): TemplateResult {
  return html`<td>
    ${statusLabel(application.status)}
    ${application.actionRequired ? html`<strong class="flag">${t('dashboard.actionRequired')}</strong>` : nothing}
    ${application.paymentRequired ? html`<strong class="flag">${t('dashboard.paymentRequired')}</strong>` : nothing}
    ${unread.get(application.id)
      ? html`<span class="flag">${t('dashboard.unread', { count: unread.get(application.id) ?? 0 })}</span>`
      : nothing}
  </td>`;
}

const caseLink = (application: Schemas['Summary']): TemplateResult =>
  html`<gcds-link href="/applications/${application.id}" @click=${follow}>${typeName(types, application.type)}</gcds-link>`;

/** The applications the user represents someone on: whose, what access, until when. */
function clients(represented: Schemas['Summary'][]): TemplateResult | typeof nothing {
  if (represented.length === 0) return nothing;
  return html`<h2>${t('dashboard.clients')}</h2>
    <p>${t('dashboard.clientsLead')}</p>
    ${table(
      [t('dashboard.client'), t('dashboard.type'), t('dashboard.access'), t('dashboard.status'), t('dashboard.accessEnds')],
      represented.map(
        (application) => html`<tr>
          <td>${application.client?.name}</td>
          <td>${caseLink(application)}</td>
          <td>${application.client ? scopeLabel(application.client.scope) : ''}</td>
          ${statusCell(application)}
          <td>${endLabel(application.client?.endsOn)}</td>
        </tr>`,
      ),
    )}`;
}

/** The lines read so far, each application once: a line that moved in the order between two
 * pages (its application changed) may come again. */
function lines(): Schemas['Summary'][] {
  const seen = new Set<string>();
  return applications.items.filter((line) => !seen.has(line.id) && seen.add(line.id));
}

/** The user's own applications (not those they represent someone on). */
const own = (): Schemas['Summary'][] => lines().filter((application) => !application.client);

/** Whether the applicant may withdraw an application in `status`: once submitted, before its
 * decision, as the status machine says (the case view does not carry it; the API refuses any
 * other). A draft is deleted instead. */
export const mayWithdraw = (status: Status): boolean => status !== 'draft' && awaitsDecision(status);

/** How the applicant may end an application: delete a draft, withdraw one before its decision
 * (each after a confirmation page). */
function endCell(application: Schemas['Summary']): TemplateResult {
  const end = (path: string, label: string) =>
    html`<gcds-link href="/applications/${application.id}/${path}" @click=${follow}>${label}</gcds-link>`;
  return html`<td>${application.status === 'draft'
    ? end('delete', t('dashboard.deleteDraft'))
    : mayWithdraw(application.status)
      ? end('withdraw', t('dashboard.withdraw', { number: application.number ?? '' }))
      : nothing}</td>`;
}

export const dashboard: Page = {
  title: () => t('dashboard.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      const lines = new PagedList((cursor) => api('GET', '/api/applications', { query: { cursor } }));
      const [, inbox, catalog] = await Promise.all([lines.first(), api('GET', '/api/inbox'), applicationTypes()]);
      applications = lines;
      unread = new Map(inbox.applications.map((entry) => [entry.applicationId, entry.unread]));
      types = catalog;
    });
    state.notice = arrival;
    arrival = null;
    // Painted once loading ends: then the notice is read out first.
    if (state.notice) requestAnimationFrame(() => document.getElementById('dashboard-notice')?.focus());
  },
  view: () => html`
    ${summary(state, {})}
    ${state.notice ? html`<p class="notice" id="dashboard-notice" role="status" tabindex="-1">${state.notice()}</p>` : nothing}
    <p class="actions">
      <gcds-button type="link" href="/applications/new" @click=${follow}>${t('dashboard.start')}</gcds-button>
      <gcds-button type="link" button-role="secondary" href="/applications/link" @click=${follow}>${t('dashboard.link')}</gcds-button>
    </p>
    ${own().length === 0
      ? applications.next === null ? html`<p>${t('dashboard.empty')}</p>` : nothing
      : table(
          [t('dashboard.type'), t('dashboard.number'), t('dashboard.status'), t('dashboard.updated'), t('dashboard.end')],
          own().map(
            (application) => html`<tr>
              <td>${caseLink(application)}</td>
              <td>${application.number ?? t('dashboard.noNumber')}</td>
              ${statusCell(application)}
              <td>${formatDateTime(application.updatedAt)}</td>
              ${endCell(application)}
            </tr>`,
          ),
        )}
    ${clients(lines().filter((application) => application.client))}
    ${loadMore(applications, state)}
    <h2>${t('dashboard.representing')}</h2>
    <ul>
      <li><gcds-link href="/representative/invitations" @click=${follow}>${t('invitations.heading')}</gcds-link></li>
      <li><gcds-link href="/firm" @click=${follow}>${t('firm.heading')}</gcds-link></li>
    </ul>
  `,
};

/** Each type's processing time, when the estimates could be read. */
function processingTimes(): TemplateResult | typeof nothing {
  if (types.length === 0 || processingTimeText(types[0].code) === null) return nothing;
  return html`<h2>${t('processing.heading')}</h2>
    <p>${t('processing.lead')}</p>
    <dl class="answers">
      ${types.map((type) => html`<dt>${pick(type.name)}</dt><dd>${processingTimeText(type.code)}</dd>`)}
    </dl>`;
}

export const startApplication: Page = {
  title: () => t('start.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      // The estimates are a help to choose, not needed to start: without them the page says none.
      [types] = await Promise.all([applicationTypes(), loadProcessingTimes().catch(() => undefined)]);
    });
  },
  view: () => html`
    ${summary(state, { type: t('start.type') })}
    <form novalidate @submit=${async (event: SubmitEvent) => {
      event.preventDefault();
      const chosen = values(event.currentTarget as HTMLFormElement).type ?? '';
      try {
        const created = await api('POST', '/api/applications', { body: { type: chosen } });
        await navigate(`/applications/${created.id}`);
      } catch (error) {
        failed(state, error);
        focusSummary();
        refresh();
      }
    }}>
      <gcds-select select-id="type" name="type" label=${t('start.type')} required validate-on="other"
        error-message=${state.errors.get('type') ?? ''}>
        ${types.map((type) => html`<option value=${type.code}>${pick(type.name)}</option>`)}
      </gcds-select>
      <gcds-button type="submit">${t('start.submit')}</gcds-button>
    </form>
    ${processingTimes()}`,
};
