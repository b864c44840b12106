//! What each function handled (count, failures, latency), by area and function: an API
//! request, or an invocation of a function that serves no route (notify's stream records, scan's
//! uploads, remind's runs).
//!
//! In Lambda they are a CloudWatch embedded-metric-format line among the function's JSON logs:
//! CloudWatch Logs turns it into metrics, with no call to CloudWatch from the function. The local
//! portal keeps them in memory instead ([`LocalMetrics`], served at `GET /api/dev/metrics`).

use std::collections::{BTreeMap, VecDeque};
use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Value, json};

use crate::routes::Route;

/// The namespace of the portal's metrics when the environment names none (`METRICS_NAMESPACE`,
/// which the template sets per stack so that two stages of one account stay apart).
pub const DEFAULT_NAMESPACE: &str = "Portal";

/// A function that serves no route, as its figures name it (in Lambda and in the local portal,
/// which plays it in-process).
#[derive(Debug, Clone, Copy)]
pub struct Invoked {
    /// Its Lambda binary.
    pub area: &'static str,
    /// Its name in the template, without `Function`.
    pub function: &'static str,
}

/// The table stream's function: a batch per invocation, a record each.
pub const NOTIFY: Invoked = Invoked { area: "notify", function: "Notify" };
/// The documents bucket's function: an S3 event per invocation, an uploaded object each.
pub const SCAN: Invoked = Invoked { area: "scan", function: "Scan" };
/// The appointment reminders' function: a run per invocation.
pub const REMIND: Invoked = Invoked { area: "remind", function: "Remind" };

/// One request's or invocation's figures. `Requests` is what the function was asked to handle:
/// an API request, a stream record (notify), an uploaded object (scan), a run (remind).
/// `Errors` is how many of them the portal failed: a 5xx (a 4xx is the caller's, and the API's
/// documented answer), a record given back to the stream, an event Lambda will retry.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    /// The Lambda binary that serves it (`portal_api::Area::binary`, or `notify`, `scan`, `remind`).
    pub area: &'static str,
    /// The function, as the template names it without `Function` (`GetMe`, `Notify`).
    pub function: &'static str,
    /// How many things it handled.
    pub requests: u64,
    /// Of which failed.
    pub errors: u64,
    /// How long the portal took, in microseconds.
    pub latency_us: u64,
}

impl Figures {
    /// An API request answered with `status`.
    pub fn request(route: &'static Route, status: u16, latency_us: u64) -> Self {
        let errors = u64::from(status >= 500);
        Self { area: route.area.binary(), function: route.function, requests: 1, errors, latency_us }
    }

    /// An invocation of `of` begun at `started` that handled `requests` things and failed
    /// `errors` of them.
    pub fn invocation(of: Invoked, started: Instant, requests: u64, errors: u64) -> Self {
        let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        Self { area: of.area, function: of.function, requests, errors, latency_us }
    }

    /// The embedded-metric-format line: `Requests`, `Errors` and `Latency` (ms) under the
    /// dimensions `Area` (what the dashboard and alarms read) and `Area` + `Function`.
    pub fn emf(&self, namespace: &str, timestamp_ms: u64) -> Value {
        json!({
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [["Area"], ["Area", "Function"]],
                    "Metrics": [
                        {"Name": "Requests", "Unit": "Count"},
                        {"Name": "Errors", "Unit": "Count"},
                        {"Name": "Latency", "Unit": "Milliseconds"},
                    ],
                }],
            },
            "Area": self.area,
            "Function": self.function,
            "Requests": self.requests,
            "Errors": self.errors,
            // Milliseconds with microsecond precision (a latency under 1 ms is not 0).
            "Latency": self.latency_us as f64 / 1000.0,
        })
    }
}

/// Where figures go: metric lines in the function's logs (Lambda), or the local portal's tally.
#[derive(Clone, Default)]
pub enum MetricSink {
    /// An embedded-metric-format line on standard output, which Lambda sends to the function's
    /// log group like every other log line.
    #[default]
    Logs,
    /// Counted in memory for `GET /api/dev/metrics`.
    Local(Arc<LocalMetrics>),
}

impl MetricSink {
    /// Takes one request's or invocation's figures.
    pub fn record(&self, figures: &Figures) {
        match self {
            Self::Logs => {
                static NAMESPACE: OnceLock<String> = OnceLock::new();
                let namespace = NAMESPACE.get_or_init(|| {
                    std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| DEFAULT_NAMESPACE.to_owned())
                });
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
                let line = figures.emf(namespace, u64::try_from(now.as_millis()).unwrap_or(u64::MAX));
                // A lost metric line must not cost the request (println! would panic on a
                // closed stdout).
                let _ = writeln!(std::io::stdout().lock(), "{line}");
            }
            Self::Local(metrics) => metrics.record(figures),
        }
    }
}

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
    use super::*;
    use crate::routes;

    fn route(function: &str) -> &'static Route {
        routes::all().find(|r| r.function == function).expect("route")
    }

    #[test]
    fn an_emf_line_declares_each_metric_and_dimension_it_carries() {
        let figures = Figures::request(route("GetMe"), 503, 1_250);
        let line = figures.emf("Portal/portal-dev", 1_764_000_000_000);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(line["_aws"]["Timestamp"], 1_764_000_000_000u64);
        assert_eq!(directive["Namespace"], "Portal/portal-dev");
        // The format's rules: every dimension names a top-level string, every metric a number.
        for set in directive["Dimensions"].as_array().expect("dimension sets") {
            for dimension in set.as_array().expect("dimension set") {
                assert!(line[dimension.as_str().expect("name")].is_string(), "{dimension}");
            }
        }
        for metric in directive["Metrics"].as_array().expect("metrics") {
            assert!(line[metric["Name"].as_str().expect("name")].is_number(), "{metric}");
        }
        assert_eq!((line["Area"].as_str(), line["Function"].as_str()), (Some("profile"), Some("GetMe")));
        assert_eq!((line["Requests"].as_u64(), line["Errors"].as_u64()), (Some(1), Some(1)));
        assert_eq!(line["Latency"].as_f64(), Some(1.25));
        let refused = Figures::request(route("GetMe"), 404, 1_250).emf("Portal", 0);
        assert_eq!(refused["Errors"].as_u64(), Some(0), "a 4xx is the caller's, not an error of the portal");
    }

    #[test]
    fn an_invocation_counts_what_it_handled_and_what_failed() {
        let batch = Figures::invocation(NOTIFY, Instant::now(), 100, 3);
        let line = batch.emf("Portal", 0);
        assert_eq!((line["Area"].as_str(), line["Function"].as_str()), (Some("notify"), Some("Notify")));
        assert_eq!((line["Requests"].as_u64(), line["Errors"].as_u64()), (Some(100), Some(3)));
        let metrics = LocalMetrics::default();
        metrics.record(&batch);
        metrics.record(&Figures::invocation(NOTIFY, Instant::now(), 1, 0));
        let figures = metrics.snapshot();
        assert_eq!((figures[0].requests, figures[0].errors), (101, 3), "records, not invocations");
    }

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
}
