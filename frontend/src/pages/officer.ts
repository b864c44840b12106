// The officer console: the queue by status and type (paged by the API's cursor), and a case —
// answers, history with reasons, documents grouped by kind to download and review, the status
// changes the status machine allows with a reason and a note to the applicant, document
// requests with a due date, the bookings and whether the applicant came, fees and payments,
// and the message thread. Each section lives in its `officer-*.ts` module; this one loads the
// case and runs the officers' actions (`officer-action.ts`).
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { follow, navigate, notFoundShown, refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, loaded, summary, values, type FormState } from '../forms';
import { table } from '../table';
import { PagedList, loadMore } from '../paging';
import { paymentLabels, paymentsSection } from './officer-payments';
import { paymentsOf } from './payments';
import { appointmentsSection } from './officer-appointments';
import { appointmentsOf, type Appointment } from './appointments';
import { documentsSection, reasonField } from './officer-documents';
import { requestSection, statusSection } from './officer-decisions';
import { messagesSection, OFFICER } from './officer-messages';
import { focusOutcome, forgetOutcome, succeeded, type Action } from './officer-action';
import { formatDateTime, pick, t } from '../i18n';
import { grantCells, grantHeadings } from '../representation';
import { markRead } from '../thread';
import { answerText } from './review';
import {
  STATUSES,
  applicationTypes,
  isStatus,
  statusLabel,
  typeName,
  type Application,
  type ApplicationType,
  type Status,
} from '../catalog';

/** The queues: every status but `draft` (drafts are not the agency's yet). */
const QUEUES = STATUSES.filter((status) => status !== 'draft');

let queue: Schemas['QueueEntry'][] = [];
let next: string | null = null;
let types: ApplicationType[] = [];
let current: Schemas['OfficerCase'] | null = null;
let history = new PagedList<Schemas['HistoryView']>();
let messages = new PagedList<Schemas['MessageView']>();
let payments = new PagedList<Schemas['PaymentView']>();
let appointments = new PagedList<Appointment>();
let state: FormState = emptyState();

const params = () => new URLSearchParams(location.search);
const typeOf = (code: string) => types.find((type) => type.code === code);
/** Why the status changed. Officers are sent each entry whole (`HistoryEntry`, with its role
 * and reason); the document types the list as either view, so the applicant's (no reason) is
 * told apart by its lack of a `role`. */
function reasonOf(entry: Schemas['HistoryView']): string | null {
  return 'role' in entry ? (entry.reason ?? null) : null;
}

/** The queue the address names (`?status=`): `submitted` when it names none, or no status. */
function queueStatus(): Status {
  const named = params().get('status');
  return named !== null && isStatus(named) ? named : 'submitted';
}

export const queuePage: Page = {
  title: () => t('officer.queue.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      types = await applicationTypes();
      const query = {
        status: queueStatus(),
        type: params().get('type') || undefined,
        cursor: params().get('cursor') || undefined,
      };
      const page = await api('GET', '/api/officer/queue', { query });
      queue = page.items;
      next = page.nextCursor;
    });
  },
  view: () => {
    const status = queueStatus();
    const type = params().get('type') ?? '';
    return html`
      ${summary(state, {})}
      <form class="filters" @submit=${async (event: SubmitEvent) => {
        event.preventDefault();
        const chosen = values(event.currentTarget as HTMLFormElement);
        const query = new URLSearchParams({ status: chosen.status });
        if (chosen.type) query.set('type', chosen.type);
        await navigate(`/officer?${query}`);
      }}>
        <gcds-select select-id="status" name="status" label=${t('officer.queue.status')} .value=${status}>
          ${QUEUES.map((s) => html`<option value=${s} ?selected=${s === status}>${statusLabel(s)}</option>`)}
        </gcds-select>
        <gcds-select select-id="type" name="type" label=${t('officer.queue.type')} .value=${type}>
          <option value="">${t('officer.queue.anyType')}</option>
          ${types.map((ty) => html`<option value=${ty.code} ?selected=${ty.code === type}>${pick(ty.name)}</option>`)}
        </gcds-select>
        <gcds-button type="submit">${t('officer.queue.show')}</gcds-button>
      </form>
      ${queue.length === 0
        ? html`<p>${t('officer.queue.empty')}</p>`
        : table(
            [t('dashboard.number'), t('dashboard.type'), t('dashboard.status'), t('dashboard.updated')],
            queue.map(
              (item) => html`<tr>
                <td><gcds-link href="/officer/applications/${item.id}" @click=${follow}>
                  ${item.number ?? t('dashboard.noNumber')}</gcds-link></td>
                <td>${typeName(types, item.type)}</td>
                <td>${statusLabel(item.status)}</td>
                <td>${formatDateTime(item.updatedAt)}</td>
              </tr>`,
            ),
          )}
      ${next
        ? html`<gcds-link href="/officer?${new URLSearchParams({ status, type, cursor: next })}" @click=${follow}>
            ${t('officer.queue.more')}</gcds-link>`
        : nothing}`;
  },
};

