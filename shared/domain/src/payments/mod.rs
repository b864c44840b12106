//! Payments of an application's fees: the `Payments` port (the processor: Stripe Checkout in
//! AWS, the local test gateway in local mode), the records of each payment, and what a
//! processor's confirmation changes.
//!
//! A payment is started for exactly the fees due, with amounts computed here (never the
//! client's, C3), under a fresh payment id (the processor's idempotency key for that payment,
//! against retries of its own call). One payment at a time is open per application: `APP#{id}`
//! / `PAYING` names it until its checkout expires, and pressing Pay again while it is open
//! resumes it rather than charging twice (P1).
//!
//! The processor confirms by a signed webhook ([`signature`]); [`PaymentRecords::fulfil`]
//! marks the payment paid, each fee paid, the history entry and the applicant's event in one
//! transaction (P3), applies nothing when the amount or currency differs (recorded for
//! officers, P4), and changes nothing for an event it has already applied (P2).
//!
//! Items: `APP#{id}` / `PAY#{paymentId}` (the payment), `PAYMENT#{paymentId}` / `PAYMENT`
//! (which application a payment belongs to, for routes and events that name only the payment).

pub mod event;
pub mod refunds;
pub mod signature;

use std::sync::Arc;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::application_types::Text;
use crate::applications::{Application, HistoryEntry};
use crate::audit::APPLICANT_ROLE;
use crate::dashboard;
use crate::events::{Event, EventKind};
use crate::fees::{FeeLine, Fees, PaidFee};
use crate::ids::{ApplicationId, PaymentId};
use crate::keys;
use crate::paging::{self, PageRequest, Paged};
use crate::profile::Language;
use crate::receipts::money;
use crate::table::{Condition, Item, Query, SortKey, StoreError, Table, Update, WriteOp, numeric};

/// The checkout locale (Stripe's names) for `language`: Canada's French, not France's.
pub fn checkout_locale(language: Language) -> &'static str {
    match language {
        Language::En => "en",
        Language::Fr => "fr-CA",
    }
}

/// The currency of every fee (ISO 4217, lowercase as processors write it).
pub const CURRENCY: &str = "cad";

/// How long a checkout stays open, in seconds: Stripe's shortest is 30 minutes from when it
/// receives the request, so a minute more covers the time the request takes to get there.
pub const CHECKOUT_SECONDS: u64 = 31 * 60;

/// Where a payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentState {
    /// The checkout is open: the payer has not paid yet.
    Open,
    /// Paid: its fees are paid.
    Paid,
    /// The checkout expired or was abandoned without payment.
    Expired,
    /// The processor reported a failure (a delayed payment method that did not go through).
    Failed,
    /// The processor's confirmation did not match the payment (amount, currency, or fees paid
    /// meanwhile by another payment): nothing was applied; an officer looks into it.
    Mismatch,
}

/// Why the processor refused a card the payer tried, as far as the payer is told. A lost or
/// stolen card, or one the processor suspects of fraud, reads as a plain decline: the payer is
/// not told more than the card's issuer would tell them (Stripe's advice for decline codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeclineReason {
    /// Declined by the issuer.
    Declined,
    /// Not enough funds or credit.
    InsufficientFunds,
    /// The card has expired.
    ExpiredCard,
    /// The security code is wrong.
    IncorrectCvc,
    /// The processor could not process it: trying again may work.
    ProcessingError,
}

impl DeclineReason {
    /// The reason a Stripe card error gives: its `code`, and its `decline_code` when the code is
    /// `card_declined` (Stripe's published lists of both).
    pub fn from_stripe(code: Option<&str>, decline_code: Option<&str>) -> Self {
        match (code, decline_code) {
            (_, Some("insufficient_funds")) | (Some("insufficient_funds"), _) => Self::InsufficientFunds,
            (Some("expired_card"), _) | (_, Some("expired_card")) => Self::ExpiredCard,
            (Some("incorrect_cvc" | "invalid_cvc"), _) | (_, Some("incorrect_cvc" | "invalid_cvc")) => {
                Self::IncorrectCvc
            }
            (Some("processing_error"), _) | (_, Some("processing_error" | "try_again_later")) => Self::ProcessingError,
            _ => Self::Declined,
        }
    }
}

