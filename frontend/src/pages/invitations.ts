// The invitations to represent someone waiting for the signed-in user's address: whose, which
// application, what access, paid or unpaid, until when it may be answered; accepted (the case
// joins the "Clients" of their dashboard) or declined.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { follow, refresh, type Page } from '../app';
import { applicationTypes, typeName, type ApplicationType } from '../catalog';
import { emptyState, failed, focusSummary, loaded, summary, type FormState } from '../forms';
import { formatDateTime, said, t } from '../i18n';
import { PagedList, loadMore } from '../paging';
import { endLabel, scopeLabel, standingLabel } from '../representation';

type Invitation = Schemas['Invitation'];

const readInvitations = (cursor?: string) => api('GET', '/api/representative/invitations', { query: { cursor } });
let invitations = new PagedList<Invitation>(readInvitations);
let types: ApplicationType[] = [];
let state: FormState = emptyState();
/** The application just accepted, to open from the notice. */
let accepted: string | null = null;
let busy = false;

async function answer(invitation: Invitation, accept: boolean): Promise<void> {
  if (busy) return;
  busy = true;
  state = emptyState();
  accepted = null;
  refresh();
  try {
    if (accept) {
      await api('POST', '/api/representative/invitations/{inviteId}/accept', { path: { inviteId: invitation.id } });
      accepted = invitation.applicationId;
      state.notice = said('invitations.accepted', { client: invitation.clientName });
    } else {
      await api('POST', '/api/representative/invitations/{inviteId}/decline', { path: { inviteId: invitation.id } });
      state.notice = said('invitations.declined', { client: invitation.clientName });
    }
    await invitations.first().catch(() => invitations);
    requestAnimationFrame(() => document.getElementById('invitation-notice')?.focus());
  } catch (error) {
    failed(state, error);
    focusSummary();
  }
  busy = false;
  refresh();
}

function card(invitation: Invitation): TemplateResult {
  return html`<li class="invitation">
    <h2>${invitation.clientName}</h2>
    <dl class="answers">
      <dt>${t('invitations.type')}</dt>
      <dd>${typeName(types, invitation.applicationType)}${invitation.applicationNumber ? ` (${invitation.applicationNumber})` : ''}</dd>
      <dt>${t('invitations.access')}</dt><dd>${scopeLabel(invitation.scope)}</dd>
      <dt>${t('invitations.standing')}</dt><dd>${standingLabel(invitation)}</dd>
      <dt>${t('invitations.ends')}</dt><dd>${endLabel(invitation.endsOn)}</dd>
      <dt>${t('invitations.expires')}</dt><dd>${formatDateTime(invitation.expiresAt)}</dd>
      ${invitation.firm ? html`<dt>${t('invitations.firm')}</dt><dd>${invitation.firm.name}</dd>` : nothing}
    </dl>
    <p class="actions">
      <gcds-button type="button" ?disabled=${busy} @click=${() => void answer(invitation, true)}>
        ${t('invitations.accept', { client: invitation.clientName })}</gcds-button>
      <gcds-button type="button" button-role="secondary" ?disabled=${busy} @click=${() => void answer(invitation, false)}>
        ${t('invitations.decline', { client: invitation.clientName })}</gcds-button>
    </p>
  </li>`;
}

export const invitationsPage: Page = {
  title: () => t('invitations.heading'),
  private: true,
  load: async () => {
    accepted = null;
    state = await loaded(async () => {
      [invitations, types] = await Promise.all([new PagedList(readInvitations).first(), applicationTypes()]);
    });
  },
  view: () => html`
    <p>${t('invitations.lead')}</p>
    ${summary(state, {})}
    ${state.notice
      ? html`<p class="notice" role="status" id="invitation-notice" tabindex="-1">${state.notice()}
          ${accepted
            ? html`<gcds-link href="/applications/${accepted}" @click=${follow}>${t('notifications.open')}</gcds-link>`
            : nothing}</p>`
      : nothing}
    ${invitations.items.length === 0
      ? html`<p>${t('invitations.empty')}</p>`
      : html`<ul class="invitations">${invitations.items.map(card)}</ul>${loadMore(invitations, state)}`}
    <p><gcds-link href="/firm" @click=${follow}>${t('firm.heading')}</gcds-link></p>`,
};
