//! The officer area: the queue of applications by status and type (an index query, paged by a
//! cursor), the case view, status decisions with a reason and a note to the applicant, requests
//! for documents with a due date, and the review of documents.
//! Only members of the officers group get in; anyone else gets 403 (C2).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router};
use portal_api::access::{Party, type_of};
use portal_api::body::JsonBody;
use portal_api::contract::Page;
use portal_api::contract::messages::NewMessage;
use portal_api::contract::officer::{
    DocumentRequests, NewFee, OfficerCase, QueueQuery, Review, ReviewDecision, StatusChange,
};
use portal_api::paging::Paging;
use portal_api::params::{PathParams, QueryParams};
use portal_api::principal::{Officer, Principal};
use portal_api::problem::{ApiError, FieldErrors};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::{Document, Documents, review_reason};
use portal_domain::application_types::Catalog;
use portal_domain::applications::{Application, Applications, Decision, QueueEntry, optional_text, required_text};
use portal_domain::audit::{Audit, AuditRecord, Outcome};
use portal_domain::case_view::CaseView;
use portal_domain::clock::Clock;
use portal_domain::fees::{self, Fees};
use portal_domain::ids::{ApplicationId, DocumentId};
use portal_domain::messages::{MessageView, Messages, Side};
use portal_domain::paging::PageRequest;
use portal_domain::sessions::Revocations;
use portal_domain::table::{Condition, Table};

/// What the area's handlers need.
#[derive(Clone)]
pub struct OfficerState {
    table: Arc<dyn Table>,
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
            table: Arc::clone(&table),
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
        "AddFee" => Some(route.serve(add_fee)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

impl OfficerState {
    async fn audit(&self, id: &str, officer: &Principal, action: &str) -> Result<(), ApiError> {
        let record = AuditRecord::new(self.clock.now(), &officer.sub, "officer", action, Outcome::Allowed);
        Ok(self.audit.record(id, &record).await?)
    }

    /// The application, or 404.
    async fn application(&self, id: &ApplicationId) -> Result<Application, ApiError> {
        self.applications.get(id).await?.ok_or(ApiError::NotFound)
    }
}

/// One page of a status's queue (optionally of one type), oldest change first.
async fn queue(
    _officer: Officer,
    State(state): State<OfficerState>,
    QueryParams(query): QueryParams<QueueQuery>,
) -> Result<Json<Page<QueueEntry>>, ApiError> {
    let page = Paging::parse(query.limit.as_deref(), query.cursor)?;
    Ok(Json(state.applications.queue(query.status, query.type_code.as_deref(), &page).await?.into()))
}

/// Audit records of who acted on a case shown with it (the newest; the applicant's own
/// `GET /api/me/activity` pages through them all).
const RECENT_ACTIVITY: u32 = 20;
const RECENT_ACTIVITY_BYTES: usize = 20_000;

/// The case as officers see it, with the first page of its thread and who acted on it lately
/// (a representative by name and firm as well as by id).
async fn case(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<OfficerCase>, ApiError> {
    let recent = PageRequest::preview(RECENT_ACTIVITY, RECENT_ACTIVITY_BYTES);
    // The access is recorded beside the reads (one round trip, DESIGN §7), on the condition that
    // the application exists: officers may read every case.
    let record = AuditRecord::new(state.clock.now(), &officer.sub, "officer", "read", Outcome::Allowed);
    let (case, activity, recorded) = futures::try_join!(
        state.applications.case(&id),
        state.audit.of(&id, &recent),
        state.audit.record_if(&id, &record, Condition::Present),
    )?;
    let case = case.filter(|_| recorded).ok_or(ApiError::NotFound)?;
    let application_type = type_of(&state.catalog, &case.application)?;
    let messages = Page::from(case.messages.clone()).map(|message| MessageView::for_side(message, Side::Officer));
    let status = case.application.status;
    let case = CaseView::for_party(case, application_type, Party::Officer);
    Ok(Json(OfficerCase {
        case,
        messages,
        activity: activity.into(),
        next_statuses: status.officer_next(),
        can_request_documents: status.takes_document_requests(),
    }))
}

/// Moves an application to its next status, with a reason and a note to the applicant.
async fn change_status(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<StatusChange>,
) -> Result<Json<Application>, ApiError> {
    let mut errors = FieldErrors::new();
    let reason = errors.check("reason", required_text(&body.reason));
    let note = errors.check("noteToApplicant", optional_text(body.note_to_applicant.as_deref()));
    let (reason, note_to_applicant) = errors.finish_parsed(reason.zip(note))?;
    let application = state.application(&id).await?;
    let (to, expected_version, at) = (body.to, body.version, state.clock.now());
    let decision = Decision { to, officer: &officer.sub, reason, note_to_applicant, expected_version, at };
    let changed = state.applications.decide(&application, decision).await?;
    state.audit(&id, &officer, "change-status").await?;
    Ok(Json(changed))
}

/// Asks the applicant for documents by a due date (the application moves to
/// `documents_requested`). The applicant's checklist shows each request and the dashboard
/// flags the application.
async fn request_documents(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<DocumentRequests>,
) -> Result<Json<Application>, ApiError> {
    let application = state.application(&id).await?;
    let (version, ask, now) = (body.version, body.ask(), state.clock.now());
    let mut errors = FieldErrors::new();
    errors.extend(ask.problems(type_of(&state.catalog, &application)?, now));
    let ask = errors.finish(ask)?;
    let changed = state.applications.request_documents(&application, &ask, &officer.sub, version, now).await?;
    state.audit(&id, &officer, "request-documents").await?;
    Ok(Json(changed))
}

/// Accepts or rejects a document whose file passed verification; a rejection says why (the
/// applicant reads it on the checklist).
async fn review_document(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams((id, document_id)): PathParams<(ApplicationId, DocumentId)>,
    JsonBody(body): JsonBody<Review>,
) -> Result<Json<Document>, ApiError> {
    let accepted = body.decision == ReviewDecision::Accept;
    let mut errors = FieldErrors::new();
    let reason = errors.check("reason", review_reason(accepted, body.reason.as_deref()));
    let reason = errors.finish_parsed(reason)?;
    let application = state.application(&id).await?;
    let document = state.documents.get(&id, &document_id).await?.ok_or(ApiError::NotFound)?;
    let reviewed = state.documents.review(&document, &application.owner, accepted, reason, state.clock.now()).await?;
    state.audit(&id, &officer, if accepted { "accept-document" } else { "reject-document" }).await?;
    state.documents.refresh_action_required(&id).await?;
    Ok(Json(reviewed))
}

/// Writes to the applicant on the application's thread; they are notified.
async fn send_message(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<NewMessage>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let application = state.application(&id).await?;
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

/// Adds one of the type's optional fees to the case; answers the fees as they now stand.
async fn add_fee(
    officer: Officer,
    State(state): State<OfficerState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<NewFee>,
) -> Result<(StatusCode, Json<Fees>), ApiError> {
    let application = state.application(&id).await?;
    let application_type = type_of(&state.catalog, &application)?;
    let table = state.table.as_ref();
    fees::add(table, &application, application_type, &body.code, &officer.sub, body.version, state.clock.now()).await?;
    state.audit(&id, &officer, "add-fee").await?;
    Ok((StatusCode::CREATED, Json(Fees::read(table, application_type, &id).await?)))
}
