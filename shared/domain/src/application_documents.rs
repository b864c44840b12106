//! Documents attached to an application (`APP#{id}` / `DOC#{docId}`), their verification state,
//! and the checklist they fill.
//!
//! A document is `pending` from the moment its upload is signed; the verification of the stored
//! file makes it `verified` or `quarantined` exactly once (a redelivered event changes nothing);
//! an officer then `accepted` or `rejected` a verified one.
//!
//! Officers ask for more with document requests (`APP#{id}` / `REQ#{requestId}`): a request is
//! open until a document of its kind, other than those already sent when it was made, is
//! verified or accepted.
//!
//! Files live under server-chosen keys: `quarantine/{applicationId}/{documentId}` from upload
//! until verified, then `documents/{applicationId}/{documentId}`; only the latter is ever served.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::application_types::{ApplicationType, is_date};
use crate::applications::{Application, optional_text};
use crate::blobs::UploadRequest;
use crate::clock::utc_date;
use crate::dashboard;
use crate::events::{Event, EventKind};
use crate::files::{FileKind, MAX_UPLOAD_BYTES, QuarantineReason, sanitize_file_name};
use crate::ids::{ApplicationId, DocumentId};
use crate::keys;
use crate::paging::{self, PageRequest, Paged};
use crate::status::Status;
use crate::table::{Condition, Item, Query, SortKey, StoreError, Table, Update, WriteOp};

/// Most documents one application may hold (replacements included; a removed one gives its
/// place back). Reserved on the application's document count in the same transaction as the
/// document, so parallel declarations cannot pass it (A7).
pub const MAX_DOCUMENTS: i64 = 100;
/// Most document requests read with a case (officers ask for at most 20 kinds at once).
const MAX_REQUESTS_READ: u32 = 100;
/// Most documents an officer asks for at once.
pub const MAX_ASKED: usize = 20;

/// Where uploads land before verification (the bucket's lifecycle rule expires what is left).
pub const QUARANTINE_FOLDER: &str = "quarantine";
/// How long an upload stays in quarantine (the bucket's lifecycle rule, one day).
pub const QUARANTINE_DAYS: u64 = 1;
const VERIFIED_FOLDER: &str = "documents";

/// Where an upload lands, before verification.
pub fn quarantine_key(application_id: &str, document_id: &str) -> String {
    format!("{QUARANTINE_FOLDER}/{application_id}/{document_id}")
}

/// Where a verified file is kept (and served from).
pub fn verified_key(application_id: &str, document_id: &str) -> String {
    format!("{VERIFIED_FOLDER}/{application_id}/{document_id}")
}

/// The application and document a quarantine key is for, if it is one.
pub fn parse_quarantine_key(key: &str) -> Option<(&str, &str)> {
    let mut parts = key.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(QUARANTINE_FOLDER), Some(application), Some(document), None)
            if !application.is_empty() && !document.is_empty() =>
        {
            Some((application, document))
        }
        _ => None,
    }
}

/// Where a document stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// The upload was signed; the file is not verified yet.
    Pending,
    /// The file is what was declared.
    Verified,
    /// The file failed verification: it is never served.
    Quarantined,
    /// An officer accepted it.
    Accepted,
    /// An officer rejected it (the applicant must send another).
    Rejected,
}

impl DocumentState {
    /// Whether the document counts for its checklist requirement.
    pub fn satisfies(self) -> bool {
        matches!(self, DocumentState::Verified | DocumentState::Accepted)
    }

    /// Whether its file passed verification (and so may be served).
    pub fn is_servable(self) -> bool {
        matches!(self, DocumentState::Verified | DocumentState::Accepted | DocumentState::Rejected)
    }

    fn as_str(self) -> &'static str {
        match self {
            DocumentState::Pending => "pending",
            DocumentState::Verified => "verified",
            DocumentState::Quarantined => "quarantined",
            DocumentState::Accepted => "accepted",
            DocumentState::Rejected => "rejected",
        }
    }
}

