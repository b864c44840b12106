//! Errors at the HTTP edge, as `application/problem+json` (RFC 9457): a stable `type`, a human
//! `title`, the status, the request id, and never an internal message. Server errors log their
//! full cause chain instead.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_domain::table::StoreError;
use serde::Serialize;

use crate::observe;

/// Media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client should wait before retrying after a 503.
const RETRY_AFTER_SECONDS: &str = "1";

/// Every error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid access token (the authorizer lets only these reach a handler in error).
    #[error("authentication required")]
    Unauthenticated,
    /// Signed in, but not allowed to use this route.
    #[error("forbidden")]
    Forbidden,
    /// No such resource (also what a caller without access sees).
    #[error("not found")]
    NotFound,
    /// The method is not served on this path.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The store is overloaded; try again shortly.
    #[error("temporarily unavailable")]
    Unavailable,
    /// Anything unexpected: logged with its cause chain, answered as a bare 500.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Throttled => ApiError::Unavailable,
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

/// The body of a problem response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl ApiError {
    fn status_and_meaning(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "You are not allowed to do this"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
            ApiError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Temporarily unavailable, try again shortly")
            }
            ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side")
            }
        }
    }
}

/// Logs a server error once, with every cause.
fn log_cause_chain(error: &(dyn std::error::Error + 'static)) {
    let mut chain = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    tracing::error!(cause = chain.join(": "), "request failed");
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, title) = self.status_and_meaning();
        if status.is_server_error() {
            log_cause_chain(&self);
        }
        let problem = Problem { kind, title, status: status.as_u16(), request_id: observe::current_request_id() };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        response
    }
}
