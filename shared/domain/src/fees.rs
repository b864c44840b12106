//! The fees of an application: the type's fees, due before submission, the optional fees of
//! its type an officer adds to the case later (due once added), and which of them are paid.
//!
//! Amounts are integer cents of CAD. Items, in the application's partition, read by one query
//! (sort-key prefix `FEE#`):
//!
//! - `FEE#ADDED#{code}`: a fee an officer added (who, when, the amount of that day);
//! - `FEE#PAID#{code}`: the fee was paid, by which payment; written in the payment's
//!   fulfilment transaction with the condition that it is absent, so a fee is never paid twice.
//!
//! The owner's dashboard line keeps what is due (`USER#{sub}` / `APP#{id}`, `dueCents`), moved
//! by the same transactions, so the dashboard says "payment required" from its one query.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::application_types::{ApplicationType, Fee, Text};
use crate::applications::{Application, WriteError};
use crate::dashboard;
use crate::events::{Event, EventKind};
use crate::ids::PaymentId;
use crate::keys;
use crate::status::Status;
use crate::table::{Condition, Item, Query, SortKey, StoreError, Table, WriteOp, numeric};

/// Where a fee stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FeeState {
    /// Not paid yet.
    Due,
    /// Paid.
    Paid,
}

/// One fee of an application as its parties see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeeLine {
    /// The fee's code in the type's data.
    pub code: String,
    /// What it is, in both languages.
    pub label: Text,
    /// Amount in cents of CAD.
    pub amount_cents: u64,
    /// It must be paid before the application can be submitted.
    pub due_before_submission: bool,
    /// Paid or due.
    pub state: FeeState,
    /// When an officer added it (`null` for the type's own fees).
    pub added_at: Option<u64>,
    /// The payment that paid it.
    #[schemars(with = "Option<PaymentId>")]
    pub payment_id: Option<String>,
}

/// Every fee of an application, with what is paid and what is due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fees {
    /// The fees, the type's first, then those officers added, in the order they were added.
    pub items: Vec<FeeLine>,
    /// Sum of the paid fees, in cents.
    pub paid_cents: u64,
    /// Sum of the fees still due, in cents.
    pub due_cents: u64,
    /// Sum of the fees still due that must be paid before submission, in cents.
    pub due_before_submission_cents: u64,
}

impl Fees {
    /// The fees of `application_type` and those `ledger` holds.
    pub fn new(application_type: &ApplicationType, ledger: &Ledger) -> Self {
        let paid_by = |code: &str| ledger.paid.iter().find(|paid| paid.code == code);
        let line = |fee: &Fee, due_before_submission: bool, added_at: Option<u64>| {
            let paid = paid_by(&fee.code);
            FeeLine {
                code: fee.code.clone(),
                label: fee.label.clone(),
                amount_cents: paid.map_or(fee.amount_cents, |paid| paid.amount_cents),
                due_before_submission,
                state: if paid.is_some() { FeeState::Paid } else { FeeState::Due },
                added_at,
                payment_id: paid.map(|paid| paid.payment_id.clone()),
            }
        };
        let mut added: Vec<&AddedFee> = ledger.added.iter().collect();
        added.sort_by_key(|fee| fee.added_at);
        let items: Vec<FeeLine> = application_type
            .fees
            .iter()
            .map(|fee| line(fee, true, None))
            .chain(added.into_iter().map(|added| {
                let fee =
                    Fee { code: added.code.clone(), amount_cents: added.amount_cents, label: added.label.clone() };
                line(&fee, false, Some(added.added_at))
            }))
            .collect();
        let sum = |keep: &dyn Fn(&FeeLine) -> bool| items.iter().filter(|l| keep(l)).map(|l| l.amount_cents).sum();
        Self {
            paid_cents: sum(&|l| l.state == FeeState::Paid),
            due_cents: sum(&|l| l.state == FeeState::Due),
            due_before_submission_cents: sum(&|l| l.state == FeeState::Due && l.due_before_submission),
            items,
        }
    }

    /// The fees of application `application_id` (of `application_type`) as they stand: one query.
    pub async fn read(
        table: &dyn Table,
        application_type: &ApplicationType,
        application_id: &str,
    ) -> Result<Self, StoreError> {
        Ok(Self::new(application_type, &ledger_of(table, application_id).await?))
    }

    /// The fees still due.
    pub fn due(&self) -> impl Iterator<Item = &FeeLine> {
        self.items.iter().filter(|line| line.state == FeeState::Due)
    }
}

/// A fee an officer added to a case, as stored: its label and amount as they were that day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddedFee {
    /// The fee's code.
    pub code: String,
    /// Amount in cents of CAD.
    pub amount_cents: u64,
    /// What it is.
    pub label: Text,
    /// The officer (`sub`).
    pub added_by: String,
    /// When.
    pub added_at: u64,
}

/// A fee paid, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaidFee {
    /// The fee's code.
    pub code: String,
    /// The amount paid, in cents of CAD.
    pub amount_cents: u64,
    /// The payment.
    pub payment_id: String,
    /// When the payment was confirmed.
    pub paid_at: u64,
}

impl PaidFee {
    /// The write that marks the fee paid: refused if it already is.
    pub fn write(&self, application_id: &str) -> Result<WriteOp, StoreError> {
        let item = Item::from_record(&keys::fee_paid(application_id, &self.code), self)?;
        Ok(WriteOp::Put { item, condition: Some(Condition::Absent) })
    }
}

