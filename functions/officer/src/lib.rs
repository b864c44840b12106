//! The officer area: the queue of applications by status and type (an index query, paged by a
//! cursor), the case view, status decisions with a reason and a note to the applicant, requests
//! for documents with a due date, and the review of documents.
//! Only members of the officers group get in; anyone else gets 403 (C2).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router};
use portal_api::access::type_of;
use portal_api::body::JsonBody;
use portal_api::contract::messages::NewMessage;
use portal_api::paging::{Paging, page_json};
use portal_api::params::{PathParams, QueryParams};
use portal_api::principal::{Officer, Principal};
use portal_api::problem::{ApiError, FieldError};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::{Document, DocumentRequest, Documents, checklist};
use portal_domain::application_types::{Catalog, is_date};
use portal_domain::applications::{Application, Applications, Change};
use portal_domain::audit::{Audit, AuditRecord, Outcome};
use portal_domain::clock::{Clock, utc_date};
use portal_domain::ids::{ApplicationId, DocumentId, TypeCode};
use portal_domain::keys;
use portal_domain::messages::{MessageView, Messages, Side};
use portal_domain::paging::Paged;
use portal_domain::sessions::Revocations;
use portal_domain::status::{Actor, Command, Status};
use portal_domain::table::{Condition, Item, StoreError, Table, WriteOp};
use serde::Deserialize;
use serde_json::{Value, json};

/// Longest reason or note.
const MAX_TEXT_CHARS: usize = 2000;
/// Most documents asked for at once.
const MAX_REQUESTED: usize = 20;

