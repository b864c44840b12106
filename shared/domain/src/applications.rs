//! Applications and their history, in the single table.
//!
//! - `APP#{id}` / `APP`: the application (owner, type, status, version, form data, number);
//! - `APP#{id}` / `HIST#{at}#{seq}`: the append-only history, one entry per status change;
//! - `USER#{owner}` / `APP#{id}`: the owner's dashboard summary, kept in step in the same
//!   transaction as every change, so the dashboard is one query;
//! - `APPNO#{number}` / `APPNO`: the number's reservation, so no two applications share one.
//!
//! Every write carries an optimistic version check: two writers racing → one wins, the other
//! gets `Conflict` (D2).

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::application_documents::{self, Document, DocumentAsk, DocumentRequest};
use crate::application_types::ApplicationType;
use crate::dashboard;
use crate::events::{Event, EventKind};
use crate::fees::{self, Ledger};
use crate::ids::{ApplicationId, ApplicationNumber, TypeCode};
use crate::keys;
use crate::messages::{self, Message};
use crate::paging::{self, PageRequest, Paged};
use crate::representatives::{Grant, Scope};
use crate::statements::Consent;
use crate::status::{Actor, Command, NotAllowed, Status};
use crate::table::{Condition, Index, Item, Query, SortKey, StoreError, Table, WriteOp, numeric};

/// An application as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Its id.
    #[schemars(with = "ApplicationId")]
    pub id: String,
    /// The applicant's `sub` (empty for a paper application nobody has linked yet).
    pub owner: String,
    /// The application type's code.
    #[serde(rename = "type")]
    #[schemars(with = "TypeCode")]
    pub type_code: String,
    /// Where it stands.
    pub status: Status,
    /// Incremented by every write; saves name the version they started from.
    pub version: u64,
    /// The form data: field id (of the type's form) → value. Free-form here because each type
    /// has its own fields; the type's form in `GET /api/application-types` says what each holds.
    pub data: Map<String, Value>,
    /// The application number, given at submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<ApplicationNumber>")]
    pub number: Option<String>,
    /// When it was submitted (processing time runs from here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<u64>,
    /// Created (seconds since the epoch).
    pub created_at: u64,
    /// Last changed.
    pub updated_at: u64,
    /// Who represents the applicant on it: accepted grants (one past its last day counts for
    /// nothing, and goes with the next change of grants).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub representatives: Vec<Grant>,
    /// The declaration the applicant signed when submitting (none before, or on paper).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration: Option<Consent>,
}

/// A line of the officers' queue: the application item read through the index, without its
/// form data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    /// The application's id.
    #[schemars(with = "ApplicationId")]
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    #[schemars(with = "TypeCode")]
    pub type_code: String,
    /// Where it stands.
    pub status: Status,
    /// Its number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<ApplicationNumber>")]
    pub number: Option<String>,
    /// Last change.
    pub updated_at: u64,
}

/// A line of the owner's dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The application's id.
    #[schemars(with = "ApplicationId")]
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    #[schemars(with = "TypeCode")]
    pub type_code: String,
    /// Where it stands.
    pub status: Status,
    /// Its number, once submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<ApplicationNumber>")]
    pub number: Option<String>,
    /// Last change.
    pub updated_at: u64,
    /// The applicant has something to do (a draft to finish, documents to send).
    pub action_required: bool,
    /// A fee is due (what the owner's line says is owed, moved by the fee and payment writes).
    #[serde(default)]
    pub payment_required: bool,
    /// On a representative's dashboard: whom they represent on it, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<Client>,
}

/// Whom a representative's dashboard line is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    /// The applicant's name.
    pub name: String,
    /// What the representative may do.
    pub scope: Scope,
    /// The grant's last day, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub ends_on: Option<String>,
    /// The firm the representative holds the grant through, if any (its id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<uuid::Uuid>")]
    pub firm: Option<String>,
}

