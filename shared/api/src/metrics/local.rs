//! The local portal's figures since it started, per function (`GET /api/dev/metrics`).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;

use super::Figures;

/// How many of a function's latest latencies the local portal keeps for its percentiles: the
/// memory stays bounded however long it runs.
const KEPT_LATENCIES: usize = 1000;

#[derive(Default)]
struct Tally {
    requests: u64,
    errors: u64,
    latest_us: VecDeque<u64>,
}

/// The local portal's figures since it started, per function.
#[derive(Default)]
pub struct LocalMetrics {
    tallies: Mutex<BTreeMap<(&'static str, &'static str), Tally>>,
}

/// One function's figures, as `GET /api/dev/metrics` shows them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionFigures {
    /// The area (the Lambda binary) that serves it.
    pub area: &'static str,
    /// The function (`{function}Function` in the template).
    pub function: &'static str,
    /// Requests (or records, uploads, runs: [`Figures`]) since the portal started.
    pub requests: u64,
    /// Of which failed (a 5xx for a request).
    pub errors: u64,
    /// Median latency of the latest requests or invocations (at most 1,000), in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile of the same, in milliseconds.
    pub p99_ms: f64,
}

impl LocalMetrics {
    /// Counts one request or invocation.
    pub fn record(&self, figures: &Figures) {
        let Ok(mut tallies) = self.tallies.lock() else { return };
        let tally = tallies.entry((figures.area, figures.function)).or_default();
        tally.requests += figures.requests;
        tally.errors += figures.errors;
        if tally.latest_us.len() == KEPT_LATENCIES {
            tally.latest_us.pop_front();
        }
        tally.latest_us.push_back(figures.latency_us);
    }

    /// Every function called so far, by area then function.
    pub fn snapshot(&self) -> Vec<FunctionFigures> {
        let Ok(tallies) = self.tallies.lock() else { return Vec::new() };
        tallies
            .iter()
            .map(|(&(area, function), tally)| {
                let mut sorted: Vec<u64> = tally.latest_us.iter().copied().collect();
                sorted.sort_unstable();
                let percentile = |p: usize| {
                    // Nearest rank: the smallest value with at least p% of them at or below it.
                    let rank = (sorted.len() * p).div_ceil(100).max(1);
                    sorted.get(rank - 1).map_or(0.0, |&us| us as f64 / 1000.0)
                };
                FunctionFigures {
                    area,
                    function,
                    requests: tally.requests,
                    errors: tally.errors,
                    p50_ms: percentile(50),
                    p99_ms: percentile(99),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::metrics::NOTIFY;
    use crate::metrics::tests::route;

    #[test]
    fn local_figures_count_requests_and_5xx_and_keep_bounded_percentiles() {
        let metrics = LocalMetrics::default();
        let get_me = route("GetMe");
        for latency_us in 1..=2_000 {
            metrics.record(&Figures::request(get_me, 200, latency_us));
        }
        metrics.record(&Figures::request(get_me, 500, 2_001));
        metrics.record(&Figures::request(route("Health"), 200, 10));
        let figures = metrics.snapshot();
        assert_eq!(figures.len(), 2);
        let me = figures.iter().find(|f| f.function == "GetMe").expect("GetMe");
        assert_eq!((me.area, me.requests, me.errors), ("profile", 2_001, 1));
        // Only the latest 1,000 (1,002 µs to 2,001 µs) are kept.
        assert_eq!(metrics.tallies.lock().expect("lock")[&("profile", "GetMe")].latest_us.len(), KEPT_LATENCIES);
        assert_eq!(me.p50_ms, 1.501);
        assert_eq!(me.p99_ms, 1.991);
        let health = figures.iter().find(|f| f.function == "Health").expect("Health");
        assert_eq!((health.requests, health.errors, health.p99_ms), (1, 0, 0.01));
    }

    #[test]
    fn an_invocation_counts_its_records_not_itself() {
        let metrics = LocalMetrics::default();
        metrics.record(&Figures::invocation(NOTIFY, Instant::now(), 100, 3));
        metrics.record(&Figures::invocation(NOTIFY, Instant::now(), 1, 0));
        let figures = metrics.snapshot();
        assert_eq!((figures[0].requests, figures[0].errors), (101, 3), "records, not invocations");
    }
}
