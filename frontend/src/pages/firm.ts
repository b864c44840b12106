// A representative's firm: creating one (its name, the founder's licence if any), its members,
// inviting a member by address (its administrator), the firms inviting the user (joined with
// their licence if they hold one), and, for the administrator, each member's clients with a
// "Hand over to" another member, which the client must then confirm.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, api, type Schemas } from '../api/client';
import { refresh, type Page } from '../app';
import { applicationTypes, typeName, type ApplicationType } from '../catalog';
import { emptyState, failed, focusSummary, loaded, notice, summary, values, type FormState } from '../forms';
import { formatDateTime, said, t, type Said } from '../i18n';
import { table } from '../table';
import { firmLicenceBody, licenceFields, licenceLabel, licenceLabels, scopeLabel, underPrefix } from '../representation';

type Member = Schemas['MemberView'];

let firm: Schemas['FirmPage'] = { membership: null, members: [], invitations: [] };
let types: ApplicationType[] = [];
let state: FormState = emptyState();
let busy = false;

const labels = (): Record<string, string> => ({
  'create-name': t('firm.name'),
  ...licenceLabels('create-'),
  'member-email': t('representatives.inviteEmail'),
  ...Object.fromEntries(
    firm.invitations.flatMap((invitation) => Object.entries(licenceLabels(`join-${invitation.firm.id}-`))),
  ),
  ...Object.fromEntries(
    firm.members.flatMap((member) =>
      member.clients.map((client) => [`handover-${client.id}`, t('firm.handOverTo', { client: client.client?.name ?? '' })]),
    ),
  ),
});

/** What a handover without a member chosen says, as the API would (nothing is sent). */
const chooseFirst = (): ApiError =>
  new ApiError(400, {
    type: 'invalid-fields',
    title: t('errors.summary'),
    status: 400,
    errors: [{ field: 'toUserId', code: 'required', message: t('firm.chooseMember') }],
  });

/** Runs a change on a form, then reads the page again; the errors go under the form's ids
 * (the request's field names, `prefix`ed, or renamed by `rename`). */
function submit(
  prefix: string,
  action: (answers: Record<string, string>) => Promise<Said>,
  rename?: (field: string) => string,
) {
  return async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const form = event.currentTarget as HTMLFormElement;
    try {
      const done = await action(values(form));
      state = emptyState();
      state.notice = done;
      form.reset();
      firm = await api('GET', '/api/firm');
    } catch (error) {
      failed(state, error);
      if (rename) state.errors = new Map([...state.errors].map(([field, message]) => [rename(field), message]));
      else underPrefix(state, prefix);
      state.notice = null;
      focusSummary();
    }
    busy = false;
    refresh();
  };
}

function createForm(): TemplateResult {
  return html`<h2>${t('firm.create')}</h2>
    <form novalidate @submit=${submit('create-', async (answers) => {
      await api('POST', '/api/firms', { body: { name: (answers['create-name'] ?? '').trim(), ...firmLicenceBody(answers, 'create-') } });
      return said('firm.created');
    })}>
      <gcds-input input-id="create-name" name="create-name" label=${t('firm.name')} hint=${t('firm.nameHint')} required
        validate-on="other" autocomplete="organization" error-message=${state.errors.get('create-name') ?? ''}></gcds-input>
      <p>${t('firm.licenceOptional')}</p>
      ${licenceFields(state, 'create-', false)}
      <gcds-button type="submit" ?disabled=${busy}>${t('firm.createSubmit')}</gcds-button>
    </form>`;
}

function invitationsToJoin(): TemplateResult | typeof nothing {
  if (firm.invitations.length === 0) return nothing;
  return html`<h2>${t('firm.invitations')}</h2>
    ${firm.invitations.map((invitation) => {
      const prefix = `join-${invitation.firm.id}-`;
      return html`<section aria-labelledby="${prefix}heading">
        <h3 id="${prefix}heading">${invitation.firm.name}</h3>
        <p>${t('firm.invitationLead', { date: formatDateTime(invitation.invitedAt), expires: formatDateTime(invitation.expiresAt) })}</p>
        <form novalidate @submit=${submit(prefix, async (answers) => {
          await api('POST', '/api/firms/{firmId}/join', { path: { firmId: invitation.firm.id }, body: firmLicenceBody(answers, prefix) });
          return said('firm.joined', { firm: invitation.firm.name });
        })}>
          <p>${t('firm.licenceOptional')}</p>
          ${licenceFields(state, prefix, false)}
          <gcds-button type="submit" ?disabled=${busy}>${t('firm.join', { firm: invitation.firm.name })}</gcds-button>
        </form>
      </section>`;
    })}`;
}

