//! The messages area: an application's thread between its applicant and the agency, read
//! receipts, the applicant's inbox (unread counts and latest message per application, one
//! query), and in-app notifications.
//!
//! Access (C1, `portal_api::access`): the owner, or an officer for reads and receipts; officers
//! write through their own route (`/api/officer/applications/{id}/messages`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Needs, Party};
use portal_api::body::JsonBody;
use portal_api::contract::Page;
use portal_api::contract::messages::{Inbox, NewMessage, NotificationPage};
use portal_api::paging::Paging;
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::ApiError;
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::Documents;
use portal_domain::clock::Clock;
use portal_domain::ids::{ApplicationId, MessageId, NotificationId};
use portal_domain::messages::{MessageView, Messages, Side};
use portal_domain::notifications::Notifications;
use portal_domain::representatives::{Grant, Scope};
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;

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

/// The side of the thread a party reads from.
fn side_of(party: Party) -> Side {
    match party {
        Party::Owner | Party::Representative(_) => Side::Applicant,
        Party::Officer => Side::Officer,
    }
}

/// One page of the thread, newest first.
async fn list(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams(id): PathParams<ApplicationId>,
    Paging(page): Paging,
) -> Result<Json<Page<MessageView>>, ApiError> {
    let thread = async { Ok(state.messages.thread(&id, &page).await?) };
    let (_, party, thread) = state.access.read(&id, &principal, "read-messages", thread).await?;
    let thread = Page::from(thread);
    Ok(Json(thread.map(|message| MessageView::for_side(message, side_of(party)))))
}

async fn send(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<NewMessage>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, Needs::Act, "send-message").await?;
    let now = state.clock.now();
    let draft = body.draft(Side::Applicant, &principal.sub);
    let mut message = draft.compose(&application.id, &state.documents, now).await?;
    // A representative's message says so, to the officers and to the applicant.
    message.representative = application.grant_of(&principal.sub, now).map(Grant::acting);
    state.messages.send(&application.owner, &message).await?;
    Ok((StatusCode::CREATED, Json(MessageView::for_side(message, Side::Applicant))))
}

/// Records that the caller read a message of the other side (reading one's own changes nothing).
/// A `read` representative reads it without marking it: the receipt officers see, and the
/// applicant's unread count, stay the applicant's (or a `full` representative's) to change.
async fn mark_read(
    principal: Principal,
    State(state): State<MessagesState>,
    PathParams((id, message_id)): PathParams<(ApplicationId, MessageId)>,
) -> Result<Json<MessageView>, ApiError> {
    let (application, party) = state.access.application_for(&id, &principal, Needs::Read, "read-message").await?;
    let message = state.messages.get(&id, &message_id).await?.ok_or(ApiError::NotFound)?;
    let reader = side_of(party);
    let read = match party {
        Party::Representative(Scope::Read) => message,
        _ => state.messages.read_by(&application.owner, message, reader, state.clock.now()).await?,
    };
    Ok(Json(MessageView::for_side(read, reader)))
}

async fn inbox(principal: Principal, State(state): State<MessagesState>) -> Result<Json<Inbox>, ApiError> {
    Ok(Json(Inbox::of(state.messages.inbox(&principal.sub).await?)))
}

/// One page of the caller's notifications, newest first, with how many of them are unread.
async fn notifications(
    principal: Principal,
    State(state): State<MessagesState>,
    Paging(page): Paging,
) -> Result<Json<NotificationPage>, ApiError> {
    let notifications = state.notifications.of(&principal.sub, &page).await?;
    Ok(Json(NotificationPage::from(Page::from(notifications))))
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
