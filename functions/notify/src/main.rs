//! Lambda entry point of the `notify` function (the table's stream). Clients are built once.

use std::time::Instant;

use lambda_runtime::{LambdaEvent, service_fn};
use portal_api::config::Environment;
use portal_api::metrics::{Figures, MetricSink, NOTIFY};
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    portal_api::observe::init_tracing();
    let dispatcher = portal_notify::dispatcher_from_env(&Environment::process(), &AwsClients::load().await?)?;
    lambda_runtime::run(service_fn(async |event: LambdaEvent<serde_json::Value>| {
        let started = Instant::now();
        let (records, response) = portal_notify::handle(&dispatcher, &event.payload).await;
        let failed = response.batch_item_failures.len() as u64;
        MetricSink::Logs.record(&Figures::invocation(NOTIFY, started, records as u64, failed));
        Ok::<_, lambda_runtime::Error>(response)
    }))
    .await
}
