//! Lambda entry point of the messages area. Clients are built once.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_api::routes::Area;
use portal_domain::clock::SystemClock;
use portal_messages::MessagesState;
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::Messages.routes() }, async || {
        let config = TableConfig::from_env(&Environment::process())?;
        let table = Arc::new(AwsClients::load().await?.table(config.table_name));
        Ok(portal_messages::router(MessagesState::new(table, Arc::new(SystemClock)))?)
    })
    .await
}