/// What the table holds about an application's fees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Fees officers added.
    pub added: Vec<AddedFee>,
    /// Fees paid.
    pub paid: Vec<PaidFee>,
}

/// The application's fee items: one query.
pub async fn ledger_of(table: &dyn Table, application_id: &str) -> Result<Ledger, StoreError> {
    let query = Query::partition(keys::application_partition(application_id))
        .sort(SortKey::Prefix(keys::FEE_PREFIX.into()))
        .limit(1000);
    let page = table.query(query).await?;
    let mut ledger = Ledger::default();
    for item in &page.items {
        if item.key().sk.starts_with(keys::FEE_ADDED_PREFIX) {
            ledger.added.push(item.to_record()?);
        } else if item.key().sk.starts_with(keys::FEE_PAID_PREFIX) {
            ledger.paid.push(item.to_record()?);
        }
    }
    Ok(ledger)
}

/// Why an officer's fee was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddFeeError {
    /// The type has no optional fee of this code.
    #[error("unknown fee")]
    UnknownFee,
    /// It was added already.
    #[error("the fee was added already")]
    AlreadyAdded,
    /// A draft or a closed case owes no fee an officer adds.
    #[error("no fee can be added in this status")]
    InvalidState,
    /// The application changed since the officer read it, or the store failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl From<StoreError> for AddFeeError {
    fn from(error: StoreError) -> Self {
        AddFeeError::Write(error.into())
    }
}

/// Adds the type's optional fee `code` to a case, if the application is still at
/// `expected_version`: the fee, the dashboard's amount due and the applicant's event are one
/// transaction. Returns the fee added.
pub async fn add(
    table: &dyn Table,
    application: &Application,
    application_type: &ApplicationType,
    code: &str,
    officer: &str,
    expected_version: u64,
    at: u64,
) -> Result<AddedFee, AddFeeError> {
    let fee = application_type.optional_fee(code).ok_or(AddFeeError::UnknownFee)?;
    if matches!(application.status, Status::Draft | Status::Withdrawn | Status::Closed) {
        return Err(AddFeeError::InvalidState);
    }
    if application.version != expected_version {
        return Err(WriteError::Conflict { current_version: application.version }.into());
    }
    let added = AddedFee {
        code: fee.code.clone(),
        amount_cents: fee.amount_cents,
        label: fee.label.clone(),
        added_by: officer.to_owned(),
        added_at: at,
    };
    let cents = numeric(fee.amount_cents)?;
    let mut ops = vec![
        WriteOp::Check {
            key: keys::application(&application.id),
            condition: Condition::Equals("version".into(), json!(expected_version)),
        },
        WriteOp::Put {
            item: Item::from_record(&keys::fee_added(&application.id, code), &added)?,
            condition: Some(Condition::Absent),
        },
    ];
    if !application.owner.is_empty() {
        ops.push(dashboard::due_change(&application.owner, &application.id, cents));
        ops.push(Event::new(&application.id, &application.owner, EventKind::FeeAdded, at).write()?);
    }
    match table.transact_write(ops).await {
        Ok(()) => Ok(added),
        Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
            let current = table.get(&keys::application(&application.id)).await?;
            let current_version = current.map(|item| item.to_record::<Application>()).transpose()?;
            Err(WriteError::Conflict { current_version: current_version.map_or(expected_version, |a| a.version) }
                .into())
        }
        Err(StoreError::TransactionCanceled { .. }) => Err(AddFeeError::AlreadyAdded),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application_types::Catalog;

    #[test]
    fn a_new_draft_owes_the_type_s_fees_and_nothing_an_officer_may_add() {
        let catalog = Catalog::load().expect("catalog");
        let pr = catalog.get("permanent-residence-express-entry").expect("type");
        let fees = Fees::new(pr, &Ledger::default());
        assert_eq!(fees.items.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(), ["processing", "biometrics"]);
        assert_eq!((fees.due_cents, fees.due_before_submission_cents, fees.paid_cents), (103_500, 103_500, 0));
        assert!(pr.optional_fee("right-of-permanent-residence").is_some_and(|fee| fee.amount_cents == 57_500));
    }

    #[test]
    fn paid_and_added_fees_move_the_sums() {
        let catalog = Catalog::load().expect("catalog");
        let pr = catalog.get("permanent-residence-express-entry").expect("type");
        let rprf = pr.optional_fee("right-of-permanent-residence").expect("fee");
        let ledger = Ledger {
            added: vec![AddedFee {
                code: rprf.code.clone(),
                amount_cents: rprf.amount_cents,
                label: rprf.label.clone(),
                added_by: "officer".into(),
                added_at: 50,
            }],
            paid: vec![
                PaidFee { code: "processing".into(), amount_cents: 95_000, payment_id: "p1".into(), paid_at: 10 },
                PaidFee { code: "biometrics".into(), amount_cents: 8_500, payment_id: "p1".into(), paid_at: 10 },
            ],
        };
        let fees = Fees::new(pr, &ledger);
        assert_eq!((fees.paid_cents, fees.due_cents, fees.due_before_submission_cents), (103_500, 57_500, 0));
        assert_eq!(
            fees.due().map(|l| (l.code.as_str(), l.added_at)).collect::<Vec<_>>(),
            [("right-of-permanent-residence", Some(50))]
        );
        assert_eq!(fees.items[0].payment_id.as_deref(), Some("p1"));
    }
}
