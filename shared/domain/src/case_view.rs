//! What each party sees of a case, built here once for every answer that shows a case or part
//! of it (the application, its history, its documents and requests, the data export).
//!
//! Officers see everything, including who did what and why. The applicant sees each step's
//! date and the note to them, and what was asked of them by when: the officer's reason and
//! identity stay internal to the agency.

use schemars::JsonSchema;
use serde::Serialize;

use crate::application_documents::{ChecklistLine, Document, DocumentRequest, checklist};
use crate::application_types::ApplicationType;
use crate::applications::{Application, Case, HistoryEntry};
use crate::audit::{APPLICANT_ROLE, REPRESENTATIVE_ROLE};
use crate::fees::Fees;
use crate::paging::Page;
use crate::representatives::Scope;
use crate::status::Status;

/// How the caller stands to an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// The applicant who owns it.
    Owner,
    /// An agency officer.
    Officer,
    /// Someone the applicant authorized, with what they may do: they see what the applicant
    /// sees.
    Representative(Scope),
}

impl Party {
    /// The role recorded in the audit trail.
    pub fn role(self) -> &'static str {
        match self {
            Party::Owner => APPLICANT_ROLE,
            Party::Officer => "officer",
            Party::Representative(_) => REPRESENTATIVE_ROLE,
        }
    }
}

/// A status change as its applicant sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicantHistoryEntry {
    /// When (seconds since the epoch).
    pub at: u64,
    /// From which status.
    pub from: Status,
    /// To which status.
    pub to: Status,
    /// What the applicant is told (`null` when nothing).
    pub note_to_applicant: Option<String>,
}

/// A status change as the caller may see it: the whole entry for officers, the applicant's
/// view for the applicant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum HistoryView {
    /// An officer's view: who, as what, and why.
    Officer(HistoryEntry),
    /// The applicant's view.
    Applicant(ApplicantHistoryEntry),
}

impl HistoryView {
    /// `entry` as `party` sees it.
    pub fn for_party(entry: HistoryEntry, party: Party) -> Self {
        match party {
            Party::Officer => HistoryView::Officer(entry),
            Party::Owner | Party::Representative(_) => HistoryView::Applicant(ApplicantHistoryEntry {
                at: entry.at,
                from: entry.from,
                to: entry.to,
                note_to_applicant: entry.note_to_applicant,
            }),
        }
    }
}

/// An officer's request for a document as its applicant sees it: what was asked and by when,
/// not which officer asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicantDocumentRequest {
    /// Its id.
    #[schemars(with = "uuid::Uuid")]
    pub id: String,
    /// The checklist requirement asked for.
    pub kind: String,
    /// What the applicant is told (`null` when nothing).
    pub note: Option<String>,
    /// The date (`YYYY-MM-DD`) it is due by.
    #[schemars(extend("format" = "date"))]
    pub due_date: String,
    /// When it was asked (seconds since the epoch).
    pub requested_at: u64,
}

/// A request for a document as the caller may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum DocumentRequestView {
    /// An officer's view: who asked, and what had been sent already.
    Officer(DocumentRequest),
    /// The applicant's view.
    Applicant(ApplicantDocumentRequest),
}

impl DocumentRequestView {
    /// `request` as `party` sees it.
    pub fn for_party(request: DocumentRequest, party: Party) -> Self {
        match party {
            Party::Officer => DocumentRequestView::Officer(request),
            Party::Owner | Party::Representative(_) => DocumentRequestView::Applicant(ApplicantDocumentRequest {
                id: request.id,
                kind: request.kind,
                note: request.note,
                due_date: request.due_date,
                requested_at: request.requested_at,
            }),
        }
    }

    /// Every request of a list as `party` sees it.
    pub fn all_for_party(requests: Vec<DocumentRequest>, party: Party) -> Vec<Self> {
        requests.into_iter().map(|request| Self::for_party(request, party)).collect()
    }
}

/// An application as a party sees it: the first page of its history (the rest at
/// `…/history?cursor=`), its documents, the type's checklist as they fill it, officers'
/// requests and its fees.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    /// The application.
    pub application: Application,
    /// The first page of its history, oldest first.
    pub history: Page<HistoryView>,
    /// Each document the type asks for, with the best state among those sent and any open
    /// request for it.
    pub checklist: Vec<ChecklistLine>,
    /// Its documents (all of them: the cap keeps them to one page).
    pub documents: Page<Document>,
    /// Officers' requests for documents.
    pub document_requests: Vec<DocumentRequestView>,
    /// Its fees: the type's, those officers added, what is paid and due.
    pub fees: Fees,
}

impl CaseView {
    /// `case`, of `application_type`, as `party` sees it.
    pub fn for_party(case: Case, application_type: &ApplicationType, party: Party) -> Self {
        let checklist = checklist(application_type, &case.documents, &case.requests);
        Self {
            application: case.application,
            history: Page::from(case.history).map(|entry| HistoryView::for_party(entry, party)),
            checklist,
            documents: Page { items: case.documents, next_cursor: None },
            document_requests: DocumentRequestView::all_for_party(case.requests, party),
            fees: Fees::new(application_type, &case.fees),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry() -> HistoryEntry {
        HistoryEntry {
            at: 10,
            actor: "officer-sub".into(),
            role: "officer".into(),
            from: Status::Submitted,
            to: Status::Received,
            reason: Some("complete".into()),
            note_to_applicant: None,
        }
    }

    fn request() -> DocumentRequest {
        DocumentRequest {
            id: "r1".into(),
            kind: "passport".into(),
            note: None,
            due_date: "2099-01-31".into(),
            requested_at: 20,
            requested_by: "officer-sub".into(),
            already_sent: vec!["d1".into()],
        }
    }

    #[test]
    fn the_applicant_sees_each_step_and_its_note_never_who_or_why() {
        let seen = serde_json::to_value(HistoryView::for_party(entry(), Party::Owner)).expect("json");
        assert_eq!(seen, json!({"at": 10, "from": "submitted", "to": "received", "noteToApplicant": null}));
        let officers = serde_json::to_value(HistoryView::for_party(entry(), Party::Officer)).expect("json");
        assert_eq!(officers, serde_json::to_value(entry()).expect("json"));
    }

    #[test]
    fn the_applicant_sees_what_was_asked_by_when_never_by_whom() {
        let seen = serde_json::to_value(DocumentRequestView::for_party(request(), Party::Owner)).expect("json");
        assert_eq!(
            seen,
            json!({"id": "r1", "kind": "passport", "note": null, "dueDate": "2099-01-31", "requestedAt": 20})
        );
        let officers = serde_json::to_value(DocumentRequestView::for_party(request(), Party::Officer)).expect("json");
        assert_eq!(officers["requestedBy"], "officer-sub");
    }
}
