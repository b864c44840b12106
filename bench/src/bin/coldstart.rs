//! Cold-start benchmark: time from process start to the first poll of the Lambda Runtime API
//! (`GET /2018-06-01/runtime/invocation/next`), i.e. the function's init, for each binary given,
//! against a local Runtime API stub. Also counts connections to AWS endpoints during init, which
//! must be zero (`AWS_ENDPOINT_URL` and the instance-metadata endpoint point at a counting
//! listener).
//!
//! Usage: coldstart <function binary> <baseline binary> [runs]

use std::net::TcpListener as StdListener;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::routing::get;
use portal_bench::runtime_api::peak_memory_kib;
use tokio::sync::mpsc;

/// Starts the Runtime API stub: each first poll is reported, and never answered.
async fn runtime_api_stub() -> Result<(String, mpsc::UnboundedReceiver<Instant>)> {
    let (polled, polls) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/2018-06-01/runtime/invocation/next",
        get(move || {
            let _ = polled.send(Instant::now());
            std::future::pending::<&'static str>()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((addr.to_string(), polls))
}

/// A listener that only counts connections: any AWS call during init would land here.
fn connection_counter() -> Result<(String, Arc<AtomicUsize>)> {
    let listener = StdListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?.to_string();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    Ok((addr, count))
}

/// One cold start of `binary`: milliseconds from spawn to its first poll, and peak memory then.
async fn cold_start(
    binary: &str,
    runtime_api: &str,
    aws: &str,
    polls: &mut mpsc::UnboundedReceiver<Instant>,
) -> Result<(f64, u64)> {
    let home = std::env::temp_dir().join("coldstart-home");
    std::fs::create_dir_all(&home)?;
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "coldstart")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/coldstart")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_REGION", "ca-central-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .env("AWS_SESSION_TOKEN", "session")
        .env("AWS_ENDPOINT_URL", format!("http://{aws}"))
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", format!("http://{aws}"))
        .env("TABLE_NAME", "portal")
        .env("DOCUMENTS_BUCKET", "portal-documents")
        .env("CLOUDFRONT_ORIGIN_SECRET", "bench")
        .env("RUST_LOG", "warn")
        .env("HOME", &home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {binary}"))?;
    let polled = tokio::time::timeout(Duration::from_secs(10), polls.recv()).await;
    let memory = peak_memory_kib(child.id());
    child.kill()?;
    child.wait()?;
    match polled {
        Ok(Some(at)) => Ok((at.duration_since(started).as_secs_f64() * 1000.0, memory?)),
        _ => bail!("{binary} never polled the Runtime API"),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(function), Some(baseline)) = (args.get(1), args.get(2)) else {
        bail!("usage: coldstart <function binary> <baseline binary> [runs]");
    };
    let runs: usize = args.get(3).map(|r| r.parse()).transpose()?.unwrap_or(50);
    let (runtime_api, mut polls) = runtime_api_stub().await?;
    let (aws, connections) = connection_counter()?;

    let mut timings = [Vec::new(), Vec::new()];
    let mut peak_memory = [0u64, 0u64];
    for _ in 0..runs {
        // Interleaved, so both binaries see the same machine conditions.
        for (i, binary) in [function, baseline].into_iter().enumerate() {
            let (millis, memory) = cold_start(binary, &runtime_api, &aws, &mut polls).await?;
            timings[i].push(millis);
            peak_memory[i] = peak_memory[i].max(memory);
        }
    }

    let mut medians = Vec::new();
    for ((binary, samples), memory) in [function, baseline].into_iter().zip(timings.iter_mut()).zip(peak_memory) {
        samples.sort_by(f64::total_cmp);
        let size = std::fs::metadata(binary)?.len() as f64 / 1_048_576.0;
        let median = percentile(samples, 0.5);
        medians.push(median);
        println!(
            "{binary}: init p50 {median:.2} ms, p90 {:.2} ms, min {:.2} ms over {runs} runs; \
             binary {size:.1} MiB; peak memory at init {:.1} MiB",
            percentile(samples, 0.9),
            samples[0],
            memory as f64 / 1024.0,
        );
    }
    println!("ratio (function / baseline, p50): {:.2}x (budget: 2.00x)", medians[0] / medians[1]);
    println!("connections to AWS endpoints during init: {}", connections.load(Ordering::SeqCst));
    Ok(())
}