/// One fee a payment pays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentItem {
    /// The fee's code.
    pub code: String,
    /// What it is.
    pub label: Text,
    /// Amount in cents of CAD.
    pub amount_cents: u64,
}

/// What the processor reported that did not match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Mismatch {
    /// The amount the processor reported, in minor units.
    pub amount: Option<u64>,
    /// The currency it reported.
    pub currency: Option<String>,
    /// Why it was not applied.
    pub reason: MismatchReason,
}

/// Why a confirmation was not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MismatchReason {
    /// The amount or currency is not the payment's.
    AmountOrCurrency,
    /// One of its fees was paid meanwhile by another payment: this one is owed back.
    AlreadyPaid,
}

/// A payment, as stored and as its parties see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// Its id.
    #[schemars(with = "PaymentId")]
    pub id: String,
    /// The application it pays for.
    #[schemars(with = "ApplicationId")]
    pub application_id: String,
    /// Who pays (`sub`).
    pub payer: String,
    /// The fees it pays.
    pub items: Vec<PaymentItem>,
    /// Their sum, in cents of CAD.
    pub total_cents: u64,
    /// Always `cad`.
    pub currency: String,
    /// Where it stands.
    pub state: PaymentState,
    /// The payer's language (the checkout page's and the receipt's).
    pub language: Language,
    /// When it was started.
    pub created_at: u64,
    /// Until when its checkout is open. (Not `expiresAt`: that is the table's TTL attribute,
    /// and a payment is kept for good.)
    pub checkout_expires_at: u64,
    /// Where the payer pays (while open).
    pub checkout_url: String,
    /// The processor's checkout id.
    pub checkout_id: String,
    /// When the processor confirmed it.
    #[serde(default)]
    pub paid_at: Option<u64>,
    /// The processor's reference of the charge (what a refund names).
    #[serde(default)]
    pub processor_reference: Option<String>,
    /// What did not match, when its state is `mismatch`.
    #[serde(default)]
    pub mismatch: Option<Mismatch>,
    /// Bumped by every change: officers refund against the version they saw.
    pub version: u64,
    /// Refunds the processor confirmed, in cents.
    #[serde(default)]
    pub refunded_cents: u64,
    /// Refunds asked for and not failed (confirmed or pending), in cents: never above the total.
    #[serde(default)]
    pub refund_reserved_cents: u64,
    /// Why the processor refused the last card tried while the checkout was open, if it did:
    /// what the application page tells a payer who comes back without paying.
    #[serde(default)]
    pub last_decline: Option<DeclineReason>,
}

impl Payment {
    pub(crate) fn item(&self) -> Result<Item, StoreError> {
        Item::from_record(&keys::payment(&self.application_id, &self.id), self)
    }
}

/// What the processor is asked to charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// The payment (the processor's idempotency key, its client reference and metadata).
    pub payment_id: String,
    /// The application paid for (metadata).
    pub application_id: String,
    /// The application's number, when it has one (shown on the checkout page).
    pub application_number: Option<String>,
    /// Each fee: its name in the payer's language and its amount in cents.
    pub items: Vec<(String, u64)>,
    /// The payer's language.
    pub language: Language,
    /// Where the processor sends the payer back once paid.
    pub success_url: String,
    /// Where it sends them back when they give up.
    pub cancel_url: String,
    /// Until when the checkout may be paid (seconds since the epoch).
    pub expires_at: u64,
}

/// A checkout the processor opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    /// The processor's id of it.
    pub id: String,
    /// Where the payer pays.
    pub url: String,
}