/// One status change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// When (seconds since the epoch).
    pub at: u64,
    /// Who (`sub`).
    pub actor: String,
    /// As `applicant` or `officer`.
    #[schemars(with = "Actor")]
    pub role: String,
    /// From which status.
    pub from: Status,
    /// To which status.
    pub to: Status,
    /// Why (officers' reasons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the applicant is told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_to_applicant: Option<String>,
}

/// Items of each list in the case view's first pages (the rest through their own routes).
const CASE_PREVIEW_ITEMS: u32 = 20;
/// Bytes of each of those first pages: two of them, the documents (at most the cap, a few
/// hundred bytes each), the requests and the application item (DynamoDB's 400 KB at most) stay
/// far below Lambda's 6 MB.
const CASE_PREVIEW_BYTES: usize = 200_000;

/// An application with the first page of each of its lists.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The application.
    pub application: Application,
    /// The first page of its history, oldest first.
    pub history: Paged<HistoryEntry>,
    /// Its documents (bounded by the cap, so all of them).
    pub documents: Vec<Document>,
    /// Officers' requests for documents.
    pub requests: Vec<DocumentRequest>,
    /// The first page of the thread with the agency, newest first.
    pub messages: Paged<Message>,
    /// What the table holds of its fees.
    pub fees: Ledger,
}

/// A status change to record.
#[derive(Clone, Debug)]
pub struct Change<'a> {
    /// What is asked.
    pub command: Command,
    /// Who asks (`sub`).
    pub actor: &'a str,
    /// Why.
    pub reason: Option<String>,
    /// What the applicant is told.
    pub note_to_applicant: Option<String>,
    /// The version the change was decided on.
    pub expected_version: u64,
    /// The number to give the application (at submission).
    pub number: Option<String>,
    /// The declaration signed (at submission).
    pub declaration: Option<Consent>,
    /// Now.
    pub at: u64,
    /// Items written in the same transaction (what the change is about: document requests...).
    pub also: Vec<WriteOp>,
}

impl<'a> Change<'a> {
    /// `command` by `actor` on the version it was decided on, with nothing else said or attached.
    pub fn new(command: Command, actor: &'a str, expected_version: u64, at: u64) -> Self {
        Self {
            command,
            actor,
            reason: None,
            note_to_applicant: None,
            expected_version,
            number: None,
            declaration: None,
            at,
            also: Vec::new(),
        }
    }
}

/// An officer's decision: the status to move the application to, why, and what its applicant
/// is told.
#[derive(Clone, Debug)]
pub struct Decision<'a> {
    /// The status to move to.
    pub to: Status,
    /// The officer (`sub`).
    pub officer: &'a str,
    /// Why (internal to the agency).
    pub reason: String,
    /// What the applicant is told.
    pub note_to_applicant: Option<String>,
    /// The version the decision was made on.
    pub expected_version: u64,
    /// Now.
    pub at: u64,
}

/// Longest reason or note an officer writes.
pub const MAX_TEXT_CHARS: usize = 2000;

/// An officer's optional text (a note, a reason), trimmed: `None` when blank, `too-long` past
/// [`MAX_TEXT_CHARS`].
pub fn optional_text(text: Option<&str>) -> Result<Option<String>, &'static str> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) if text.chars().count() > MAX_TEXT_CHARS => Err("too-long"),
        text => Ok(text.map(str::to_owned)),
    }
}

/// An officer's required text (a decision's reason), trimmed: `required` when blank.
pub fn required_text(text: &str) -> Result<String, &'static str> {
    optional_text(Some(text))?.ok_or("required")
}

/// Draws of a fresh application number before giving up (each clash is one in a billion).
const NUMBER_DRAWS: usize = 3;

/// A fresh application number: the type's letter and nine random digits.
fn draw_number(prefix: char) -> String {
    // A v4 UUID holds 122 random bits from the system's generator.
    format!("{prefix}{:09}", uuid::Uuid::new_v4().as_u128() % 1_000_000_000)
}

const SECONDS_PER_DAY: f64 = 86_400.0;

/// How long one decided application took, from submission to decision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
struct DecidedIn {
    days: f64,
}