/// A document of an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// Its id.
    #[schemars(with = "DocumentId")]
    pub id: String,
    /// The application it belongs to.
    #[schemars(with = "ApplicationId")]
    pub application_id: String,
    /// The checklist requirement it answers (`passport`, `photo`, ...).
    pub kind: String,
    /// The sanitized name the applicant's file had.
    pub file_name: String,
    /// The declared kind of file.
    pub file_kind: FileKind,
    /// The declared size in bytes.
    pub size: u64,
    /// Where it stands.
    pub state: DocumentState,
    /// Why it was quarantined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine_reason: Option<QuarantineReason>,
    /// Why an officer rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_reason: Option<String>,
    /// When the upload was signed (seconds since the epoch).
    pub created_at: u64,
    /// Last change.
    pub updated_at: u64,
}

impl Document {
    /// A document of `kind` declared by its applicant, pending until its file is verified: the
    /// name they gave kept only sanitized.
    pub fn pending(
        application_id: &str,
        kind: String,
        file_name: &str,
        file_kind: FileKind,
        size: u64,
        at: u64,
    ) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            application_id: application_id.to_owned(),
            kind,
            file_name: sanitize_file_name(file_name),
            file_kind,
            size,
            state: DocumentState::Pending,
            quarantine_reason: None,
            review_reason: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// What its upload may be: into quarantine, of the declared type, at most the declared size.
    pub fn upload_request(&self) -> UploadRequest {
        UploadRequest {
            key: quarantine_key(&self.application_id, &self.id),
            content_type: self.file_kind.content_type().to_owned(),
            max_bytes: self.size,
        }
    }
}

/// What is wrong with a document an applicant declares for an application of
/// `application_type`, field by field (`kind`, `contentType`, `size`).
pub fn declaration_problems(
    application_type: &ApplicationType,
    kind: &str,
    content_type: &str,
    size: u64,
) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    if !application_type.documents.iter().any(|d| d.kind == kind) {
        problems.push(("kind", "unknown-kind"));
    }
    if FileKind::from_content_type(content_type).is_none() {
        problems.push(("contentType", "unsupported-type"));
    }
    match size {
        0 => problems.push(("size", "empty-file")),
        size if size > MAX_UPLOAD_BYTES => problems.push(("size", "file-too-large")),
        _ => {}
    }
    problems
}

/// An officer's request for a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRequest {
    /// Its id.
    #[schemars(with = "uuid::Uuid")]
    pub id: String,
    /// The checklist requirement asked for.
    pub kind: String,
    /// What the applicant is told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The date (`YYYY-MM-DD`) it is due by.
    #[schemars(extend("format" = "date"))]
    pub due_date: String,
    /// When it was asked (seconds since the epoch).
    pub requested_at: u64,
    /// The officer who asked (`sub`).
    pub requested_by: String,
    /// The documents of its kind already sent when it was made: they do not answer it.
    #[serde(default)]
    #[schemars(with = "Vec<DocumentId>")]
    pub already_sent: Vec<String>,
}

impl DocumentRequest {
    /// The write that records it on its application, in the transaction of the status change
    /// it comes with.
    pub fn write(&self, application_id: &str) -> Result<WriteOp, StoreError> {
        let item = Item::from_record(&keys::document_request(application_id, &self.id), self)?;
        Ok(WriteOp::Put { item, condition: Some(Condition::Absent) })
    }

    /// Whether no document of its kind sent since answers it.
    pub fn is_open(&self, documents: &[Document]) -> bool {
        !documents.iter().any(|d| d.kind == self.kind && !self.already_sent.contains(&d.id) && d.state.satisfies())
    }
}

/// One document an officer asks for: its kind, with a note to the applicant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asked {
    /// The checklist requirement asked for.
    pub kind: String,
    /// What the applicant is told, as the officer wrote it.
    pub note: Option<String>,
}

/// What an officer asks an applicant for: documents of the type's checklist, by a due date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentAsk {
    /// The documents, 1 to [`MAX_ASKED`].
    pub documents: Vec<Asked>,
    /// The date (`YYYY-MM-DD`) they are due by: today or later.
    pub due_date: String,
}

