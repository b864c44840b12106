//! The local portal playing S3 for the documents bucket (local mode only, never deployed): it
//! takes the browser's form uploads and serves download links, both signed by the local blob
//! store, which checks them exactly as S3 checks its presigned requests. After an upload it
//! runs the verification step in-process, as the bucket's object-created event runs `scan`, and
//! counts it as one of scan's invocations.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use portal_api::metrics::{Figures, MetricSink, SCAN};
use portal_api::problem::{ApiError, PROBLEM_JSON};
use portal_domain::application_documents::parse_quarantine_key;
use portal_domain::blobs::BlobError;
use portal_domain::files::MAX_UPLOAD_BYTES;
use portal_domain::uri::encode_component;
use portal_domain::verification::Verifier;
use portal_store::local_blobs::{DOWNLOAD_PATH, LocalBlobs, Refusal, UPLOAD_PATH};
use serde_json::json;

/// Room for the form's other fields and multipart framing around the largest file.
const FORM_OVERHEAD_BYTES: usize = 64 * 1024;

#[derive(Clone)]
struct Storage {
    blobs: Arc<LocalBlobs>,
    verifier: Verifier,
    metrics: MetricSink,
}

/// The upload and download endpoints.
pub fn router(blobs: Arc<LocalBlobs>, verifier: Verifier, metrics: MetricSink) -> Router {
    let body_limit = usize::try_from(MAX_UPLOAD_BYTES).unwrap_or(usize::MAX) + FORM_OVERHEAD_BYTES;
    Router::new()
        .route(UPLOAD_PATH, post(upload).layer(DefaultBodyLimit::max(body_limit)))
        .route(DOWNLOAD_PATH, get(download))
        .with_state(Storage { blobs, verifier, metrics })
}

/// A refused upload or download, answered as S3 would (403, or 400 for a size out of range),
/// with the reason as a problem document.
fn refused(refusal: Refusal) -> Response {
    let status = match refusal {
        Refusal::SizeOutOfRange => StatusCode::BAD_REQUEST,
        _ => StatusCode::FORBIDDEN,
    };
    let body = json!({"type": "request-refused", "title": refusal.to_string(), "status": status.as_u16()});
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> Response {
    ApiError::Internal(Box::new(error)).into_response()
}

fn malformed(detail: impl ToString) -> Response {
    ApiError::MalformedBody(detail.to_string()).into_response()
}

/// A form post: the signed fields, then the file (fields after the file are ignored, as S3 does).
async fn upload(State(storage): State<Storage>, form: Result<Multipart, MultipartRejection>) -> Response {
    let mut form = match form {
        Ok(form) => form,
        Err(rejection) => return malformed(rejection.body_text()),
    };
    let mut fields = HashMap::new();
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                match field.bytes().await {
                    Ok(bytes) => file = Some(bytes),
                    Err(error) => return malformed(error.body_text()),
                }
                break;
            }
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                match field.text().await {
                    Ok(value) => fields.insert(name, value),
                    Err(error) => return malformed(error.body_text()),
                };
            }
            Ok(None) => break,
            Err(error) => return malformed(error.body_text()),
        }
    }
    let Some(file) = file else { return malformed("the form has no file field") };
    let policy = match storage.blobs.check_upload(&fields, file.len() as u64) {
        Ok(policy) => policy,
        Err(refusal) => return refused(refusal),
    };
    let blobs = Arc::clone(&storage.blobs);
    let key = policy.key.clone();
    match tokio::task::spawn_blocking(move || blobs.store(&policy, &file)).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(refusal))) => return refused(refusal),
        Ok(Err(error)) => return failed(error),
        Err(error) => return failed(error),
    }
    // The object-created event: a failure here leaves the document pending, as a failed `scan`
    // would; "complete" runs the same step again.
    if let Some((application_id, document_id)) = parse_quarantine_key(&key) {
        let started = Instant::now();
        let verified = storage.verifier.verify(application_id, document_id).await;
        storage.metrics.record(&Figures::invocation(SCAN, started, 1, u64::from(verified.is_err())));
        if let Err(error) = verified {
            tracing::error!(%error, key, "verification after upload failed");
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `Content-Disposition` naming the file: an ASCII fallback and the exact UTF-8 name (RFC 6266).
fn attachment(name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii() && c != '"' && c != '\\' { c } else { '_' }).collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", encode_component(name)))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A signed download link: the file, named as the applicant's file was, never rendered inline.
async fn download(State(storage): State<Storage>, Query(query): Query<HashMap<String, String>>) -> Response {
    let (key, name, content_type) = match storage.blobs.check_download(&query) {
        Ok(allowed) => allowed,
        Err(refusal) => return refused(refusal),
    };
    let blobs = Arc::clone(&storage.blobs);
    let bytes = match tokio::task::spawn_blocking(move || blobs.read(&key)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(BlobError::NotFound)) => return ApiError::NotFound.into_response(),
        Ok(Err(error)) => return failed(error),
        Err(error) => return failed(error),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(header::CONTENT_DISPOSITION, attachment(&name));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}
