// The case's fees and payments as officers see them: what is paid and due, an optional fee of
// the type added to the case, each payment with its refunds (a confirmation that did not match
// is flagged), and a refund of part or all of a paid payment.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import type { ApplicationType } from '../catalog';
import { type FormState, values } from '../forms';
import { formatDateTime, formatMoney, pick, t } from '../i18n';
import { type PagedList, loadMore } from '../paging';
import { outcome, type Act } from './officer-action';
import { stateLabel } from './payments';

/** Cents from an amount typed in dollars (`85`, `85.5`, `85,50`); NaN when it is not one. */
function cents(typed: string): number {
  const amount = Number(typed.trim().replace(',', '.'));
  return Number.isFinite(amount) ? Math.round(amount * 100) : Number.NaN;
}

/** What is left to refund of a payment. */
const refundable = (payment: Schemas['PaymentView']) => payment.totalCents - payment.refundReservedCents;

/** The id of a payment's refund field `name` (one refund form per payment on the page). */
const refundField = (payment: Schemas['PaymentView'], name: string) => `${name}-${payment.id}`;

/** The section's fields, as the page's error summary names them. */
export function paymentLabels(payments: Schemas['PaymentView'][]): Record<string, string> {
  return {
    fee: t('officer.payments.addFee'),
    ...Object.fromEntries(
      payments.flatMap((payment) => [
        [refundField(payment, 'amount'), t('officer.payments.refundAmount', { left: formatMoney(refundable(payment)) })],
        [refundField(payment, 'reason'), t('officer.payments.refundReason')],
      ]),
    ),
  };
}

function refundForm(payment: Schemas['PaymentView'], act: Act, error: (name: string) => string): TemplateResult {
  const left = refundable(payment);
  if (payment.state !== 'paid' || left <= 0) return html``;
  const field = (name: string) => refundField(payment, name);
  return html`<form novalidate @submit=${(event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const answers = values(form);
    const amountCents = cents(answers[field('amount')] ?? '');
    void act({
      at: `payment-${payment.id}`,
      form,
      run: () =>
        api('POST', '/api/officer/payments/{paymentId}/refund', {
          path: { paymentId: payment.id },
          body: { amountCents, reason: answers[field('reason')] ?? '', version: payment.version },
        }),
      done: () => t('officer.payments.refundAsked', { amount: formatMoney(amountCents) }),
      field: (name) => (name === 'amountCents' ? field('amount') : field(name)),
    });
  }}>
    <gcds-input input-id=${field('amount')} name=${field('amount')} type="number" step="0.01" min="0.01"
      label=${t('officer.payments.refundAmount', { left: formatMoney(left) })} required validate-on="other"
      error-message=${error(field('amount'))}></gcds-input>
    <gcds-input input-id=${field('reason')} name=${field('reason')} label=${t('officer.payments.refundReason')} required
      validate-on="other" error-message=${error(field('reason'))}></gcds-input>
    <gcds-button type="submit" button-role="secondary">${t('officer.payments.refund')}</gcds-button>
  </form>`;
}

/** The fees, the payments and their refunds, and the forms that change them. */
export function paymentsSection(
  type: ApplicationType,
  application: Schemas['Application'],
  fees: Schemas['Fees'],
  payments: PagedList<Schemas['PaymentView']>,
  state: FormState,
  act: Act,
): TemplateResult {
  const error = (name: string) => state.errors.get(name) ?? '';
  const added = new Set(fees.items.map((item) => item.code));
  const addable = type.optionalFees.filter((fee) => !added.has(fee.code));
  return html`
    <h2>${t('officer.payments.heading')}</h2>
    ${outcome('fees')}
    <table class="applications">
      <thead><tr><th scope="col">${t('payments.fee')}</th><th scope="col">${t('payments.amount')}</th>
        <th scope="col">${t('payments.feeState')}</th></tr></thead>
      <tbody>
        ${fees.items.map(
          (item) => html`<tr><th scope="row">${pick(item.label)}</th><td>${formatMoney(item.amountCents)}</td>
            <td>${item.state === 'paid' ? t('payments.paid') : t('payments.due')}</td></tr>`,
        )}
      </tbody>
    </table>
    ${addable.length > 0 && application.status !== 'draft'
      ? html`<form novalidate @submit=${(event: SubmitEvent) => {
          event.preventDefault();
          const form = event.currentTarget as HTMLFormElement;
          const code = values(form).fee ?? '';
          const fee = addable.find((candidate) => candidate.code === code);
          void act({
            at: 'fees',
            form,
            run: () =>
              api('POST', '/api/officer/applications/{id}/fees', {
                path: { id: application.id },
                body: { code, version: application.version },
              }),
            done: () => t('officer.payments.added', { fee: fee ? pick(fee.label) : code }),
            field: (name) => (name === 'code' ? 'fee' : name),
          });
        }}>
          <gcds-select select-id="fee" name="fee" label=${t('officer.payments.addFee')} required validate-on="other"
            default-value=${t('officer.payments.chooseFee')} error-message=${error('fee')}>
            ${addable.map((fee) => html`<option value=${fee.code}>${pick(fee.label)} (${formatMoney(fee.amountCents)})</option>`)}
          </gcds-select>
          <gcds-button type="submit" button-role="secondary">${t('officer.payments.add')}</gcds-button>
        </form>`
      : nothing}
    ${payments.items.length === 0
      ? html`<p>${t('officer.payments.none')}</p>`
      : html`<ul class="payments">
          ${payments.items.map(
            (payment) => html`<li>
              <p><strong>${formatMoney(payment.totalCents)}</strong> — ${stateLabel(payment.state)}
                — ${formatDateTime(payment.paidAt ?? payment.createdAt)} — ${payment.id}
                ${payment.state === 'mismatch' && payment.mismatch
                  ? html`<strong class="flag">${t(`officer.payments.mismatch.${payment.mismatch.reason}` as Parameters<typeof t>[0], {
                      amount: payment.mismatch.amount === null || payment.mismatch.amount === undefined
                        ? '—'
                        : formatMoney(payment.mismatch.amount),
                      currency: (payment.mismatch.currency ?? '—').toUpperCase(),
                    })}</strong>`
                  : nothing}</p>
              ${payment.refunds.length > 0
                ? html`<ul>${payment.refunds.map(
                    (refund) => html`<li>${t('officer.payments.refunded', { amount: formatMoney(refund.amountCents) })}
                      — ${t(`officer.payments.refundState.${refund.state}` as Parameters<typeof t>[0])}
                      ${refund.reason ? html` — ${refund.reason}` : nothing}</li>`,
                  )}</ul>`
                : nothing}
              ${outcome(`payment-${payment.id}`)}
              ${refundForm(payment, act, error)}
            </li>`,
          )}
        </ul>
        ${loadMore(payments, state)}`}`;
}