/// A processing-time estimate of one application type.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    /// Half of the decided applications took at most this many days.
    pub median_days: f64,
    /// Four in five took at most this many days.
    pub p80_days: f64,
    /// How many decided applications the estimate rests on.
    pub sample_size: usize,
}

/// The estimate of a set of processing times (nearest-rank percentiles), if there are any.
pub fn estimate(mut days: Vec<f64>) -> Option<Estimate> {
    if days.is_empty() {
        return None;
    }
    days.sort_by(f64::total_cmp);
    let rank = |p: f64| days[((p * days.len() as f64).ceil() as usize).clamp(1, days.len()) - 1];
    Some(Estimate { median_days: rank(0.5), p80_days: rank(0.8), sample_size: days.len() })
}

/// The field of every application type that holds the applicant's date of birth.
pub const DATE_OF_BIRTH_FIELD: &str = "dateOfBirth";

/// Who a paper application belongs to, as printed on it: what a person must know to link it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaperHolder {
    /// The application it opens.
    pub id: String,
    /// Family name, compared trimmed and case-insensitively.
    pub family_name: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: String,
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Someone else changed the application first; here is its current version.
    #[error("the application changed: it is at version {current_version}")]
    Conflict {
        /// The version to reload.
        current_version: u64,
    },
    /// No command of the writer's leads from the application's status to the one asked.
    #[error("no step leads from {from:?} to {to:?}")]
    Unreachable {
        /// The current status.
        from: Status,
        /// The status asked for.
        to: Status,
    },
    /// The status does not allow it.
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    /// Only drafts can be edited.
    #[error("only a draft can be edited")]
    NotADraft,
    /// The number is taken (astronomically rare: draw another).
    #[error("the application number is taken")]
    NumberTaken,
    /// A draft with documents is not deleted: they are removed one by one first (their files
    /// with them).
    #[error("the draft holds documents")]
    DraftHoldsDocuments,
    /// A draft with a payment is not deleted: the payment stays on record with its application.
    #[error("the draft holds a payment")]
    DraftHoldsPayments,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn role(actor: Actor) -> &'static str {
    match actor {
        Actor::Applicant => "applicant",
        Actor::Officer => "officer",
    }
}

/// `Conflict` unless the application is still at the version a writer decided on.
fn unchanged_since(application: &Application, expected_version: u64) -> Result<(), WriteError> {
    match application.version {
        current_version if current_version != expected_version => Err(WriteError::Conflict { current_version }),
        _ => Ok(()),
    }
}

/// Whether the applicant has something to do in this status.
pub fn action_required(status: Status) -> bool {
    matches!(status, Status::Draft | Status::BiometricsRequested | Status::DocumentsRequested)
}

impl Application {
    pub(crate) fn summary(&self) -> Summary {
        Summary {
            id: self.id.clone(),
            type_code: self.type_code.clone(),
            status: self.status,
            number: self.number.clone(),
            updated_at: self.updated_at,
            action_required: action_required(self.status),
            payment_required: false,
            client: None,
        }
    }

    /// The grant `sub` holds on it at `now`, if any.
    pub fn grant_of(&self, sub: &str, now: u64) -> Option<&Grant> {
        self.representatives.iter().find(|grant| grant.user_id == sub && grant.holds_at(now))
    }

    /// The item, placed in the officers' queue index by status, then type and age.
    fn item(&self) -> Result<Item, StoreError> {
        Ok(Item::from_record(&keys::application(&self.id), self)?.with_index_keys(
            Index::Gsi1,
            keys::queue(self.status),
            keys::queue_position(&self.type_code, self.updated_at, &self.id),
        ))
    }
}

/// Reads and writes applications.
#[derive(Clone)]
pub struct Applications {
    table: Arc<dyn Table>,
}