impl DocumentAsk {
    /// What is wrong with it for an application of `application_type` at `now`, field by
    /// field (`documents`, `documents[i].kind`, `documents[i].note`, `dueDate`).
    pub fn problems(&self, application_type: &ApplicationType, now: u64) -> Vec<(String, &'static str)> {
        let mut problems = Vec::new();
        if self.documents.is_empty() || self.documents.len() > MAX_ASKED {
            problems.push(("documents".to_owned(), if self.documents.is_empty() { "required" } else { "too-long" }));
        }
        for (i, asked) in self.documents.iter().enumerate() {
            if !application_type.documents.iter().any(|d| d.kind == asked.kind) {
                problems.push((format!("documents[{i}].kind"), "unknown-kind"));
            }
            if let Err(code) = optional_text(asked.note.as_deref()) {
                problems.push((format!("documents[{i}].note"), code));
            }
        }
        if !is_date(&self.due_date) {
            problems.push(("dueDate".to_owned(), "invalid-date"));
        } else if self.due_date < utc_date(now) {
            problems.push(("dueDate".to_owned(), "in-the-past"));
        }
        problems
    }

    /// The kinds asked for, in order.
    pub fn kinds(&self) -> Vec<&str> {
        self.documents.iter().map(|asked| asked.kind.as_str()).collect()
    }

    /// The requests it makes of an application holding `documents`, asked by `officer` at `at`.
    pub fn requests(&self, documents: &[Document], officer: &str, at: u64) -> Vec<DocumentRequest> {
        let sent = |kind: &str| documents.iter().filter(|d| d.kind == kind).map(|d| d.id.clone()).collect();
        self.documents
            .iter()
            .map(|asked| DocumentRequest {
                id: uuid::Uuid::new_v4().to_string(),
                kind: asked.kind.clone(),
                note: optional_text(asked.note.as_deref()).ok().flatten(),
                due_date: self.due_date.clone(),
                requested_at: at,
                requested_by: officer.to_owned(),
                already_sent: sent(&asked.kind),
            })
            .collect()
    }
}

/// The reason of an officer's review, trimmed: a rejection needs one (the applicant reads it
/// on the checklist).
pub fn review_reason(accepted: bool, reason: Option<&str>) -> Result<Option<String>, &'static str> {
    match optional_text(reason)? {
        None if !accepted => Err("required"),
        reason => Ok(reason),
    }
}

/// The required documents not yet sent and verified, each named `documents.{kind}` with why
/// (`document-missing`, `document-not-verified`, `document-refused`): what keeps an application
/// from being submitted.
pub fn submission_problems(
    application_type: &ApplicationType,
    documents: &[Document],
    requests: &[DocumentRequest],
) -> Vec<(String, &'static str)> {
    checklist(application_type, documents, requests)
        .into_iter()
        .filter(|line| line.required && !line.satisfied)
        .map(|line| {
            let code = match line.state {
                Some(DocumentState::Pending) => "document-not-verified",
                Some(DocumentState::Quarantined | DocumentState::Rejected) => "document-refused",
                _ => "document-missing",
            };
            (format!("documents.{}", line.kind), code)
        })
        .collect()
}

/// What an open request asks, as the checklist shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Requested {
    /// What the applicant is told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The date (`YYYY-MM-DD`) it is due by.
    #[schemars(extend("format" = "date"))]
    pub due_date: String,
}

/// One line of an application's checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistLine {
    /// The requirement's kind.
    pub kind: String,
    /// Needed before submission (or asked for by an officer).
    pub required: bool,
    /// The best state among its documents, `None` when none was sent.
    pub state: Option<DocumentState>,
    /// A verified or accepted document answers it.
    pub satisfied: bool,
    /// An officer's open request for it (the earliest due).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<Requested>,
}

/// Whether the applicant may add or remove documents of `kind`: while the application is a
/// draft, or when an officer has asked for that kind and the application waits for documents.
pub fn applicant_may_change(status: Status, kind: &str, requests: &[DocumentRequest], documents: &[Document]) -> bool {
    match status {
        Status::Draft => true,
        Status::DocumentsRequested => requests.iter().any(|r| r.kind == kind && r.is_open(documents)),
        _ => false,
    }
}

/// Whether the applicant may remove `document`: anything in a draft; when the application waits
/// for documents, only one sent in answer to an open request — never one the officer already
/// had when asking.
pub fn applicant_may_remove(
    status: Status,
    document: &Document,
    requests: &[DocumentRequest],
    documents: &[Document],
) -> bool {
    match status {
        Status::Draft => true,
        Status::DocumentsRequested => requests
            .iter()
            .any(|r| r.kind == document.kind && r.is_open(documents) && !r.already_sent.contains(&document.id)),
        _ => false,
    }
}

