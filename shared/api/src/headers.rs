//! Headers on every API answer (S4), whichever handler, fallback or refusal wrote it, on Lambda
//! and in the local portal alike (CloudFront's API behaviour sets the same in AWS): answers
//! carry tokens and personal data, so nothing may cache them; none is content a browser should
//! sniff, render, run or frame.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// The headers and their values.
pub const API_RESPONSE_HEADERS: [(HeaderName, &str); 3] = [
    (header::CACHE_CONTROL, "no-store"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"),
];

/// Sets the headers on every response of `router`, replacing any a handler set.
pub fn with_api_headers(router: Router) -> Router {
    API_RESPONSE_HEADERS.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value)))
    })
}
