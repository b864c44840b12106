//! Messages with the agency, the inbox, in-app notifications.

use http::Method;

use super::Contract;
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/messages",
        function: "ListMessages",
        area: Area::Messages,
        auth: Auth::User,
        summary: "The application's thread with the agency, oldest first, with read receipts",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/messages",
        function: "SendMessage",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Write to the agency about the application (may point to its documents)",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/messages/{messageId}/read",
        function: "MarkMessageRead",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Record that the caller read a message from the other side",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/inbox",
        function: "GetInbox",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Per application: unread messages and the latest one",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/notifications",
        function: "ListNotifications",
        area: Area::Messages,
        auth: Auth::User,
        summary: "The caller's latest notifications, newest first",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/notifications/{id}/read",
        function: "MarkNotificationRead",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Mark a notification read",
        contract: Contract::json::<serde_json::Value>(200),
    },
];
