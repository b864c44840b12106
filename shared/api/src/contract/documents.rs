//! Documents: presigned uploads, verification, the checklist, downloads.

use http::Method;

use super::Contract;
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/documents",
        function: "ListDocuments",
        area: Area::Documents,
        auth: Auth::User,
        summary: "The application's document checklist, documents and officers' requests",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/documents",
        function: "RequestUpload",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Declare a document (kind, name, type, size) and get a presigned upload form valid 5 minutes",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/documents/{docId}/complete",
        function: "CompleteUpload",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Verify the uploaded file now and give the document's state",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/documents/{docId}/download",
        function: "DownloadDocument",
        area: Area::Documents,
        auth: Auth::User,
        summary: "A download link valid 5 minutes (verified files only)",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::DELETE,
        path: "/api/applications/{id}/documents/{docId}",
        function: "DeleteDocument",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Remove a document while the application is a draft or an officer asked for that kind",
        contract: Contract::json::<serde_json::Value>(200),
    },
];
