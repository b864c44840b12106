//! The officer area: the queue of applications by status and type (an index query, paged by a
//! cursor), the case view, and status decisions with a reason and a note to the applicant.
//! Only members of the officers group get in; anyone else gets 403 (C2).

use std::sync::Arc;

use axum::extract::{Path, Query as UrlQuery, State};
use axum::{Extension, Json, Router};
use portal_api::body::JsonBody;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldError};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::applications::{Application, Applications, Change};
use portal_domain::audit::{Audit, AuditRecord, Outcome};
use portal_domain::clock::Clock;
use portal_domain::sessions::Revocations;
use portal_domain::status::{Actor, Command, Status};
use portal_domain::table::{Cursor, StoreError, Table};
use serde::Deserialize;
use serde_json::{Value, json};

/// Applications per queue page.
const PAGE_SIZE: u32 = 25;
/// Longest reason or note.
const MAX_TEXT_CHARS: usize = 2000;

/// What the area's handlers need.
#[derive(Clone)]
pub struct OfficerState {
    applications: Applications,
    audit: Audit,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl OfficerState {
    /// State over the table.
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        Self {
            applications: Applications::new(Arc::clone(&table)),
            audit: Audit::new(Arc::clone(&table)),
            revocations: Revocations::new(table),
            clock,
        }
    }
}

/// The area's router.
pub fn router(state: OfficerState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Officer, |route| match route.function {
        "QueueApplications" => Some(route.serve(queue)),
        "GetCase" => Some(route.serve(case)),
        "ChangeApplicationStatus" => Some(route.serve(change_status)),
        _ => None,
    })?;
    Ok(router.layer(Extension(state.revocations.clone())).with_state(state))
}

/// The caller, if an officer (C2).
fn officer(principal: Principal) -> Result<Principal, ApiError> {
    if principal.is_officer() { Ok(principal) } else { Err(ApiError::Forbidden) }
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
    type_code: Option<String>,
    cursor: Option<String>,
}

async fn queue(
    principal: Principal,
    State(state): State<OfficerState>,
    params: Result<UrlQuery<QueueParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    officer(principal)?;
    let UrlQuery(params) = params.map_err(|rejection| ApiError::MalformedBody(rejection.body_text()))?;
    let after = params.cursor.map(Cursor::from);
    let page = state.applications.queue(params.status, params.type_code.as_deref(), PAGE_SIZE, after).await;
    let (applications, next) = page.map_err(|error| match error {
        StoreError::InvalidCursor => ApiError::Invalid(vec![FieldError::new("cursor", "invalid")]),
        other => other.into(),
    })?;
    let items: Vec<Value> = applications
        .iter()
        .map(|a| json!({"id": a.id, "type": a.type_code, "status": a.status, "number": a.number, "updatedAt": a.updated_at}))
        .collect();
    Ok(Json(json!({"items": items, "next": next.as_ref().map(Cursor::as_str)})))
}

async fn case(
    principal: Principal,
    State(state): State<OfficerState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let officer = officer(principal)?;
    let case = state.applications.case(&id).await?.ok_or(ApiError::NotFound)?;
    state.audit(&id, &officer, "read").await?;
    Ok(Json(json!({"application": case.application, "history": case.history})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StatusBody {
    to: Status,
    reason: String,
    note_to_applicant: Option<String>,
    version: u64,
}

/// The officer's command that takes the application to `to`, if there is one.
fn command_to(application: &Application, to: Status) -> Option<Command> {
    Command::ALL
        .into_iter()
        .filter(|command| command.actor() == Actor::Officer)
        .find(|command| application.status.apply(*command) == Ok(to))
}

async fn change_status(
    principal: Principal,
    State(state): State<OfficerState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StatusBody>,
) -> Result<Json<Application>, ApiError> {
    let officer = officer(principal)?;
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
    let case = state.applications.case(&id).await?.ok_or(ApiError::NotFound)?;
    let current_version = case.application.version;
    if body.version != current_version {
        return Err(ApiError::Conflict { current_version });
    }
    let command = command_to(&case.application, body.to).ok_or(ApiError::InvalidState)?;
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
        .change_status(&case.application, change)
        .await
        .map_err(|error| ApiError::from_write(error, current_version))?;
    state.audit(&id, &officer, "change-status").await?;
    Ok(Json(changed))
}