/** A member's clients, each with the members they may be handed over to. */
function clientsOf(member: Member, firmId: string): TemplateResult {
  const others = firm.members.filter((candidate) => candidate.userId !== member.userId);
  return html`<h3>${t('firm.clients', { name: member.name })}</h3>
    ${member.clients.length === 0
      ? html`<p>${t('firm.noClients')}</p>`
      : html`<ul class="clients">
          ${member.clients.map((client) => {
            const id = `handover-${client.id}`;
            const name = client.client?.name ?? '';
            return html`<li>
              <p><strong>${name}</strong> — ${typeName(types, client.type)}${client.number ? ` (${client.number})` : ''}
                — ${client.client ? scopeLabel(client.client.scope) : ''}</p>
              ${others.length === 0
                ? nothing
                : html`<form novalidate class="filters" @submit=${submit('', async (answers) => {
                    const to = others.find((candidate) => candidate.userId === answers[id]);
                    if (!to) throw chooseFirst();
                    await api('POST', '/api/firms/{firmId}/handovers', {
                      path: { firmId },
                      body: { applicationId: client.id, fromUserId: member.userId, toUserId: to.userId },
                    });
                    return said('firm.handedOver', { client: name, member: to?.name ?? '' });
                  // The route names the member chosen `toUserId`: here, this client's select.
                  }, (field) => (field === 'toUserId' ? id : field))}>
                    <gcds-select select-id=${id} name=${id} label=${t('firm.handOverTo', { client: name })} required
                      validate-on="other" error-message=${state.errors.get(id) ?? ''}>
                      <option value="">${t('firm.handOverChoose')}</option>
                      ${others.map((other) => html`<option value=${other.userId}>${other.name}</option>`)}
                    </gcds-select>
                    <gcds-button type="submit" button-role="secondary" ?disabled=${busy}>${t('firm.handOver')}</gcds-button>
                  </form>`}
            </li>`;
          })}
        </ul>`}`;
}

function firmView(membership: Schemas['Membership']): TemplateResult {
  const admin = membership.role === 'administrator';
  return html`<h2>${membership.firm.name}</h2>
    <p>${t('firm.yourRole', { role: t(`firm.role.${membership.role}`) })}</p>
    <h2>${t('firm.members')}</h2>
    ${table(
      [t('representatives.name'), t('representatives.email'), t('firm.licence'), t('firm.role'), t('representatives.since')],
      firm.members.map(
        (member) => html`<tr>
          <td>${member.name}</td>
          <td>${member.email}</td>
          <td>${member.licence ? licenceLabel(member.licence) : t('firm.noLicence')}</td>
          <td>${t(`firm.role.${member.role}`)}</td>
          <td>${formatDateTime(member.since)}</td>
        </tr>`,
      ),
    )}
    ${admin
      ? html`<h2>${t('firm.invite')}</h2>
          <form novalidate @submit=${submit('member-', async (answers) => {
            const email = (answers['member-email'] ?? '').trim();
            await api('POST', '/api/firms/{firmId}/members', { path: { firmId: membership.firm.id }, body: { email } });
            return said('firm.invited', { email });
          })}>
            <gcds-input input-id="member-email" name="member-email" type="email" label=${t('representatives.inviteEmail')}
              required validate-on="other" autocomplete="off" error-message=${state.errors.get('member-email') ?? ''}></gcds-input>
            <gcds-button type="submit" ?disabled=${busy}>${t('firm.inviteSubmit')}</gcds-button>
          </form>
          <h2>${t('firm.clientsHeading')}</h2>
          <p>${t('firm.clientsLead')}</p>
          ${firm.members.map((member) => clientsOf(member, membership.firm.id))}`
      : nothing}`;
}

export const firmPage: Page = {
  title: () => t('firm.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      [firm, types] = await Promise.all([api('GET', '/api/firm'), applicationTypes()]);
    });
  },
  view: () => html`
    <p>${t('firm.lead')}</p>
    ${summary(state, labels())} ${notice(state)}
    ${firm.membership ? firmView(firm.membership) : createForm()}
    ${invitationsToJoin()}`,
};
