//! The local portal's request path under load, beside a bare axum server answering a small JSON
//! in the same run (the release builds given as arguments: `request-path <portal> <bare-axum>`,
//! then, to load only some routes, a part of their name).
//!
//! Each server runs on core 0 and Debian's `wrk` on core 1 (`taskset`), 50 connections; every
//! route is measured `ROUNDS` times, the routes taking turns, and the medians are printed:
//! requests per second, p99 latency, and the server's CPU time per request (its `utime + stime`
//! over the requests answered). A run with an error answer (400 or over: what `wrk` counts as
//! "Non-2xx or 3xx") or a socket error fails rather than report the speed of an error. Before
//! each run the bench waits until the servers are idle: the portal's notifier is still telling
//! applicants about the officer messages of the run before, work that would otherwise land on
//! the next route's figures (and on the bare server's core).
//!
//! Routes: the dashboard of an applicant with 5, 50 and 200 applications (a page holds at most
//! 50), the case read of an application whose thread holds 5 and 5,000 messages, and an
//! officer's message written on a thread of 5 and of 5,000 (a write: one commit each; each run
//! adds its own messages, so those threads hold thousands by the second round).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use portal_bench::median;
use portal_store::local_identity::signing::{AccessClaims, Signer};
use serde_json::{Value, json};

const ROUNDS: usize = 3;
const CONNECTIONS: &str = "50";
const SECONDS: &str = "5";
const DASHBOARD_SIZES: [usize; 3] = [5, 50, 200];
/// The messages on the threads the case reads and message writes are measured on.
const THREAD_SIZES: [usize; 2] = [5, 5_000];

/// A server under test, on core 0, and the base URL its first line of output gave.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(command: &mut Command) -> Result<Self> {
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().context("starting a server")?;
        let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
        let mut banner = String::new();
        stdout.read_line(&mut banner)?;
        let url = banner
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .with_context(|| format!("no address in {banner:?}"))?
            .trim_end_matches('/')
            .to_owned();
        // Its access log is part of what it costs; read and dropped here (`make bench` runs the
        // bench on the load's core).
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Ok(Self { child, url })
    }

    /// Waits until the server has used no CPU for a while (at most a minute).
    fn settle(&self, ticks_per_second: f64) -> Result<()> {
        let mut used = self.cpu_seconds(ticks_per_second)?;
        for _ in 0..120 {
            std::thread::sleep(std::time::Duration::from_millis(500));
            let now = self.cpu_seconds(ticks_per_second)?;
            if now - used < 0.01 {
                return Ok(());
            }
            used = now;
        }
        bail!("the server was still busy after a minute")
    }

    /// CPU seconds the server has used so far (user and system, every thread).
    fn cpu_seconds(&self, ticks_per_second: f64) -> Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // Fields after the command name (which may hold spaces), from the state on: utime and
        // stime are the 12th and 13th.
        let fields: Vec<&str> = stat.rsplit_once(')').context("stat")?.1.split_whitespace().collect();
        let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
        Ok(ticks / ticks_per_second)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn on_core(core: &str, program: &str) -> Command {
    let mut command = Command::new("taskset");
    command.args(["-c", core, program]);
    command
}

/// What one `wrk` run measured.
struct Run {
    requests_per_second: f64,
    p99_ms: f64,
    cpu_us_per_request: f64,
}

/// One route as `wrk` asks for it.
struct Target {
    name: String,
    url: String,
    token: Option<String>,
    /// A JSON body to POST, when not a GET.
    body: Option<Value>,
}