impl Applications {
    /// Applications kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// Starts a draft of the given type for `owner`.
    pub async fn create_draft(
        &self,
        owner: &str,
        application_type: &ApplicationType,
        id: String,
        at: u64,
    ) -> Result<Application, StoreError> {
        let application = Application {
            id,
            owner: owner.to_owned(),
            type_code: application_type.code.clone(),
            status: Status::Draft,
            version: 1,
            data: Map::new(),
            number: None,
            submitted_at: None,
            created_at: at,
            updated_at: at,
            representatives: Vec::new(),
            declaration: None,
        };
        let due = numeric(application_type.fees.iter().map(|fee| fee.amount_cents).sum::<u64>())?;
        let line = dashboard::line(owner, &application.summary(), due)?;
        self.table
            .transact_write(vec![
                WriteOp::Put { item: application.item()?, condition: Some(Condition::Absent) },
                WriteOp::Put { item: line, condition: Some(Condition::Absent) },
            ])
            .await?;
        Ok(application)
    }

    /// The application item alone: what every write decides on (never the whole partition).
    pub async fn get(&self, id: &str) -> Result<Option<Application>, StoreError> {
        self.table.get(&keys::application(id)).await?.map(|item| item.to_record()).transpose()
    }

    /// One page of the application's history, oldest first.
    pub async fn history(&self, id: &str, page: &PageRequest) -> Result<Paged<HistoryEntry>, StoreError> {
        let query =
            Query::partition(keys::application_partition(id)).sort(SortKey::Prefix(keys::HISTORY_PREFIX.into()));
        paging::read(self.table.as_ref(), query, page).await
    }

    /// The case view: the application with a bounded first page of its history and thread, its
    /// documents (at most the cap) and document requests, read concurrently.
    pub async fn case(&self, id: &str) -> Result<Option<Case>, StoreError> {
        let table = self.table.as_ref();
        let preview = PageRequest::preview(CASE_PREVIEW_ITEMS, CASE_PREVIEW_BYTES);
        let (application, history, documents, requests, messages, fees) = futures::try_join!(
            self.get(id),
            self.history(id, &preview),
            application_documents::documents_of(table, id),
            application_documents::requests_of(table, id),
            messages::thread(table, id, &preview),
            fees::ledger_of(table, id),
        )?;
        Ok(application.map(|application| Case { application, history, documents, requests, messages, fees }))
    }

    /// Records an application that was filed on paper (with its number and status) so that its
    /// applicant can link it to their account; it has no owner until then.
    pub async fn import_paper(&self, application: &Application, holder: &PaperHolder) -> Result<(), WriteError> {
        let number = application.number.as_deref().ok_or(WriteError::NotADraft)?;
        let number_reservation = Item::from_record(&keys::application_number(number), &json!({"id": application.id}))?;
        let result = self
            .table
            .transact_write(vec![
                WriteOp::Put { item: application.item()?, condition: Some(Condition::Absent) },
                WriteOp::Put { item: number_reservation, condition: Some(Condition::Absent) },
                WriteOp::Put {
                    item: Item::from_record(&keys::paper_holder(number), holder)?,
                    condition: Some(Condition::Absent),
                },
            ])
            .await;
        match result {
            Err(StoreError::TransactionCanceled { .. }) => Err(WriteError::NumberTaken),
            other => Ok(other?),
        }
    }

