//! Lambda entry point of the messages area. Clients are built once.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_domain::clock::SystemClock;
use portal_messages::MessagesState;
use portal_store::dynamodb::DynamoTable;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(async || {
        let config = TableConfig::from_env(&Environment::process())?;
        let aws = portal_store::aws::load_sdk_config().await?;
        let table = Arc::new(DynamoTable::new(aws_sdk_dynamodb::Client::new(&aws), config.table_name));
        Ok(portal_messages::router(MessagesState::new(table, Arc::new(SystemClock)))?)
    })
    .await
}
