//! The local portal playing DynamoDB Streams and the `notify` function's event source mapping:
//! the embedded store's change feed, in batches, through the same dispatcher the function runs.
//! A failing record is delivered again a few times; then it alone is given up, with an error in
//! the log (the stand-in for the dead-letter queue), and the records after it go on.

use std::time::Duration;

use portal_domain::notifications::Dispatcher;
use portal_domain::table::ChangeRecord;
use tokio::sync::mpsc::UnboundedReceiver;

/// Most records handed over at once (the event source mapping's batch size).
const BATCH_SIZE: usize = 100;
/// Deliveries of a failing record before it is given up (the mapping's finite retries).
const ATTEMPTS: u32 = 3;
/// Pause before failed records are delivered again.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Delivers changes until the feed closes.
pub async fn run(mut changes: UnboundedReceiver<ChangeRecord>, dispatcher: Dispatcher) {
    let mut batch = Vec::with_capacity(BATCH_SIZE);
    while changes.recv_many(&mut batch, BATCH_SIZE).await > 0 {
        let mut pending = std::mem::take(&mut batch);
        let mut attempts = 0;
        while !pending.is_empty() {
            let failed = dispatcher.handle_batch(&pending).await;
            pending.retain(|record| failed.contains(&record.id));
            attempts += 1;
            if pending.is_empty() {
                break;
            }
            if attempts == ATTEMPTS {
                let given_up = pending.remove(0);
                tracing::error!(
                    record = given_up.id,
                    "change record given up after {ATTEMPTS} deliveries (dead letter)"
                );
                attempts = 0;
            } else {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }
}
