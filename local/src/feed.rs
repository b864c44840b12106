//! The local portal playing DynamoDB Streams and the `notify` function's event source mapping:
//! the embedded store's durable change log, in batches, through the same dispatcher the function
//! runs. A batch leaves the log only once it was handled, so changes committed before a crash are
//! delivered after the restart (N1, D4); a batch delivered again after a crash between handling
//! and acknowledging is harmless because the dispatcher tells each event's recipient once.
//! A failing record is delivered again a few times; then it alone is given up, with an error in
//! the log (the stand-in for the dead-letter queue), and the records after it go on.
//!
//! Like the mapping (its `FilterCriteria` in `template.yaml`), the log keeps only new events:
//! the store is opened with [`notify_receives`](portal_domain::notifications::notify_receives)
//! as its stream filter, so an audit record or a saved draft costs the notifier no read and no
//! acknowledging commit.

use std::time::{Duration, Instant};

use portal_api::metrics::{Figures, MetricSink, NOTIFY};
use portal_domain::notifications::Dispatcher;
use portal_domain::table::ChangeRecord;
use portal_store::embedded::ChangeFeed;
use tokio::sync::watch;

/// Most records read and handed over at once (the event source mapping's batch size): what
/// the feed holds in memory however long the log is.
const BATCH_SIZE: usize = 100;
/// Deliveries of a failing record before it is given up (the mapping's finite retries).
const ATTEMPTS: u32 = 3;
/// Pause before failed records are delivered again, or the log is read again after an error.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Delivers the pending changes, then each new one, until `stop` turns `true` (or its sender
/// goes). It stops only between store calls, never in the middle of one, so when it returns
/// nothing it started still holds the store. Each delivery counts as one of the notify
/// function's invocations in `metrics`.
pub async fn run(feed: ChangeFeed, dispatcher: Dispatcher, metrics: MetricSink, mut stop: watch::Receiver<bool>) {
    let mut stopping = std::pin::pin!(async move {
        let _ = stop.wait_for(|stop| *stop).await;
    });
    loop {
        let batch = match feed.pending(BATCH_SIZE).await {
            Ok(batch) if batch.is_empty() => {
                tokio::select! {
                    () = &mut stopping => return,
                    () = feed.committed() => continue,
                }
            }
            Ok(batch) => batch,
            Err(error) => {
                tracing::error!(%error, "reading the change log failed; reading it again");
                if pause_or_stop(stopping.as_mut()).await {
                    return;
                }
                continue;
            }
        };
        // Stopped before the batch is handled: it stays in the log for the next start.
        if !deliver(&dispatcher, &metrics, batch.clone(), stopping.as_mut()).await {
            return;
        }
        while let Err(error) = feed.acknowledge(&batch).await {
            tracing::error!(%error, "acknowledging a handled batch failed; trying again");
            if pause_or_stop(stopping.as_mut()).await {
                return;
            }
        }
    }
}

/// Waits [`RETRY_PAUSE`]; `true` when asked to stop meanwhile.
async fn pause_or_stop(stopping: std::pin::Pin<&mut impl Future<Output = ()>>) -> bool {
    tokio::select! {
        () = stopping => true,
        () = tokio::time::sleep(RETRY_PAUSE) => false,
    }
}

/// Hands a batch to the dispatcher until every record is handled or given up; `false` when
/// asked to stop before that.
async fn deliver(
    dispatcher: &Dispatcher,
    metrics: &MetricSink,
    mut pending: Vec<ChangeRecord>,
    mut stopping: std::pin::Pin<&mut impl Future<Output = ()>>,
) -> bool {
    let mut attempts = 0;
    while !pending.is_empty() {
        let started = Instant::now();
        let failed = dispatcher.handle_batch(&pending).await;
        metrics.record(&Figures::invocation(NOTIFY, started, pending.len() as u64, failed.len() as u64));
        pending.retain(|record| failed.contains(&record.id));
        attempts += 1;
        if pending.is_empty() {
            break;
        }
        if attempts == ATTEMPTS {
            let given_up = pending.remove(0);
            tracing::error!(record = given_up.id, "change record given up after {ATTEMPTS} deliveries (dead letter)");
            attempts = 0;
        } else if pause_or_stop(stopping.as_mut()).await {
            return false;
        }
    }
    true
}
