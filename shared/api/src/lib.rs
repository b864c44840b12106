//! HTTP plumbing shared by every area: configuration, the caller's identity from JWT claims,
//! typed path and query parameters, problem+json errors, request ids and logs, the API's
//! response headers, the route table and the OpenAPI document built from it, and running a
//! Router on Lambda.

pub mod access;
pub mod body;
pub mod client;
pub mod config;
pub mod contract;
pub mod headers;
pub mod idempotency;
pub mod lambda;
pub mod metrics;
pub mod observe;
pub mod openapi;
pub mod paging;
pub mod params;
pub mod principal;
pub mod problem;
pub mod routes;
pub mod texts;

use axum::Router;

use crate::problem::ApiError;

/// Wraps routers into the served application: problem+json for unknown routes and methods,
/// request ids, access logs and the API's headers (S4) on every response. Lambda and the local
/// portal both use it.
pub fn app(router: Router) -> Router {
    let router = router
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn(observe::observe));
    headers::with_api_headers(router)
}
