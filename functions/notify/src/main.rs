//! Lambda entry point of the `notify` function (the table's stream). Clients are built once.

use std::sync::Arc;
use std::time::Instant;

use lambda_runtime::{LambdaEvent, service_fn};
use portal_api::config::{Environment, TableConfig, site_from_env};
use portal_api::metrics::{Figures, MetricSink};
use portal_domain::application_types::Catalog;
use portal_domain::clock::SystemClock;
use portal_domain::notifications::Dispatcher;
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    portal_api::observe::init_tracing();
    let env = Environment::process();
    let table_config = TableConfig::from_env(&env)?;
    let sender = env.required("EMAIL_SENDER")?;
    let aws = AwsClients::load().await?;
    let (table, notifier) = (Arc::new(aws.table(table_config.table_name)), Arc::new(aws.notifier(sender)));
    let catalog = Arc::new(Catalog::load()?);
    let dispatcher = Dispatcher::new(table, notifier, Arc::new(SystemClock), catalog, site_from_env(&env, None)?);
    lambda_runtime::run(service_fn(async |event: LambdaEvent<serde_json::Value>| {
        let started = Instant::now();
        let (records, response) = portal_notify::handle(&dispatcher, &event.payload).await;
        let failed = response.batch_item_failures.len() as u64;
        MetricSink::Logs.record(&Figures::invocation("notify", "Notify", started, records as u64, failed));
        Ok::<_, lambda_runtime::Error>(response)
    }))
    .await
}
