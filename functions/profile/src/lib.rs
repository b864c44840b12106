//! The profile area: who the caller is, and their profile.

use std::sync::Arc;

use axum::extract::State;
use axum::{Extension, Json, Router};
use portal_api::principal::Principal;
use portal_api::problem::ApiError;
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::profile::{Profile, Profiles};
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;
use serde::Serialize;

/// What the area's handlers need.
#[derive(Clone)]
pub struct ProfileState {
    profiles: Profiles,
    revocations: Revocations,
}

impl ProfileState {
    /// State over a table.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { profiles: Profiles::new(Arc::clone(&table)), revocations: Revocations::new(table) }
    }
}

/// The area's router.
pub fn router(state: ProfileState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Profile, |route| match route.function {
        "GetMe" => Some(route.serve(get_me)),
        _ => None,
    })?;
    Ok(router.layer(Extension(state.revocations.clone())).with_state(state))
}

/// The body of `GET /api/me`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Me {
    sub: String,
    groups: Vec<String>,
    profile: Option<Profile>,
}

async fn get_me(principal: Principal, State(state): State<ProfileState>) -> Result<Json<Me>, ApiError> {
    let profile = state.profiles.get(&principal.sub).await?;
    Ok(Json(Me { sub: principal.sub, groups: principal.groups, profile }))
}