/// What the processor is asked to give back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    /// Our refund's id (the processor's idempotency key, and metadata).
    pub refund_id: String,
    /// The payment refunded (metadata).
    pub payment_id: String,
    /// The processor's reference of the charge ([`Payment::processor_reference`]).
    pub reference: String,
    /// How much, in cents (at most what was paid and not yet refunded).
    pub amount_cents: u64,
}

/// A refund the processor accepted: it confirms it later by an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundStarted {
    /// The processor's id of the refund.
    pub id: String,
}

/// The processor failed or refused the request.
#[derive(Debug, thiserror::Error)]
pub enum ProcessorError {
    /// It could not be reached or answered with a server error: try again later.
    #[error("the payment processor is unavailable: {0}")]
    Unavailable(String),
    /// It refused the request (a bug of ours or its configuration).
    #[error("the payment processor refused the request: {0}")]
    Refused(String),
}

/// The payment processor (Stripe Checkout, or the local test gateway).
#[async_trait]
pub trait Payments: Send + Sync {
    /// Opens a hosted checkout for exactly `request`'s items. Calling it again with the same
    /// payment id opens nothing new (the processor's idempotency).
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<Checkout, ProcessorError>;

    /// Refunds part or all of a paid charge. Calling it again with the same refund id refunds
    /// nothing more (the processor's idempotency).
    async fn refund(&self, request: &RefundRequest) -> Result<RefundStarted, ProcessorError>;
}

/// Why a payment was not started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Nothing is due.
    #[error("nothing is due")]
    NothingDue,
    /// The fees due are not those the payer was shown (an officer added one meanwhile).
    #[error("the fees due changed")]
    FeesChanged,
    /// Another payment of other fees is open.
    #[error("another payment is open")]
    AnotherOpen,
    /// The application is no longer there (a draft deleted meanwhile).
    #[error("the application is gone")]
    Gone,
    /// The processor failed.
    #[error(transparent)]
    Processor(#[from] ProcessorError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a processor's confirmation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fulfilment {
    /// The payment is now paid.
    Paid(Payment),
    /// It was applied before (a redelivery), or the payment was already settled: nothing changed.
    AlreadyApplied,
    /// Recorded as a mismatch; nothing applied.
    Mismatch(Payment),
    /// The checkout ended unpaid (expired, or its delayed payment failed).
    Closed,
    /// The event names no payment of ours (another integration's, or a test event).
    Unknown,
}

/// The open payment of an application, as its lock item holds it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenPayment {
    payment_id: String,
    until: u64,
}

/// Which application a payment belongs to.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentOwner {
    application_id: String,
}

/// Reads and writes payments.
#[derive(Clone)]
pub struct PaymentRecords {
    table: Arc<dyn Table>,
}

/// Who starts a payment, and from where they come back.
#[derive(Clone, Debug)]
pub struct Payer<'a> {
    /// The payer (`sub`).
    pub sub: &'a str,
    /// Their language.
    pub language: Language,
    /// The portal's address the processor sends them back to (`https://portal.example`).
    pub return_base: &'a str,
}

impl PaymentRecords {
    /// Payments kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// The payment `id`, if it exists.
    pub async fn get(&self, id: &str) -> Result<Option<Payment>, StoreError> {
        let Some(owner) = self.table.get(&keys::payment_owner(id)).await? else { return Ok(None) };
        let owner: PaymentOwner = owner.to_record()?;
        self.table.get(&keys::payment(&owner.application_id, id)).await?.map(|item| item.to_record()).transpose()
    }

    /// A page of the application's payments, newest first (ids are time-ordered).
    pub async fn of_application(&self, application_id: &str, page: &PageRequest) -> Result<Paged<Payment>, StoreError> {
        let query = Query::partition(keys::application_partition(application_id))
            .sort(SortKey::Prefix(keys::PAYMENT_PREFIX.into()))
            .descending();
        paging::read(self.table.as_ref(), query, page).await
    }

