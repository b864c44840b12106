//! Messages: one thread per application between its applicant and the agency's officers, with
//! read receipts on both sides.
//!
//! - `APP#{id}` / `MSG#{messageId}`: a message (ids are version 7 UUIDs, so the thread reads in
//!   order with the case, in the same query);
//! - `USER#{owner}` / `INBOX#{id}`: the applicant's inbox entry for the application — unread
//!   officer messages and the latest message — kept in step in the same transaction as every
//!   message and receipt, so the inbox is one query of the applicant's partition.
//!
//! An officer's message also writes its event (the applicant is notified). The applicant may
//! send at most [`MAX_APPLICANT_MESSAGES_PER_DAY`] messages a day on one application, reserved
//! on a per-day counter (`APP#{id}` / `MSGDAY#{day}`) in the same transaction as the message,
//! so parallel posts cannot pass the limit (A7).

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::application_documents::{Document, Documents};
use crate::audit::Acting;
use crate::events::{Event, EventKind};
use crate::keys;
use crate::limits::{self, DAY_SECONDS};
use crate::paging::{self, PageRequest, Paged};
use crate::table::{Condition, Item, Query, SortKey, StoreError, Table, Update, WriteOp};

/// Longest message body, in characters.
pub const MAX_BODY_CHARS: usize = 5000;
/// Most documents one message may point to.
pub const MAX_REFERENCED_DOCUMENTS: usize = 10;
/// Most messages the applicant may send on one application in a day (UTC).
pub const MAX_APPLICANT_MESSAGES_PER_DAY: i64 = 20;
/// `readAt` of a message nobody on the other side has read yet.
const UNREAD: u64 = 0;

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The applicant sent as many messages today as they may; the next day starts in
    /// `retry_after` seconds.
    #[error("daily message limit reached")]
    DailyLimit {
        /// Seconds until the limit resets.
        retry_after: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One page of an application's thread, newest first.
pub async fn thread(table: &dyn Table, application_id: &str, page: &PageRequest) -> Result<Paged<Message>, StoreError> {
    let query = Query::partition(keys::application_partition(application_id))
        .sort(SortKey::Prefix(keys::MESSAGE_PREFIX.into()))
        .descending();
    paging::read(table, query, page).await
}

/// Which side wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The applicant.
    Applicant,
    /// An agency officer.
    Officer,
}

/// One message of a thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Its id.
    pub id: String,
    /// The application.
    pub application_id: String,
    /// Which side wrote it.
    pub from: Side,
    /// Who wrote it (`sub`).
    pub author: String,
    /// The text.
    pub body: String,
    /// Documents of the same application it points to.
    #[serde(default)]
    pub document_ids: Vec<String>,
    /// When it was sent.
    pub sent_at: u64,
    /// When the other side first read it; 0 while unread.
    pub read_at: u64,
    /// The representative who wrote it for the applicant, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Acting>,
}

/// The latest message of a thread, as the inbox shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Latest {
    /// Its id.
    #[schemars(with = "uuid::Uuid")]
    pub id: String,
    /// Which side wrote it.
    pub from: Side,
    /// When it was sent.
    pub sent_at: u64,
}

/// An applicant's inbox entry for one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboxEntry {
    /// The application.
    #[schemars(with = "uuid::Uuid")]
    pub application_id: String,
    /// Officer messages the applicant has not read.
    pub unread: u64,
    /// The latest message either side wrote.
    pub latest: Latest,
}

