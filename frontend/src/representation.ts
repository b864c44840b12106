// Representatives, as every page about them says it: how the signed-in user stands to an
// application (its applicant, or a representative with a grant of a scope), what that lets them
// do, and the words for scopes, paid or unpaid standing, licences and who acted. The API decides
// again on every request; this only chooses which controls a page offers.
import { html, nothing, type TemplateResult } from 'lit-html';
import { whoAmI, type Schemas } from './api/client';
import type { FormState } from './forms';
import { formatDateTime, formatZonedDate, t } from './i18n';

type Application = Schemas['Application'];
type Grant = Schemas['Grant'];
export type Scope = Schemas['Scope'];
export type Province = Schemas['Province'];

/** How the viewer stands to an application. */
export type Standing = { role: 'owner' } | { role: 'representative'; grant: Grant } | { role: 'other' };

/** The UTC date today (`YYYY-MM-DD`): a grant holds until the end of its last day, UTC. */
const today = (): string => new Date().toISOString().slice(0, 10);

/** How the user `sub` stands to `application`: its owner, a representative whose grant holds,
 * or neither. */
export function standingIn(application: Application, sub: string): Standing {
  if (application.owner === sub) return { role: 'owner' };
  const grant = application.representatives?.find(
    (held) => held.userId === sub && (!held.endsOn || today() <= held.endsOn),
  );
  return grant ? { role: 'representative', grant } : { role: 'other' };
}

/** How the signed-in user stands to `application`. */
export async function standingOf(application: Application): Promise<Standing> {
  return standingIn(application, (await whoAmI()).sub);
}

/** Only the applicant submits, withdraws, pays and chooses representatives. */
export const isApplicant = (standing: Standing): boolean => standing.role === 'owner';

/** Edits a draft, uploads, writes to officers, books appointments: the applicant, or a
 * representative with full access. */
export const mayAct = (standing: Standing): boolean =>
  standing.role === 'owner' || (standing.role === 'representative' && standing.grant.scope === 'full');

/** What a representative reads at the top of a case: whose it is and what they may do. */
export function standingNotice(standing: Standing): TemplateResult | typeof nothing {
  if (standing.role !== 'representative') return nothing;
  const client = standing.grant.clientName;
  return html`<p class="notice" id="standing">${standing.grant.scope === 'full'
    ? t('representatives.youRepresent.full', { client })
    : t('representatives.youRepresent.read', { client })}</p>`;
}

/** A scope in words. */
export const scopeLabel = (scope: Scope): string => t(`representatives.scope.${scope}`);

/** A licence in words: its number and who issued it. */
export function licenceLabel(licence: Schemas['Licence']): string {
  return licence.province
    ? t('licence.ofLawSociety', { number: licence.number, province: t(`province.${licence.province}`) })
    : t('licence.ofCicc', { number: licence.number });
}

/** Paid (with the licence) or unpaid, as a grant or an invitation says it. */
export function standingLabel(of: Grant | Schemas['Invitation']): string {
  return of.kind === 'paid' ? t('representatives.paidWith', { licence: licenceLabel(of.licence) }) : t('representatives.unpaid');
}

/** Who acted for the applicant: their name, and their firm's. */
export const actingName = (acting: Schemas['Acting']): string =>
  acting.firm ? `${acting.name} (${acting.firm})` : acting.name;

/** The columns of a table of grants, as the applicant and officers see them. */
export const grantHeadings = (): string[] => [t('representatives.name'), t('representatives.standing'),
  t('representatives.firm'), t('representatives.access'), t('representatives.since'), t('representatives.endsOn')];

/** A grant's cells under [`grantHeadings`]: who, paid or unpaid, firm, access, since, last day. */
export function grantCells(grant: Grant): TemplateResult {
  return html`<td>${grant.name}<br /><span class="tag">${grant.email}</span></td>
    <td>${standingLabel(grant)}</td>
    <td>${grant.firm?.name ?? t('representatives.noFirm')}</td>
    <td>${scopeLabel(grant.scope)}</td>
    <td>${formatDateTime(grant.since)}</td>
    <td>${endLabel(grant.endsOn)}</td>`;
}

/** A grant's last day (`YYYY-MM-DD`) written out, or that it has none. */
export function endLabel(endsOn: string | null | undefined): string {
  if (!endsOn) return t('representatives.noEnd');
  const [year, month, day] = endsOn.split('-').map(Number);
  return formatZonedDate(Date.UTC(year, month - 1, day) / 1000, 'UTC');
}

/** Where law societies license lawyers and notaries. */
export const PROVINCES: readonly Province[] = ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'];

/** Whether `value` (from a form) names a province. */
export const isProvince = (value: string): value is Province => (PROVINCES as readonly string[]).includes(value);

/** A licence's fields: its number, and who issued it (the CICC, or a province's law society).
 * `prefix` keeps the ids of several such forms on one page apart. */
export function licenceFields(state: FormState, prefix: string, required: boolean): TemplateResult {
  const number = `${prefix}licenceNumber`;
  const province = `${prefix}province`;
  return html`
    <gcds-input input-id=${number} name=${number} label=${t('licence.number')} hint=${t('licence.numberHint')}
      ?required=${required} validate-on="other" autocomplete="off"
      error-message=${state.errors.get(number) ?? ''}></gcds-input>
    <gcds-select select-id=${province} name=${province} label=${t('licence.body')} validate-on="other"
      error-message=${state.errors.get(province) ?? ''}>
      <option value="">${t('licence.cicc')}</option>
      ${PROVINCES.map((code) => html`<option value=${code}>${t('licence.lawSociety', { province: t(`province.${code}`) })}</option>`)}
    </gcds-select>`;
}

/** The labels of a licence's fields, for an error summary. */
export const licenceLabels = (prefix: string): Record<string, string> => ({
  [`${prefix}licenceNumber`]: t('licence.number'),
  [`${prefix}province`]: t('licence.body'),
});

/** A licence as a request body takes it, from a form's values: none without a number. */
export function licenceBody(
  all: Record<string, string>,
  prefix: string,
): { licenceNumber?: string; province?: Province } {
  const number = (all[`${prefix}licenceNumber`] ?? '').trim();
  const province = all[`${prefix}province`] ?? '';
  if (!number) return {};
  return isProvince(province) ? { licenceNumber: number, province } : { licenceNumber: number };
}

/** The licence fields of a firm's form, as the firm routes take them (`{licence: {number,
 * province?}}`), or nothing when no number was typed. */
export function firmLicenceBody(
  all: Record<string, string>,
  prefix: string,
): { licence?: { number: string; province?: Province } } {
  const body = licenceBody(all, prefix);
  if (!body.licenceNumber) return {};
  return { licence: body.province ? { number: body.licenceNumber, province: body.province } : { number: body.licenceNumber } };
}

/** Puts the errors of a request's fields under the ids of the form's fields (`prefix`ed); the
 * firm routes name the licence's number `licence.number`, the form's field is `licenceNumber`. */
export function underPrefix(state: FormState, prefix: string): void {
  const named = (field: string): string => (field === 'licence.number' ? 'licenceNumber' : field);
  state.errors = new Map([...state.errors].map(([field, message]) => [`${prefix}${named(field)}`, message]));
}
