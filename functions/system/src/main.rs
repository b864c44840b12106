//! Lambda entry point of the system area (functions `Health`, `GetSite` and `OpenApi`).

use portal_api::config::{Environment, site_from_env};
use portal_api::routes::Area;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::System.routes() }, async || {
        Ok(portal_system::router(site_from_env(&Environment::process(), None)?)?)
    })
    .await
}
