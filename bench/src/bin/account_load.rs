//! The local portal's account routes under load, as a separate process (the release build given
//! as the first argument):
//!
//! - enumeration timing (A6, A8): medians of `forgot`, `register` and a wrong-password `login`
//!   for addresses with and without an account, sampled alternately in one run;
//! - memory under a crowd (D5): peak RSS (`VmHWM`) of the portal after 200 concurrent sign-ins
//!   to unknown addresses, from ten client addresses so per-client limits do not hold them back.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};
use portal_bench::median;
use serde_json::{Value, json};

const SAMPLES: usize = 15;
const CROWD: usize = 200;
const PASSWORD: &str = "a long and memorable passphrase";

fn client_from(n: u8) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 1, n))).build()?)
}

fn start(portal: &str, data: &std::path::Path) -> Result<(Child, String)> {
    let mut child = Command::new(portal)
        .env("PORTAL_ADDR", "127.0.0.1:0")
        .env("PORTAL_DATA_DIR", data)
        .env("PORTAL_FRONTEND_DIR", data)
        .env("PORTAL_ECHO_MESSAGES", "false")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the portal")?;
    let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
    let mut banner = String::new();
    stdout.read_line(&mut banner)?;
    let url =
        banner.split_whitespace().find(|w| w.starts_with("http://")).context("url")?.trim_end_matches('/').to_owned();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    Ok((child, url))
}

fn memory_kib(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with(field)).context("field")?;
    Ok(line.split_whitespace().nth(1).context("value")?.parse()?)
}

async fn post(client: &reqwest::Client, url: &str, path: &str, body: Value) -> Result<u16> {
    Ok(client.post(format!("{url}{path}")).json(&body).send().await?.status().as_u16())
}

/// Milliseconds a request takes.
async fn timed(client: &reqwest::Client, url: &str, path: &str, body: Value) -> Result<f64> {
    let started = Instant::now();
    post(client, url, path, body).await?;
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

async fn known_account(client: &reqwest::Client, url: &str, email: &str) -> Result<()> {
    let body =
        json!({"email": email, "password": PASSWORD, "givenName": "A", "familyName": "B", "preferredLanguage": "en"});
    post(client, url, "/api/auth/register", body).await?;
    let outbox: Vec<Value> = client.get(format!("{url}/api/dev/outbox")).send().await?.json().await?;
    let code = outbox.iter().find(|m| m["to"] == email).and_then(|m| m["code"].as_str()).context("code")?;
    post(client, url, "/api/auth/confirm", json!({"email": email, "code": code})).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let portal = std::env::args().nth(1).context("usage: account-load <portal binary>")?;
    let data = tempfile::tempdir()?;
    let (mut child, url) = start(&portal, data.path())?;
    let setup = client_from(1)?;
    for n in 0..SAMPLES {
        known_account(&setup, &url, &format!("known{n}@example.ca")).await?;
    }

    println!("enumeration timing, medians of {SAMPLES} alternating samples (ms):");
    for (route, path) in
        [("forgot", "/api/auth/forgot"), ("register", "/api/auth/register"), ("login", "/api/auth/login")]
    {
        let (mut known, mut unknown) = (Vec::new(), Vec::new());
        for n in 0..SAMPLES {
            // A client address per sample: the per-client limits are not what is measured.
            let client = client_from(u8::try_from(20 + n)?)?;
            for (email, samples) in
                [(format!("known{n}@example.ca"), &mut known), (format!("new{route}{n}@example.ca"), &mut unknown)]
            {
                let body = match route {
                    "forgot" => json!({"email": email}),
                    "register" => {
                        json!({"email": email, "password": PASSWORD, "givenName": "A", "familyName": "B", "preferredLanguage": "en"})
                    }
                    _ => json!({"email": email, "password": "not the passphrase"}),
                };
                samples.push(timed(&client, &url, path, body).await?);
            }
        }
        let (known, unknown) = (median(known), median(unknown));
        println!("  {route:<9} known {known:7.1}   unknown {unknown:7.1}   ratio {:.3}", known / unknown);
    }

    let pid = child.id();
    let before = memory_kib(pid, "VmRSS:")?;
    let clients: Vec<_> = (100..110).map(client_from).collect::<Result<_>>()?;
    let started = Instant::now();
    let crowd = (0..CROWD).map(|n| {
        let (client, url) = (&clients[n % clients.len()], &url);
        async move {
            let body = json!({"email": format!("crowd{n}@example.ca"), "password": "not the passphrase"});
            post(client, url, "/api/auth/login", body).await
        }
    });
    let statuses = futures::future::join_all(crowd).await;
    let elapsed = started.elapsed();
    let peak = memory_kib(pid, "VmHWM:")?;
    let count = |code: u16| statuses.iter().filter(|s| matches!(s, Ok(c) if *c == code)).count();
    println!(
        "{CROWD} concurrent sign-ins to unknown addresses: {} answered 401, {} answered 503 (queue full), {} other, in {:.2} s",
        count(401),
        count(503),
        CROWD - count(401) - count(503),
        elapsed.as_secs_f64()
    );
    println!("  portal RSS before {:.1} MiB, peak {:.1} MiB", before as f64 / 1024.0, peak as f64 / 1024.0);
    child.kill()?;
    child.wait()?;
    Ok(())
}
