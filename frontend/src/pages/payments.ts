// An application's fees and payments: what is due (and what must be paid before submitting),
// the Pay button that opens the processor's secure checkout for exactly the fees due, what the
// checkout's return means (paid, declined and why, cancelled), and the payment history. Pressing
// Pay twice sends one request; a retry after a lost answer reuses its idempotency key; and the
// portal never opens a second checkout while one is open.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, api, download, type Schemas } from '../api/client';
import { refresh } from '../app';
import { emptyState } from '../forms';
import { formatDateTime, formatMoney, pick, t } from '../i18n';
import { PagedList, loadMore } from '../paging';
import { scrolling } from '../table';

type Fees = Schemas['Fees'];
type Payment = Schemas['PaymentView'];

let payments = new PagedList<Payment>();
let listState = emptyState();
/** The idempotency key of the payment being started: drawn at the first press, and kept
 * until the portal answers, so a press after a lost answer asks again under the same key
 * (and gets the first answer) rather than starting anew. */
let key: string | null = null;
/** A request is on its way: further presses do nothing. */
let busy = false;
let failure: string | null = null;

/** The application's payments, newest first, read a page at a time. */
export function paymentsOf(id: string): PagedList<Payment> {
  return new PagedList((cursor) => api('GET', '/api/applications/{id}/payments', { path: { id }, query: { cursor } }));
}

/** Loads the first page of the application's payments. */
export async function loadPayments(id: string): Promise<void> {
  payments = await paymentsOf(id).first();
  listState = emptyState();
  failure = null;
}

/** Starts paying every fee due and sends the payer to the checkout page. */
async function pay(id: string, fees: Fees): Promise<void> {
  if (busy) return;
  busy = true;
  key ??= crypto.randomUUID();
  failure = null;
  refresh();
  const codes = fees.items.filter((item) => item.state === 'due').map((item) => item.code);
  try {
    const payment = await api('POST', '/api/applications/{id}/payments', {
      path: { id },
      header: { 'Idempotency-Key': key },
      body: { fees: codes },
    });
    key = null;
    location.assign(payment.checkoutUrl);
  } catch (error) {
    // An answer (a problem) ends the key's use; no answer (the network) keeps it for the retry.
    if (error instanceof ApiError) key = null;
    busy = false;
    failure = error instanceof ApiError ? (error.problem?.title ?? error.message) : t('payments.failed');
    refresh();
  }
}

/** What the checkout's return says, from the address it sent the payer back to. */
function outcome(): TemplateResult {
  const query = new URLSearchParams(location.search);
  const id = query.get('payment');
  if (!id) return html``;
  const payment = payments.items.find((candidate) => candidate.id === id);
  if (query.get('cancelled') && payment?.lastDecline) {
    // The payer left the checkout after the processor refused their card: say why.
    const reason = t(`payments.decline.${payment.lastDecline}`);
    return html`<gcds-notice notice-role="danger" notice-title-tag="h2" notice-title=${t('payments.declinedTitle')}>
      <gcds-text>${t('payments.declined', { reason })}</gcds-text></gcds-notice>`;
  }
  if (query.get('cancelled')) {
    return html`<gcds-notice notice-role="warning" notice-title-tag="h2" notice-title=${t('payments.cancelledTitle')}>
      <gcds-text>${t('payments.cancelled')}</gcds-text></gcds-notice>`;
  }
  return payment?.state === 'paid'
    ? html`<gcds-notice notice-role="success" notice-title-tag="h2" notice-title=${t('payments.receivedTitle')}>
        <gcds-text>${t('payments.received', { amount: formatMoney(payment.totalCents) })}</gcds-text></gcds-notice>`
    : html`<gcds-notice notice-role="info" notice-title-tag="h2" notice-title=${t('payments.confirmingTitle')}>
        <gcds-text>${t('payments.confirming')}</gcds-text></gcds-notice>`;
}

/** A payment's state in words. */
export function stateLabel(state: Schemas['PaymentState']): string {
  return t(`payments.state.${state}` as Parameters<typeof t>[0]);
}

/** The fees with what is paid and due, the Pay button (for the applicant) and the history. */
export function feesPanel(application: Schemas['Application'], fees: Fees, canPay: boolean): TemplateResult {
  const due = fees.dueCents;
  return html`
    ${outcome()}
    <h2>${t('application.fees')}</h2>
    <table class="applications">
      <thead><tr><th scope="col">${t('payments.fee')}</th><th scope="col">${t('payments.amount')}</th>
        <th scope="col">${t('payments.feeState')}</th></tr></thead>
      <tbody>
        ${fees.items.map(
          (item) => html`<tr>
            <th scope="row">${pick(item.label)}</th>
            <td>${formatMoney(item.amountCents)}</td>
            <td>${item.state === 'paid'
              ? t('payments.paid')
              : item.dueBeforeSubmission
                ? t('payments.dueBeforeSubmission')
                : t('payments.due')}</td>
          </tr>`,
        )}
        <tr><th scope="row">${t('payments.totalDue')}</th><td><strong>${formatMoney(due)}</strong></td><td></td></tr>
      </tbody>
    </table>
    ${failure ? html`<p class="error" role="alert">${failure}</p>` : nothing}
    ${canPay && due > 0
      ? html`<gcds-button type="button" ?disabled=${busy} @click=${() => void pay(application.id, fees)}>
          ${busy ? t('payments.opening') : t('payments.pay', { amount: formatMoney(due) })}</gcds-button>`
      : nothing}
    ${payments.items.length > 0
      ? html`<h3>${t('payments.history')}</h3>
          ${scrolling(t('payments.history'), html`<table class="applications">
            <thead><tr><th scope="col">${t('payments.date')}</th><th scope="col">${t('payments.amount')}</th>
              <th scope="col">${t('payments.state')}</th><th scope="col">${t('payments.reference')}</th>
              <th scope="col">${t('payments.receipt')}</th></tr></thead>
            <tbody>
              ${payments.items.map(
                (payment) => html`<tr>
                  <td>${formatDateTime(payment.paidAt ?? payment.createdAt)}</td>
                  <td>${formatMoney(payment.totalCents)}</td>
                  <td>${stateLabel(payment.state)}</td>
                  <td>${payment.id}</td>
                  <td>${payment.paidAt
                    ? html`<gcds-button type="button" button-role="secondary" size="small"
                        @click=${() => void download('/api/payments/{paymentId}/receipt.pdf', `receipt-${payment.id}.pdf`, { path: { paymentId: payment.id } })}>
                        ${t('payments.receiptPdf')}</gcds-button>`
                    : nothing}</td>
                </tr>
                ${payment.refunds.map(
                  (refund) => html`<tr><td>${formatDateTime(refund.settledAt ?? refund.requestedAt)}</td>
                    <td>−${formatMoney(refund.amountCents)}</td>
                    <td>${t(`payments.refundState.${refund.state}` as Parameters<typeof t>[0])}</td><td></td><td></td></tr>`,
                )}`,
              )}
            </tbody>
          </table>`)}
          ${loadMore(payments, listState)}`
      : nothing}`;
}
