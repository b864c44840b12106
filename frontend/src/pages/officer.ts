// The officer console: the queue by status and type (paged by the API's cursor), and a case —
// answers, history with reasons, documents to download and review, status changes with a
// reason and a note to the applicant, document requests with a due date, the bookings and
// whether the applicant came, the message thread.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { follow, navigate, refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, loaded, notice, summary, values, type FormState } from '../forms';
import { table } from '../table';
import { PagedList, loadMore } from '../paging';
import { paymentsSection } from './officer-payments';
import { paymentsOf } from './payments';
import { appointmentsSection } from './officer-appointments';
import { appointmentsOf, type Appointment } from './appointments';
import { formatDateTime, pick, t } from '../i18n';
import { actingName, grantCells, grantHeadings } from '../representation';
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

type Document = Schemas['Document'];

/** The queues: every status but `draft` (drafts are not the agency's yet). */
const QUEUES = STATUSES.filter((status) => status !== 'draft');
/** Where an officer may move an application (the API refuses what its status does not allow). */
const TARGETS: readonly Status[] = ['received', 'biometrics_requested', 'biometrics_completed', 'in_review',
  'interview_scheduled', 'approved', 'refused', 'closed'];

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

/** Runs an officer's action and reloads the case; `field` names the form's fields in errors
 * (two forms on the page both have a `reason`). */
async function act(action: () => Promise<unknown>, field: (name: string) => string = (name) => name): Promise<void> {
  try {
    await action();
    const id = current?.application.id;
    state = emptyState();
    state.notice = t('officer.case.done');
    if (id) await load(id);
  } catch (error) {
    failed(state, error);
    state.errors = new Map([...state.errors].map(([name, message]) => [field(name), message]));
    state.notice = null;
    focusSummary();
  }
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
}

async function download(document: Document): Promise<void> {
  if (!current) return;
  const link = await api('GET', '/api/applications/{id}/documents/{docId}/download', {
    path: { id: current.application.id, docId: document.id },
  });
  window.location.assign(link.url);
}

function answers(type: ApplicationType, application: Application): TemplateResult {
  return html`<dl class="answers">
    ${type.sections.flatMap((section) => section.fields).map(
      (f) => html`<dt>${pick(f.label)}</dt><dd>${String(application.data[f.id] ?? '—')}</dd>`,
    )}
  </dl>`;
}

function documentsSection(type: ApplicationType, documents: Document[]): TemplateResult {
  const label = (kind: string) => {
    const found = type.documents.find((d) => d.kind === kind);
    return found ? pick(found.label) : kind;
  };
  const review = (document: Document, decision: Schemas['ReviewDecision']) => (event: Event) => {
    const item = (event.currentTarget as HTMLElement).closest('li');
    const reason = item?.querySelector<HTMLElement & { value: string }>('[name=reason]')?.value ?? '';
    void act(
      () =>
        api('POST', '/api/officer/applications/{id}/documents/{docId}/review', {
          path: { id: current?.application.id ?? '', docId: document.id },
          body: { decision, reason: reason || null },
        }),
      (name) => (name === 'reason' ? `reason-${document.id}` : name),
    );
  };
  return html`<ul class="documents">
    ${documents.map(
      (document) => html`<li class="document">
        <h3>${label(document.kind)}</h3>
        <p>${document.fileName} — ${t(`documents.state.${document.state}`, { reason: '' })}</p>
        ${['verified', 'accepted', 'rejected'].includes(document.state)
          ? html`<gcds-button type="button" button-role="secondary" size="small" @click=${() => void download(document)}>
                ${t('officer.case.download', { name: document.fileName })}</gcds-button>
              <gcds-input input-id="reason-${document.id}" name="reason" label=${t('officer.case.reviewReason')}
                validate-on="other" error-message=${state.errors.get(`reason-${document.id}`) ?? ''}></gcds-input>
              <gcds-button type="button" size="small" @click=${review(document, 'accept')}>${t('officer.case.accept')}</gcds-button>
              <gcds-button type="button" button-role="secondary" size="small" @click=${review(document, 'reject')}>
                ${t('officer.case.reject')}</gcds-button>`
          : nothing}
      </li>`,
    )}
  </ul>`;
}