    /// Links a paper application to `owner` when the number, family name and date of birth all
    /// match; `None` when anything does not (without saying what). `number` is as the caller
    /// typed it: one that is not a well-formed number matches nothing (and reaches no key).
    pub async fn link_paper(
        &self,
        number: &str,
        family_name: &str,
        date_of_birth: &str,
        owner: &str,
        at: u64,
    ) -> Result<Option<Application>, WriteError> {
        let Ok(number) = ApplicationNumber::parse(number) else { return Ok(None) };
        let Some(holder) = self.table.get(&keys::paper_holder(&number)).await? else { return Ok(None) };
        let holder: PaperHolder = holder.to_record()?;
        if !same_name(&holder.family_name, family_name) || holder.date_of_birth != date_of_birth.trim() {
            return Ok(None);
        }
        let Some(mut linked) = self.get(&holder.id).await? else { return Ok(None) };
        linked.owner = owner.to_owned();
        // A paper application has no answers online; the date of birth its applicant proved
        // knowing stays on it, as the one detail a lost authenticator's owner may be asked.
        linked.data.insert(DATE_OF_BIRTH_FIELD.into(), Value::String(holder.date_of_birth.clone()));
        linked.version += 1;
        linked.updated_at = at;
        let line = dashboard::line(owner, &linked.summary(), 0)?;
        let result = self
            .table
            .transact_write(vec![
                WriteOp::Put { item: linked.item()?, condition: Some(Condition::Equals("owner".into(), json!(""))) },
                WriteOp::Put { item: line, condition: None },
                WriteOp::Delete { key: keys::paper_holder(&number), condition: Some(Condition::Present) },
            ])
            .await;
        match result {
            // Linked by someone else a moment ago.
            Err(StoreError::TransactionCanceled { .. }) => Ok(None),
            other => other.map(|()| Some(linked)).map_err(WriteError::from),
        }
    }

    /// Whether `owner` holds the application numbered `number` (as typed) and its applicant's
    /// date of birth is `date_of_birth`: what the owner of a lost authenticator proves knowing.
    pub async fn owned_with_birth_date(
        &self,
        owner: &str,
        number: &str,
        date_of_birth: &str,
    ) -> Result<bool, StoreError> {
        let Ok(number) = ApplicationNumber::parse(number) else { return Ok(false) };
        let Some(reservation) = self.table.get(&keys::application_number(&number)).await? else { return Ok(false) };
        let Some(id) = reservation.get("id").and_then(Value::as_str) else { return Ok(false) };
        let Some(application) = self.get(id).await? else { return Ok(false) };
        let birth_date = application.data.get(DATE_OF_BIRTH_FIELD).and_then(Value::as_str);
        Ok(!owner.is_empty() && application.owner == owner && birth_date == Some(date_of_birth.trim()))
    }

    /// The processing-time estimate of a type, from its most recent decisions (up to 1000).
    pub async fn processing_time(&self, type_code: &str) -> Result<Option<Estimate>, StoreError> {
        let query = Query::partition(keys::decisions_partition(type_code)).descending().limit(1000);
        let page = self.table.query(query).await?;
        let days =
            page.items.iter().map(|item| item.to_record::<DecidedIn>().map(|d| d.days)).collect::<Result<_, _>>()?;
        Ok(estimate(days))
    }

    /// One page of the officers' queue of a status, optionally of one type, oldest change first
    /// (first come, first served): one query of the index.
    pub async fn queue(
        &self,
        status: Status,
        type_code: Option<&str>,
        page: &PageRequest,
    ) -> Result<Paged<QueueEntry>, StoreError> {
        let mut query = Query::index(Index::Gsi1, keys::queue(status));
        if let Some(type_code) = type_code {
            query = query.sort(SortKey::Prefix(format!("{type_code}#")));
        }
        paging::read(self.table.as_ref(), query, page).await
    }

    /// One page of the caller's dashboard at `now`: their applications and those they represent,
    /// action required first, then newest change first (see [`dashboard`]): one query.
    pub async fn dashboard(&self, reader: &str, now: u64, page: &PageRequest) -> Result<Paged<Summary>, StoreError> {
        dashboard::page(self.table.as_ref(), reader, now, page).await
    }

    /// Every line of the caller's dashboard (see [`dashboard::every_line`]): for what covers all
    /// of someone's applications, never for the dashboard's own answer.
    pub async fn every_dashboard_line(&self, reader: &str, now: u64) -> Result<Vec<Summary>, StoreError> {
        dashboard::every_line(self.table.as_ref(), reader, now).await
    }

