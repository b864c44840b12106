//! Observability: the request id every response and log line carries, one JSON access-log line
//! per request (route, method, status, latency, request id) and its metrics (`metrics`), and the
//! JSON log subscriber.
//!
//! The request id is API Gateway's (`requestContext.requestId`), which the local portal sets the
//! same way. Only the route template is logged, never the concrete path or query, so ids and
//! anything a client put in a URL stay out of the logs.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::Response;
use lambda_http::request::RequestContext;
use portal_domain::profile::Language;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

use crate::metrics::{Figures, MetricSink};
use crate::routes::ServedRoute;
use crate::texts;

/// What the request being handled tells every error it may produce.
#[derive(Clone)]
struct RequestScope {
    id: String,
    language: Language,
}

tokio::task_local! {
    static REQUEST: RequestScope;
}

/// Response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being handled, when called from inside one.
pub fn current_request_id() -> Option<String> {
    REQUEST.try_with(|scope| scope.id.clone()).ok()
}

/// The language the request being handled asked for (English outside a request).
pub fn current_language() -> Language {
    REQUEST.try_with(|scope| scope.language).unwrap_or_default()
}

fn request_id_of(request: &Request) -> Option<String> {
    match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone(),
        _ => None,
    }
}

/// Middleware: makes the request id current, echoes it in a header, and logs the request.
pub async fn observe(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request_id_of(&request).unwrap_or_default();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let accept_language = request.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    // The local portal counts requests itself; in Lambda they go out as metric lines.
    let metrics = request.extensions().get::<MetricSink>().cloned().unwrap_or_default();
    let served = request.extensions().get::<ServedRoute>().map(|served| served.0);
    let scope = RequestScope { id: request_id.clone(), language: texts::preferred_language(accept_language) };
    let mut response = REQUEST.scope(scope, next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let status = response.status().as_u16();
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    tracing::info!(
        request_id,
        method = %method,
        route = route.as_deref().unwrap_or("unmatched"),
        status,
        latency_us,
        "request"
    );
    if let Some(route) = served {
        metrics.record(&Figures::request(route, status, latency_us));
    }
    response
}

/// Installs the JSON log subscriber. The level comes from `RUST_LOG` (`info` by default), read as
/// `tracing-subscriber`'s `Targets` (`warn`, or `portal_api=debug,info`): the regex-based
/// `EnvFilter` would add a regex engine to every function for span filters nobody uses here.
/// Safe to call more than once: later calls do nothing.
pub fn init_tracing() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(Level::INFO));
    let layer = fmt::layer()
        .json()
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .flatten_event(true)
        .with_filter(filter);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
