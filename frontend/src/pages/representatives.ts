// An application's representatives, as its applicant manages them: the grants in force (each
// revoked after a confirmation), the invitations sent and a firm's handovers waiting for the
// applicant's consent (confirmed by reading the consent statement), and the invitation form —
// who, paid (with a licence) or unpaid, read or full access explained, an optional last day, and
// the consent statement in the user's language with its required "I agree". A representative
// who opens it sees the list only.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { follow, refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, summary, values, type FormState } from '../forms';
import { formatDateTime, language, said, t, type Said } from '../i18n';
import { table } from '../table';
import {
  grantCells,
  grantHeadings,
  isApplicant,
  licenceBody,
  licenceFields,
  licenceLabels,
  scopeLabel,
  standingLabel,
  standingOf,
  type Scope,
  type Standing,
} from '../representation';

type Grant = Schemas['Grant'];
type Invitation = Schemas['Invitation'];

let representation: Schemas['Representation'] = { grants: [], invitations: [] };
let statement: Schemas['Statement'] | null = null;
let standing: Standing = { role: 'other' };
let state: FormState = emptyState();
/** Paid or unpaid, as chosen on the form (a paid one is asked for a licence). */
let kind: Schemas['Kind'] | null = null;
/** The grant whose revocation waits for a yes. */
let revoking: string | null = null;
/** The handover whose consent is being read. */
let confirming: string | null = null;

const SCOPES: readonly Scope[] = ['read', 'full'];
const KINDS: readonly Schemas['Kind'][] = ['paid', 'unpaid'];

const labels = (): Record<string, string> => ({
  email: t('representatives.inviteEmail'),
  kind: t('representatives.kind'),
  ...licenceLabels(''),
  scope: t('representatives.scopeQuestion'),
  endsOn: t('representatives.endsOnLabel'),
  'consent.version': t('representatives.statement'),
  'consent.agreed': t('representatives.agree'),
  'handover.agreed': t('representatives.agree'),
});

