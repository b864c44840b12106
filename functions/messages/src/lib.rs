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
use axum::{Extension, Json, Router};
use portal_api::access::{CaseAccess, Party};
use portal_api::body::JsonBody;
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldError};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::applications::Case;
use portal_domain::audit::Outcome;
use portal_domain::clock::Clock;
use portal_domain::ids::{ApplicationId, MessageId, NotificationId};
use portal_domain::messages::{self, Message, Messages, Side};
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
            notifications: Notifications::new(Arc::clone(&table), Arc::clone(&clock)),
            revocations: Revocations::new(table),
            clock,
        }
    }
}

/// The area's router.
pub fn router(state: MessagesState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Messages, |route| match route.function {
        "ListMessages" => Some(route.serve(list)),
        "SendMessage" => Some(route.serve(send)),
        "MarkMessageRead" => Some(route.serve(mark_read)),
        "GetInbox" => Some(route.serve(inbox)),
        "ListNotifications" => Some(route.serve(notifications)),
        "MarkNotificationRead" => Some(route.serve(mark_notification_read)),
        _ => None,
    })?;
    Ok(router.layer(Extension(state.revocations.clone())).with_state(state))
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
    /// The message, if the body is within limits and every document is the application's own.
    pub fn into_message(self, case: &Case, from: Side, author: &str, at: u64) -> Result<Message, ApiError> {
        let problems = messages::problems(&self.body, &self.document_ids, &case.documents);
        if !problems.is_empty() {
            return Err(ApiError::Invalid(problems.into_iter().map(|(f, code)| FieldError::new(f, code)).collect()));
        }
        let body = self.body.trim().to_owned();
        Ok(Message::new(&case.application.id, from, author, body, self.document_ids, at))
    }
}

/// A message as the caller may see it.
fn view(message: &Message, party: Party) -> Value {
    match party {
        Party::Officer => json!(message),
        Party::Owner => message.applicant_view(),
    }
}

async fn list(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let (case, party) =
        state.access.case_for(&id, &principal, &[Party::Owner, Party::Officer], "read-messages").await?;
    state.access.audit(&id, &principal, party.role(), "read-messages", Outcome::Allowed).await?;
    Ok(Json(case.messages.iter().map(|message| view(message, party)).collect()))
}

async fn send(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<Response, ApiError> {
    let (case, _) = state.access.case_for(&id, &principal, &[Party::Owner], "send-message").await?;
    let message = body.into_message(&case, Side::Applicant, &principal.sub, state.clock.now())?;
    state.messages.send(&case.application.owner, &message).await?;
    state.access.audit(&id, &principal, "applicant", "send-message", Outcome::Allowed).await?;
    Ok((StatusCode::CREATED, Json(message)).into_response())
}

/// Records that the caller read a message of the other side (reading one's own changes nothing).
async fn mark_read(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams((id, message_id)): PathParams<(ApplicationId, MessageId)>,
) -> Result<Json<Value>, ApiError> {
    let (case, party) = state.access.case_for(&id, &principal, &[Party::Owner, Party::Officer], "read-message").await?;
    let message = case.messages.iter().find(|m| m.id == message_id).ok_or(ApiError::NotFound)?;
    let other_side = match party {
        Party::Owner => Side::Officer,
        Party::Officer => Side::Applicant,
    };
    if message.from != other_side || message.is_read() {
        return Ok(Json(view(message, party)));
    }
    let now = state.clock.now();
    let mut read = message.clone();
    if state.messages.mark_read(&case.application.owner, message, now).await? {
        read.read_at = now;
    }
    Ok(Json(view(&read, party)))
}

async fn inbox(principal: Principal, State(state): State<MessagesState>) -> Result<Json<Value>, ApiError> {
    let entries = state.messages.inbox(&principal.sub).await?;
    let unread: u64 = entries.iter().map(|e| e.unread).sum();
    Ok(Json(json!({"unread": unread, "applications": entries})))
}

async fn notifications(principal: Principal, State(state): State<MessagesState>) -> Result<Json<Value>, ApiError> {
    let notifications = state.notifications.of(&principal.sub).await?;
    let unread = notifications.iter().filter(|n| n.read_at == 0).count();
    Ok(Json(json!({"unread": unread, "items": notifications})))
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