    /// Saves form data into a draft, if nobody saved since `expected_version`.
    pub async fn save_form(
        &self,
        application: &Application,
        data: Map<String, Value>,
        expected_version: u64,
        at: u64,
    ) -> Result<Application, WriteError> {
        unchanged_since(application, expected_version)?;
        if application.status != Status::Draft {
            return Err(WriteError::NotADraft);
        }
        let mut saved = application.clone();
        saved.data = data;
        saved.version = expected_version + 1;
        saved.updated_at = at;
        let guard = Condition::All(vec![
            Condition::Equals("version".into(), json!(expected_version)),
            Condition::Equals("status".into(), json!(Status::Draft)),
        ]);
        self.write(&saved, guard, expected_version, Vec::new(), None).await?;
        Ok(saved)
    }

    /// Submits a draft, with the declaration its applicant signed, under a fresh number of its
    /// type (`number_prefix`): drawn again in the astronomically rare case it is taken.
    pub async fn submit(
        &self,
        application: &Application,
        actor: &str,
        number_prefix: char,
        declaration: Consent,
        at: u64,
    ) -> Result<Application, WriteError> {
        for _ in 0..NUMBER_DRAWS {
            let number = Some(draw_number(number_prefix));
            let declaration = Some(declaration.clone());
            let change = Change { number, declaration, ..Change::new(Command::Submit, actor, application.version, at) };
            match self.change_status(application, change).await {
                Err(WriteError::NumberTaken) => continue,
                other => return other,
            }
        }
        Err(WriteError::NumberTaken)
    }

