// What an officer decides on a case: its next status (with a reason kept in the file and a note
// to the applicant) and a request for documents by a due date. Which statuses may follow, and
// whether documents may be asked for now, is the API's answer (`nextStatuses`,
// `canRequestDocuments`, from the status machine): the page offers exactly that and knows no
// rule of its own.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api } from '../api/client';
import { isStatus, statusLabel, type Application, type ApplicationType, type Status } from '../catalog';
import { focusSummary, values, type FormState } from '../forms';
import { pick, said, t } from '../i18n';
import { outcome, type Act } from './officer-action';

/** The status change: the statuses that may follow this one, or that none may. */
export function statusSection(
  application: Application,
  next: readonly Status[],
  state: FormState,
  act: Act,
  refused: (field: string, message: string) => void,
): TemplateResult {
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const answers = values(form);
    const to = answers.to ?? '';
    if (!isStatus(to)) {
      refused('to', t('officer.case.toMissing'));
      focusSummary();
      return;
    }
    void act({
      at: 'status',
      form,
      run: () =>
        api('POST', '/api/officer/applications/{id}/status', {
          path: { id: application.id },
          body: { to, reason: answers.reason ?? '', noteToApplicant: answers.noteToApplicant || null, version: application.version },
        }),
      done: () => t('officer.case.statusChanged', { status: statusLabel(to) }),
    });
  };
  return html`
    <h2>${t('officer.case.status')}</h2>
    ${outcome('status')}
    ${next.length === 0
      ? html`<p>${t('officer.case.noNextStatus', { status: statusLabel(application.status) })}</p>`
      : html`<form novalidate @submit=${submit}>
          <gcds-select select-id="to" name="to" label=${t('officer.case.to')} default-value=${t('officer.case.toPrompt')}
            required validate-on="other" error-message=${state.errors.get('to') ?? ''}>
            ${next.map((s) => html`<option value=${s}>${statusLabel(s)}</option>`)}
          </gcds-select>
          <gcds-input input-id="reason" name="reason" label=${t('officer.case.statusReason')} required validate-on="other"
            error-message=${state.errors.get('reason') ?? ''}></gcds-input>
          <gcds-textarea textarea-id="noteToApplicant" name="noteToApplicant" label=${t('officer.case.note')}
            validate-on="other" error-message=${state.errors.get('noteToApplicant') ?? ''}></gcds-textarea>
          <gcds-button type="submit">${t('officer.case.apply')}</gcds-button>
        </form>`}`;
}

/** The request for documents of the type's checklist, when the application takes one now. */
export function requestSection(
  type: ApplicationType,
  application: Application,
  open: boolean,
  state: FormState,
  act: Act,
): TemplateResult | typeof nothing {
  if (!open) return outcome('request');
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const kinds = [...form.querySelectorAll<HTMLInputElement>('input[name=kind]:checked')].map((i) => i.value);
    const answers = values(form);
    void act({
      at: 'request',
      form,
      run: () =>
        api('POST', '/api/officer/applications/{id}/document-requests', {
          path: { id: application.id },
          body: {
            documents: kinds.map((kind) => ({ kind, note: answers.requestNote || null })),
            dueDate: answers.dueDate ?? '',
            version: application.version,
          },
        }),
      done: said('officer.case.requested'),
    });
  };
  return html`
    <h2>${t('officer.case.request')}</h2>
    ${outcome('request')}
    <form novalidate @submit=${submit}>
      <fieldset id="documents" tabindex="-1">
        <legend>${t('officer.case.requestKinds')}</legend>
        ${state.errors.get('documents') ? html`<p class="field-error">${state.errors.get('documents')}</p>` : nothing}
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
