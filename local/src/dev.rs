//! Routes that exist only in local mode (not in the route table, never deployed).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use portal_api::metrics::{FunctionFigures, LocalMetrics};
use portal_api::problem::ApiError;
use portal_store::outbox::{Outbox, SentMessage};

/// `GET /api/dev/outbox`: every email and SMS the portal would have sent, newest first.
/// `GET /api/dev/metrics`: each function's requests, 5xx and latency since the portal started:
/// the figures its metric lines give CloudWatch in AWS.
pub fn router(outbox: Arc<Outbox>, metrics: Arc<LocalMetrics>) -> Router {
    Router::new()
        .route("/api/dev/outbox", get(list))
        .with_state(outbox)
        .merge(Router::new().route("/api/dev/metrics", get(figures)).with_state(metrics))
}

async fn list(State(outbox): State<Arc<Outbox>>) -> Result<Json<Vec<SentMessage>>, ApiError> {
    Ok(Json(outbox.latest().await?))
}

async fn figures(State(metrics): State<Arc<LocalMetrics>>) -> Json<Vec<FunctionFigures>> {
    Json(metrics.snapshot())
}
