//! Lambda entry point of the `remind` function, run by an EventBridge schedule (every 15
//! minutes): the reminders due are sent, each once (`Appointments::send_reminders`); the events
//! it writes reach applicants through the table's stream and the notify function, in their
//! language. Reading the whole window each run makes a missed or failed run harmless: the next
//! one sends what is still due.

use std::sync::Arc;
use std::time::Instant;

use lambda_runtime::{LambdaEvent, service_fn};
use portal_api::config::{Environment, TableConfig};
use portal_api::metrics::{Figures, MetricSink, REMIND};
use portal_domain::appointments::locations::Locations;
use portal_domain::appointments::{Appointments, DEFAULT_CUTOFF_SECONDS};
use portal_domain::clock::{Clock, SystemClock};
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    portal_api::observe::init_tracing();
    let config = TableConfig::from_env(&Environment::process())?;
    let table = Arc::new(AwsClients::load().await?.table(config.table_name));
    let appointments = Appointments::new(table, Arc::new(Locations::load()?), DEFAULT_CUTOFF_SECONDS);
    lambda_runtime::run(service_fn(async |_: LambdaEvent<serde_json::Value>| {
        let started = Instant::now();
        let sent = appointments.send_reminders(SystemClock.now()).await;
        MetricSink::Logs.record(&Figures::invocation(REMIND, started, 1, u64::from(sent.is_err())));
        let sent = sent?;
        tracing::info!(sent, "appointment reminders");
        Ok::<_, lambda_runtime::Error>(serde_json::json!({ "sent": sent }))
    }))
    .await
}