function focusOn(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

async function reload(id: string): Promise<void> {
  representation = await api('GET', '/api/applications/{id}/representatives', { path: { id } });
}

/** Runs a change, then reads the list again; says what went right or wrong. */
async function change(id: string, action: () => Promise<Said>): Promise<void> {
  try {
    const done = await action();
    state = emptyState();
    state.notice = done;
    await reload(id);
  } catch (error) {
    failed(state, error);
    state.notice = null;
    focusSummary();
  }
  refresh();
}

/** The consent as the API takes it, once "I agree" is ticked: the version shown and the
 * language read (an unticked box is the page's own error, never sent). */
const consent = (): Schemas['ConsentGiven'] => ({
  version: statement?.version ?? '',
  language: language(),
  agreed: true,
});

async function invite(id: string, form: HTMLFormElement): Promise<void> {
  const all = values(form);
  const chosen = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value;
  const picked = KINDS.find((candidate) => candidate === chosen('kind'));
  const scope = SCOPES.find((candidate) => candidate === chosen('scope'));
  const agreed = form.querySelector<HTMLInputElement>('input[name="agreed"]')?.checked ?? false;
  state = emptyState();
  if (!picked) state.errors.set('kind', t('representatives.chooseKind'));
  if (!scope) state.errors.set('scope', t('representatives.chooseScope'));
  if (!agreed) state.errors.set('consent.agreed', t('representatives.agreeRequired'));
  if (!picked || !scope || !agreed) {
    refresh();
    focusSummary();
    return;
  }
  const email = (all.email ?? '').trim();
  await change(id, async () => {
    await api('POST', '/api/applications/{id}/representatives', {
      path: { id },
      body: {
        email,
        kind: picked,
        ...(picked === 'paid' ? licenceBody(all, '') : {}),
        scope,
        endsOn: all.endsOn || undefined,
        consent: consent(),
      },
    });
    form.reset();
    kind = null;
    return said('representatives.sentNotice', { email });
  });
  if (state.notice) focusOn('invite-notice');
}

async function revoke(id: string, grant: Grant): Promise<void> {
  await change(id, async () => {
    await api('DELETE', '/api/applications/{id}/representatives/{userId}', { path: { id, userId: grant.userId } });
    revoking = null;
    return said('representatives.revoked', { name: grant.name });
  });
  focusOn(state.notice ? 'grants-heading' : 'error-summary');
}

async function withdraw(id: string, invitation: Invitation): Promise<void> {
  await change(id, async () => {
    await api('DELETE', '/api/applications/{id}/representatives/invitations/{inviteId}', {
      path: { id, inviteId: invitation.id },
    });
    return said('representatives.withdrawn', { email: invitation.email });
  });
  focusOn(state.notice ? 'grants-heading' : 'error-summary');
}

async function confirmHandover(id: string, invitation: Invitation, form: HTMLFormElement): Promise<void> {
  const agreed = form.querySelector<HTMLInputElement>('input[name="handover-agreed"]')?.checked ?? false;
  if (!agreed) {
    state = emptyState();
    state.errors.set('handover.agreed', t('representatives.agreeRequired'));
    refresh();
    focusSummary();
    return;
  }
  await change(id, async () => {
    await api('POST', '/api/applications/{id}/representatives/invitations/{inviteId}/consent', {
      path: { id, inviteId: invitation.id },
      body: consent(),
    });
    confirming = null;
    return said('representatives.handoverConfirmed', { email: invitation.email });
  });
  // The route names the consent's own fields (`agreed`, `version`), with or without a dot.
  const named: Record<string, string> = { agreed: 'handover.agreed', version: 'consent.version' };
  state.errors = new Map([...state.errors].map(([field, message]) => [named[field.replace(/^\./, '')] ?? field, message]));
  refresh();
}

/** The statement's text in the language shown, and its version. */
function statementText(id: string): TemplateResult {
  const error = state.errors.get('consent.version');
  return html`<div class="statement" id=${id} tabindex="-1">
      <p lang=${language()}>${statement ? statement[language()] : t('app.loading')}</p>
      ${statement ? html`<p class="tag">${t('representatives.statementVersion', { version: statement.version })}</p>` : nothing}
    </div>
    ${error ? html`<p class="field-error">${error}</p>` : nothing}`;
}

/** The required "I agree" checkbox, with its error. */
function agreement(id: string, name: string): TemplateResult {
  const error = state.errors.get(id);
  return html`<div class="choice">
      <input type="checkbox" id=${id} name=${name} required aria-describedby=${error ? `${id}-error` : nothing} />
      <label for=${id}>${t('representatives.agree')}</label>
    </div>
    ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : nothing}`;
}

/** A group of radio buttons, each with its explanation, and the group's error. */
function radios(
  name: string,
  legend: string,
  options: { value: string; label: string; hint?: string }[],
  onChange?: (value: string) => void,
): TemplateResult {
  const error = state.errors.get(name);
  return html`<fieldset id=${name} tabindex="-1" aria-describedby=${error ? `${name}-error` : nothing}>
    <legend>${legend}</legend>
    ${error ? html`<p class="field-error" id="${name}-error">${error}</p>` : nothing}
    ${options.map(
      (option) => html`<div class="choice">
          <input type="radio" id="${name}-${option.value}" name=${name} value=${option.value}
            aria-describedby=${option.hint ? `${name}-${option.value}-hint` : nothing}
            @change=${() => onChange?.(option.value)} />
          <label for="${name}-${option.value}">${option.label}</label>
        </div>
        ${option.hint ? html`<p class="hint" id="${name}-${option.value}-hint">${option.hint}</p>` : nothing}`,
    )}
  </fieldset>`;
}

function grantRow(id: string, grant: Grant): TemplateResult {
  return html`<tr>
    ${grantCells(grant)}
    ${isApplicant(standing)
      ? html`<td>${revoking === grant.userId
          ? html`<div class="confirm" role="group" aria-labelledby="revoke-question">
              <p id="revoke-question" tabindex="-1"><strong>${t('representatives.revokeQuestion', { name: grant.name })}</strong></p>
              <gcds-button type="button" button-role="danger" @click=${() => void revoke(id, grant)}>
                ${t('representatives.revokeYes')}</gcds-button>
              <gcds-button type="button" button-role="secondary" @click=${() => {
                revoking = null;
                refresh();
              }}>${t('representatives.revokeNo')}</gcds-button>
            </div>`
          : html`<gcds-button type="button" button-role="secondary" size="small" @click=${() => {
              revoking = grant.userId;
              refresh();
              focusOn('revoke-question');
            }}>${t('representatives.revoke', { name: grant.name })}</gcds-button>`}</td>`
      : nothing}
  </tr>`;
}

function stateText(invitation: Invitation): string {
  if (invitation.state === 'pending') return t('representatives.state.pending', { date: formatDateTime(invitation.expiresAt) });
  if (invitation.state === 'awaiting-applicant') {
    return t('representatives.state.awaiting-applicant', { firm: invitation.firm?.name ?? '' });
  }
  return t(`representatives.state.${invitation.state}`);
}

function invitationRow(id: string, invitation: Invitation): TemplateResult {
  const awaiting = invitation.state === 'awaiting-applicant' && isApplicant(standing);
  const waiting = invitation.state === 'pending' || invitation.state === 'awaiting-applicant';
  return html`<tr>
    <td>${invitation.email}</td>
    <td>${standingLabel(invitation)}</td>
    <td>${scopeLabel(invitation.scope)}</td>
    <td>${formatDateTime(invitation.createdAt)}</td>
    <td>${stateText(invitation)}</td>
    ${isApplicant(standing) ? html`<td>${awaiting && confirming !== invitation.id
      ? html`<gcds-button type="button" size="small" @click=${() => {
          confirming = invitation.id;
          state = emptyState();
          refresh();
          focusOn('handover-heading');
        }}>${t('representatives.confirm')}</gcds-button>`
      : nothing}
      ${waiting
        ? html`<gcds-button type="button" button-role="secondary" size="small" @click=${() => void withdraw(id, invitation)}>
            ${t('representatives.withdraw', { email: invitation.email })}</gcds-button>`
        : nothing}</td>` : nothing}
  </tr>`;
}

/** The consent asked for a firm's handover: who, in place of whom, the statement, "I agree". */
function handover(id: string): TemplateResult | typeof nothing {
  const invitation = representation.invitations.find((candidate) => candidate.id === confirming);
  if (!invitation) return nothing;
  const replaced = representation.grants.find((grant) => grant.userId === invitation.replaces)?.name ?? '—';
  return html`<h3 id="handover-heading" tabindex="-1">${t('representatives.handoverHeading')}</h3>
    <p>${t('representatives.handoverLead', { firm: invitation.firm?.name ?? '', email: invitation.email, replaced })}</p>
    <form novalidate @submit=${(event: SubmitEvent) => {
      event.preventDefault();
      void confirmHandover(id, invitation, event.currentTarget as HTMLFormElement);
    }}>
      ${statementText('handover-statement')}
      ${agreement('handover.agreed', 'handover-agreed')}
      <p class="actions">
        <gcds-button type="submit">${t('representatives.confirmSubmit')}</gcds-button>
        <gcds-button type="button" button-role="secondary" @click=${() => {
          confirming = null;
          refresh();
        }}>${t('representatives.cancel')}</gcds-button>
      </p>
    </form>`;
}

function inviteForm(id: string): TemplateResult {
  return html`<h2>${t('representatives.invite')}</h2>
    <p>${t('representatives.inviteLead')}</p>
    <form novalidate @submit=${(event: SubmitEvent) => {
      event.preventDefault();
      void invite(id, event.currentTarget as HTMLFormElement);
    }}>
      <gcds-input input-id="email" name="email" type="email" label=${t('representatives.inviteEmail')} required
        autocomplete="off" validate-on="other" error-message=${state.errors.get('email') ?? ''}></gcds-input>
      ${radios(
        'kind',
        t('representatives.kind'),
        [
          { value: 'paid', label: t('representatives.kind.paid') },
          { value: 'unpaid', label: t('representatives.kind.unpaid') },
        ],
        (value) => {
          kind = KINDS.find((candidate) => candidate === value) ?? null;
          refresh();
        },
      )}
      ${kind === 'paid' ? licenceFields(state, '', true) : nothing}
      ${radios(
        'scope',
        t('representatives.scopeQuestion'),
        SCOPES.map((scope) => ({ value: scope, label: scopeLabel(scope), hint: t(`representatives.scope.${scope}Hint`) })),
      )}
      <gcds-input input-id="endsOn" name="endsOn" type="date" label=${t('representatives.endsOnLabel')}
        hint=${t('representatives.endsOnHint')} validate-on="other"
        error-message=${state.errors.get('endsOn') ?? ''}></gcds-input>
      <h3>${t('representatives.statement')}</h3>
      ${statementText('consent.version')}
      ${agreement('consent.agreed', 'agreed')}
      <gcds-button type="submit">${t('representatives.send')}</gcds-button>
    </form>`;
}

export const representativesPage: Page = {
  title: () => t('representatives.heading'),
  private: true,
  load: async ({ id }) => {
    state = emptyState();
    revoking = null;
    confirming = null;
    kind = null;
    const [found, listed, shown] = await Promise.all([
      api('GET', '/api/applications/{id}', { path: { id } }),
      api('GET', '/api/applications/{id}/representatives', { path: { id } }),
      statement ? Promise.resolve(statement) : api('GET', '/api/representatives/consent-statement'),
    ]);
    standing = await standingOf(found.application);
    representation = listed;
    statement = shown;
  },
  view: ({ id }) => {
    const owner = isApplicant(standing);
    const headings = grantHeadings();
    return html`
      <p>${t('representatives.lead')}</p>
      <p><gcds-link href="/applications/${id}" @click=${follow}>${t('representatives.back')}</gcds-link></p>
      ${summary(state, labels())}
      ${state.notice ? html`<p class="notice" role="status" id="invite-notice" tabindex="-1">${state.notice()}</p>` : nothing}
      <h2 id="grants-heading" tabindex="-1">${t('representatives.grants')}</h2>
      ${representation.grants.length === 0
        ? html`<p>${t('representatives.noGrants')}</p>`
        : table(owner ? [...headings, t('representatives.action')] : headings,
            representation.grants.map((grant) => grantRow(id, grant)))}
      <h2>${t('representatives.invitations')}</h2>
      ${representation.invitations.length === 0
        ? html`<p>${t('representatives.noInvitations')}</p>`
        : table(
            [t('representatives.email'), t('representatives.standing'), t('representatives.access'),
              t('representatives.sent'), t('representatives.state'), ...(owner ? [t('representatives.action')] : [])],
            representation.invitations.map((invitation) => invitationRow(id, invitation)),
          )}
      ${owner ? handover(id) : nothing}
      ${owner ? inviteForm(id) : nothing}`;
  },
};
