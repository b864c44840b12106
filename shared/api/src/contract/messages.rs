//! Messages with the agency, the inbox, in-app notifications.
//!
//! Path ids are described as UUIDs here until the typed ids of `portal_domain::ids` carry their
//! own schemas.

use http::Method;
use portal_domain::ids::{ApplicationId, MessageId, NotificationId};
use portal_domain::messages::{Draft, InboxEntry, MAX_BODY_CHARS, MAX_REFERENCED_DOCUMENTS, MessageView, Side};
use portal_domain::notifications::Notification;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Contract, Page, PageQuery};
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/messages",
        function: "ListMessages",
        area: Area::Messages,
        auth: Auth::User,
        summary: "The application's thread with the agency, newest first, with read receipts",
        contract: Contract::json::<Page<MessageView>>(200).path::<ApplicationId>().query::<PageQuery>(),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/messages",
        function: "SendMessage",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Write to the agency about the application (may point to its documents)",
        contract: Contract::json::<MessageView>(201).path::<ApplicationId>().body::<NewMessage>(),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/messages/{messageId}/read",
        function: "MarkMessageRead",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Record that the caller read a message from the other side",
        contract: Contract::json::<MessageView>(200).path::<(ApplicationId, MessageId)>().without_body(),
    },
    Route {
        method: Method::GET,
        path: "/api/inbox",
        function: "GetInbox",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Per application: unread messages and the latest one",
        contract: Contract::json::<Inbox>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/notifications",
        function: "ListNotifications",
        area: Area::Messages,
        auth: Auth::User,
        summary: "The caller's latest notifications, newest first",
        contract: Contract::json::<NotificationPage>(200).query::<PageQuery>(),
    },
    Route {
        method: Method::POST,
        path: "/api/notifications/{id}/read",
        function: "MarkNotificationRead",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Mark a notification read",
        contract: Contract::empty(204).path::<NotificationId>().without_body(),
    },
];

/// A message to send on an application's thread, by its applicant or (on the officers' route)
/// an officer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMessage {
    /// The text: 1 to 5000 characters once trimmed.
    #[schemars(length(min = 1, max = MAX_BODY_CHARS))]
    pub body: String,
    /// Documents of the same application it points to (at most 10).
    #[serde(default)]
    #[schemars(with = "Vec<Uuid>", length(max = MAX_REFERENCED_DOCUMENTS))]
    pub document_ids: Vec<String>,
}

impl NewMessage {
    /// The message as `author`, on `from`'s side, wrote it, for the domain to check.
    pub fn draft(self, from: Side, author: &str) -> Draft {
        Draft { from, author: author.to_owned(), body: self.body, document_ids: self.document_ids }
    }
}

/// The applicant's inbox: per application, unread officer messages and the latest message.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Inbox {
    /// Unread officer messages, over every application.
    pub unread: u64,
    /// One entry per application with a thread.
    pub applications: Vec<InboxEntry>,
}

impl Inbox {
    /// The inbox of these entries.
    pub fn of(applications: Vec<InboxEntry>) -> Self {
        Self { unread: applications.iter().map(|entry| entry.unread).sum(), applications }
    }
}

/// One page of the caller's notifications, newest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NotificationPage {
    /// The page.
    #[serde(flatten)]
    pub page: Page<Notification>,
    /// How many of this page's notifications are unread.
    pub unread: u64,
}

impl From<Page<Notification>> for NotificationPage {
    fn from(page: Page<Notification>) -> Self {
        let unread = page.items.iter().filter(|notification| notification.read_at == 0).count() as u64;
        Self { page, unread }
    }
}
