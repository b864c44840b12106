//! Refunds of a paid payment, asked for by an officer from the case and confirmed by the
//! processor's event. The amount is reserved on the payment (with its version) before the
//! processor is called, so refunds asked for at once can never add up to more than was paid
//! (P4); a refund the processor fails gives its amount back.
//!
//! Items: `APP#{id}` / `REFUND#{paymentId}#{refundId}` (a payment's refunds side by side).

use futures::{StreamExt as _, TryStreamExt as _};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{MoneyMoved, Payment, PaymentRecords, PaymentState, Payments, ProcessorError, RefundRequest, history_note};
use crate::applications::{Application, HistoryEntry};
use crate::case_view::Party;
use crate::events::{Event, EventKind};
use crate::ids::{ApplicationId, PaymentId};
use crate::keys;
use crate::table::{Condition, Item, Query, SortKey, StoreError, Update, WriteOp, numeric};

/// Where a refund stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RefundState {
    /// Asked of the processor, not confirmed yet.
    Pending,
    /// The processor confirmed it: the money is on its way back.
    Succeeded,
    /// The processor could not refund it: nothing was refunded.
    Failed,
}

/// A refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// Its id (a UUID: the processor's idempotency key).
    pub id: String,
    /// The payment refunded.
    #[schemars(with = "PaymentId")]
    pub payment_id: String,
    /// Its application.
    #[schemars(with = "ApplicationId")]
    pub application_id: String,
    /// How much, in cents of CAD.
    pub amount_cents: u64,
    /// Why (kept internal to the agency).
    pub reason: String,
    /// Where it stands.
    pub state: RefundState,
    /// The officer who asked for it (`sub`).
    pub requested_by: String,
    /// When.
    pub requested_at: u64,
    /// When the processor confirmed (or failed) it.
    #[serde(default)]
    pub settled_at: Option<u64>,
    /// The processor's id of it.
    #[serde(default)]
    pub processor_reference: Option<String>,
}

/// Most refunds one payment may have (each is a line of its receipt, which is one page).
pub const MAX_REFUNDS_PER_PAYMENT: usize = 10;

/// How many payments' refunds a page of payments reads at once.
const REFUND_READS_AT_ONCE: usize = 8;

/// Why a refund was not started.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// Only money taken is refunded: a paid payment, or one whose confirmation did not match.
    #[error("the payment took no money")]
    NotPaid,
    /// The payment changed since the officer read it.
    #[error("the payment changed")]
    Conflict {
        /// The version to reload.
        current_version: u64,
    },
    /// More than remains to refund.
    #[error("more than remains to refund")]
    TooMuch,
    /// Nothing (an amount of 0).
    #[error("nothing to refund")]
    Nothing,
    /// The payment has as many refunds as it may.
    #[error("too many refunds")]
    TooMany,
    /// The processor failed: nothing was refunded.
    #[error(transparent)]
    Processor(#[from] ProcessorError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an officer asks to refund.
#[derive(Clone, Debug)]
pub struct RefundAsk<'a> {
    /// How much, in cents.
    pub amount_cents: u64,
    /// Why.
    pub reason: &'a str,
    /// The payment's version the officer saw.
    pub expected_version: u64,
    /// The officer (`sub`).
    pub officer: &'a str,
}

impl PaymentRecords {
    /// The payment's refunds, oldest first (at most [`MAX_REFUNDS_PER_PAYMENT`]).
    pub async fn refunds_of(&self, payment: &Payment) -> Result<Vec<Refund>, StoreError> {
        // Only a payment the processor took money for has refunds.
        if !matches!(payment.state, PaymentState::Paid | PaymentState::Mismatch) {
            return Ok(Vec::new());
        }
        let query = Query::partition(keys::application_partition(&payment.application_id))
            .sort(SortKey::Prefix(keys::refunds_of_payment(&payment.id)))
            .limit(MAX_REFUNDS_PER_PAYMENT as u32);
        self.table().query(query).await?.items.iter().map(Item::to_record).collect()
    }

