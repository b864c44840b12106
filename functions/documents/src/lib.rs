//! The documents area: an applicant declares a document and gets a presigned form to post the
//! file straight to storage (never through a function); the file is verified (U2) when the
//! upload completes; the checklist shows each requirement's state; verified files are
//! downloaded through short-lived links (U4).
//!
//! Access (C1, `portal_api::access`): the owner, or an officer for reads. Documents may be added
//! or removed while the application is a draft, or when an officer asked for their kind.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router};
use portal_api::access::{Act, CaseAccess, Needs, type_of};
use portal_api::body::JsonBody;
use portal_api::contract::documents::{DocumentList, UploadDeclaration, UploadTicket};
use portal_api::paging::Paging;
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldErrors};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::{
    Document, DocumentRequest, DocumentState, Documents, applicant_may_change, applicant_may_remove, checklist,
    declaration_problems, quarantine_key, verified_key,
};
use portal_domain::application_types::Catalog;
use portal_domain::applications::Application;
use portal_domain::blobs::{Blobs, PresignedDownload};
use portal_domain::case_view::DocumentRequestView;
use portal_domain::clock::Clock;
use portal_domain::files::{FileKind, download_name, sanitize_file_name};
use portal_domain::ids::{ApplicationId, DocumentId};
use portal_domain::sessions::Revocations;
use portal_domain::status::Status;
use portal_domain::table::Table;
use portal_domain::verification::Verifier;

