//! What each function handled (count, failures, latency), by area and function: an API
//! request, or an invocation of a function that serves no route (notify's stream records, scan's
//! uploads, remind's runs).
//!
//! In Lambda they are a CloudWatch embedded-metric-format line among the function's JSON logs:
//! CloudWatch Logs turns it into metrics, with no call to CloudWatch from the function. The local
//! portal keeps them in memory instead ([`LocalMetrics`], served at `GET /api/dev/metrics`).

use std::io::Write as _;
#[cfg(feature = "local")]
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::routes::Route;

// The local portal's tally: no function links it (the `local` feature is the local portal's).
#[cfg(feature = "local")]
mod local;
#[cfg(feature = "local")]
pub use local::{FunctionFigures, LocalMetrics};

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
    /// dimensions `Area` (what the dashboard and alarms read) and `Area` + `Function`. Written
    /// out rather than built as a `serde_json::Value`: the line is fixed but for its values, and
    /// the code is smaller in every function (each is held to 5 MB zipped).
    pub fn emf(&self, namespace: &str, timestamp_ms: u64) -> String {
        let namespace = serde_json::to_string(namespace).unwrap_or_else(|_| format!("{DEFAULT_NAMESPACE:?}"));
        // Milliseconds with microsecond precision (a latency under 1 ms is not 0).
        let latency_ms = self.latency_us as f64 / 1000.0;
        let Self { area, function, requests, errors, .. } = self;
        format!(
            concat!(
                r#"{{"_aws":{{"Timestamp":{},"CloudWatchMetrics":[{{"Namespace":{},"#,
                r#""Dimensions":[["Area"],["Area","Function"]],"Metrics":[{{"Name":"Requests","Unit":"Count"}},"#,
                r#"{{"Name":"Errors","Unit":"Count"}},{{"Name":"Latency","Unit":"Milliseconds"}}]}}]}},"#,
                r#""Area":"{}","Function":"{}","Requests":{},"Errors":{},"Latency":{}}}"#
            ),
            timestamp_ms, namespace, area, function, requests, errors, latency_ms
        )
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
    #[cfg(feature = "local")]
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
            #[cfg(feature = "local")]
            Self::Local(metrics) => metrics.record(figures),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::routes;
    use serde_json::Value;

    /// The route of `function` (the local tally's tests use it too).
    pub(super) fn route(function: &str) -> &'static Route {
        routes::all().find(|r| r.function == function).expect("route")
    }

    #[test]
    fn an_emf_line_declares_each_metric_and_dimension_it_carries() {
        let figures = Figures::request(route("GetMe"), 503, 1_250);
        let line: Value = serde_json::from_str(&figures.emf("Portal/portal-dev", 1_764_000_000_000)).expect("json");
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
        let refused: Value =
            serde_json::from_str(&Figures::request(route("GetMe"), 404, 1_250).emf("Portal", 0)).expect("json");
        assert_eq!(refused["Errors"].as_u64(), Some(0), "a 4xx is the caller's, not an error of the portal");
    }

    #[test]
    fn an_invocation_counts_what_it_handled_and_what_failed() {
        let batch = Figures::invocation(NOTIFY, Instant::now(), 100, 3);
        let line: Value = serde_json::from_str(&batch.emf("Portal", 0)).expect("json");
        assert_eq!((line["Area"].as_str(), line["Function"].as_str()), (Some("notify"), Some("Notify")));
        assert_eq!((line["Requests"].as_u64(), line["Errors"].as_u64()), (Some(100), Some(3)));
    }
}