    /// Deletes a draft its owner no longer wants: the application and its dashboard lines go in
    /// one transaction that holds only while it is still this version of a draft with no
    /// document and no payment (an upload or a checkout starting meanwhile wins); the rest of
    /// its partition (history, messages, invitations, counters), unreachable from then on, is
    /// removed after.
    pub async fn delete_draft(&self, application: &Application) -> Result<(), WriteError> {
        if application.status != Status::Draft {
            return Err(WriteError::NotADraft);
        }
        let holds = |prefix: &str| {
            let query =
                Query::partition(keys::application_partition(&application.id)).sort(SortKey::Prefix(prefix.into()));
            async move { Ok::<_, StoreError>(!self.table.query(query.limit(1)).await?.items.is_empty()) }
        };
        let (documents, payments) = futures::try_join!(holds(keys::DOCUMENT_PREFIX), holds(keys::PAYMENT_PREFIX))?;
        if documents {
            return Err(WriteError::DraftHoldsDocuments);
        }
        if payments {
            return Err(WriteError::DraftHoldsPayments);
        }
        let guard = Condition::All(vec![
            Condition::Equals("version".into(), json!(application.version)),
            Condition::Equals("status".into(), json!(Status::Draft)),
        ]);
        let owners = std::iter::once(&application.owner).chain(application.representatives.iter().map(|g| &g.user_id));
        let mut ops = vec![
            WriteOp::Delete { key: keys::application(&application.id), condition: Some(guard) },
            // No document recorded meanwhile (each one reserves its place on this counter first).
            WriteOp::Delete {
                key: keys::document_count(&application.id),
                condition: Some(Condition::Below("count".into(), 1)),
            },
            WriteOp::Check { key: keys::payment_lock(&application.id), condition: Condition::Absent },
            WriteOp::Delete { key: keys::inbox_entry(&application.owner, &application.id), condition: None },
        ];
        ops.extend(
            owners.map(|sub| WriteOp::Delete { key: keys::dashboard_entry(sub, &application.id), condition: None }),
        );
        match self.table.transact_write(ops).await {
            Ok(()) => {}
            Err(StoreError::TransactionCanceled { failed_conditions }) => {
                let current = self.get(&application.id).await?;
                return match (failed_conditions.as_slice(), current) {
                    // Deleted by a request of the same owner meanwhile: what was asked is done.
                    (_, None) => Ok(()),
                    ([1, ..], _) => Err(WriteError::DraftHoldsDocuments),
                    ([2, ..], _) => Err(WriteError::DraftHoldsPayments),
                    (_, Some(current)) => Err(WriteError::Conflict { current_version: current.version }),
                };
            }
            Err(other) => return Err(other.into()),
        }
        // Page by page: each page's deletes are one transaction (a page holds at most 100).
        let mut after = None;
        loop {
            let query = Query::partition(keys::application_partition(&application.id)).after(after);
            let page = self.table.query(query).await?;
            let deletes: Vec<WriteOp> =
                page.items.iter().map(|item| WriteOp::Delete { key: item.key(), condition: None }).collect();
            if !deletes.is_empty() {
                self.table.transact_write(deletes).await?;
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(())
    }

    /// The applicant withdraws the application (before a decision).
    pub async fn withdraw(&self, application: &Application, actor: &str, at: u64) -> Result<Application, WriteError> {
        self.change_status(application, Change::new(Command::Withdraw, actor, application.version, at)).await
    }

    /// An officer's decision: the step that leads to `decision.to`, if one does (asking for
    /// documents goes through [`Self::request_documents`], which says which ones).
    pub async fn decide(&self, application: &Application, decision: Decision<'_>) -> Result<Application, WriteError> {
        unchanged_since(application, decision.expected_version)?;
        let (from, to) = (application.status, decision.to);
        let command = from.officer_command_to(to).ok_or(WriteError::Unreachable { from, to })?;
        let change = Change {
            reason: Some(decision.reason),
            note_to_applicant: decision.note_to_applicant,
            ..Change::new(command, decision.officer, decision.expected_version, decision.at)
        };
        self.change_status(application, change).await
    }

    /// An officer asks the applicant for documents by a due date: the requests, the move to
    /// `documents_requested` and its history entry are one transaction. Each request notes the
    /// documents of its kind already sent, which do not answer it.
    pub async fn request_documents(
        &self,
        application: &Application,
        ask: &DocumentAsk,
        officer: &str,
        expected_version: u64,
        at: u64,
    ) -> Result<Application, WriteError> {
        unchanged_since(application, expected_version)?;
        let documents = application_documents::documents_of(self.table.as_ref(), &application.id).await?;
        let requests = ask.requests(&documents, officer, at);
        let also = requests.iter().map(|request| request.write(&application.id)).collect::<Result<_, _>>()?;
        let change = Change {
            reason: Some(format!("documents requested: {}", ask.kinds().join(", "))),
            also,
            ..Change::new(Command::RequestDocuments, officer, expected_version, at)
        };
        self.change_status(application, change).await
    }

    /// Applies a status change with its history entry, in one transaction.
    pub async fn change_status(
        &self,
        application: &Application,
        change: Change<'_>,
    ) -> Result<Application, WriteError> {
        unchanged_since(application, change.expected_version)?;
        let to = application.status.apply(change.command)?;
        let mut changed = application.clone();
        changed.status = to;
        changed.version = change.expected_version + 1;
        changed.updated_at = change.at;
        if change.number.is_some() {
            changed.number = change.number.clone();
        }
        if change.declaration.is_some() {
            changed.declaration = change.declaration.clone();
        }
        if to == Status::Submitted {
            changed.submitted_at = Some(change.at);
        }
        let entry = HistoryEntry {
            at: change.at,
            actor: change.actor.to_owned(),
            role: role(change.command.actor()).to_owned(),
            from: application.status,
            to,
            reason: change.reason,
            note_to_applicant: change.note_to_applicant,
        };
        let mut attached = vec![WriteOp::Put {
            item: Item::from_record(&keys::history_entry(&application.id, change.at, changed.version), &entry)?,
            condition: Some(Condition::Absent),
        }];
        attached.extend(change.also);
        // The applicant hears of every change (a paper application has no one to tell until linked).
        if !application.owner.is_empty() {
            let event = Event::new(&application.id, &application.owner, EventKind::StatusChanged { to }, change.at);
            attached.push(event.write()?);
        }
        // A decision feeds the processing-time estimates of its type.
        if let (Status::Approved | Status::Refused, Some(submitted_at)) = (to, application.submitted_at) {
            let days = change.at.saturating_sub(submitted_at) as f64 / SECONDS_PER_DAY;
            let key = keys::decision(&application.type_code, change.at, &application.id);
            attached.push(WriteOp::Put { item: Item::from_record(&key, &DecidedIn { days })?, condition: None });
        }
        let number = match &change.number {
            Some(number) => Some(WriteOp::Put {
                item: Item::from_record(&keys::application_number(number), &json!({"id": application.id}))?,
                condition: Some(Condition::Absent),
            }),
            None => None,
        };
        let guard = Condition::All(vec![
            Condition::Equals("version".into(), json!(change.expected_version)),
            Condition::Equals("status".into(), json!(application.status)),
        ]);
        self.write(&changed, guard, change.expected_version, attached, number).await?;
        Ok(changed)
    }

    /// The writes of a changed application (first, under `guard`) and of its dashboard lines:
    /// its owner's and each representative's.
    pub(crate) fn change_ops(&self, application: &Application, guard: Condition) -> Result<Vec<WriteOp>, StoreError> {
        let summary = application.summary();
        let mut ops = vec![WriteOp::Put { item: application.item()?, condition: Some(guard) }];
        // A paper application nobody has linked yet is on no one's dashboard.
        if !application.owner.is_empty() {
            ops.push(dashboard::update_owner_line(&application.owner, &summary)?);
        }
        for grant in &application.representatives {
            let client = Client {
                name: grant.client_name.clone(),
                scope: grant.scope,
                ends_on: grant.ends_on.clone(),
                firm: grant.firm.as_ref().map(|firm| firm.id.clone()),
            };
            let line = Summary { client: Some(client), ..summary.clone() };
            ops.push(WriteOp::Put { item: dashboard::line(&grant.user_id, &line, 0)?, condition: None });
        }
        Ok(ops)
    }

    /// Writes the application and its dashboard lines, with the `attached` items (history,
    /// event, decision, what the change is about) and a number reservation when given, in one
    /// transaction.
    async fn write(
        &self,
        application: &Application,
        guard: Condition,
        expected_version: u64,
        attached: Vec<WriteOp>,
        number: Option<WriteOp>,
    ) -> Result<(), WriteError> {
        let mut ops = self.change_ops(application, guard)?;
        ops.extend(attached);
        let number_position = number.as_ref().map(|_| ops.len());
        ops.extend(number);
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(()),
            Err(StoreError::TransactionCanceled { failed_conditions }) => {
                let version_held = !failed_conditions.contains(&0);
                let number_taken = number_position.is_some_and(|p| failed_conditions.contains(&p));
                if version_held && number_taken {
                    return Err(WriteError::NumberTaken);
                }
                // Someone else wrote first: the version to reload is theirs.
                let current = self.get(&application.id).await?;
                Err(WriteError::Conflict { current_version: current.map_or(expected_version, |a| a.version) })
            }
            Err(other) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn officers_texts_are_trimmed_and_bounded() {
        assert_eq!(optional_text(Some("  a note ")), Ok(Some("a note".into())));
        assert_eq!(optional_text(Some(" \n ")), Ok(None));
        assert_eq!(
            optional_text(Some(&"é".repeat(MAX_TEXT_CHARS))).map(|t| t.map(|t| t.chars().count())),
            Ok(Some(2000))
        );
        assert_eq!(optional_text(Some(&"é".repeat(MAX_TEXT_CHARS + 1))), Err("too-long"));
        assert_eq!(required_text("  "), Err("required"));
    }

    #[test]
    fn numbers_are_the_type_s_letter_and_nine_digits() {
        for _ in 0..100 {
            assert!(ApplicationNumber::parse(&draw_number('V')).is_ok_and(|number| number.prefix() == 'V'));
        }
    }

    #[test]
    fn estimates_use_nearest_rank_percentiles() {
        assert_eq!(estimate(Vec::new()), None);
        let days = vec![30.0, 10.0, 20.0, 50.0, 40.0];
        assert_eq!(estimate(days), Some(Estimate { median_days: 30.0, p80_days: 40.0, sample_size: 5 }));
        assert_eq!(estimate(vec![7.0]), Some(Estimate { median_days: 7.0, p80_days: 7.0, sample_size: 1 }));
    }
}
