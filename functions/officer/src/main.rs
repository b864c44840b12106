//! Lambda entry point of the officer area. Clients and the type catalog are loaded once.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_api::routes::Area;
use portal_domain::application_types::Catalog;
use portal_domain::clock::SystemClock;
use portal_officer::OfficerState;
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::Officer.routes() }, async || {
        let config = TableConfig::from_env(&Environment::process())?;
        let table = Arc::new(AwsClients::load().await?.table(config.table_name));
        let catalog = Arc::new(Catalog::load()?);
        Ok(portal_officer::router(OfficerState::new(table, catalog, Arc::new(SystemClock)))?)
    })
    .await
}
