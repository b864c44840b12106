//! The messages area: an application's thread between its applicant and the agency, read
//! receipts, the applicant's inbox (unread counts and latest message per application, one
//! query), and in-app notifications.
//!
//! Access (C1, `portal_api::access`): the owner, or an officer for reads and receipts; officers
//! write through their own route (`/api/officer/applications/{id}/messages`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Party};
use portal_api::body::JsonBody;
use portal_api::paging::{Paging, page_json};
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldError};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::Documents;
use portal_domain::applications::Application;
use portal_domain::clock::Clock;
use portal_domain::ids::{ApplicationId, MessageId, NotificationId};
use portal_domain::messages::{self, Message, Messages, SendError, Side};
use portal_domain::notifications::Notifications;
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;
use serde::Deserialize;
use serde_json::{Value, json};

/// What the area's handlers need.
#[derive(Clone)]
pub struct MessagesState {
    access: CaseAccess,
    messages: Messages,
    documents: Documents,
    notifications: Notifications,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl MessagesState {
    /// State over the table.
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        Self {
            access: CaseAccess::new(Arc::clone(&table), Arc::clone(&clock)),
            messages: Messages::new(Arc::clone(&table)),
            documents: Documents::new(Arc::clone(&table)),
            notifications: Notifications::new(Arc::clone(&table), Arc::clone(&clock)),
            revocations: Revocations::new(table),
            clock,
        }
    }
}

/// The area's router.
pub fn router(state: MessagesState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Messages, state.revocations.clone(), |route| match route.function {
        "ListMessages" => Some(route.serve(list)),
        "SendMessage" => Some(route.serve(send)),
        "MarkMessageRead" => Some(route.serve(mark_read)),
        "GetInbox" => Some(route.serve(inbox)),
        "ListNotifications" => Some(route.serve(notifications)),
        "MarkNotificationRead" => Some(route.serve(mark_notification_read)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// A message to send, from either side.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageBody {
    /// The text.
    pub body: String,
    /// Documents of the same application it points to.
    #[serde(default)]
    pub document_ids: Vec<String>,
}

impl MessageBody {
    /// The message, if the body is within limits and every document is the application's own
    /// (the application's documents are read only when the message points to some).
    pub async fn into_message(
        self,
        application: &Application,
        documents: &Documents,
        from: Side,
        author: &str,
        at: u64,
    ) -> Result<Message, ApiError> {
        let known = if self.document_ids.is_empty() { Vec::new() } else { documents.of(&application.id).await? };
        let problems = messages::problems(&self.body, &self.document_ids, &known);
        if !problems.is_empty() {
            return Err(ApiError::Invalid(problems.into_iter().map(|(f, code)| FieldError::new(f, code)).collect()));
        }
        let body = self.body.trim().to_owned();
        Ok(Message::new(&application.id, from, author, body, self.document_ids, at))
    }
}

/// The answer to a message that could not be sent.
pub fn send_failure(error: SendError) -> ApiError {
    match error {
        SendError::DailyLimit { retry_after } => ApiError::LimitReached { retry_after },
        SendError::Store(store) => store.into(),
    }
}

/// A message as the caller may see it.
fn view(message: &Message, party: Party) -> Value {
    match party {
        Party::Officer => json!(message),
        Party::Owner => message.applicant_view(),
    }
}

/// One page of the thread, newest first.
async fn list(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams(id): PathParams<ApplicationId>,
    Paging(page): Paging,
) -> Result<Json<Value>, ApiError> {
    let (_, party) =
        state.access.application_for(&id, &principal, &[Party::Owner, Party::Officer], "read-messages").await?;
    let thread = state.messages.thread(&id, &page).await?;
    Ok(Json(page_json(thread.map(|message| view(&message, party)))))
}

async fn send(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<Response, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, &[Party::Owner], "send-message").await?;
    let message =
        body.into_message(&application, &state.documents, Side::Applicant, &principal.sub, state.clock.now()).await?;
    state.messages.send(&application.owner, &message).await.map_err(send_failure)?;
    Ok((StatusCode::CREATED, Json(message)).into_response())
}

/// Records that the caller read a message of the other side (reading one's own changes nothing).
async fn mark_read(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams((id, message_id)): PathParams<(ApplicationId, MessageId)>,
) -> Result<Json<Value>, ApiError> {
    let (application, party) =
        state.access.application_for(&id, &principal, &[Party::Owner, Party::Officer], "read-message").await?;
    let message = state.messages.get(&id, &message_id).await?.ok_or(ApiError::NotFound)?;
    let other_side = match party {
        Party::Owner => Side::Officer,
        Party::Officer => Side::Applicant,
    };
    if message.from != other_side || message.is_read() {
        return Ok(Json(view(&message, party)));
    }
    let now = state.clock.now();
    let mut read = message.clone();
    if state.messages.mark_read(&application.owner, &message, now).await? {
        read.read_at = now;
    }
    Ok(Json(view(&read, party)))
}

async fn inbox(principal: Principal, State(state): State<MessagesState>) -> Result<Json<Value>, ApiError> {
    let entries = state.messages.inbox(&principal.sub).await?;
    let unread: u64 = entries.iter().map(|e| e.unread).sum();
    Ok(Json(json!({"unread": unread, "applications": entries})))
}

/// One page of the caller's notifications, newest first, with how many of them are unread.
async fn notifications(
    principal: Principal,
    State(state): State<MessagesState>,
    Paging(page): Paging,
) -> Result<Json<Value>, ApiError> {
    let notifications = state.notifications.of(&principal.sub, &page).await?;
    let unread = notifications.items.iter().filter(|n| n.read_at == 0).count();
    let mut answer = page_json(notifications);
    answer["unread"] = json!(unread);
    Ok(Json(answer))
}

async fn mark_notification_read(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams(id): PathParams<NotificationId>,
) -> Result<StatusCode, ApiError> {
    if state.notifications.mark_read(&principal.sub, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
