//! The local portal playing DynamoDB Streams and the `notify` function's event source mapping:
//! the embedded store's change feed, in batches, through the same dispatcher the function runs.
//! Failed records are retried in order a few times, then dropped with an error in the log (the
//! stand-in for the dead-letter queue).

use std::time::Duration;

use portal_domain::notifications::Dispatcher;
use portal_domain::table::ChangeRecord;
use tokio::sync::mpsc::UnboundedReceiver;

/// Most records handed over at once (the event source mapping's batch size).
const BATCH_SIZE: usize = 100;
/// Deliveries of a failing batch before it is given up (the mapping's finite retries).
const ATTEMPTS: u32 = 3;
/// Pause before a failed batch is delivered again.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Delivers changes until the feed closes.
pub async fn run(mut changes: UnboundedReceiver<ChangeRecord>, dispatcher: Dispatcher) {
    let mut batch = Vec::with_capacity(BATCH_SIZE);
    while changes.recv_many(&mut batch, BATCH_SIZE).await > 0 {
        let mut pending = std::mem::take(&mut batch);
        for attempt in 1..=ATTEMPTS {
            let failed = dispatcher.handle_batch(&pending).await;
            pending.retain(|record| failed.contains(&record.id));
            if pending.is_empty() {
                break;
            }
            if attempt == ATTEMPTS {
                let ids: Vec<&str> = pending.iter().map(|r| r.id.as_str()).collect();
                tracing::error!(?ids, "change records given up after {ATTEMPTS} deliveries (dead letters)");
            } else {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }
}
