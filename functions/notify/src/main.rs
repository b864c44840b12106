//! Lambda entry point of the `notify` function (the table's stream). Clients are built once.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use portal_api::config::{Environment, TableConfig};
use portal_domain::clock::SystemClock;
use portal_domain::notifications::Dispatcher;
use portal_store::dynamodb::DynamoTable;
use portal_store::ses_sns::AwsNotifier;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    portal_api::observe::init_tracing();
    let env = Environment::process();
    let table_config = TableConfig::from_env(&env)?;
    let sender = env.required("EMAIL_SENDER")?;
    let aws = portal_store::aws::load_sdk_config().await?;
    let table = Arc::new(DynamoTable::new(aws_sdk_dynamodb::Client::new(&aws), table_config.table_name));
    let notifier = Arc::new(AwsNotifier::new(aws_sdk_sesv2::Client::new(&aws), aws_sdk_sns::Client::new(&aws), sender));
    let dispatcher = Dispatcher::new(table, notifier, Arc::new(SystemClock));
    lambda_runtime::run(service_fn(async |event: LambdaEvent<serde_json::Value>| {
        Ok::<_, lambda_runtime::Error>(portal_notify::handle(&dispatcher, &event.payload).await)
    }))
    .await
}