/// What the area's handlers need.
#[derive(Clone)]
pub struct OfficerState {
    catalog: Arc<Catalog>,
    applications: Applications,
    documents: Documents,
    messages: Messages,
    audit: Audit,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl OfficerState {
    /// State over the table and the type catalog.
    pub fn new(table: Arc<dyn Table>, catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Self {
        Self {
            catalog,
            applications: Applications::new(Arc::clone(&table)),
            documents: Documents::new(Arc::clone(&table)),
            messages: Messages::new(Arc::clone(&table)),
            audit: Audit::new(Arc::clone(&table)),
            revocations: Revocations::new(table),
            clock,
        }
    }
}

/// The area's router.
pub fn router(state: OfficerState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Officer, state.revocations.clone(), |route| match route.function {
        "QueueApplications" => Some(route.serve(queue)),
        "GetCase" => Some(route.serve(case)),
        "ChangeApplicationStatus" => Some(route.serve(change_status)),
        "RequestDocuments" => Some(route.serve(request_documents)),
        "ReviewDocument" => Some(route.serve(review_document)),
        "SendOfficerMessage" => Some(route.serve(send_message)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// A trimmed optional text, `None` when blank; `too-long` past the limit.
fn optional_text(text: Option<&str>, field: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    if text.chars().count() > MAX_TEXT_CHARS {
        errors.push(FieldError::new(field, "too-long"));
    }
    Some(text.to_owned())
}

impl OfficerState {
    async fn audit(&self, id: &str, officer: &Principal, action: &str) -> Result<(), ApiError> {
        let record = AuditRecord::new(self.clock.now(), &officer.sub, "officer", action, Outcome::Allowed);
        Ok(self.audit.record(id, &record).await?)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueParams {
    status: Status,
    #[serde(rename = "type")]
    type_code: Option<TypeCode>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// One page of a status's queue (optionally of one type), oldest change first.
async fn queue(
    _officer: Officer,
    State(state): State<OfficerState>,
    QueryParams(params): QueryParams<QueueParams>,
) -> Result<Json<Value>, ApiError> {
    let page = Paging::parse(params.limit.as_deref(), params.cursor)?;
    let queue = state.applications.queue(params.status, params.type_code.as_deref(), &page).await?;
    Ok(Json(page_json(queue)))
}

async fn case(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Value>, ApiError> {
    let case = state.applications.case(&id).await?.ok_or(ApiError::NotFound)?;
    state.audit(&id, &officer, "read").await?;
    let application_type = type_of(&state.catalog, &case.application)?;
    let documents = Paged { items: case.documents.clone(), next: None };
    Ok(Json(json!({
        "application": case.application,
        "history": page_json(case.history),
        "checklist": checklist(application_type, &case.documents, &case.requests),
        "documents": page_json(documents),
        "documentRequests": case.requests,
        "messages": page_json(case.messages),
    })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StatusBody {
    to: Status,
    reason: String,
    note_to_applicant: Option<String>,
    version: u64,
}

/// The officer's command that takes the application to `to`, if there is one. Asking for
/// documents goes through a document request, which says which ones.
fn command_to(application: &Application, to: Status) -> Option<Command> {
    Command::ALL
        .into_iter()
        .filter(|command| command.actor() == Actor::Officer && *command != Command::RequestDocuments)
        .find(|command| application.status.apply(*command) == Ok(to))
}

async fn change_status(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<StatusBody>,
) -> Result<Json<Application>, ApiError> {
    let mut errors = Vec::new();
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_TEXT_CHARS {
        errors.push(FieldError::new("reason", if reason.is_empty() { "required" } else { "too-long" }));
    }
    let note = body.note_to_applicant.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_TEXT_CHARS) {
        errors.push(FieldError::new("noteToApplicant", "too-long"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let application = state.applications.get(&id).await?.ok_or(ApiError::NotFound)?;
    let current_version = application.version;
    if body.version != current_version {
        return Err(ApiError::Conflict { current_version });
    }
    let command = command_to(&application, body.to).ok_or(ApiError::InvalidState)?;
    let change = Change {
        command,
        actor: &officer.sub,
        reason: Some(reason.to_owned()),
        note_to_applicant: note.map(str::to_owned),
        expected_version: body.version,
        number: None,
        at: state.clock.now(),
        also: Vec::new(),
    };
    let changed = state
        .applications
        .change_status(&application, change)
        .await
        .map_err(|error| ApiError::from_write(error, current_version))?;
    state.audit(&id, &officer, "change-status").await?;
    Ok(Json(changed))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AskedDocument {
    kind: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DocumentRequestsBody {
    documents: Vec<AskedDocument>,
    due_date: String,
    version: u64,
}

/// Asks the applicant for documents by a due date: the requests, the move to
/// `documents_requested` and its history entry are one transaction. The applicant's checklist
/// shows each request and the dashboard flags the application.
async fn request_documents(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<DocumentRequestsBody>,
) -> Result<Json<Application>, ApiError> {
    let application = state.applications.get(&id).await?.ok_or(ApiError::NotFound)?;
    let documents = state.documents.of(&id).await?;
    let application_type = type_of(&state.catalog, &application)?;
    let now = state.clock.now();
    let mut errors = Vec::new();
    if body.documents.is_empty() || body.documents.len() > MAX_REQUESTED {
        errors.push(FieldError::new("documents", if body.documents.is_empty() { "required" } else { "too-long" }));
    }
    let mut requests = Vec::new();
    for (i, asked) in body.documents.iter().enumerate() {
        if !application_type.documents.iter().any(|d| d.kind == asked.kind) {
            errors.push(FieldError::new(format!("documents[{i}].kind"), "unknown-kind"));
        }
        requests.push(DocumentRequest {
            id: uuid::Uuid::new_v4().to_string(),
            kind: asked.kind.clone(),
            note: optional_text(asked.note.as_deref(), &format!("documents[{i}].note"), &mut errors),
            due_date: body.due_date.clone(),
            requested_at: now,
            requested_by: officer.sub.clone(),
            already_sent: documents.iter().filter(|d| d.kind == asked.kind).map(|d| d.id.clone()).collect(),
        });
    }
    if !is_date(&body.due_date) {
        errors.push(FieldError::new("dueDate", "invalid-date"));
    } else if body.due_date < utc_date(now) {
        errors.push(FieldError::new("dueDate", "in-the-past"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let current_version = application.version;
    if body.version != current_version {
        return Err(ApiError::Conflict { current_version });
    }
    let kinds: Vec<&str> = requests.iter().map(|r| r.kind.as_str()).collect();
    let mut also = Vec::new();
    for request in &requests {
        let item = Item::from_record(&keys::document_request(&id, &request.id), request)?;
        also.push(WriteOp::Put { item, condition: Some(Condition::Absent) });
    }
    let change = Change {
        command: Command::RequestDocuments,
        actor: &officer.sub,
        reason: Some(format!("documents requested: {}", kinds.join(", "))),
        note_to_applicant: None,
        expected_version: body.version,
        number: None,
        at: now,
        also,
    };
    let changed = state
        .applications
        .change_status(&application, change)
        .await
        .map_err(|error| ApiError::from_write(error, current_version))?;
    state.audit(&id, &officer, "request-documents").await?;
    Ok(Json(changed))
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Decision {
    Accept,
    Reject,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReviewBody {
    decision: Decision,
    reason: Option<String>,
}

/// Accepts or rejects a document whose file passed verification; a rejection says why (the
/// applicant reads it on the checklist).
async fn review_document(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams((id, document_id)): PathParams<(ApplicationId, DocumentId)>,
    JsonBody(body): JsonBody<ReviewBody>,
) -> Result<Json<Document>, ApiError> {
    let mut errors = Vec::new();
    let reason = optional_text(body.reason.as_deref(), "reason", &mut errors);
    if matches!(body.decision, Decision::Reject) && reason.is_none() {
        errors.push(FieldError::new("reason", "required"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let application = state.applications.get(&id).await?.ok_or(ApiError::NotFound)?;
    // Ids are UUIDs; anything else names no document (and must not reach a store key).
    if uuid::Uuid::parse_str(&document_id).is_err() {
        return Err(ApiError::NotFound);
    }
    let document = state.documents.get(&id, &document_id).await?.ok_or(ApiError::NotFound)?;
    if !document.state.is_servable() {
        return Err(ApiError::InvalidState);
    }
    let accepted = matches!(body.decision, Decision::Accept);
    let owner = &application.owner;
    let reviewed = match state.documents.record_review(&document, owner, accepted, reason, state.clock.now()).await {
        Ok(reviewed) => reviewed,
        Err(StoreError::ConditionFailed) => return Err(ApiError::InvalidState),
        Err(other) => return Err(other.into()),
    };
    state.audit(&id, &officer, if accepted { "accept-document" } else { "reject-document" }).await?;
    Ok(Json(reviewed))
}

/// Writes to the applicant on the application's thread; they are notified.
async fn send_message(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<NewMessage>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let application = state.applications.get(&id).await?.ok_or(ApiError::NotFound)?;
    if application.owner.is_empty() {
        // A paper application nobody has linked yet: there is no one to write to.
        return Err(ApiError::InvalidState);
    }
    let draft = body.draft(Side::Officer, &officer.sub);
    let message = draft.compose(&application.id, &state.documents, state.clock.now()).await?;
    state.messages.send(&application.owner, &message).await?;
    state.audit(&id, &officer, "send-message").await?;
    Ok((StatusCode::CREATED, Json(MessageView::for_side(message, Side::Officer))))
}
