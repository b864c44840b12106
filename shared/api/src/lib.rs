//! HTTP plumbing shared by every area: configuration, the caller's identity from JWT claims,
//! problem+json errors, request ids and logs, the route table and the OpenAPI document built
//! from it, and running a Router on Lambda.

pub mod access;
pub mod body;
pub mod config;
pub mod lambda;
pub mod messages;
pub mod observe;
pub mod openapi;
pub mod paging;
pub mod principal;
pub mod problem;
pub mod routes;

use axum::Router;

use crate::problem::ApiError;

/// Wraps routers into the served application: problem+json for unknown routes and methods,
/// request ids and access logs on every response. Lambda and the local portal both use it.
pub fn app(router: Router) -> Router {
    router
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn(observe::observe))
}
