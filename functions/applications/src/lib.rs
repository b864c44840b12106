//! The applications area: the type catalog, drafts saved under optimistic concurrency,
//! submission with the whole form checked, withdrawal, and the dashboard.
//!
//! Access (C1, `portal_api::access`): the owner, or an officer for reads.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Party, type_of};
use portal_api::body::JsonBody;
use portal_api::paging::{Paging, page_json};
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldError};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::{Document, DocumentRequest, DocumentState, Documents, checklist};
use portal_domain::application_types::{ApplicationType, Catalog};
use portal_domain::applications::{Application, Applications, Case, Change, HistoryEntry, WriteError};
use portal_domain::attempts::LinkAttempts;
use portal_domain::audit::Outcome;
use portal_domain::clock::Clock;
use portal_domain::ids::ApplicationId;
use portal_domain::paging::Paged;
use portal_domain::sessions::Revocations;
use portal_domain::status::Command;
use portal_domain::table::Table;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Draws of a fresh application number before giving up (each clash is one in a billion).
const NUMBER_DRAWS: usize = 3;

/// What the area's handlers need.
#[derive(Clone)]
pub struct ApplicationsState {
    catalog: Arc<Catalog>,
    access: CaseAccess,
    applications: Applications,
    documents: Documents,
    link_attempts: LinkAttempts,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl ApplicationsState {
    /// State over the table and the type catalog.
    pub fn new(table: Arc<dyn Table>, catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Self {
        Self {
            catalog,
            access: CaseAccess::new(Arc::clone(&table), Arc::clone(&clock)),
            applications: Applications::new(Arc::clone(&table)),
            documents: Documents::new(Arc::clone(&table)),
            link_attempts: LinkAttempts::new(Arc::clone(&table)),
            revocations: Revocations::new(table),
            clock,
        }
    }
}

/// The area's router.
pub fn router(state: ApplicationsState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Applications, state.revocations.clone(), |route| match route.function {
        "ListApplicationTypes" => Some(route.serve(list_types)),
        "ListProcessingTimes" => Some(route.serve(processing_times)),
        "ListApplications" => Some(route.serve(dashboard)),
        "CreateApplication" => Some(route.serve(create)),
        "GetApplication" => Some(route.serve(get_one)),
        "SaveApplicationForm" => Some(route.serve(save_form)),
        "SubmitApplication" => Some(route.serve(submit)),
        "WithdrawApplication" => Some(route.serve(withdraw)),
        "LinkApplication" => Some(route.serve(link)),
        "ListHistory" => Some(route.serve(history)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// A history entry as the caller may see it: the applicant's view keeps each step's date and
/// note to the applicant; the officer's reason and identity are internal to the agency.
fn history_view(entry: &HistoryEntry, party: Party) -> Value {
    match party {
        Party::Officer => json!(entry),
        Party::Owner => entry.applicant_view(),
    }
}

/// The application as the API shows it, with the first page of its history, its documents and
/// the type's checklist and fees (the rest of the history at `…/history?cursor=`).
fn view(case: &Case, application_type: &ApplicationType, party: Party) -> Value {
    let history = case.history.clone().map(|entry| history_view(&entry, party));
    json!({
        "application": case.application,
        "history": page_json(history),
        "checklist": checklist(application_type, &case.documents, &case.requests),
        "documents": page_json(Paged { items: case.documents.clone(), next: None }),
        "documentRequests": match party {
            Party::Officer => json!(case.requests),
            Party::Owner => json!(case.requests.iter().map(DocumentRequest::applicant_view).collect::<Vec<_>>()),
        },
        "fees": application_type.fees,
    })
}

async fn list_types(State(state): State<ApplicationsState>) -> Json<Value> {
    Json(json!(state.catalog.all()))
}

/// Per type, how long decided applications took: computed from the decisions in the store.
async fn processing_times(State(state): State<ApplicationsState>) -> Result<Json<Value>, ApiError> {
    let mut times = Vec::new();
    for application_type in state.catalog.all() {
        let estimate = state.applications.processing_time(&application_type.code).await?;
        times.push(json!({"type": application_type.code, "estimate": estimate}));
    }
    Ok(Json(json!(times)))
}

async fn dashboard(principal: Principal, State(state): State<ApplicationsState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.applications.dashboard(&principal.sub).await?)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBody {
    #[serde(rename = "type")]
    type_code: String,
}

async fn create(
    principal: Principal,
    State(state): State<ApplicationsState>,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<Response, ApiError> {
    if state.catalog.get(&body.type_code).is_none() {
        return Err(ApiError::Invalid(vec![FieldError::new("type", "unknown-type")]));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let application = state.applications.create_draft(&principal.sub, &body.type_code, id, state.clock.now()).await?;
    state.access.audit(&application.id, &principal, "applicant", "create", Outcome::Allowed).await?;
    Ok((StatusCode::CREATED, Json(json!(application))).into_response())
}

async fn get_one(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Value>, ApiError> {
    let (case, party) = state.access.case_for(&id, &principal, &[Party::Owner, Party::Officer], "read").await?;
    Ok(Json(view(&case, type_of(&state.catalog, &case.application)?, party)))
}

/// One page of the application's history, oldest first.
async fn history(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
    Paging(page): Paging,
) -> Result<Json<Value>, ApiError> {
    let (_, party) =
        state.access.application_for(&id, &principal, &[Party::Owner, Party::Officer], "read-history").await?;
    let history = state.applications.history(&id, &page).await?;
    Ok(Json(page_json(history.map(|entry| history_view(&entry, party)))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FormBody {
    data: Map<String, Value>,
    version: u64,
}

/// Field errors of form data; `complete` also asks for every required field.
fn form_errors(application_type: &ApplicationType, data: &Map<String, Value>, complete: bool) -> Vec<FieldError> {
    let fields: Vec<_> = application_type.sections.iter().flat_map(|s| &s.fields).collect();
    let mut errors: Vec<FieldError> = data
        .keys()
        .filter(|name| !fields.iter().any(|f| &f.id == *name))
        .map(|name| FieldError::new(name.clone(), "unknown-field"))
        .collect();
    for field in fields {
        if let Err(problem) = field.check(data.get(&field.id), complete) {
            errors.push(FieldError::new(field.id.clone(), problem.code()));
        }
    }
    errors
}

async fn save_form(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<FormBody>,
) -> Result<Response, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, &[Party::Owner], "save-form").await?;
    let application_type = type_of(&state.catalog, &application)?;
    let errors = form_errors(application_type, &body.data, false);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let current_version = application.version;
    if body.version != current_version {
        return Err(ApiError::Conflict { current_version });
    }
    let saved = state
        .applications
        .save_form(&application, body.data, body.version, state.clock.now())
        .await
        .map_err(|error| ApiError::from_write(error, current_version))?;
    Ok(Json(json!(saved)).into_response())
}

/// The required documents not yet sent and verified, each named `documents.{kind}`.
fn document_errors(
    application_type: &ApplicationType,
    documents: &[Document],
    requests: &[DocumentRequest],
) -> Vec<FieldError> {
    checklist(application_type, documents, requests)
        .into_iter()
        .filter(|line| line.required && !line.satisfied)
        .map(|line| {
            let code = match line.state {
                Some(DocumentState::Pending) => "document-not-verified",
                Some(DocumentState::Quarantined | DocumentState::Rejected) => "document-refused",
                _ => "document-missing",
            };
            FieldError::new(format!("documents.{}", line.kind), code)
        })
        .collect()
}

/// A fresh number: the type's letter and nine random digits.
fn draw_number(prefix: char) -> Result<String, ApiError> {
    let mut bytes = [0u8; 8];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| ApiError::Internal("random generator failed".into()))?;
    Ok(format!("{prefix}{:09}", u64::from_be_bytes(bytes) % 1_000_000_000))
}

async fn submit(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Application>, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, &[Party::Owner], "submit").await?;
    let application_type = type_of(&state.catalog, &application)?;
    let (documents, requests) = futures::try_join!(state.documents.of(&id), state.documents.requests(&id))?;
    let mut missing = form_errors(application_type, &application.data, true);
    missing.extend(document_errors(application_type, &documents, &requests));
    if !missing.is_empty() {
        return Err(ApiError::Incomplete(missing));
    }
    // Fees join this check when payments land; until then they do not block submission.
    let application = &application;
    for _ in 0..NUMBER_DRAWS {
        let change = Change {
            command: Command::Submit,
            actor: &principal.sub,
            reason: None,
            note_to_applicant: None,
            expected_version: application.version,
            number: Some(draw_number(application_type.number_prefix)?),
            at: state.clock.now(),
            also: Vec::new(),
        };
        match state.applications.change_status(application, change).await {
            Ok(submitted) => {
                return Ok(Json(submitted));
            }
            Err(WriteError::NumberTaken) => continue,
            Err(other) => return Err(ApiError::from_write(other, application.version)),
        }
    }
    Err(ApiError::from_write(WriteError::NumberTaken, application.version))
}

async fn withdraw(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Application>, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, &[Party::Owner], "withdraw").await?;
    let change = Change {
        command: Command::Withdraw,
        actor: &principal.sub,
        reason: None,
        note_to_applicant: None,
        expected_version: application.version,
        number: None,
        at: state.clock.now(),
        also: Vec::new(),
    };
    let current_version = application.version;
    let withdrawn = state
        .applications
        .change_status(&application, change)
        .await
        .map_err(|error| ApiError::from_write(error, current_version))?;
    Ok(Json(withdrawn))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkBody {
    application_number: String,
    family_name: String,
    date_of_birth: String,
}

/// Links a paper application to the caller. A mismatch in any field is the same 404, with no
/// hint of which; five failures in 24 hours and further attempts get 429 (A3).
async fn link(
    principal: Principal,
    State(state): State<ApplicationsState>,
    JsonBody(body): JsonBody<LinkBody>,
) -> Result<Json<Application>, ApiError> {
    let now = state.clock.now();
    let attempt = state.link_attempts.reserve(&principal.sub, now).await?.map_err(ApiError::from)?;
    let linked = state
        .applications
        .link_paper(&body.application_number, &body.family_name, &body.date_of_birth, &principal.sub, now)
        .await
        .map_err(|error| ApiError::from_write(error, 0))?;
    match linked {
        Some(application) => {
            state.link_attempts.release(attempt).await?;
            state.access.audit(&application.id, &principal, "applicant", "link", Outcome::Allowed).await?;
            Ok(Json(application))
        }
        None => Err(ApiError::NotFound),
    }
}
