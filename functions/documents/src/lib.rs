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
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Party, type_of};
use portal_api::body::JsonBody;
use portal_api::paging::{Paging, page_json};
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldError};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::{
    AddError, Document, DocumentRequest, DocumentState, Documents, applicant_may_change, applicant_may_remove,
    checklist, quarantine_key, verified_key,
};
use portal_domain::application_types::{ApplicationType, Catalog};
use portal_domain::applications::Application;
use portal_domain::blobs::{BlobError, Blobs, UploadRequest};
use portal_domain::clock::Clock;
use portal_domain::files::{FileKind, MAX_UPLOAD_BYTES, download_name, sanitize_file_name};
use portal_domain::ids::{ApplicationId, DocumentId};
use portal_domain::sessions::Revocations;
use portal_domain::status::Status;
use portal_domain::table::Table;
use portal_domain::verification::{VerificationError, Verifier};
use serde::Deserialize;
use serde_json::{Map, Value, json};

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

fn blob_failure(error: BlobError) -> ApiError {
    ApiError::Internal(Box::new(error))
}

fn verification_failure(error: VerificationError) -> ApiError {
    match error {
        VerificationError::Store(store) => store.into(),
        VerificationError::Blobs(blobs) => blob_failure(blobs),
    }
}

impl DocumentsState {
    /// One document of the application, or 404.
    async fn document_of(&self, application_id: &str, id: &str) -> Result<Document, ApiError> {
        // Ids are UUIDs; anything else names no document (and must not reach a store key).
        if uuid::Uuid::parse_str(id).is_err() {
            return Err(ApiError::NotFound);
        }
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
) -> Result<Json<Value>, ApiError> {
    let (application, party) =
        state.access.application_for(&id, &principal, &[Party::Owner, Party::Officer], "read-documents").await?;
    let (documents, requests, listed) =
        futures::try_join!(state.documents.of(&id), state.documents.requests(&id), state.documents.page(&id, &page))?;
    let application_type = type_of(&state.catalog, &application)?;
    let mut answer = page_json(listed);
    answer["checklist"] = json!(checklist(application_type, &documents, &requests));
    answer["requests"] = match party {
        Party::Officer => json!(requests),
        Party::Owner => json!(requests.iter().map(DocumentRequest::applicant_view).collect::<Vec<_>>()),
    };
    Ok(Json(answer))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UploadBody {
    kind: String,
    file_name: String,
    content_type: String,
    size: u64,
}

/// What is wrong with a declared upload, field by field.
fn upload_errors(application_type: &ApplicationType, body: &UploadBody) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !application_type.documents.iter().any(|d| d.kind == body.kind) {
        errors.push(FieldError::new("kind", "unknown-kind"));
    }
    if FileKind::from_content_type(&body.content_type).is_none() {
        errors.push(FieldError::new("contentType", "unsupported-type"));
    }
    if body.size == 0 {
        errors.push(FieldError::new("size", "empty-file"));
    } else if body.size > MAX_UPLOAD_BYTES {
        errors.push(FieldError::new("size", "file-too-large"));
    }
    errors
}

/// Records a pending document and gives the form that uploads its file: key, content type and
/// size bound into the signature, valid five minutes (U1, U3, U4).
async fn request_upload(
    principal: Principal,
    State(state): State<DocumentsState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<UploadBody>,
) -> Result<Response, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, &[Party::Owner], "upload").await?;
    let errors = upload_errors(type_of(&state.catalog, &application)?, &body);
    let file_kind = match FileKind::from_content_type(&body.content_type) {
        Some(kind) if errors.is_empty() => kind,
        _ => return Err(ApiError::Invalid(errors)),
    };
    let (requests, documents) = state.asked(&application).await?;
    if !applicant_may_change(application.status, &body.kind, &requests, &documents) {
        return Err(ApiError::InvalidState);
    }
    let now = state.clock.now();
    let document = Document {
        id: uuid::Uuid::new_v4().to_string(),
        application_id: id.to_string(),
        kind: body.kind,
        file_name: sanitize_file_name(&body.file_name),
        file_kind,
        size: body.size,
        state: DocumentState::Pending,
        quarantine_reason: None,
        review_reason: None,
        created_at: now,
        updated_at: now,
    };
    let request = UploadRequest {
        key: quarantine_key(&id, &document.id),
        content_type: file_kind.content_type().to_owned(),
        max_bytes: document.size,
    };
    // The place under the cap is taken first (atomically, A7): only then is a form signed.
    state.documents.add(&document, application.status).await.map_err(|error| match error {
        AddError::CapReached => ApiError::TooManyDocuments,
        AddError::StatusChanged => ApiError::InvalidState,
        AddError::Store(store) => store.into(),
    })?;
    let upload = state.blobs.presign_upload(&request).await.map_err(blob_failure)?;
    let answer = json!({
        "documentId": document.id,
        "document": document,
        // Fields as an object: S3 needs only the file to come after them, in any order.
        "upload": {"method": upload.method, "url": upload.url, "fields": upload.fields.into_iter().map(|(name, value)| (name, Value::String(value))).collect::<Map<_, _>>()},
        "expiresAt": upload.expires_at,
    });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Verifies the uploaded file now (the storage event does the same; whichever runs first
/// records the outcome) and gives the document as it stands.
async fn complete(
    principal: Principal,
    State(state): State<DocumentsState>,
    PathParams((id, document_id)): PathParams<(ApplicationId, DocumentId)>,
) -> Result<Json<Document>, ApiError> {
    state.access.application_for(&id, &principal, &[Party::Owner], "complete-upload").await?;
    state.document_of(&id, &document_id).await?;
    let document = state.verifier.verify(&id, &document_id).await.map_err(verification_failure)?;
    match document {
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
) -> Result<Json<Value>, ApiError> {
    state.access.application_for(&id, &principal, &[Party::Owner, Party::Officer], "download").await?;
    let document = state.document_of(&id, &document_id).await?;
    if !document.state.is_servable() {
        return Err(ApiError::DocumentUnavailable);
    }
    let link = state
        .blobs
        .presign_download(
            &verified_key(&id, &document.id),
            &download_name(&document.file_name, document.file_kind),
            document.file_kind.content_type(),
        )
        .await
        .map_err(blob_failure)?;
    Ok(Json(json!({"url": link.url, "expiresAt": link.expires_at})))
}

/// Removes a document and its file. The file goes first, so a retried request finishes the job.
async fn delete(
    principal: Principal,
    State(state): State<DocumentsState>,
    PathParams((id, document_id)): PathParams<(ApplicationId, DocumentId)>,
) -> Result<StatusCode, ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, &[Party::Owner], "delete-document").await?;
    let document = state.document_of(&id, &document_id).await?;
    let (requests, documents) = state.asked(&application).await?;
    if !applicant_may_remove(application.status, &document, &requests, &documents) {
        return Err(ApiError::InvalidState);
    }
    for key in [quarantine_key(&id, &document.id), verified_key(&id, &document.id)] {
        state.blobs.delete(&key).await.map_err(blob_failure)?;
    }
    state.documents.remove(&id, &document.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
