//! The applications area: the type catalog, drafts saved under optimistic concurrency,
//! submission with the whole form checked, withdrawal, and the dashboard.
//!
//! Access (C1, `portal_api::access`): the owner, or an officer for reads.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Needs, type_of};
use portal_api::body::JsonBody;
use portal_api::contract::Page;
use portal_api::contract::applications::{FormSave, LinkRequest, NewApplication, ProcessingTime, Submission};
use portal_api::paging::Paging;
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldErrors};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::{Documents, submission_problems};
use portal_domain::application_types::{ApplicationType, Catalog};
use portal_domain::applications::{Application, Applications, Summary};
use portal_domain::attempts::LinkAttempts;
use portal_domain::audit::Outcome;
use portal_domain::case_view::{CaseView, HistoryView};
use portal_domain::clock::{Clock, utc_date};
use portal_domain::declaration::DECLARATION;
use portal_domain::fees::Fees;
use portal_domain::ids::ApplicationId;
use portal_domain::sessions::Revocations;
use portal_domain::statements::Statement;
use portal_domain::table::Table;

/// What the area's handlers need.
#[derive(Clone)]
pub struct ApplicationsState {
    table: Arc<dyn Table>,
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
            table: Arc::clone(&table),
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
        "GetDeclarationStatement" => Some(route.serve(declaration_statement)),
        "SubmitApplication" => Some(route.serve(submit)),
        "WithdrawApplication" => Some(route.serve(withdraw)),
        "DeleteDraft" => Some(route.serve(delete_draft)),
        "LinkApplication" => Some(route.serve(link)),
        "ListHistory" => Some(route.serve(history)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

async fn list_types(State(state): State<ApplicationsState>) -> Json<Vec<ApplicationType>> {
    Json(state.catalog.all().to_vec())
}

/// Per type, how long decided applications took: computed from the decisions in the store.
async fn processing_times(State(state): State<ApplicationsState>) -> Result<Json<Vec<ProcessingTime>>, ApiError> {
    let mut times = Vec::new();
    for application_type in state.catalog.all() {
        let estimate = state.applications.processing_time(&application_type.code).await?;
        times.push(ProcessingTime { type_code: application_type.code.clone(), estimate });
    }
    Ok(Json(times))
}

/// One page of the caller's dashboard (at most 50 lines), action required first.
async fn dashboard(
    principal: Principal,
    State(state): State<ApplicationsState>,
    Paging(page): Paging,
) -> Result<Json<Page<Summary>>, ApiError> {
    Ok(Json(state.applications.dashboard(&principal.sub, state.clock.now(), &page).await?.into()))
}

async fn create(
    principal: Principal,
    State(state): State<ApplicationsState>,
    JsonBody(body): JsonBody<NewApplication>,
) -> Result<(StatusCode, Json<Application>), ApiError> {
    let application_type =
        state.catalog.get(&body.type_code).ok_or_else(|| ApiError::invalid("type", "unknown-type"))?;
    let id = uuid::Uuid::new_v4().to_string();
    let application = state.applications.create_draft(&principal.sub, application_type, id, state.clock.now()).await?;
    state.access.audit(&application.id, &principal, "applicant", "create", Outcome::Allowed).await?;
    Ok((StatusCode::CREATED, Json(application)))
}

async fn get_one(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<CaseView>, ApiError> {
    let (case, party) = state.access.case_for(&id, &principal, Needs::Read, "read").await?;
    let application_type = type_of(&state.catalog, &case.application)?;
    Ok(Json(CaseView::for_party(case, application_type, party)))
}

/// One page of the application's history, oldest first.
async fn history(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
    Paging(page): Paging,
) -> Result<Json<Page<HistoryView>>, ApiError> {
    let history = async { Ok(state.applications.history(&id, &page).await?) };
    let (_, party, history) = state.access.read(&id, &principal, "read-history", history).await?;
    Ok(Json(Page::from(history).map(|entry| HistoryView::for_party(entry, party))))
}

/// Saves a draft's form data: every value given must fit its field (drafts may leave fields
/// empty), and the version must be the current one.
async fn save_form(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<FormSave>,
) -> Result<Json<Application>, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, Needs::Act, "save-form").await?;
    let now = state.clock.now();
    let mut errors = FieldErrors::new();
    errors.extend(type_of(&state.catalog, &application)?.form_problems(&body.data, false, &utc_date(now)));
    let data = errors.finish(body.data)?;
    Ok(Json(state.applications.save_form(&application, data, body.version, now).await?))
}

/// Submits a draft whose form is complete and whose required documents are verified (422
/// listing what is missing otherwise); it gets its number.
async fn submit(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<Submission>,
) -> Result<Json<Application>, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, Needs::Owner, "submit").await?;
    let now = state.clock.now();
    let mut errors = FieldErrors::new();
    let declaration = body.declaration.record(&DECLARATION, Some("declaration"), &mut errors, now);
    let declaration = errors.finish_parsed(declaration)?;
    let application_type = type_of(&state.catalog, &application)?;
    let (documents, requests, fees) = futures::try_join!(
        state.documents.of(&id),
        state.documents.requests(&id),
        Fees::read(state.table.as_ref(), application_type, &id),
    )?;
    let mut missing = FieldErrors::new();
    missing.extend(application_type.form_problems(&application.data, true, &utc_date(now)));
    missing.extend(submission_problems(application_type, &documents, &requests));
    if fees.due_before_submission_cents > 0 {
        missing.add("fees", "unpaid");
    }
    if !missing.is_empty() {
        return Err(ApiError::Incomplete(missing.into_vec()));
    }
    let prefix = application_type.number_prefix;
    Ok(Json(state.applications.submit(&application, &principal.sub, prefix, declaration, now).await?))
}

/// The declaration in force, which the review step shows before submission.
async fn declaration_statement() -> Json<Statement> {
    Json(DECLARATION)
}

async fn withdraw(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Application>, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, Needs::Owner, "withdraw").await?;
    Ok(Json(state.applications.withdraw(&application, &principal.sub, state.clock.now()).await?))
}

/// Deletes one of the caller's drafts (the owner's alone: a representative never deletes).
async fn delete_draft(
    principal: Principal,
    State(state): State<ApplicationsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<StatusCode, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, Needs::Owner, "delete-draft").await?;
    state.applications.delete_draft(&application).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Links a paper application to the caller. A mismatch in any field is the same 404, with no
/// hint of which; five failures in 24 hours and further attempts get 429 (A3).
async fn link(
    principal: Principal,
    State(state): State<ApplicationsState>,
    JsonBody(body): JsonBody<LinkRequest>,
) -> Result<Json<Application>, ApiError> {
    let now = state.clock.now();
    let attempt = state.link_attempts.reserve(&principal.sub, now).await??;
    let (number, family_name, born) = (&body.application_number, &body.family_name, &body.date_of_birth);
    let linked = state.applications.link_paper(number, family_name, born, &principal.sub, now).await?;
    let application = linked.ok_or(ApiError::NotFound)?;
    state.link_attempts.release(attempt).await?;
    state.access.audit(&application.id, &principal, "applicant", "link", Outcome::Allowed).await?;
    Ok(Json(application))
}
