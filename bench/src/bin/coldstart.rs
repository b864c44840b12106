//! Cold-start benchmark: time from process start to the first poll of the Lambda Runtime API
//! (`GET /2018-06-01/runtime/invocation/next`), i.e. the function's init, for each binary given,
//! against a local Runtime API stub. Also counts connections to AWS endpoints during init, which
//! must be zero (`AWS_ENDPOINT_URL` and the instance-metadata endpoint point at a counting
//! listener).
//!
//! Usage: coldstart <function binary> <baseline binary> [runs]

use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, bail};
use portal_bench::runtime_api::{RuntimeApi, cold_start};

/// A listener that only counts connections: any AWS call during init would land here.
fn connection_counter() -> Result<(SocketAddr, Arc<AtomicUsize>)> {
    let listener = StdListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
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
    // Never handed an event, each start's poll waits there until the process is stopped.
    let mut runtime = RuntimeApi::start().await?;
    let home = std::env::temp_dir().join("coldstart-home");
    std::fs::create_dir_all(&home)?;
    let (aws, connections) = connection_counter()?;

    let mut timings = [Vec::new(), Vec::new()];
    let mut peak_memory = [0u64, 0u64];
    for _ in 0..runs {
        // Interleaved, so both binaries see the same machine conditions.
        for (i, binary) in [function, baseline].into_iter().enumerate() {
            let (millis, memory) = cold_start(binary.as_ref(), &mut runtime, aws, &home).await?;
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
