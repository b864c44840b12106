//! Documents attached to an application (`APP#{id}` / `DOC#{docId}`), their verification state,
//! and the checklist they fill.
//!
//! A document is `pending` from the moment its upload is signed; the verification of the stored
//! file makes it `verified` or `quarantined` exactly once (a redelivered event changes nothing);
//! an officer then `accepted` or `rejected` a verified one.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::application_types::ApplicationType;
use crate::documents::{FileKind, QuarantineReason};
use crate::keys;
use crate::table::{Condition, Item, Query, SortKey, StoreError, Table, Update};

/// Where a document stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// Its id.
    pub id: String,
    /// The application it belongs to.
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
    /// When the upload was signed.
    pub created_at: u64,
    /// Last change.
    pub updated_at: u64,
}

/// One line of an application's checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistLine {
    /// The requirement's kind.
    pub kind: String,
    /// Needed before submission.
    pub required: bool,
    /// The best state among its documents, `None` when none was sent.
    pub state: Option<DocumentState>,
    /// A verified or accepted document answers it.
    pub satisfied: bool,
}

/// The checklist of a type filled by an application's documents (the best state per kind:
/// accepted, verified, pending, then rejected or quarantined).
pub fn checklist(application_type: &ApplicationType, documents: &[Document]) -> Vec<ChecklistLine> {
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
            ChecklistLine {
                kind: requirement.kind.clone(),
                required: requirement.required,
                state: best,
                satisfied: best.is_some_and(DocumentState::satisfies),
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

    /// Records a document whose upload has just been signed.
    pub async fn add(&self, document: &Document) -> Result<(), StoreError> {
        let key = keys::document(&document.application_id, &document.id);
        self.table.put(Item::from_record(&key, document)?, Some(Condition::Absent)).await
    }

    /// One document.
    pub async fn get(&self, application_id: &str, id: &str) -> Result<Option<Document>, StoreError> {
        self.table.get(&keys::document(application_id, id)).await?.map(|item| item.to_record()).transpose()
    }

    /// Every document of an application: one query of its partition.
    pub async fn of(&self, application_id: &str) -> Result<Vec<Document>, StoreError> {
        let query = Query::partition(keys::application_partition(application_id))
            .sort(SortKey::Prefix(keys::DOCUMENT_PREFIX.into()))
            .limit(1000);
        let page = self.table.query(query).await?;
        page.items.iter().map(Item::to_record).collect()
    }

    /// Records the verification of a pending document; `false` when it was already recorded
    /// (the same event delivered twice changes nothing twice).
    pub async fn record_verification(
        &self,
        application_id: &str,
        id: &str,
        outcome: Result<(), QuarantineReason>,
        at: u64,
    ) -> Result<bool, StoreError> {
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
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application_types::Catalog;

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

    #[test]
    fn the_checklist_shows_the_best_document_of_each_requirement() {
        let catalog = Catalog::load().expect("catalog");
        let visitor = catalog.get("visitor-visa").expect("type");
        let documents = [
            document("passport", DocumentState::Quarantined),
            document("passport", DocumentState::Verified),
            document("photo", DocumentState::Pending),
        ];

        let lines = checklist(visitor, &documents);

        let line = |kind: &str| lines.iter().find(|l| l.kind == kind).expect(kind);
        assert_eq!((line("passport").state, line("passport").satisfied), (Some(DocumentState::Verified), true));
        assert_eq!((line("photo").state, line("photo").satisfied), (Some(DocumentState::Pending), false));
        assert_eq!((line("proof-of-funds").state, line("proof-of-funds").required), (None, true));
        assert!(!line("invitation-letter").required);
    }
}