function forms(type: ApplicationType, application: Application): TemplateResult {
  return html`
    <h2>${t('officer.case.status')}</h2>
    <form novalidate @submit=${(event: SubmitEvent) => {
      event.preventDefault();
      const answers = values(event.currentTarget as HTMLFormElement);
      const to = answers.to ?? '';
      // The select offers only statuses (`TARGETS`), and always one of them.
      if (!isStatus(to)) return;
      void act(() =>
        api('POST', '/api/officer/applications/{id}/status', {
          path: { id: application.id },
          body: {
            to,
            reason: answers.reason,
            noteToApplicant: answers.noteToApplicant || null,
            version: application.version,
          },
        }),
      );
    }}>
      <gcds-select select-id="to" name="to" label=${t('officer.case.to')} required>
        ${TARGETS.map((s) => html`<option value=${s}>${statusLabel(s)}</option>`)}
      </gcds-select>
      <gcds-input input-id="reason" name="reason" label=${t('officer.case.statusReason')} required validate-on="other"
        error-message=${state.errors.get('reason') ?? ''}></gcds-input>
      <gcds-textarea textarea-id="noteToApplicant" name="noteToApplicant" label=${t('officer.case.note')}
        validate-on="other"></gcds-textarea>
      <gcds-button type="submit">${t('officer.case.apply')}</gcds-button>
    </form>

    <h2>${t('officer.case.request')}</h2>
    <form novalidate @submit=${(event: SubmitEvent) => {
      event.preventDefault();
      const form = event.currentTarget as HTMLFormElement;
      const kinds = [...form.querySelectorAll<HTMLInputElement>('input[name=kind]:checked')].map((i) => i.value);
      const answers = values(form);
      void act(() =>
        api('POST', '/api/officer/applications/{id}/document-requests', {
          path: { id: application.id },
          body: {
            documents: kinds.map((kind) => ({ kind, note: answers.requestNote || null })),
            dueDate: answers.dueDate,
            version: application.version,
          },
        }),
      );
    }}>
      <fieldset>
        <legend>${t('officer.case.requestKinds')}</legend>
        ${type.documents.map(
          (d) => html`<div class="choice">
            <input type="checkbox" id="kind-${d.kind}" name="kind" value=${d.kind} />
            <label for="kind-${d.kind}">${pick(d.label)}</label>
          </div>`,
        )}
      </fieldset>
      <gcds-textarea textarea-id="requestNote" name="requestNote" label=${t('officer.case.requestNote')}
        validate-on="other"></gcds-textarea>
      <gcds-input input-id="dueDate" name="dueDate" type="date" label=${t('officer.case.dueDate')} required
        validate-on="other" error-message=${state.errors.get('dueDate') ?? ''}></gcds-input>
      <gcds-button type="submit">${t('officer.case.requestSubmit')}</gcds-button>
    </form>`;
}

/** Who represents the applicant, as officers need it: paid or unpaid (with the licence), firm,
 * access, since and until when. */
function representativesSection(application: Application): TemplateResult | typeof nothing {
  const grants = application.representatives ?? [];
  if (grants.length === 0) return nothing;
  return html`<h2>${t('officer.case.representatives')}</h2>
    ${table(grantHeadings(), grants.map((grant) => html`<tr>${grantCells(grant)}</tr>`))}`;
}

function thread(application: Application): TemplateResult {
  return html`
    <h2>${t('officer.case.messages')}</h2>
    <ol class="thread">
      ${messages.items.map(
        (m) => html`<li class=${m.from}>
          <p class="meta"><strong>${m.from === 'officer'
            ? t('messages.fromOfficer')
            : m.representative
              ? t('messages.fromRepresentative', { name: actingName(m.representative) })
              : t('messages.fromApplicant')}</strong>,
            ${formatDateTime(m.sentAt)} — ${m.readAt ? t('messages.read') : t('messages.unread')}</p>
          <p class="body">${m.body}</p>
        </li>`,
      )}
    </ol>
    ${loadMore(messages, state)}
    <form novalidate @submit=${(event: SubmitEvent) => {
      event.preventDefault();
      const answers = values(event.currentTarget as HTMLFormElement);
      void act(() => api('POST', '/api/officer/applications/{id}/messages', { path: { id: application.id }, body: { body: answers.message } }));
    }}>
      <gcds-textarea textarea-id="message" name="message" label=${t('officer.case.message')} required
        validate-on="other" error-message=${state.errors.get('body') ?? ''}></gcds-textarea>
      <gcds-button type="submit">${t('officer.case.send')}</gcds-button>
    </form>`;
}

export const casePage: Page = {
  title: () =>
    current?.application.number
      ? t('officer.case.heading', { number: current.application.number })
      : t('officer.case.noNumber'),
  private: true,
  load: async ({ id }) => {
    state = await loaded(() => load(id));
  },
  view: () => {
    if (!current) return html`${summary(state, {})}`;
    const { application } = current;
    const documents = current.documents.items;
    const type = typeOf(application.type);
    if (!type) return html``;
    return html`
      ${summary(state, {
        reason: t('officer.case.statusReason'),
        dueDate: t('officer.case.dueDate'),
        ...Object.fromEntries(documents.map((d) => [`reason-${d.id}`, t('officer.case.reviewReason')])),
      })}
      ${notice(state)}
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
      ${documentsSection(type, documents)}
      ${appointmentsSection(appointments, state, act)}
      ${paymentsSection(type, application, current.fees, payments, state, act)}
      ${forms(type, application)}
      ${thread(application)}`;
  },
};
