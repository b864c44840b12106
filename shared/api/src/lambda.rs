//! Running an area on AWS Lambda: the same Router the local portal serves, behind `lambda_http`.

use axum::Router;

use crate::observe;

/// Initializes logging, builds the area router (given its state) with `build`, and serves it
/// until the runtime stops it. A failure to build (bad configuration, missing handler) is logged
/// and fails the function's init.
pub async fn serve_area(
    build: impl AsyncFnOnce() -> Result<Router, lambda_http::Error>,
) -> Result<(), lambda_http::Error> {
    observe::init_tracing();
    let router = build().await.inspect_err(|error| tracing::error!(%error, "function init failed"))?;
    lambda_http::run(crate::app(router)).await
}

/// Handles one API Gateway v2 (HTTP API, payload 2.0) event the way `lambda_http::run` does for
/// each invocation — parse the event, call the app, render the response event — and returns the
/// response event as JSON. `app` is an area router wrapped by [`crate::app`], as `run` serves it.
/// Used by the Lambda-shape tests and the handler benchmark.
pub async fn handle_event(app: Router, event: &str) -> Result<serde_json::Value, lambda_http::Error> {
    use lambda_http::{Adapter, Context, LambdaEvent, Service, request::LambdaRequest};

    let request: LambdaRequest = serde_json::from_str(event)?;
    let mut adapter = Adapter::from(app);
    let response = adapter.call(LambdaEvent::new(request, Context::default())).await?;
    Ok(serde_json::to_value(response)?)
}
