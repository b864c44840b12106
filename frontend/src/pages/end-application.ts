// Ending an application, each on a page that asks first and says what follows: withdrawing one
// that was submitted (the agency stops processing it; it cannot be undone), deleting a draft (its
// answers and the documents uploaded for it go). Only its applicant may; the API decides again
// (a draft with a payment on record stays). Once done, the dashboard says so.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { follow, notFoundShown, refresh, type Page } from '../app';
import { applicationTypes, statusLabel, typeName, type Application, type ApplicationType, type Status } from '../catalog';
import { emptyState, failed, focusSummary, loaded, summary, type FormState } from '../forms';
import { t, type MessageKey, type Said } from '../i18n';
import { backToDashboard, mayWithdraw } from './applications';
import { paymentsOf } from './payments';

/** One way to end an application: its page's words, when it applies, and the call that does it. */
interface Ending {
  heading: MessageKey;
  /** What follows, said before the applicant says yes (the application holds `documents`). */
  consequences: (documents: number) => string;
  yes: MessageKey;
  no: MessageKey;
  /** Said on the dashboard once done (`{type}`, `{number}`). */
  done: MessageKey;
  /** Why `application` cannot be ended this way, read when the page opens; `null` when it can. */
  cannot: (application: Application) => Promise<Said | null>;
  /** Ends the application, whose documents are `documents`. */
  end: (id: string, documents: Schemas['Document'][]) => Promise<unknown>;
}

/** The words for an application whose status this way of ending does not apply to. */
const notIn = (key: MessageKey, status: Status): Said => () => t(key, { status: statusLabel(status) });

let application: Application | null = null;
let documents: Schemas['Document'][] = [];
let cannot: Said | null = null;
let types: ApplicationType[] = [];
let state: FormState = emptyState();

/** The application as the applicant knows it: its type, number and status. */
function about(found: Application): TemplateResult {
  return html`<dl class="answers">
    <dt>${t('dashboard.type')}</dt><dd>${typeName(types, found.type)}</dd>
    <dt>${t('dashboard.number')}</dt><dd>${found.number ?? t('dashboard.noNumber')}</dd>
    <dt>${t('dashboard.status')}</dt><dd>${statusLabel(found.status)}</dd>
  </dl>`;
}

async function confirmed(ending: Ending, found: Application): Promise<void> {
  state = emptyState();
  state.busy = true;
  refresh();
  try {
    await ending.end(found.id, documents);
    await backToDashboard(() => t(ending.done, { type: typeName(types, found.type), number: found.number ?? '' }));
    return;
  } catch (error) {
    if (notFoundShown(error)) return;
    failed(state, error);
    focusSummary();
  }
  state.busy = false;
  refresh();
}

/** The page that asks before `ending` an application, and does it on yes. */
function endingPage(ending: Ending): Page {
  return {
    title: () => t(ending.heading),
    private: true,
    load: async ({ id }) => {
      if (application?.id !== id) application = null;
      state = await loaded(async () => {
        const [found, catalog] = await Promise.all([api('GET', '/api/applications/{id}', { path: { id } }), applicationTypes()]);
        cannot = await ending.cannot(found.application);
        application = found.application;
        documents = found.documents.items;
        types = catalog;
      });
    },
    view: ({ id }) => {
      const back = html`<gcds-button type="link" button-role="secondary" href="/applications/${id}" @click=${follow}>
        ${t(ending.no)}</gcds-button>`;
      if (!application) return html`${summary(state, {})}`;
      const found = application;
      return html`${summary(state, {})}
        ${about(found)}
        ${cannot
          ? html`<p>${cannot()}</p>`
          : html`<p>${ending.consequences(documents.length)}</p>`}
        ${state.alert || cannot
          ? html`<p><gcds-link href="/help#support" @click=${follow}>${t('support.needHelp')}</gcds-link></p>`
          : nothing}
        <p class="actions">
          ${cannot
            ? nothing
            : html`<gcds-button type="button" button-role="danger" ?disabled=${state.busy}
                @click=${() => void confirmed(ending, found)}>${t(ending.yes)}</gcds-button>`}
          ${back}
        </p>`;
    },
  };
}

export const withdrawPage = endingPage({
  heading: 'withdraw.heading',
  consequences: () => t('withdraw.consequences'),
  yes: 'withdraw.yes',
  no: 'withdraw.no',
  done: 'withdraw.done',
  cannot: async (application) => (mayWithdraw(application.status) ? null : notIn('withdraw.notNow', application.status)),
  end: (id) => api('POST', '/api/applications/{id}/withdraw', { path: { id } }),
});

export const deleteDraftPage = endingPage({
  heading: 'deleteDraft.heading',
  consequences: (count) =>
    count === 0 ? t('deleteDraft.consequences') : t('deleteDraft.consequencesWithDocuments', { count }),
  yes: 'deleteDraft.yes',
  no: 'deleteDraft.no',
  done: 'deleteDraft.done',
  // A payment stays on record with its application: a draft with one is not deleted (the API
  // refuses it, and only after its documents would have gone: so it is asked first).
  cannot: async (application) => {
    if (application.status !== 'draft') return notIn('deleteDraft.notNow', application.status);
    const payments = await paymentsOf(application.id).first();
    return payments.items.length > 0 ? () => t('deleteDraft.paid') : null;
  },
  // A draft goes only without documents (the API refuses one that holds some): its documents
  // first, then the draft.
  end: async (id, uploaded) => {
    for (const document of uploaded) {
      await api('DELETE', '/api/applications/{id}/documents/{docId}', { path: { id, docId: document.id } });
    }
    await api('DELETE', '/api/applications/{id}', { path: { id } });
  },
});
