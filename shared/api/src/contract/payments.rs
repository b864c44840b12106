//! Fees and payments: what an application owes and what is paid.

use http::Method;
use portal_domain::fees::Fees;
use portal_domain::ids::ApplicationId;

use super::Contract;
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[Route {
    method: Method::GET,
    path: "/api/applications/{id}/fees",
    function: "ListFees",
    area: Area::Payments,
    auth: Auth::User,
    summary: "The application's fees: amounts, what is paid, what is due, and which are due before submission",
    contract: Contract::json::<Fees>(200).path::<ApplicationId>(),
}];
