//! The officers' side: the queue, the case, decisions, document requests, messages.

use http::Method;

use super::Contract;
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
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/officer/applications/{id}",
        function: "GetCase",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "One application with its history",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/status",
        function: "ChangeApplicationStatus",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Move an application to its next status, with a reason and a note to the applicant",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/document-requests",
        function: "RequestDocuments",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Ask the applicant for documents by a due date (moves the application to documents_requested)",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/documents/{docId}/review",
        function: "ReviewDocument",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Accept or reject a verified document, with a reason",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/messages",
        function: "SendOfficerMessage",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Write to the applicant (notifies them)",
        contract: Contract::json::<portal_domain::messages::MessageView>(201)
            .path::<uuid::Uuid>()
            .body::<super::messages::NewMessage>()
            .problems(&[409]),
    },
];
