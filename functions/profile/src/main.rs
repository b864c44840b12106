//! Lambda entry point of the profile area. Clients are built once, here.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_domain::clock::SystemClock;
use portal_profile::ProfileState;
use portal_store::dynamodb::DynamoTable;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(async || {
        let config = TableConfig::from_env(&Environment::process())?;
        let aws = portal_store::aws::load_sdk_config().await?;
        let table = DynamoTable::new(aws_sdk_dynamodb::Client::new(&aws), config.table_name);
        Ok(portal_profile::router(ProfileState::new(Arc::new(table), Arc::new(SystemClock)))?)
    })
    .await
}