/// A message as one side sees it: the whole message for officers and for its own author; an
/// officer's message shown to the applicant is signed by the agency, not by the officer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    /// Its id.
    #[schemars(with = "uuid::Uuid")]
    pub id: String,
    /// The application.
    #[schemars(with = "uuid::Uuid")]
    pub application_id: String,
    /// Which side wrote it.
    pub from: Side,
    /// Who wrote it (`sub`); left out of an officer's message shown to the applicant.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub author: Option<String>,
    /// The text.
    pub body: String,
    /// Documents of the same application it points to.
    #[schemars(with = "Vec<uuid::Uuid>")]
    pub document_ids: Vec<String>,
    /// When it was sent (seconds since the epoch).
    pub sent_at: u64,
    /// When the other side first read it; 0 while unread.
    pub read_at: u64,
    /// The applicant's representative who wrote it, if one did (both sides see who).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub representative: Option<Acting>,
}

impl MessageView {
    /// `message` as a reader on the `reader` side sees it.
    pub fn for_side(message: Message, reader: Side) -> Self {
        let signed_by_the_agency = reader == Side::Applicant && message.from == Side::Officer;
        Self {
            id: message.id,
            application_id: message.application_id,
            from: message.from,
            author: (!signed_by_the_agency).then_some(message.author),
            body: message.body,
            document_ids: message.document_ids,
            sent_at: message.sent_at,
            read_at: message.read_at,
            representative: message.representative,
        }
    }
}

/// A message as its author wrote it, before it is checked.
#[derive(Clone, Debug)]
pub struct Draft {
    /// Which side writes.
    pub from: Side,
    /// Who writes (`sub`).
    pub author: String,
    /// The text.
    pub body: String,
    /// Documents of the same application it points to.
    pub document_ids: Vec<String>,
}