    /// Each payment with its refunds (read a few at a time), as `party` sees them.
    pub async fn views(&self, payments: Vec<Payment>, party: Party) -> Result<Vec<PaymentView>, StoreError> {
        let reads = payments.into_iter().map(|payment| async move {
            let refunds = self.refunds_of(&payment).await?;
            Ok::<_, StoreError>(PaymentView::for_party(payment, &refunds, party))
        });
        futures::stream::iter(reads).buffered(REFUND_READS_AT_ONCE).try_collect().await
    }

    /// Refunds part or all of a paid payment: reserves the amount on the payment (at the
    /// version the officer saw), records the refund as pending, then asks the processor.
    pub async fn refund(
        &self,
        processor: &dyn Payments,
        payment: &Payment,
        ask: &RefundAsk<'_>,
        now: u64,
    ) -> Result<Refund, RefundError> {
        // What the processor took: the payment's total, or what a confirmation that did not
        // match reported.
        let taken = match (payment.state, &payment.mismatch) {
            (PaymentState::Paid, _) => payment.total_cents,
            (PaymentState::Mismatch, Some(mismatch)) => mismatch.amount.unwrap_or(0),
            _ => return Err(RefundError::NotPaid),
        };
        if payment.version != ask.expected_version {
            return Err(RefundError::Conflict { current_version: payment.version });
        }
        if ask.amount_cents == 0 {
            return Err(RefundError::Nothing);
        }
        if ask.amount_cents > taken.saturating_sub(payment.refund_reserved_cents) {
            return Err(RefundError::TooMuch);
        }
        // Counted before the reservation: refunds at once on one version are one (the version
        // check below), so the count cannot be overtaken.
        if self.refunds_of(payment).await?.len() >= MAX_REFUNDS_PER_PAYMENT {
            return Err(RefundError::TooMany);
        }
        let Some(reference) = payment.processor_reference.clone() else { return Err(RefundError::NotPaid) };
        let mut refund = Refund {
            id: uuid::Uuid::now_v7().to_string(),
            payment_id: payment.id.clone(),
            application_id: payment.application_id.clone(),
            amount_cents: ask.amount_cents,
            reason: ask.reason.to_owned(),
            state: RefundState::Pending,
            requested_by: ask.officer.to_owned(),
            requested_at: now,
            settled_at: None,
            processor_reference: None,
        };
        let cents = numeric(ask.amount_cents)?;
        let reserve = WriteOp::Update {
            key: keys::payment(&payment.application_id, &payment.id),
            update: Update::default().add("refundReservedCents", cents).add("version", 1),
            // Every change of a payment bumps its version: at this one, it is as read above.
            condition: Some(Condition::Equals("version".into(), json!(ask.expected_version))),
        };
        let record = WriteOp::Put { item: refund_item(&refund)?, condition: Some(Condition::Absent) };
        match self.table().transact_write(vec![reserve, record]).await {
            Ok(()) => {}
            Err(StoreError::TransactionCanceled { .. }) => {
                let current = self.get(&payment.id).await?.map_or(ask.expected_version, |p| p.version);
                return Err(RefundError::Conflict { current_version: current });
            }
            Err(other) => return Err(other.into()),
        }
        let request = RefundRequest {
            refund_id: refund.id.clone(),
            payment_id: payment.id.clone(),
            reference,
            amount_cents: ask.amount_cents,
        };
        match processor.refund(&request).await {
            Ok(started) => {
                refund.processor_reference = Some(started.id.clone());
                let update = Update::default().set("processorReference", json!(started.id));
                let key = keys::refund(&refund.application_id, &refund.payment_id, &refund.id);
                self.table().update(&key, update, Some(Condition::Present)).await?;
                Ok(refund)
            }
            Err(error @ ProcessorError::Refused(_)) => {
                // The processor refused it: nothing was refunded, the reservation goes back.
                self.settle(&refund.payment_id, &refund.id, false, Some(now)).await?;
                Err(error.into())
            }
            // No answer: the processor may have refunded it all the same. It stays pending (and
            // reserved) until the processor's event settles it; asking again would refund twice.
            Err(error) => Err(error.into()),
        }
    }

