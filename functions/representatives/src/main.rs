//! Lambda entry point of the representatives area. Clients are built once.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_api::routes::Area;
use portal_domain::clock::SystemClock;
use portal_representatives::RepresentativesState;
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::Representatives.routes() }, async || {
        let env = Environment::process();
        let config = TableConfig::from_env(&env)?;
        // Invitees are told by email from this address.
        let sender = env.required("EMAIL_SENDER")?;
        let aws = AwsClients::load().await?;
        let (table, notifier) = (Arc::new(aws.table(config.table_name)), Arc::new(aws.notifier(sender)));
        Ok(portal_representatives::router(RepresentativesState::new(table, notifier, Arc::new(SystemClock)))?)
    })
    .await
}