/** Runs an officer's action, then reads the case again: see `officer-action.ts`. */
async function act(action: Action): Promise<void> {
  const id = current?.application.id;
  if (!id) return;
  try {
    await action.run();
  } catch (error) {
    if (notFoundShown(error)) return;
    forgetOutcome();
    failed(state, error);
    const field = action.field ?? ((name: string) => name);
    state.errors = new Map([...state.errors].map(([name, message]) => [field(name), message]));
    refresh();
    focusSummary();
    return;
  }
  succeeded(action);
  try {
    state = await loaded(() => load(id));
  } catch (error) {
    if (notFoundShown(error)) return;
    throw error;
  }
  refresh();
  focusOutcome();
}

/** A problem found before anything is sent: one field's, in the summary. */
function refused(field: string, message: string): void {
  forgetOutcome();
  state = emptyState();
  state.errors.set(field, message);
  refresh();
}

async function load(id: string): Promise<void> {
  types = await applicationTypes();
  current = await api('GET', '/api/officer/applications/{id}', { path: { id } });
  history = await new PagedList((cursor) =>
    api('GET', '/api/applications/{id}/history', { path: { id }, query: { cursor } }),
  ).first(current.history);
  payments = await paymentsOf(id).first();
  appointments = await appointmentsOf(id).first();
  messages = await new PagedList((cursor) =>
    api('GET', '/api/applications/{id}/messages', { path: { id }, query: { cursor } }),
  ).first(current.messages);
  // The applicant sees that the agency read their messages.
  await markRead(id, messages.items, OFFICER);
}

/** The answers by the type's fields, as people write them (a choice by its label). */
function answers(type: ApplicationType, application: Application): TemplateResult {
  return html`<dl class="answers">
    ${type.sections.flatMap((section) => section.fields).map(
      (f) => html`<dt>${pick(f.label)}</dt><dd>${answerText(f, application.data)}</dd>`,
    )}
  </dl>`;
}

/** Who represents the applicant, as officers need it: paid or unpaid (with the licence), firm,
 * access, since and until when. */
function representativesSection(application: Application): TemplateResult | typeof nothing {
  const grants = application.representatives ?? [];
  if (grants.length === 0) return nothing;
  return html`<h2>${t('officer.case.representatives')}</h2>
    ${table(grantHeadings(), grants.map((grant) => html`<tr>${grantCells(grant)}</tr>`))}`;
}

/** The fields of the case's forms, as the error summary names them. */
function fieldLabels(documents: Schemas['Document'][]): Record<string, string> {
  return {
    to: t('officer.case.to'),
    reason: t('officer.case.statusReason'),
    noteToApplicant: t('officer.case.note'),
    documents: t('officer.case.requestKinds'),
    dueDate: t('officer.case.dueDate'),
    message: t('officer.case.message'),
    ...Object.fromEntries(documents.map((d) => [reasonField(d), t('officer.case.reviewReason')])),
    ...paymentLabels(payments.items),
  };
}

export const casePage: Page = {
  title: () =>
    current?.application.number
      ? t('officer.case.heading', { number: current.application.number })
      : t('officer.case.noNumber'),
  private: true,
  load: async ({ id }) => {
    // What the last action said belongs to that moment, not to a later visit.
    forgetOutcome();
    state = await loaded(() => load(id));
  },
  view: () => {
    if (!current) return html`${summary(state, {})}`;
    const { application } = current;
    const documents = current.documents.items;
    const type = typeOf(application.type);
    if (!type) return html``;
    return html`
      ${summary(state, fieldLabels(documents))}
      <p>${pick(type.name)} — ${t('application.status', { status: statusLabel(application.status) })}</p>
      ${representativesSection(application)}
      <h2>${t('officer.case.answers')}</h2>
      ${answers(type, application)}
      <h2>${t('officer.case.history')}</h2>
      <ol class="timeline">
        ${history.items.map(
          (entry) => html`<li><strong>${statusLabel(entry.to)}</strong> — ${formatDateTime(entry.at)}
            ${reasonOf(entry) ? html`<p>${t('officer.case.reason', { reason: reasonOf(entry) ?? '' })}</p>` : nothing}
            ${entry.noteToApplicant ? html`<p>${entry.noteToApplicant}</p>` : nothing}</li>`,
        )}
      </ol>
      ${loadMore(history, state)}
      <h2>${t('officer.case.documents')}</h2>
      ${documentsSection(type, application.id, documents, state, act)}
      ${appointmentsSection(appointments, state, act)}
      ${paymentsSection(type, application, current.fees, payments, state, act)}
      ${statusSection(application, current.nextStatuses, state, act, refused)}
      ${requestSection(type, application, current.canRequestDocuments, state, act)}
      ${messagesSection(application.id, messages, documents, state, act)}`;
  },
};
