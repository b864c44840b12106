//! Every function as Lambda runs it (issue 17, points 5 and 6): each release binary started
//! against its own local Lambda Runtime API, with every AWS endpoint (DynamoDB, and the secrets
//! extension) pointed at a stand-in that answers at once (`portal_bench::dynamodb_stub`), then:
//!
//! - its init (process start to the first poll of the Runtime API), the median of `COLD_STARTS`
//!   starts, taking turns with the bare `lambda_http` hello built alike;
//! - `INVOCATIONS` warm invocations of one route of its area, one at a time as one Lambda
//!   instance takes them: p50 and p99 from the event handed out to its answer received;
//! - its peak resident memory (`VmHWM`) after those invocations.
//!
//! Any answer but 200 fails the bench: the speed of an error is no figure. The stream, schedule
//! and S3 functions (notify, remind, scan) get events that hold no work: their rows are init and
//! memory, their latencies the runtime loop's.
//!
//! Usage: lambda-functions <folder of release binaries> [invocations]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use portal_bench::dynamodb_stub::{self, SUB, WEBHOOK_SECRET, now};
use portal_bench::median;
use portal_bench::runtime_api::{RuntimeApi, cold_start, function, http_event, peak_memory_kib, serve};
use portal_domain::payments::signature;
use serde_json::json;

const COLD_STARTS: usize = 10;
const DEFAULT_INVOCATIONS: usize = 1_000;

/// One function and the event its warm invocations take.
struct Function {
    binary: &'static str,
    route: String,
    event: String,
    /// Whether its answer is an HTTP response (200 expected) rather than the handler's own value.
    http: bool,
}

fn functions(application: &str) -> Vec<Function> {
    let http = |binary, method: &str, path: String, groups: &[&str]| Function {
        binary,
        route: format!("{method} {path}"),
        event: http_event(method, &path, SUB, groups, &[], None),
        http: true,
    };
    let webhook = json!({"object": "event", "id": "evt_bench", "type": "customer.created",
        "data": {"object": {"object": "customer", "id": "cus_bench"}}})
    .to_string();
    let stripe_signature = signature::sign(webhook.as_bytes(), WEBHOOK_SECRET, now());
    let scheduled = json!({"version": "0", "id": "bench", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-12-03T00:00:00Z", "region": "ca-central-1", "resources": [],
        "detail": {}});
    let quiet = |binary, route: &str, event: String| Function { binary, route: route.into(), event, http: false };
    vec![
        http("applications", "GET", "/api/applications".into(), &[]),
        http("applications", "GET", format!("/api/applications/{application}"), &[]),
        http("appointments", "GET", format!("/api/applications/{application}/appointments"), &[]),
        http("auth", "GET", "/api/me/sessions".into(), &[]),
        http("billing", "GET", format!("/api/applications/{application}/fees"), &[]),
        http("documents", "GET", format!("/api/applications/{application}/documents"), &[]),
        http("messages", "GET", format!("/api/applications/{application}/messages"), &[]),
        http("officer", "GET", "/api/officer/queue?status=submitted".into(), &["officers"]),
        Function {
            binary: "payments",
            route: "POST /api/payments/webhook (signed, of a kind it ignores)".into(),
            event: http_event(
                "POST",
                "/api/payments/webhook",
                SUB,
                &[],
                &[("stripe-signature", &stripe_signature)],
                Some(&webhook),
            ),
            http: true,
        },
        http("profile", "GET", "/api/me".into(), &[]),
        http("representatives", "GET", format!("/api/applications/{application}/representatives"), &[]),
        http("system", "GET", "/api/health".into(), &[]),
        quiet("notify", "stream batch, no records", json!({"Records": []}).to_string()),
        quiet("remind", "schedule, no bookings due", scheduled.to_string()),
        quiet("scan", "S3 batch, no records", json!({"Records": []}).to_string()),
    ]
}

/// Milliseconds from spawn to the first poll of a fresh start, against a Runtime API of its own.
async fn init(binary: &Path, aws: SocketAddr, home: &Path) -> Result<f64> {
    Ok(cold_start(binary, &mut RuntimeApi::start().await?, aws, home).await?.0)
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: lambda-functions <folder of release binaries> [invocations]";
    let folder = std::path::PathBuf::from(args.next().context(usage)?);
    let invocations: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(DEFAULT_INVOCATIONS);
    let data = tempfile::tempdir()?;
    let (table, application) = dynamodb_stub::filled(data.path()).await?;
    let aws = serve(dynamodb_stub::router(table)).await?;

    let hello = folder.join("hello");
    println!(
        "{COLD_STARTS} cold starts each (init: start to first poll of the Runtime API, taking turns with hello), \
         then {invocations} warm invocations one at a time:"
    );
    println!("| function | route or event | init p50 | init vs hello | warm p50 | warm p99 | peak RSS after |");
    println!("|---|---|---|---|---|---|---|");
    let mut hello_inits = Vec::new();
    for function_under_test in functions(&application) {
        let binary = folder.join(function_under_test.binary);
        let mut inits = Vec::new();
        for _ in 0..COLD_STARTS {
            inits.push(init(&binary, aws, data.path()).await?);
            hello_inits.push(init(&hello, aws, data.path()).await?);
        }
        let mut runtime = RuntimeApi::start().await?;
        let mut child = function(&binary, runtime.address, &format!("http://{aws}"), aws.port(), data.path())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        runtime.polled().await?;
        let mut latencies = Vec::with_capacity(invocations);
        for _ in 0..invocations {
            let handed = Instant::now();
            let answer = runtime.invoke(function_under_test.event.clone()).await?;
            latencies.push(handed.elapsed().as_secs_f64() * 1e6);
            let route = &function_under_test.route;
            let body = answer.map_err(|error| anyhow::anyhow!("{route}: the invocation failed: {error}"))?;
            if function_under_test.http {
                ensure!(body["statusCode"] == 200, "{route}: answered {body}");
            }
        }
        let memory = peak_memory_kib(child.id())?;
        child.kill()?;
        child.wait()?;
        let (init_p50, hello_p50) = (median(inits), median(hello_inits.clone()));
        let (p50, p99) = (percentile(&mut latencies, 0.5), percentile(&mut latencies, 0.99));
        println!(
            "| {} | {} | {init_p50:.1} ms | {:.2}× | {p50:.0} µs | {p99:.0} µs | {:.1} MiB |",
            function_under_test.binary,
            function_under_test.route,
            init_p50 / hello_p50,
            memory as f64 / 1024.0
        );
    }
    println!(
        "hello (bare lambda_http): init p50 {:.1} ms over {} starts",
        median(hello_inits.clone()),
        hello_inits.len()
    );
    Ok(())
}
