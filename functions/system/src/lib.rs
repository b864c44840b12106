//! The system area: liveness, the deployment's identity (`GET /api/site`) and the API
//! description. Needs no store.

use std::sync::Arc;

use axum::extract::State;
use axum::{Json, Router};
use portal_api::contract::system::{Health, Liveness, OpenApiDocument};
use portal_api::openapi;
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::site::Site;

/// The area's router, saying `site` is who runs the portal.
pub fn router(site: Site) -> Result<Router, MissingHandler> {
    let router = routes::public_area_router(Area::System, |route| match route.function {
        "Health" => Some(route.serve(health)),
        "GetSite" => Some(route.serve(site_of)),
        "OpenApi" => Some(route.serve(openapi_document)),
        _ => None,
    })?;
    Ok(router.with_state(Arc::new(site)))
}

async fn health() -> Json<Health> {
    Json(Health { status: Liveness::Ok })
}

async fn site_of(State(site): State<Arc<Site>>) -> Json<Site> {
    Json(site.as_ref().clone())
}

async fn openapi_document() -> Json<OpenApiDocument> {
    Json(openapi::document())
}
