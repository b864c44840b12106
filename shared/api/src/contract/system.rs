//! The system area: liveness, who runs the portal, and this API's own description.

use http::Method;
use portal_domain::site::Site;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use super::Contract;
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/health",
        function: "Health",
        area: Area::System,
        auth: Auth::Public,
        summary: "Liveness of the API",
        contract: Contract::json::<Health>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/site",
        function: "GetSite",
        area: Area::System,
        auth: Auth::Public,
        summary: "Who runs this portal: the agency, its official address and support contact",
        contract: Contract::json::<Site>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/openapi.json",
        function: "OpenApi",
        area: Area::System,
        auth: Auth::Public,
        summary: "This API's OpenAPI document",
        contract: Contract::json::<OpenApiDocument>(200),
    },
];

/// The answer of a live API.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    /// Always `ok`: an API that cannot answer does not answer.
    pub status: Liveness,
}

/// The one state a live API reports.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Liveness {
    /// Serving.
    Ok,
}

/// An OpenAPI 3.1 document (<https://spec.openapis.org/oas/v3.1.0>).
#[derive(Debug, Serialize, JsonSchema)]
pub struct OpenApiDocument {
    /// The OpenAPI version, `3.1.0`.
    pub openapi: String,
    /// The API's title, version and description.
    pub info: Map<String, Value>,
    /// Each path with its operations.
    pub paths: Map<String, Value>,
    /// Schemas, problem responses and the security scheme the operations refer to.
    pub components: Map<String, Value>,
}
