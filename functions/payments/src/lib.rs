//! The payments area: what an application owes (the type's fees, due before submission, and
//! the optional fees officers add later) and what is paid.
//!
//! Access (C1, `portal_api::access`): the owner, or an officer.

use std::sync::Arc;

use axum::extract::State;
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Party, type_of};
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::ApiError;
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_types::Catalog;
use portal_domain::clock::Clock;
use portal_domain::fees::{self, Fees};
use portal_domain::ids::ApplicationId;
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;

/// What the area's handlers need.
#[derive(Clone)]
pub struct PaymentsState {
    table: Arc<dyn Table>,
    catalog: Arc<Catalog>,
    access: CaseAccess,
    revocations: Revocations,
}

impl PaymentsState {
    /// State over the table and the type catalog.
    pub fn new(table: Arc<dyn Table>, catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Self {
        Self {
            access: CaseAccess::new(Arc::clone(&table), clock),
            revocations: Revocations::new(Arc::clone(&table)),
            table,
            catalog,
        }
    }
}

/// The area's router.
pub fn router(state: PaymentsState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Payments, state.revocations.clone(), |route| match route.function {
        "ListFees" => Some(route.serve(list_fees)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// The application's fees with what is paid and due.
async fn list_fees(
    principal: Principal,
    State(state): State<PaymentsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Fees>, ApiError> {
    let allowed = [Party::Owner, Party::Officer];
    let (application, _) = state.access.application_for(&id, &principal, &allowed, "read-fees").await?;
    let ledger = fees::ledger_of(state.table.as_ref(), &id).await?;
    Ok(Json(Fees::new(type_of(&state.catalog, &application)?, &ledger)))
}