    /// Applies the processor's word on refund `id` of payment `payment_id`: confirmed
    /// (`succeeded`), or failed. The refund, the payment's amounts, the history entry and the
    /// applicant's event are one transaction; a refund settled before changes nothing.
    /// Answers whether anything changed.
    pub async fn settle(
        &self,
        payment_id: &str,
        id: &str,
        succeeded: bool,
        at: Option<u64>,
    ) -> Result<bool, StoreError> {
        let Some(payment) = self.get(payment_id).await? else { return Ok(false) };
        let key = keys::refund(&payment.application_id, &payment.id, id);
        let Some(refund) = self.table().get(&key).await? else { return Ok(false) };
        let refund: Refund = refund.to_record()?;
        if refund.state != RefundState::Pending || refund.payment_id != payment.id {
            return Ok(false);
        }
        let cents = numeric(refund.amount_cents)?;
        let state = if succeeded { RefundState::Succeeded } else { RefundState::Failed };
        let mut ops = vec![WriteOp::Update {
            key,
            update: Update::default().set("state", json!(state)).set("settledAt", json!(at)),
            condition: Some(Condition::Equals("state".into(), json!(RefundState::Pending))),
        }];
        let payment_key = keys::payment(&payment.application_id, &payment.id);
        let amounts = if succeeded {
            Update::default().add("refundedCents", cents).add("version", 1)
        } else {
            Update::default().add("refundReservedCents", -cents).add("version", 1)
        };
        ops.push(WriteOp::Update { key: payment_key, update: amounts, condition: None });
        if succeeded {
            let application = self.table().get(&keys::application(&payment.application_id)).await?;
            let application: Application = application.ok_or(StoreError::ConditionFailed)?.to_record()?;
            let at = at.unwrap_or(refund.requested_at);
            let note = history_note(MoneyMoved::Refunded, payment.language, refund.amount_cents);
            let entry = HistoryEntry {
                at,
                actor: refund.requested_by.clone(),
                role: "officer".to_owned(),
                from: application.status,
                to: application.status,
                reason: Some(format!("refund {id} of payment {payment_id}: {}", refund.reason)),
                note_to_applicant: Some(note),
            };
            let history = keys::payment_history_entry(&application.id, at, application.version, id);
            ops.push(WriteOp::Put { item: Item::from_record(&history, &entry)?, condition: Some(Condition::Absent) });
            if !application.owner.is_empty() {
                ops.push(Event::new(&application.id, &application.owner, EventKind::RefundIssued, at).write()?);
            }
        }
        match self.table().transact_write(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::TransactionCanceled { .. }) => Ok(false),
            Err(other) => Err(other),
        }
    }
}

fn refund_item(refund: &Refund) -> Result<Item, StoreError> {
    Item::from_record(&keys::refund(&refund.application_id, &refund.payment_id, &refund.id), refund)
}

/// A refund as a party sees it: the officers' reason stays internal to the agency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundView {
    /// Its id.
    pub id: String,
    /// How much, in cents of CAD.
    pub amount_cents: u64,
    /// Where it stands.
    pub state: RefundState,
    /// When it was asked for.
    pub requested_at: u64,
    /// When the processor settled it.
    pub settled_at: Option<u64>,
    /// Why (officers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A payment with its refunds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    /// The payment.
    #[serde(flatten)]
    pub payment: Payment,
    /// Its refunds, oldest first.
    pub refunds: Vec<RefundView>,
}

impl PaymentView {
    /// The payment with its `refunds`, as `party` sees them. The amounts refunded and reserved
    /// are those of the refunds shown: the payment and its refunds are two reads, and a refund
    /// settled between them must not show as succeeded beside a payment that has not counted it.
    pub fn for_party(mut payment: Payment, refunds: &[Refund], party: Party) -> Self {
        let sum = |states: &[RefundState]| -> u64 {
            refunds.iter().filter(|refund| states.contains(&refund.state)).map(|refund| refund.amount_cents).sum()
        };
        payment.refunded_cents = sum(&[RefundState::Succeeded]);
        payment.refund_reserved_cents = sum(&[RefundState::Succeeded, RefundState::Pending]);
        let refunds = refunds
            .iter()
            .map(|refund| RefundView {
                id: refund.id.clone(),
                amount_cents: refund.amount_cents,
                state: refund.state,
                requested_at: refund.requested_at,
                settled_at: refund.settled_at,
                reason: (party == Party::Officer).then(|| refund.reason.clone()),
            })
            .collect();
        Self { payment, refunds }
    }
}
