//! The appointment reminders' timer of local mode: what the EventBridge schedule and the `remind`
//! function do in AWS, once a minute here. Each run sends what is due and nothing twice
//! (`Appointments::send_reminders`), so the minute is only how soon a reminder goes out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_api::metrics::{Figures, MetricSink, REMIND};
use portal_domain::appointments::Appointments;
use portal_domain::clock::Clock;
use tokio::sync::watch;

/// How often the reminders due are sent.
const EVERY: Duration = Duration::from_secs(60);

/// Sends the reminders due every minute until `stop` says so; each run counts as one of the
/// remind function's invocations in `metrics`.
pub async fn run(
    appointments: Appointments,
    clock: Arc<dyn Clock>,
    metrics: MetricSink,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            _ = ticks.tick() => {}
        }
        let started = Instant::now();
        let sent = appointments.send_reminders(clock.now()).await;
        metrics.record(&Figures::invocation(REMIND, started, 1, u64::from(sent.is_err())));
        match sent {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "appointment reminders"),
            Err(error) => tracing::warn!(%error, "appointment reminders failed; the next run retries"),
        }
    }
}