fn load(server: &Server, target: &Target, script: &Path, ticks_per_second: f64) -> Result<Run> {
    let mut wrk = on_core("1", "wrk");
    wrk.args(["-t1", "-c", CONNECTIONS, "-d", &format!("{SECONDS}s"), "--latency"]);
    if let Some(token) = &target.token {
        wrk.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    if let Some(body) = &target.body {
        std::fs::write(
            script,
            format!(
                "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = {}\n",
                serde_json::to_string(&body.to_string())?
            ),
        )?;
        wrk.arg("-s").arg(script);
    }
    wrk.arg(&target.url);
    let cpu_before = server.cpu_seconds(ticks_per_second)?;
    let output = wrk.output().context("running wrk (Debian's package `wrk`)")?;
    let cpu = server.cpu_seconds(ticks_per_second)? - cpu_before;
    ensure!(output.status.success(), "wrk failed: {}", String::from_utf8_lossy(&output.stderr));
    let report = String::from_utf8(output.stdout)?;
    if report.contains("Non-2xx or 3xx responses") || report.contains("Socket errors") {
        bail!("{}: answers other than 2xx, or errors:\n{report}", target.name);
    }
    // "  123456 requests in 5.00s, 12.34MB read"
    let requests: f64 = report
        .lines()
        .find(|line| line.contains(" requests in "))
        .and_then(|line| line.split_whitespace().next())
        .and_then(|count| count.parse().ok())
        .with_context(|| format!("no request count in {report}"))?;
    let requests_per_second: f64 =
        value_after(&report, "Requests/sec:").and_then(|value| value.parse().ok()).context("Requests/sec")?;
    let p99_ms = value_after(&report, "99%").map(milliseconds).context("99%")??;
    Ok(Run { requests_per_second, p99_ms, cpu_us_per_request: cpu * 1e6 / requests })
}

/// The word after `label` on the line that starts with it.
fn value_after<'a>(report: &'a str, label: &str) -> Option<&'a str> {
    report.lines().find_map(|line| line.trim().strip_prefix(label)).and_then(|rest| rest.split_whitespace().next())
}