/// The checklist of a type filled by an application's documents (the best state per kind:
/// accepted, verified, pending, then rejected or quarantined) and officers' open requests.
pub fn checklist(
    application_type: &ApplicationType,
    documents: &[Document],
    requests: &[DocumentRequest],
) -> Vec<ChecklistLine> {
    let rank = |state: DocumentState| match state {
        DocumentState::Accepted => 4,
        DocumentState::Verified => 3,
        DocumentState::Pending => 2,
        DocumentState::Rejected | DocumentState::Quarantined => 1,
    };
    application_type
        .documents
        .iter()
        .map(|requirement| {
            let best =
                documents.iter().filter(|d| d.kind == requirement.kind).map(|d| d.state).max_by_key(|s| rank(*s));
            let requested = requests
                .iter()
                .filter(|r| r.kind == requirement.kind && r.is_open(documents))
                .min_by(|a, b| a.due_date.cmp(&b.due_date))
                .map(|r| Requested { note: r.note.clone(), due_date: r.due_date.clone() });
            ChecklistLine {
                kind: requirement.kind.clone(),
                required: requirement.required || requested.is_some(),
                state: best,
                satisfied: best.is_some_and(DocumentState::satisfies) && requested.is_none(),
                requested,
            }
        })
        .collect()
}

/// Reads and writes an application's documents.
#[derive(Clone)]
pub struct Documents {
    table: Arc<dyn Table>,
}