/// Why a message could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// What is wrong with it, as (field, code) pairs (see [`problems`]).
    #[error("the message is not valid")]
    Invalid(Vec<(String, &'static str)>),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Draft {
    /// The message to send on `application_id`'s thread at `at`, if its text is within limits
    /// and every document it points to is the application's own (the application's documents
    /// are read only when it points to some).
    pub async fn compose(self, application_id: &str, documents: &Documents, at: u64) -> Result<Message, ComposeError> {
        let known = if self.document_ids.is_empty() { Vec::new() } else { documents.of(application_id).await? };
        let problems = problems(&self.body, &self.document_ids, &known);
        if !problems.is_empty() {
            return Err(ComposeError::Invalid(problems));
        }
        let body = self.body.trim().to_owned();
        Ok(Message::new(application_id, self.from, &self.author, body, self.document_ids, at))
    }
}

/// Reads and writes threads.
#[derive(Clone)]
pub struct Messages {
    table: Arc<dyn Table>,
}

impl Messages {
    /// Threads kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// One page of an application's thread, newest first.
    pub async fn thread(&self, application_id: &str, page: &PageRequest) -> Result<Paged<Message>, StoreError> {
        thread(self.table.as_ref(), application_id, page).await
    }

    /// One message of a thread.
    pub async fn get(&self, application_id: &str, id: &str) -> Result<Option<Message>, StoreError> {
        self.table.get(&keys::message(application_id, id)).await?.map(|item| item.to_record()).transpose()
    }

    /// Sends a message on the thread of the application `owner` applied with: the message, the
    /// owner's inbox entry and (from an officer) the event telling the owner or (from the
    /// applicant) a place of the day's limit, in one transaction.
    pub async fn send(&self, owner: &str, message: &Message) -> Result<(), SendError> {
        let latest = Latest { id: message.id.clone(), from: message.from, sent_at: message.sent_at };
        let mut inbox = Update::default()
            .set("applicationId", message.application_id.as_str())
            .set("latest", serde_json::to_value(&latest).map_err(|e| StoreError::InvalidRequest(e.to_string()))?);
        inbox = match message.from {
            Side::Officer => inbox.add("unread", 1),
            Side::Applicant => inbox.add("unread", 0),
        };
        let mut ops = vec![
            WriteOp::Put {
                item: Item::from_record(&keys::message(&message.application_id, &message.id), message)?,
                condition: Some(Condition::Absent),
            },
            WriteOp::Update { key: keys::inbox_entry(owner, &message.application_id), update: inbox, condition: None },
        ];
        let day = message.sent_at / DAY_SECONDS;
        match message.from {
            Side::Officer => {
                let event = Event::new(&message.application_id, owner, EventKind::OfficerMessage, message.sent_at);
                ops.push(event.write()?);
            }
            Side::Applicant => {
                let key = keys::messages_on_day(&message.application_id, day);
                ops.push(limits::count_of_day(key, MAX_APPLICANT_MESSAGES_PER_DAY, day));
            }
        }
        let limit_position = ops.len() - 1;
        match self.table.transact_write(ops).await {
            Err(StoreError::TransactionCanceled { failed_conditions })
                if message.from == Side::Applicant && failed_conditions.contains(&limit_position) =>
            {
                Err(SendError::DailyLimit { retry_after: (day + 1) * DAY_SECONDS - message.sent_at })
            }
            other => Ok(other?),
        }
    }

    /// Records that the other side read `message`; `false` when it was already read. An
    /// officer's message read by the applicant leaves the owner's unread count with it.
    pub async fn mark_read(&self, owner: &str, message: &Message, at: u64) -> Result<bool, StoreError> {
        let mut ops = vec![WriteOp::Update {
            key: keys::message(&message.application_id, &message.id),
            update: Update::default().set("readAt", at),
            condition: Some(Condition::Equals("readAt".into(), json!(UNREAD))),
        }];
        if message.from == Side::Officer {
            ops.push(WriteOp::Update {
                key: keys::inbox_entry(owner, &message.application_id),
                update: Update::default().add("unread", -1),
                condition: Some(Condition::Present),
            });
        }
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions == [0] => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Records that `reader`'s side read `message`, when it is the other side's and unread
    /// (reading one's own changes nothing), and gives it as it now stands.
    pub async fn read_by(&self, owner: &str, message: Message, reader: Side, at: u64) -> Result<Message, StoreError> {
        if message.from == reader || message.is_read() {
            return Ok(message);
        }
        let marked = self.mark_read(owner, &message, at).await?;
        Ok(Message { read_at: if marked { at } else { message.read_at }, ..message })
    }

    /// The applicant's inbox: one query of their partition.
    pub async fn inbox(&self, sub: &str) -> Result<Vec<InboxEntry>, StoreError> {
        let query =
            Query::partition(keys::user_partition(sub)).sort(SortKey::Prefix(keys::INBOX_PREFIX.into())).limit(1000);
        self.table.query(query).await?.items.iter().map(Item::to_record).collect()
    }
}

/// What is wrong with a message to send, as (field, code) pairs: the body must be 1 to
/// [`MAX_BODY_CHARS`] characters; referenced documents must be the application's own.
pub fn problems(body: &str, document_ids: &[String], documents: &[Document]) -> Vec<(String, &'static str)> {
    let mut problems = Vec::new();
    let length = body.trim().chars().count();
    if length == 0 {
        problems.push(("body".to_owned(), "required"));
    } else if length > MAX_BODY_CHARS {
        problems.push(("body".to_owned(), "too-long"));
    }
    if document_ids.len() > MAX_REFERENCED_DOCUMENTS {
        problems.push(("documentIds".to_owned(), "too-long"));
    }
    for (i, id) in document_ids.iter().enumerate() {
        if !documents.iter().any(|d| &d.id == id) {
            problems.push((format!("documentIds[{i}]"), "unknown-document"));
        }
    }
    problems
}

impl Message {
    /// A new, unread message.
    pub fn new(
        application_id: &str,
        from: Side,
        author: &str,
        body: String,
        document_ids: Vec<String>,
        at: u64,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: application_id.to_owned(),
            from,
            author: author.to_owned(),
            body,
            document_ids,
            sent_at: at,
            read_at: UNREAD,
            representative: None,
        }
    }

    /// Whether the other side has read it.
    pub fn is_read(&self) -> bool {
        self.read_at != UNREAD
    }
}
