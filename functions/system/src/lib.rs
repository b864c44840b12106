//! The system area: liveness and the API description. Needs no store.

use axum::{Json, Router};
use portal_api::contract::system::{Health, Liveness, OpenApiDocument};
use portal_api::openapi;
use portal_api::routes::{self, Area, MissingHandler};

/// The area's router.
pub fn router() -> Result<Router, MissingHandler> {
    routes::public_area_router(Area::System, |route| match route.function {
        "Health" => Some(route.serve(health)),
        "OpenApi" => Some(route.serve(openapi_document)),
        _ => None,
    })
}

async fn health() -> Json<Health> {
    Json(Health { status: Liveness::Ok })
}

async fn openapi_document() -> Json<OpenApiDocument> {
    Json(openapi::document())
}