impl Documents {
    /// Documents kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// Records a document whose upload has just been signed, if the application still has
    /// `status` (the one its acceptance was decided on) and a place below the cap: the place is
    /// reserved, the status checked and the document written in one transaction.
    pub async fn add(&self, document: &Document, status: Status) -> Result<(), AddError> {
        let application_id = &document.application_id;
        let ops = vec![
            WriteOp::Update {
                key: keys::document_count(application_id),
                update: Update::default().add("count", 1),
                condition: Some(Condition::Below("count".into(), MAX_DOCUMENTS)),
            },
            WriteOp::Check {
                key: keys::application(application_id),
                condition: Condition::Equals("status".into(), json!(status)),
            },
            WriteOp::Put {
                item: Item::from_record(&keys::document(application_id, &document.id), document)?,
                condition: Some(Condition::Absent),
            },
        ];
        match self.table.transact_write(ops).await {
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                Err(AddError::CapReached)
            }
            Err(StoreError::TransactionCanceled { .. }) => Err(AddError::StatusChanged),
            other => Ok(other?),
        }
    }

    /// Every document of an application (the cap bounds them to one page).
    pub async fn of(&self, application_id: &str) -> Result<Vec<Document>, StoreError> {
        documents_of(self.table.as_ref(), application_id).await
    }

    /// The application's document requests.
    pub async fn requests(&self, application_id: &str) -> Result<Vec<DocumentRequest>, StoreError> {
        requests_of(self.table.as_ref(), application_id).await
    }

    /// Keeps the dashboard lines (the owner's and their representatives') saying "action
    /// required" exactly while an officer's request is open: once every document asked for has
    /// passed verification the applicant has nothing left to do (the application stays
    /// `documents_requested` until the officer resumes the review), and a rejected one reopens
    /// its request. Called after a document passes verification and after each review.
    pub async fn refresh_action_required(&self, application_id: &str) -> Result<(), StoreError> {
        let Some(item) = self.table.get(&keys::application(application_id)).await? else { return Ok(()) };
        let application: Application = item.to_record()?;
        if application.status != Status::DocumentsRequested {
            return Ok(());
        }
        let table = self.table.as_ref();
        let (documents, requests) =
            futures::try_join!(documents_of(table, application_id), requests_of(table, application_id))?;
        let open = requests.iter().any(|request| request.is_open(&documents));
        let readers =
            std::iter::once(&application.owner).chain(application.representatives.iter().map(|grant| &grant.user_id));
        let summary = application.summary();
        for reader in readers.filter(|sub| !sub.is_empty()) {
            // Only while the line still shows the change read here: one written meanwhile has
            // the last word.
            let (line, update, still) = dashboard::set_action_required(reader, &summary, open);
            match self.table.update(&line, update, Some(still)).await {
                Ok(_) | Err(StoreError::ConditionFailed) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    /// One page of the application's documents.
    pub async fn page(&self, application_id: &str, page: &PageRequest) -> Result<Paged<Document>, StoreError> {
        paging::read(self.table.as_ref(), documents_query(application_id), page).await
    }

    /// One document.
    pub async fn get(&self, application_id: &str, id: &str) -> Result<Option<Document>, StoreError> {
        self.table.get(&keys::document(application_id, id)).await?.map(|item| item.to_record()).transpose()
    }

    /// Removes a document's record (its files are deleted first by the caller) and gives its
    /// place under the cap back; removing one already gone changes nothing.
    pub async fn remove(&self, application_id: &str, id: &str) -> Result<(), StoreError> {
        let ops = vec![
            WriteOp::Delete { key: keys::document(application_id, id), condition: Some(Condition::Present) },
            WriteOp::Update {
                key: keys::document_count(application_id),
                update: Update::default().add("count", -1),
                condition: None,
            },
        ];
        match self.table.transact_write(ops).await {
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions == [0] => Ok(()),
            other => other,
        }
    }

    /// An officer's review of a document: only one whose file passed verification may be
    /// reviewed, and only as it was read (`seen`); `applicant` is told.
    pub async fn review(
        &self,
        seen: &Document,
        applicant: &str,
        accepted: bool,
        reason: Option<String>,
        at: u64,
    ) -> Result<Document, ReviewError> {
        if !seen.state.is_servable() {
            return Err(ReviewError::NotReviewable);
        }
        match self.record_review(seen, applicant, accepted, reason, at).await {
            Err(StoreError::ConditionFailed) => Err(ReviewError::NotReviewable),
            recorded => Ok(recorded?),
        }
    }

    /// Records an officer's review of a document whose file passed verification, with the event
    /// that tells `applicant`, unless the document changed since `seen` was read
    /// (`ConditionFailed`).
    pub async fn record_review(
        &self,
        seen: &Document,
        applicant: &str,
        accepted: bool,
        reason: Option<String>,
        at: u64,
    ) -> Result<Document, StoreError> {
        let mut reviewed = seen.clone();
        reviewed.state = if accepted { DocumentState::Accepted } else { DocumentState::Rejected };
        reviewed.review_reason = reason;
        reviewed.updated_at = at;
        let unchanged = Condition::All(vec![
            Condition::Equals("state".into(), json!(seen.state.as_str())),
            Condition::Equals("updatedAt".into(), json!(seen.updated_at)),
        ]);
        let item = Item::from_record(&keys::document(&seen.application_id, &seen.id), &reviewed)?;
        let event = Event::new(&seen.application_id, applicant, EventKind::DocumentReviewed { accepted }, at);
        let review = WriteOp::Put { item, condition: Some(unchanged) };
        match self.table.transact_write(vec![review, event.write()?]).await {
            Err(StoreError::TransactionCanceled { .. }) => Err(StoreError::ConditionFailed),
            written => written.map(|()| reviewed),
        }
    }

    /// Records the verification of a pending document and gives it as now recorded; `None` when
    /// it was already recorded (the same event delivered twice changes nothing twice).
    pub async fn record_verification(
        &self,
        application_id: &str,
        id: &str,
        outcome: Result<(), QuarantineReason>,
        at: u64,
    ) -> Result<Option<Document>, StoreError> {
        let update = match outcome {
            Ok(()) => Update::default().set("state", DocumentState::Verified.as_str()),
            Err(reason) => Update::default().set("state", DocumentState::Quarantined.as_str()).set(
                "quarantineReason",
                serde_json::to_value(reason).map_err(|e| StoreError::InvalidRequest(e.to_string()))?,
            ),
        }
        .set("updatedAt", at);
        let pending = Condition::Equals("state".into(), json!(DocumentState::Pending.as_str()));
        match self.table.update(&keys::document(application_id, id), update, Some(pending)).await {
            Ok(recorded) => recorded.to_record().map(Some),
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// Why a review was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The document's file is not verified (pending or quarantined), or the document changed
    /// since it was read.
    #[error("the document cannot be reviewed in its state")]
    NotReviewable,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a document was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// The application holds as many documents as it may.
    #[error("the application holds {MAX_DOCUMENTS} documents")]
    CapReached,
    /// The application changed status since it was read (or is gone).
    #[error("the application's status changed")]
    StatusChanged,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn documents_query(application_id: &str) -> Query {
    Query::partition(keys::application_partition(application_id)).sort(SortKey::Prefix(keys::DOCUMENT_PREFIX.into()))
}

/// Every document of an application: the cap bounds them to one page.
pub async fn documents_of(table: &dyn Table, application_id: &str) -> Result<Vec<Document>, StoreError> {
    let page = PageRequest::new(MAX_DOCUMENTS as u32, None);
    Ok(paging::read(table, documents_query(application_id), &page).await?.items)
}

/// The application's document requests (the first hundred; officers ask for at most 20 kinds
/// at a time, each time moving the application to `documents_requested`).
pub async fn requests_of(table: &dyn Table, application_id: &str) -> Result<Vec<DocumentRequest>, StoreError> {
    let query = Query::partition(keys::application_partition(application_id))
        .sort(SortKey::Prefix(keys::DOCUMENT_REQUEST_PREFIX.into()));
    Ok(paging::read(table, query, &PageRequest::new(MAX_REQUESTS_READ, None)).await?.items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application_types::Catalog;

    #[test]
    fn quarantine_keys_name_their_application_and_document() {
        let key = quarantine_key("a-1", "d-2");
        assert_eq!(parse_quarantine_key(&key), Some(("a-1", "d-2")));
        assert_eq!(verified_key("a-1", "d-2"), "documents/a-1/d-2");
        for other in ["documents/a/d", "quarantine/a", "quarantine//d", "quarantine/a/d/e", ""] {
            assert_eq!(parse_quarantine_key(other), None, "{other}");
        }
    }

    fn request(kind: &str, already_sent: &[&Document]) -> DocumentRequest {
        DocumentRequest {
            id: format!("r-{kind}"),
            kind: kind.into(),
            note: Some("Send a clearer scan".into()),
            due_date: "2026-12-31".into(),
            requested_at: 10,
            requested_by: "officer".into(),
            already_sent: already_sent.iter().map(|d| d.id.clone()).collect(),
        }
    }

    #[test]
    fn a_request_stays_open_until_a_newer_document_of_its_kind_passes() {
        let old = Document { id: "old".into(), ..document("passport", DocumentState::Verified) };
        let open = request("passport", &[&old]);
        assert!(open.is_open(std::slice::from_ref(&old)), "a document sent before the request does not answer it");
        let newer_pending = Document { id: "new".into(), ..document("passport", DocumentState::Pending) };
        assert!(open.is_open(&[old.clone(), newer_pending]));
        let newer_verified = Document { id: "new".into(), ..document("passport", DocumentState::Verified) };
        assert!(!open.is_open(&[old, newer_verified]));
    }

    #[test]
    fn applicants_change_documents_in_drafts_or_when_asked() {
        let asked = [request("passport", &[])];
        assert!(applicant_may_change(Status::Draft, "photo", &[], &[]));
        assert!(applicant_may_change(Status::DocumentsRequested, "passport", &asked, &[]));
        assert!(!applicant_may_change(Status::DocumentsRequested, "photo", &asked, &[]));
        assert!(!applicant_may_change(Status::InReview, "passport", &asked, &[]));
        assert!(!applicant_may_change(Status::Submitted, "passport", &[], &[]));
    }

    #[test]
    fn only_answers_to_a_request_may_be_removed_once_submitted() {
        let submitted =
            Document { id: "sent-with-the-application".into(), ..document("passport", DocumentState::Rejected) };
        let answer = Document { id: "answer".into(), ..document("passport", DocumentState::Quarantined) };
        let asked = [request("passport", &[&submitted])];
        let documents = [submitted.clone(), answer.clone()];

        assert!(applicant_may_remove(Status::DocumentsRequested, &answer, &asked, &documents));
        assert!(!applicant_may_remove(Status::DocumentsRequested, &submitted, &asked, &documents));
        assert!(applicant_may_remove(Status::Draft, &submitted, &[], &documents));
        assert!(!applicant_may_remove(Status::InReview, &answer, &asked, &documents));
    }

    fn document(kind: &str, state: DocumentState) -> Document {
        Document {
            id: format!("{kind}-{state:?}"),
            application_id: "a1".into(),
            kind: kind.into(),
            file_name: "file.pdf".into(),
            file_kind: FileKind::Pdf,
            size: 10,
            state,
            quarantine_reason: None,
            review_reason: None,
            created_at: 1,
            updated_at: 1,
        }
    }

    fn ask(documents: &[(&str, Option<&str>)], due_date: &str) -> DocumentAsk {
        let documents =
            documents.iter().map(|(kind, note)| Asked { kind: (*kind).into(), note: note.map(Into::into) }).collect();
        DocumentAsk { documents, due_date: due_date.into() }
    }

    #[test]
    fn an_officer_asks_for_the_type_s_documents_by_a_date_not_past() {
        let catalog = Catalog::load().expect("catalog");
        let visitor = catalog.get("visitor-visa").expect("type");
        let now = 1_800_000_000; // 2027-01-15
        assert!(ask(&[("passport", Some("  Sharper  "))], "2027-01-15").problems(visitor, now).is_empty());
        let long = "x".repeat(crate::applications::MAX_TEXT_CHARS + 1);
        let problems = ask(&[("tax-return", None), ("photo", Some(&long))], "2027-02-30").problems(visitor, now);
        let expected =
            [("documents[0].kind", "unknown-kind"), ("documents[1].note", "too-long"), ("dueDate", "invalid-date")];
        assert_eq!(problems, expected.map(|(field, code)| (field.to_owned(), code)));
        assert_eq!(
            ask(&[], "2027-01-14").problems(visitor, now),
            [("documents".into(), "required"), ("dueDate".into(), "in-the-past")]
        );
    }

    #[test]
    fn a_request_keeps_the_trimmed_note_and_the_documents_already_sent() {
        let sent = document("passport", DocumentState::Verified);
        let requests = ask(&[("passport", Some("  Sharper  ")), ("photo", Some(" "))], "2099-01-31").requests(
            std::slice::from_ref(&sent),
            "officer",
            5,
        );
        assert_eq!(
            (requests[0].note.as_deref(), requests[0].already_sent.as_slice()),
            (Some("Sharper"), &[sent.id][..])
        );
        assert_eq!((requests[1].note.as_deref(), requests[1].already_sent.len()), (None, 0));
        assert!(requests.iter().all(|r| r.requested_by == "officer" && r.due_date == "2099-01-31"));
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        assert_eq!(review_reason(true, None), Ok(None));
        assert_eq!(review_reason(false, Some("  ")), Err("required"));
        assert_eq!(review_reason(false, Some(" Expired ")), Ok(Some("Expired".into())));
    }

    #[test]
    fn a_declared_document_is_of_the_type_an_accepted_kind_and_a_size_in_bounds() {
        let catalog = Catalog::load().expect("catalog");
        let visitor = catalog.get("visitor-visa").expect("type");
        assert!(declaration_problems(visitor, "passport", "application/pdf", 10).is_empty());
        let problems = declaration_problems(visitor, "tax-return", "text/html", MAX_UPLOAD_BYTES + 1);
        assert_eq!(
            problems,
            [("kind", "unknown-kind"), ("contentType", "unsupported-type"), ("size", "file-too-large")]
        );
        assert_eq!(declaration_problems(visitor, "photo", "image/png", 0), [("size", "empty-file")]);
    }

    #[test]
    fn the_checklist_shows_the_best_document_of_each_requirement() {
        let catalog = Catalog::load().expect("catalog");
        let visitor = catalog.get("visitor-visa").expect("type");
        let documents = [
            document("passport", DocumentState::Quarantined),
            document("passport", DocumentState::Verified),
            document("photo", DocumentState::Pending),
        ];

        let requests = [request("invitation-letter", &[])];
        let lines = checklist(visitor, &documents, &requests);

        let line = |kind: &str| lines.iter().find(|l| l.kind == kind).expect(kind);
        assert_eq!((line("passport").state, line("passport").satisfied), (Some(DocumentState::Verified), true));
        assert_eq!((line("photo").state, line("photo").satisfied), (Some(DocumentState::Pending), false));
        assert_eq!((line("proof-of-funds").state, line("proof-of-funds").required), (None, true));
        let asked = line("invitation-letter");
        assert!(asked.required, "an optional document becomes required when an officer asks for it");
        assert_eq!(asked.requested.as_ref().map(|r| r.due_date.as_str()), Some("2026-12-31"));
        assert!(line("passport").requested.is_none());
    }
}
