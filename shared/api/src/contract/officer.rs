//! The officers' side: the queue, the case, decisions, document requests, messages.

use http::Method;
use portal_domain::application_documents::{Asked, Document, DocumentAsk, MAX_ASKED};
use portal_domain::applications::{Application, MAX_TEXT_CHARS, QueueEntry};
use portal_domain::audit::AuditRecord;
use portal_domain::case_view::CaseView;
use portal_domain::fees::Fees;
use portal_domain::ids::{ApplicationId, DocumentId, TypeCode};
use portal_domain::messages::MessageView;
use portal_domain::status::Status;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Contract, Page};
use crate::body::{MAX_SAFE_INTEGER, objects, whole_number};
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/officer/queue",
        function: "QueueApplications",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Applications in a status (and type), oldest first, paged by a cursor",
        contract: Contract::json::<Page<QueueEntry>>(200).query::<QueueQuery>(),
    },
    Route {
        method: Method::GET,
        path: "/api/officer/applications/{id}",
        function: "GetCase",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "One application with its history",
        contract: Contract::json::<OfficerCase>(200).path::<ApplicationId>(),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/status",
        function: "ChangeApplicationStatus",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Move an application to its next status, with a reason and a note to the applicant",
        contract: Contract::json::<Application>(200).path::<ApplicationId>().body::<StatusChange>().problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/document-requests",
        function: "RequestDocuments",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Ask the applicant for documents by a due date (moves the application to documents_requested)",
        contract: Contract::json::<Application>(200)
            .path::<ApplicationId>()
            .body::<DocumentRequests>()
            .problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/documents/{docId}/review",
        function: "ReviewDocument",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Accept or reject a verified document, with a reason",
        contract: Contract::json::<Document>(200)
            .path::<(ApplicationId, DocumentId)>()
            .body::<Review>()
            .problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/messages",
        function: "SendOfficerMessage",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Write to the applicant (notifies them)",
        contract: Contract::json::<portal_domain::messages::MessageView>(201)
            .path::<ApplicationId>()
            .body::<super::messages::NewMessage>()
            .problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/fees",
        function: "AddFee",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Add one of the type's optional fees to the case (notifies the applicant that payment is required)",
        contract: Contract::json::<Fees>(201).path::<ApplicationId>().body::<NewFee>().problems(&[409]),
    },
];

/// The body of `POST /api/officer/applications/{id}/fees`: which of the type's optional fees,
/// on which version of the application.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewFee {
    /// The fee's code among the type's `optionalFees`.
    #[schemars(length(min = 1, max = 64), regex(pattern = "^[a-z0-9-]+$"))]
    pub code: String,
    /// The application's version this was decided on.
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(max = MAX_SAFE_INTEGER))]
    pub version: u64,
}

/// The query of `GET /api/officer/queue`: a status, optionally a type, and the page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// The status whose queue to read.
    pub status: Status,
    /// Only applications of this type.
    // Described as the code itself: a query parameter is left out, never `null`.
    #[serde(rename = "type", default)]
    #[schemars(with = "TypeCode")]
    pub type_code: Option<TypeCode>,
    /// How many items at most, 1 to 100 (100 when left out). Read as text so that a bad one is
    /// a 400 naming `limit` with its own code.
    #[schemars(with = "Option<u32>", range(min = 1, max = 100))]
    pub limit: Option<String>,
    /// The `nextCursor` of the previous page.
    #[schemars(length(min = 1, max = 2048))]
    pub cursor: Option<String>,
}

/// An application as officers see it: the case view with the first page of its thread.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfficerCase {
    /// The application, its history, documents, checklist, requests and fees.
    #[serde(flatten)]
    pub case: CaseView,
    /// The first page of the thread with the applicant, newest first.
    pub messages: Page<MessageView>,
    /// Who acted on the case lately, newest first: the audit trail's first page (a
    /// representative named with their firm beside their id).
    pub activity: Page<AuditRecord>,
    /// The statuses `…/status` accepts from the current one (the status machine's officer
    /// steps), so the console offers exactly those; empty once the file is closed.
    pub next_statuses: Vec<Status>,
    /// Whether `…/document-requests` accepts a request now.
    pub can_request_documents: bool,
}

/// The body of `POST /api/officer/applications/{id}/status`: the next status, why, and what
/// the applicant is told.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusChange {
    /// The status to move to: one the current status leads to by an officer's step (asking for
    /// documents goes through `…/document-requests`, which says which ones).
    pub to: Status,
    /// Why (kept internal to the agency); not blank.
    #[schemars(length(max = MAX_TEXT_CHARS), regex(pattern = r"\S"))]
    pub reason: String,
    /// What the applicant is told.
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub note_to_applicant: Option<String>,
    /// The application's version this was decided on.
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(max = MAX_SAFE_INTEGER))]
    pub version: u64,
}

/// The body of `POST /api/officer/applications/{id}/document-requests`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentRequests {
    /// The documents asked for, of the type's checklist.
    #[schemars(length(min = 1, max = MAX_ASKED))]
    #[serde(deserialize_with = "objects")]
    pub documents: Vec<AskedDocument>,
    /// The date they are due by (`YYYY-MM-DD`, today or later).
    #[schemars(extend("format" = "date"))]
    pub due_date: String,
    /// The application's version this was decided on.
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(max = MAX_SAFE_INTEGER))]
    pub version: u64,
}

/// One document an officer asks for.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AskedDocument {
    /// The checklist requirement asked for (`passport`, ...), one of the type's.
    pub kind: String,
    /// What the applicant is told.
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub note: Option<String>,
}

impl DocumentRequests {
    /// What is asked.
    pub fn ask(self) -> DocumentAsk {
        let documents = self.documents.into_iter().map(|asked| Asked { kind: asked.kind, note: asked.note }).collect();
        DocumentAsk { documents, due_date: self.due_date }
    }
}

/// An officer's review of a verified document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReviewDecision {
    /// The document is what was asked for.
    Accept,
    /// It is not: the applicant must send another.
    Reject,
}

/// The body of `POST /api/officer/applications/{id}/documents/{docId}/review`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Review {
    /// Accept or reject.
    pub decision: ReviewDecision,
    /// Why; required to reject (the applicant reads it on the checklist).
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub reason: Option<String>,
}
