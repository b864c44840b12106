//! The system area: liveness and the API description. Needs no store.

use axum::{Json, Router};
use portal_api::openapi;
use portal_api::routes::{self, Area, MissingHandler};
use serde_json::{Value, json};

/// The area's router.
pub fn router() -> Result<Router, MissingHandler> {
    routes::area_router(Area::System, |route| match route.function {
        "Health" => Some(route.serve(health)),
        "OpenApi" => Some(route.serve(openapi_document)),
        _ => None,
    })
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn openapi_document() -> Json<Value> {
    Json(openapi::document())
}
