//! The route table: every route, with the Lambda function that serves it, who may call it and
//! its contract. Each area's routes are listed in its `contract` module, beside their types.
//! Area routers are built from it, the OpenAPI document is generated from it, `template.yaml` is
//! checked against it, and the local portal's authorizer reads it.

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter};
use axum::{Extension, Router};

use portal_domain::sessions::Revocations;

use crate::contract::{self, Contract};
use crate::principal;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Anyone; no authorizer in front of it.
    Public,
    /// A signed-in user (JWT authorizer).
    User,
    /// A signed-in officer (JWT authorizer, then the officers group checked by the handler).
    Officer,
}

/// Declares the areas once: each one's variant, the binary (cargo-lambda `Binary`) that serves
/// it and the contract module holding its routes. `Area::ALL`, `Area::binary` and
/// `Area::routes` all come from this one list.
macro_rules! areas {
    ($($(#[$doc:meta])* $area:ident => $binary:literal, $routes:path;)*) => {
        /// A functional area: one crate under `functions/`, one build artifact.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Area {
            $($(#[$doc])* $area,)*
        }

        impl Area {
            /// Every area.
            pub const ALL: &[Area] = &[$(Area::$area),*];

            /// The binary (cargo-lambda `Binary`) that serves the area.
            pub fn binary(self) -> &'static str {
                match self {
                    $(Area::$area => $binary,)*
                }
            }

            /// The area's routes (a `const fn`: a function names its own area's routes at compile
            /// time, and links no other area's).
            pub const fn routes(self) -> &'static [Route] {
                match self {
                    $(Area::$area => $routes,)*
                }
            }
        }
    };
}

areas! {
    /// Health and the API description.
    System => "system", contract::system::ROUTES;
    /// The caller's own account data.
    Profile => "profile", contract::profile::ROUTES;
    /// Accounts: registration, sign-in with MFA, sessions, recovery.
    Auth => "auth", contract::auth::ROUTES;
    /// Applications: types, drafts, submission, the dashboard.
    Applications => "applications", contract::applications::ROUTES;
    /// Documents: presigned uploads, verification, the checklist, downloads.
    Documents => "documents", contract::documents::ROUTES;
    /// Messages with the agency, the inbox, in-app notifications.
    Messages => "messages", contract::messages::ROUTES;
    /// Payments through the processor: checkout, its events, refunds.
    Payments => "payments", contract::payments::ROUTES;
    /// Billing, read-only: fees, payments and refunds, receipts.
    Billing => "billing", contract::billing::ROUTES;
    /// Appointments: locations, slots, bookings, outcomes.
    Appointments => "appointments", contract::appointments::ROUTES;
    /// Representatives: invitations, grants, firms.
    Representatives => "representatives", contract::representatives::ROUTES;
    /// The officers' side: queue, case view, decisions.
    Officer => "officer", contract::officer::ROUTES;
}

/// One route of the API.
#[derive(Clone, Debug)]
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path template, `{name}` for parameters (the syntax of axum, OpenAPI and API Gateway).
    pub path: &'static str,
    /// The Lambda function (`{function}Function` in `template.yaml`).
    pub function: &'static str,
    /// The area that implements it.
    pub area: Area,
    /// Who may call it.
    pub auth: Auth,
    /// One line for the API description.
    pub summary: &'static str,
    /// What it takes and answers, as types (`contract`).
    pub contract: Contract,
}

/// The route a request was matched to: a request extension set before the API's own middleware
/// (by the local gateway, or by `lambda::serve_area` among its area's routes), under which the
/// request's figures are counted. Looking it up in every area's table instead would link every
/// area's contract (its schema functions) into each function.
#[derive(Clone, Copy, Debug)]
pub struct ServedRoute(pub &'static Route);

/// Every route of the API, area by area.
pub fn all() -> impl Iterator<Item = &'static Route> {
    Area::ALL.iter().flat_map(|area| area.routes())
}

impl Route {
    /// Serves `handler` on this route's method, so an area cannot bind a route to another one.
    pub fn serve<H, T, S>(&self, handler: H) -> MethodRouter<S>
    where
        H: Handler<T, S>,
        T: 'static,
        S: Clone + Send + Sync + 'static,
    {
        let filter = MethodFilter::try_from(self.method.clone()).unwrap_or(MethodFilter::GET);
        axum::routing::on(filter, handler)
    }

    /// Whether a concrete request path matches this route's template.
    pub fn matches(&self, method: &Method, path: &str) -> bool {
        if *method != self.method {
            return false;
        }
        let mut template = self.path.split('/');
        let mut concrete = path.split('/');
        loop {
            match (template.next(), concrete.next()) {
                (None, None) => return true,
                (Some(t), Some(c)) if t.starts_with('{') && t.ends_with('}') => {
                    if c.is_empty() {
                        return false;
                    }
                }
                (Some(t), Some(c)) if t == c => {}
                _ => return false,
            }
        }
    }
}

/// The route a request is for, if any.
pub fn find(method: &Method, path: &str) -> Option<&'static Route> {
    all().find(|route| route.matches(method, path))
}

/// An area left a route of the table without a handler.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("area {area:?} has no handler for function {function}")]
pub struct MissingHandler {
    /// The area.
    pub area: Area,
    /// The function in the route table.
    pub function: &'static str,
}

/// Builds an area's router from the route table: every route of the area, each with the handler
/// `handler_for` gives its function, and the session check (`Revocations`) its signed-in routes'
/// `Principal` reads (a read's beside its handler). Fails when a handler is missing.
pub fn area_router<S, F>(area: Area, revocations: Revocations, handler_for: F) -> Result<Router<S>, MissingHandler>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(&Route) -> Option<MethodRouter<S>>,
{
    let router = area.routes().iter().try_fold(Router::new(), |router, route| {
        let handler = handler_for(route).ok_or(MissingHandler { area, function: route.function })?;
        let handler = match route.auth {
            Auth::Public => handler,
            Auth::User | Auth::Officer => {
                handler.route_layer(axum::middleware::from_fn(principal::check_sessions_beside_reads))
            }
        };
        Ok(router.route(route.path, handler))
    })?;
    Ok(router.layer(Extension(revocations)))
}

/// The router of an area whose routes are all public (it checks no sessions).
pub fn public_area_router<S, F>(area: Area, handler_for: F) -> Result<Router<S>, MissingHandler>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(&Route) -> Option<MethodRouter<S>>,
{
    area.routes().iter().try_fold(Router::new(), |router, route| {
        let handler = handler_for(route).ok_or(MissingHandler { area, function: route.function })?;
        Ok(router.route(route.path, handler))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_templates_match_concrete_paths() {
        let route = Route { path: "/api/applications/{id}/documents", ..contract::system::ROUTES[0].clone() };
        assert!(route.matches(&Method::GET, "/api/applications/A123/documents"));
        assert!(!route.matches(&Method::GET, "/api/applications//documents"));
        assert!(!route.matches(&Method::GET, "/api/applications/A123"));
        assert!(!route.matches(&Method::POST, "/api/applications/A123/documents"));
    }

    #[test]
    fn every_route_is_unique() {
        let routes: Vec<&Route> = all().collect();
        for (i, a) in routes.iter().enumerate() {
            for b in &routes[..i] {
                assert!(a.function != b.function, "function {} twice", a.function);
                assert!((&a.method, a.path) != (&b.method, b.path), "{} {} twice", a.method, a.path);
            }
        }
    }
}