/// What the area's handlers need.
#[derive(Clone)]
pub struct DocumentsState {
    catalog: Arc<Catalog>,
    access: CaseAccess,
    documents: Documents,
    blobs: Arc<dyn Blobs>,
    verifier: Verifier,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl DocumentsState {
    /// State over the table, the document store and the type catalog.
    pub fn new(table: Arc<dyn Table>, blobs: Arc<dyn Blobs>, catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Self {
        let documents = Documents::new(Arc::clone(&table));
        Self {
            catalog,
            access: CaseAccess::new(Arc::clone(&table), Arc::clone(&clock)),
            verifier: Verifier::new(documents.clone(), Arc::clone(&blobs), Arc::clone(&clock)),
            documents,
            blobs,
            revocations: Revocations::new(table),
            clock,
        }
    }
}

/// The area's router.
pub fn router(state: DocumentsState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Documents, state.revocations.clone(), |route| match route.function {
        "ListDocuments" => Some(route.serve(list)),
        "RequestUpload" => Some(route.serve(request_upload)),
        "CompleteUpload" => Some(route.serve(complete)),
        "DownloadDocument" => Some(route.serve(download)),
        "DeleteDocument" => Some(route.serve(delete)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

impl DocumentsState {
    /// One document of the application, or 404.
    async fn document_of(&self, application_id: &str, id: &DocumentId) -> Result<Document, ApiError> {
        self.documents.get(application_id, id).await?.ok_or(ApiError::NotFound)
    }

    /// The requests and documents the applicant's rules look at: only while the application
    /// waits for documents does a change depend on them.
    async fn asked(&self, application: &Application) -> Result<(Vec<DocumentRequest>, Vec<Document>), ApiError> {
        if application.status != Status::DocumentsRequested {
            return Ok((Vec::new(), Vec::new()));
        }
        let id = &application.id;
        Ok(futures::try_join!(self.documents.requests(id), self.documents.of(id))?)
    }
}

/// The checklist, the requests and one page of the documents.
async fn list(
    principal: Principal,
    State(state): State<DocumentsState>,
    PathParams(id): PathParams<ApplicationId>,
    Paging(page): Paging,
) -> Result<Json<DocumentList>, ApiError> {
    let lists = async {
        Ok(futures::try_join!(
            state.documents.of(&id),
            state.documents.requests(&id),
            state.documents.page(&id, &page)
        )?)
    };
    let (application, party, (documents, requests, listed)) =
        state.access.read(&id, &principal, "read-documents", lists).await?;
    let checklist = checklist(type_of(&state.catalog, &application)?, &documents, &requests);
    Ok(Json(DocumentList::new(listed, checklist, DocumentRequestView::all_for_party(requests, party))))
}

/// Records a pending document and gives the form that uploads its file: key, content type and
/// size bound into the signature, valid five minutes (U1, U3, U4).
async fn request_upload(
    principal: Principal,
    State(state): State<DocumentsState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<UploadDeclaration>,
) -> Result<(StatusCode, Json<UploadTicket>), ApiError> {
    let file_name = sanitize_file_name(&body.file_name);
    let act = Act { action: "upload", subject: Some(&file_name) };
    let (application, _) = state.access.application_for_act(&id, &principal, Needs::Act, &act).await?;
    let mut errors = FieldErrors::new();
    let application_type = type_of(&state.catalog, &application)?;
    errors.extend(declaration_problems(application_type, &body.kind, &body.content_type, body.size));
    let file_kind = errors.finish_parsed(FileKind::from_content_type(&body.content_type))?;
    let (requests, documents) = state.asked(&application).await?;
    if !applicant_may_change(application.status, &body.kind, &requests, &documents) {
        return Err(ApiError::InvalidState);
    }
    let document = Document::pending(&id, body.kind, &body.file_name, file_kind, body.size, state.clock.now());
    // The place under the cap is taken first (atomically, A7): only then is a form signed.
    state.documents.add(&document, application.status).await?;
    let upload = state.blobs.presign_upload(&document.upload_request()).await?;
    Ok((StatusCode::CREATED, Json(UploadTicket::new(document, upload))))
}

/// Verifies the uploaded file now (the storage event does the same; whichever runs first
/// records the outcome) and gives the document as it stands.
async fn complete(
    principal: Principal,
    State(state): State<DocumentsState>,
    PathParams((id, document_id)): PathParams<(ApplicationId, DocumentId)>,
) -> Result<Json<Document>, ApiError> {
    state.access.application_for(&id, &principal, Needs::Act, "complete-upload").await?;
    state.document_of(&id, &document_id).await?;
    match state.verifier.verify(&id, &document_id).await? {
        Some(document) if document.state == DocumentState::Pending => Err(ApiError::UploadMissing),
        Some(document) => Ok(Json(document)),
        None => Err(ApiError::NotFound),
    }
}

/// A short-lived link to a verified file, named as the applicant's file was but with the
/// extension and content type of its verified kind (U2, U3, U4).
async fn download(
    principal: Principal,
    State(state): State<DocumentsState>,
    PathParams((id, document_id)): PathParams<(ApplicationId, DocumentId)>,
) -> Result<Json<PresignedDownload>, ApiError> {
    let (_, _, document) = state.access.read(&id, &principal, "download", state.document_of(&id, &document_id)).await?;
    if !document.state.is_servable() {
        return Err(ApiError::DocumentUnavailable);
    }
    let (key, name) = (verified_key(&id, &document.id), download_name(&document.file_name, document.file_kind));
    Ok(Json(state.blobs.presign_download(&key, &name, document.file_kind.content_type()).await?))
}

/// Removes a document and its file. The file goes first, so a retried request finishes the job.
async fn delete(
    principal: Principal,
    State(state): State<DocumentsState>,
    PathParams((id, document_id)): PathParams<(ApplicationId, DocumentId)>,
) -> Result<StatusCode, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, Needs::Act, "delete-document").await?;
    let document = state.document_of(&id, &document_id).await?;
    let (requests, documents) = state.asked(&application).await?;
    if !applicant_may_remove(application.status, &document, &requests, &documents) {
        return Err(ApiError::InvalidState);
    }
    for key in [quarantine_key(&id, &document.id), verified_key(&id, &document.id)] {
        state.blobs.delete(&key).await?;
    }
    state.documents.remove(&id, &document.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
