//! The `notify` function: batches of the table's stream (`aws_lambda_events` DynamoDB events),
//! each record read on its own so one malformed record fails alone, handed to the dispatcher,
//! and the failed records reported back (`ReportBatchItemFailures`: the first failure and
//! everything after it, so the stream retries them in order). Non-event items are skipped; the
//! event source mapping's filter lets only new events through in the first place.

use std::sync::Arc;

use aws_lambda_events::dynamodb::EventRecord;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use portal_api::config::{Environment, TableConfig, site_from_env};
use portal_domain::application_types::Catalog;
use portal_domain::clock::SystemClock;
use portal_domain::notifications::Dispatcher;
use portal_domain::table::{ChangeRecord, Item};
use portal_store::aws::AwsClients;
use portal_store::dynamodb::item_from;
use serde_json::Value;

/// The dispatcher the notify function runs, from its environment (`TABLE_NAME`, `EMAIL_SENDER`,
/// the `SITE_*` variables): what `portal-admin replay-dead-letters` runs too.
pub fn dispatcher_from_env<F: Fn(&str) -> Option<String>>(
    env: &Environment<F>,
    aws: &AwsClients,
) -> Result<Dispatcher, Box<dyn std::error::Error + Send + Sync>> {
    let table = Arc::new(aws.table(TableConfig::from_env(env)?.table_name));
    let notifier = Arc::new(aws.notifier(env.required("EMAIL_SENDER")?));
    let catalog = Arc::new(Catalog::load()?);
    Ok(Dispatcher::new(table, notifier, Arc::new(SystemClock), catalog, site_from_env(env, None)?))
}

/// The item a stream record carries, or why it cannot be read.
fn new_image(record: &EventRecord) -> Result<Option<Item>, String> {
    if record.change.new_image.is_empty() {
        return Ok(None);
    }
    item_from(record.change.new_image.clone()).map(Some).map_err(|e| e.to_string())
}

/// The records of a stream event, each parsed on its own. A record's id is its sequence number
/// (what Lambda expects back for a failed record), or its position when even that is missing.
pub fn change_records(event: &Value) -> Vec<ChangeRecord> {
    let records = event.get("Records").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    records
        .iter()
        .enumerate()
        .map(|(position, raw)| {
            let sequence = raw.pointer("/dynamodb/SequenceNumber").and_then(Value::as_str);
            let id = sequence.map_or_else(|| format!("position-{position}"), str::to_owned);
            let new_image = serde_json::from_value::<EventRecord>(raw.clone())
                .map_err(|e| format!("not a DynamoDB stream record: {e}"))
                .and_then(|record| new_image(&record));
            ChangeRecord { id, new_image }
        })
        .collect()
}

/// Handles one invocation's batch: how many records it held, and which of them failed.
pub async fn handle(dispatcher: &Dispatcher, event: &Value) -> (usize, DynamoDbEventResponse) {
    let records = change_records(event);
    let failed = dispatcher.handle_batch(&records).await;
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures = failed
        .into_iter()
        .map(|id| {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(id);
            failure
        })
        .collect();
    (records.len(), response)
}
