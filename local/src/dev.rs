//! Routes that exist only in local mode (not in the route table, never deployed).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use portal_api::problem::ApiError;
use portal_store::outbox::{Outbox, SentMessage};

/// `GET /api/dev/outbox`: every email and SMS the portal would have sent, newest first.
pub fn router(outbox: Arc<Outbox>) -> Router {
    Router::new().route("/api/dev/outbox", get(list)).with_state(outbox)
}

async fn list(State(outbox): State<Arc<Outbox>>) -> Result<Json<Vec<SentMessage>>, ApiError> {
    Ok(Json(outbox.latest().await?))
}