/// A `wrk` latency (`812.00us`, `5.70ms`, `1.02s`) in milliseconds.
fn milliseconds(value: &str) -> Result<f64> {
    let split = value.find(|c: char| c.is_ascii_alphabetic()).context("unit")?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1e3,
        "ms" => number,
        "s" => number * 1e3,
        "m" => number * 60e3,
        other => bail!("unknown unit {other}"),
    })
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// An applicant's token (for a session nobody ended) and `count` draft applications of theirs.
async fn applicant(signer: &Signer, url: &str, name: &str, count: usize) -> Result<(String, Vec<String>)> {
    let token = signer.sign(&AccessClaims::new(name, "bench-session", Vec::new(), now(), 3600))?;
    let client = reqwest::Client::new();
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        let created: Value = client
            .post(format!("{url}/api/applications"))
            .bearer_auth(&token)
            .json(&json!({"type": "visitor-visa"}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        ids.push(created["id"].as_str().context("id")?.to_owned());
    }
    Ok((token, ids))
}

/// `count` officer messages on application `id`, sixteen at a time.
async fn thread(url: &str, officer: &str, id: &str, count: usize) -> Result<()> {
    use futures::{StreamExt, TryStreamExt};
    let client = reqwest::Client::new();
    let endpoint = format!("{url}/api/officer/applications/{id}/messages");
    futures::stream::iter(0..count)
        .map(|n| {
            let request = client.post(&endpoint).bearer_auth(officer).json(&json!({"body": format!("Message {n}.")}));
            async move { request.send().await?.error_for_status().map(drop) }
        })
        .buffer_unordered(16)
        .try_collect::<()>()
        .await?;
    Ok(())
}

fn ticks_per_second() -> Result<f64> {
    let output = Command::new("getconf").arg("CLK_TCK").output()?;
    Ok(String::from_utf8(output.stdout)?.trim().parse()?)
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(portal), Some(bare)) = (args.next(), args.next()) else {
        bail!("usage: request-path <portal binary> <bare-axum binary> [part of a route's name, to load only those]");
    };
    // With a filter, only the routes whose name holds it are loaded (besides the bare server):
    // what to run under `perf record` to profile one route.
    let only = args.next();
    let ticks = ticks_per_second()?;
    let data = tempfile::tempdir()?;
    let script = data.path().join("post.lua");
    let bare = Server::start(&mut on_core("0", &bare))?;
    let portal = Server::start(
        on_core("0", &portal)
            .env("PORTAL_ADDR", "127.0.0.1:0")
            .env("PORTAL_DATA_DIR", data.path())
            .env("PORTAL_FRONTEND_DIR", data.path())
            .env("PORTAL_ECHO_MESSAGES", "false"),
    )?;
    // The portal wrote its signing key at start; the bench signs its applicants' tokens with it.
    let signer = Signer::load_or_create(data.path())?;

    let mut targets = vec![Target {
        name: "bare axum, small JSON".into(),
        url: format!("{}/hello", bare.url),
        token: None,
        body: None,
    }];
    let mut applications = None;
    for size in DASHBOARD_SIZES {
        let (token, ids) = applicant(&signer, &portal.url, &format!("bench-applicant-{size}"), size).await?;
        targets.push(Target {
            name: format!("GET /api/applications (dashboard), {size} applications"),
            url: format!("{}/api/applications", portal.url),
            token: Some(token.clone()),
            body: None,
        });
        applications.get_or_insert((token, ids));
    }
    let (token, ids) = applications.context("applications")?;
    // An officer writes (an applicant may send only 20 a day on one application).
    let officer =
        signer.sign(&AccessClaims::new("bench-officer", "bench-session", vec!["officers".into()], now(), 3600))?;
    // Threads read and threads written on apart: the writes grow theirs.
    for (n, messages) in THREAD_SIZES.into_iter().enumerate() {
        let (read, written) = (&ids[2 * n], &ids[2 * n + 1]);
        thread(&portal.url, &officer, read, messages).await?;
        thread(&portal.url, &officer, written, messages).await?;
        targets.push(Target {
            name: format!("GET /api/applications/{{id}} (case read), {messages} messages"),
            url: format!("{}/api/applications/{read}", portal.url),
            token: Some(token.clone()),
            body: None,
        });
        targets.push(Target {
            name: format!(
                "POST /api/officer/applications/{{id}}/messages (a write), thread of {messages} at the start"
            ),
            url: format!("{}/api/officer/applications/{written}/messages", portal.url),
            token: Some(officer.clone()),
            body: Some(json!({"body": "Please send a copy of your passport."})),
        });
    }

    if let Some(only) = &only {
        let mut n = 0;
        targets.retain(|target| {
            n += 1;
            n == 1 || target.name.contains(only.as_str())
        });
    }
    let mut runs: BTreeMap<usize, Vec<Run>> = BTreeMap::new();
    for _ in 0..ROUNDS {
        for (n, target) in targets.iter().enumerate() {
            let server = if n == 0 { &bare } else { &portal };
            bare.settle(ticks)?;
            portal.settle(ticks)?;
            runs.entry(n).or_default().push(load(server, target, &script, ticks)?);
        }
    }
    println!(
        "request path, {CONNECTIONS} connections, {SECONDS} s per run, medians of {ROUNDS} runs (server on core 0, wrk on core 1):"
    );
    println!("| route | req/s | p99 | CPU per request | throughput vs bare |");
    println!("|---|---|---|---|---|");
    let bare_rps = median(runs[&0].iter().map(|run| run.requests_per_second).collect());
    for (n, target) in targets.iter().enumerate() {
        let of = |pick: fn(&Run) -> f64| median(runs[&n].iter().map(pick).collect());
        let rps = of(|run| run.requests_per_second);
        println!(
            "| {} | {:.0} | {:.2} ms | {:.1} µs | {:.3}× |",
            target.name,
            rps,
            of(|run| run.p99_ms),
            of(|run| run.cpu_us_per_request),
            rps / bare_rps
        );
    }
    Ok(())
}