    /// Starts paying exactly the fees due, which must be the fee codes `shown` to the payer, or
    /// resumes the open payment of those fees.
    pub async fn start(
        &self,
        processor: &dyn Payments,
        application: &Application,
        fees: &Fees,
        shown: &[String],
        payer: &Payer<'_>,
        now: u64,
    ) -> Result<Payment, StartError> {
        let due: Vec<&FeeLine> = fees.due().collect();
        if due.is_empty() {
            return Err(StartError::NothingDue);
        }
        let mut due_codes: Vec<&str> = due.iter().map(|line| line.code.as_str()).collect();
        let mut shown_codes: Vec<&str> = shown.iter().map(String::as_str).collect();
        due_codes.sort_unstable();
        shown_codes.sort_unstable();
        if due_codes != shown_codes {
            return Err(StartError::FeesChanged);
        }
        let items: Vec<PaymentItem> = due
            .iter()
            .map(|line| PaymentItem {
                code: line.code.clone(),
                label: line.label.clone(),
                amount_cents: line.amount_cents,
            })
            .collect();
        let id = uuid::Uuid::now_v7().to_string();
        let lock = keys::payment_lock(&application.id);
        let expires_at = now + CHECKOUT_SECONDS;
        let open = Item::from_record(&lock, &OpenPayment { payment_id: id.clone(), until: expires_at })?;
        // One open payment at a time: the lock is taken only once the last one's checkout ended,
        // and only while the application is there (a draft deleted meanwhile takes no payment;
        // a deletion checks for this lock in turn).
        let ops = vec![
            WriteOp::Put { item: open, condition: Some(Condition::Below("until".into(), numeric(now)?)) },
            WriteOp::Check { key: keys::application(&application.id), condition: Condition::Present },
        ];
        match self.table.transact_write(ops).await {
            Ok(()) => {}
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&1) => {
                return Err(StartError::Gone);
            }
            Err(StoreError::TransactionCanceled { .. }) => return self.resume(&application.id, &items).await,
            Err(other) => return Err(other.into()),
        }
        let request = CheckoutRequest {
            payment_id: id.clone(),
            application_id: application.id.clone(),
            application_number: application.number.clone(),
            items: items.iter().map(|item| (item.label.get(payer.language).to_owned(), item.amount_cents)).collect(),
            language: payer.language,
            success_url: format!("{}/applications/{}?payment={id}", payer.return_base, application.id),
            cancel_url: format!("{}/applications/{}?payment={id}&cancelled=1", payer.return_base, application.id),
            expires_at,
        };
        let checkout = match processor.create_checkout(&request).await {
            Ok(checkout) => checkout,
            Err(error) => {
                // Give the lock back so the payer can try again at once.
                let ours = Condition::Equals("paymentId".into(), json!(id));
                let _ = self.table.delete(&lock, Some(ours)).await;
                return Err(error.into());
            }
        };
        let payment = Payment {
            id: id.clone(),
            application_id: application.id.clone(),
            payer: payer.sub.to_owned(),
            total_cents: items.iter().map(|item| item.amount_cents).sum(),
            items,
            currency: CURRENCY.to_owned(),
            state: PaymentState::Open,
            language: payer.language,
            created_at: now,
            checkout_expires_at: expires_at,
            checkout_url: checkout.url,
            checkout_id: checkout.id,
            paid_at: None,
            processor_reference: None,
            mismatch: None,
            version: 1,
            refunded_cents: 0,
            refund_reserved_cents: 0,
            last_decline: None,
        };
        let owner = PaymentOwner { application_id: application.id.clone() };
        self.table
            .transact_write(vec![
                WriteOp::Put { item: payment.item()?, condition: Some(Condition::Absent) },
                WriteOp::Put {
                    item: Item::from_record(&keys::payment_owner(&id), &owner)?,
                    condition: Some(Condition::Absent),
                },
            ])
            .await?;
        Ok(payment)
    }

    /// The open payment of the application, when it pays `items`.
    async fn resume(&self, application_id: &str, items: &[PaymentItem]) -> Result<Payment, StartError> {
        let lock = self.table.get(&keys::payment_lock(application_id)).await?;
        let open: Option<OpenPayment> = lock.map(|item| item.to_record()).transpose()?;
        let Some(open) = open else { return Err(StartError::AnotherOpen) };
        let payment = self.table.get(&keys::payment(application_id, &open.payment_id)).await?;
        match payment.map(|item| item.to_record::<Payment>()).transpose()? {
            Some(payment) if payment.state == PaymentState::Open && payment.items == items => Ok(payment),
            // Started a moment ago and not recorded yet, or of other fees.
            _ => Err(StartError::AnotherOpen),
        }
    }

    /// Applies a processor's confirmation that the checkout of payment `id` was paid with
    /// `amount` in `currency`, as `reference` (the charge).
    pub async fn fulfil(
        &self,
        id: &str,
        amount: Option<u64>,
        currency: Option<&str>,
        reference: Option<&str>,
        now: u64,
    ) -> Result<Fulfilment, StoreError> {
        let Some(payment) = self.get(id).await? else { return Ok(Fulfilment::Unknown) };
        if payment.state != PaymentState::Open {
            return Ok(Fulfilment::AlreadyApplied);
        }
        if amount != Some(payment.total_cents) || currency.map(str::to_ascii_lowercase).as_deref() != Some(CURRENCY) {
            let reason = MismatchReason::AmountOrCurrency;
            let mismatch = Mismatch { amount, currency: currency.map(str::to_owned), reason };
            return self.record_mismatch(payment, mismatch, reference).await;
        }
        let Some(application) = self.table.get(&keys::application(&payment.application_id)).await? else {
            return Ok(Fulfilment::Unknown);
        };
        let application: Application = application.to_record()?;
        let mut paid = payment.clone();
        paid.state = PaymentState::Paid;
        paid.paid_at = Some(now);
        paid.processor_reference = reference.map(str::to_owned);
        paid.version += 1;
        let mut ops = vec![WriteOp::Put {
            item: paid.item()?,
            condition: Some(Condition::Equals("state".into(), json!(PaymentState::Open))),
        }];
        for item in &payment.items {
            let fee = PaidFee {
                code: item.code.clone(),
                amount_cents: item.amount_cents,
                payment_id: id.into(),
                paid_at: now,
            };
            ops.push(fee.write(&payment.application_id)?);
        }
        let history = HistoryEntry {
            at: now,
            actor: payment.payer.clone(),
            role: APPLICANT_ROLE.to_owned(),
            from: application.status,
            to: application.status,
            reason: Some(format!("payment {id} received")),
            note_to_applicant: Some(history_note(MoneyMoved::Received, payment.language, payment.total_cents)),
        };
        let history_key = keys::payment_history_entry(&payment.application_id, now, application.version, id);
        ops.push(WriteOp::Put { item: Item::from_record(&history_key, &history)?, condition: Some(Condition::Absent) });
        if !application.owner.is_empty() {
            let cents = numeric(payment.total_cents)?;
            ops.push(dashboard::due_change(&application.owner, &application.id, -cents));
            let event = Event::new(&application.id, &application.owner, EventKind::PaymentReceived, now);
            ops.push(event.write()?);
        }
        let fee_puts = 1..=payment.items.len();
        match self.table.transact_write(ops).await {
            Ok(()) => {}
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                return Ok(Fulfilment::AlreadyApplied); // applied by a concurrent delivery
            }
            // A fee was paid meanwhile by another payment: this one's money is owed back.
            Err(StoreError::TransactionCanceled { failed_conditions })
                if failed_conditions.iter().any(|at| fee_puts.contains(at)) =>
            {
                let reason = MismatchReason::AlreadyPaid;
                let mismatch = Mismatch { amount, currency: currency.map(str::to_owned), reason };
                return self.record_mismatch(payment, mismatch, reference).await;
            }
            Err(other) => return Err(other),
        }
        self.release(&paid.application_id, id).await?;
        Ok(Fulfilment::Paid(paid))
    }

    /// Records that the checkout of payment `id` ended unpaid (`Expired` or `Failed`).
    pub async fn close(&self, id: &str, state: PaymentState) -> Result<Fulfilment, StoreError> {
        let Some(payment) = self.get(id).await? else { return Ok(Fulfilment::Unknown) };
        let update = Update::default().set("state", json!(state)).add("version", 1);
        let open = Condition::Equals("state".into(), json!(PaymentState::Open));
        match self.table.update(&keys::payment(&payment.application_id, id), update, Some(open)).await {
            Ok(_) => {}
            Err(StoreError::ConditionFailed) => return Ok(Fulfilment::AlreadyApplied),
            Err(other) => return Err(other),
        }
        self.release(&payment.application_id, id).await?;
        Ok(Fulfilment::Closed)
    }

    /// Records why the processor refused a card tried on payment `id`'s checkout; `false` when
    /// the checkout is no longer open (a decline reported after the payment went through, or a
    /// payment not ours). Redelivered, it writes the same again.
    pub async fn record_decline(&self, id: &str, reason: DeclineReason) -> Result<bool, StoreError> {
        let Some(payment) = self.get(id).await? else { return Ok(false) };
        let update = Update::default().set("lastDecline", json!(reason)).add("version", 1);
        let open = Condition::Equals("state".into(), json!(PaymentState::Open));
        match self.table.update(&keys::payment(&payment.application_id, id), update, Some(open)).await {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Flags a payment whose confirmation was not applied; the charge's reference is kept, so an
    /// officer can give the money back.
    async fn record_mismatch(
        &self,
        payment: Payment,
        mismatch: Mismatch,
        reference: Option<&str>,
    ) -> Result<Fulfilment, StoreError> {
        let mut flagged = payment;
        flagged.state = PaymentState::Mismatch;
        flagged.processor_reference = reference.map(str::to_owned);
        flagged.mismatch = Some(mismatch);
        flagged.version += 1;
        let open = Condition::Equals("state".into(), json!(PaymentState::Open));
        match self.table.put(flagged.item()?, Some(open)).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => return Ok(Fulfilment::AlreadyApplied),
            Err(other) => return Err(other),
        }
        self.release(&flagged.application_id, &flagged.id).await?;
        Ok(Fulfilment::Mismatch(flagged))
    }

    /// The table the records are kept in.
    pub(crate) fn table(&self) -> &dyn Table {
        self.table.as_ref()
    }

    /// Ends the application's open-payment lock if it is still this payment's.
    async fn release(&self, application_id: &str, id: &str) -> Result<(), StoreError> {
        let ours = Condition::Equals("paymentId".into(), json!(id));
        match self.table.delete(&keys::payment_lock(application_id), Some(ours)).await {
            Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(other) => Err(other),
        }
    }
}

/// Money that moved, as the applicant's history tells it.
#[derive(Clone, Copy)]
pub(crate) enum MoneyMoved {
    Received,
    Refunded,
}

/// What the applicant's history says of `cents` received or given back, in their language.
pub(crate) fn history_note(moved: MoneyMoved, language: Language, cents: u64) -> String {
    let amount = money(cents, language);
    match (moved, language) {
        (MoneyMoved::Received, Language::En) => format!("Payment received: {amount} CAD"),
        (MoneyMoved::Received, Language::Fr) => format!("Paiement reçu\u{a0}: {amount} CA"),
        (MoneyMoved::Refunded, Language::En) => format!("Refund issued: {amount} CAD"),
        (MoneyMoved::Refunded, Language::Fr) => format!("Remboursement émis\u{a0}: {amount} CA"),
    }
}
