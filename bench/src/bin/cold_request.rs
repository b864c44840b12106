//! A cold request as Lambda runs it (issue 17, point 8): a fresh process of the applications
//! function (`cold-read-function`: the shipped code, trusting this bench's test root) under a
//! 128 MB function's CPU share, a cgroup v1 `cpu` quota of 7 ms per 100 ms period (Lambda gives
//! 1,769 MB one vCPU, so 128 MB about 7%), then its first signed-in read (`GET
//! /api/applications/{id}`: the session check, the application and its audit record), against a
//! local HTTPS stand-in for DynamoDB: an RSA-2048 test certificate chain made with `openssl`
//! (as DynamoDB's endpoints present RSA-2048 chains), TLS 1.3 with rustls. Each figure is the
//! median of `RUNS` cold starts; the stand-in times each TLS handshake from the connection's
//! accept to the handshake's end (most of it the client's work under the quota).
//!
//! Variants: without the quota; with it; with it and the stand-in choosing classical X25519
//! rather than the post-quantum hybrid the client prefers; with it and the function opening its
//! connection during init. Needs root (the cgroup) and `openssl`.
//!
//! Usage: cold-request <folder of release binaries>

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use portal_bench::dynamodb_stub::{self, SUB};
use portal_bench::median;
use portal_bench::runtime_api::{RuntimeApi, function, http_event};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::sync::mpsc;

const RUNS: usize = 7;
const CGROUP: &str = "/sys/fs/cgroup/cpu/portal-bench-128mb";
const PERIOD_US: u64 = 100_000;
const QUOTA_US: u64 = 7_000;

/// A test root and a server chain under it (RSA-2048, for 127.0.0.1), made with `openssl`.
fn certificates(folder: &Path) -> Result<(PathBuf, PathBuf, PathBuf)> {
    let run = |args: &[&str]| -> Result<()> {
        let status = Command::new("openssl").args(args).current_dir(folder).output().context("running openssl")?;
        ensure!(status.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&status.stderr));
        Ok(())
    };
    std::fs::write(
        folder.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\n",
    )?;
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Bench Test Root",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ])?;
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ])?;
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ])?;
    Ok((folder.join("root.pem"), folder.join("leaf.pem"), folder.join("leaf.key")))
}

/// The stand-in over TLS: each handshake's duration and key exchange go to `handshakes`.
async fn serve_tls(
    app: axum::Router,
    chain: &Path,
    key: &Path,
    classical_only: bool,
    handshakes: mpsc::UnboundedSender<(Duration, String)>,
) -> Result<SocketAddr> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    if classical_only {
        provider.kx_groups = vec![rustls::crypto::aws_lc_rs::kx_group::X25519];
    }
    let chain = CertificateDer::pem_file_iter(chain)?.collect::<Result<Vec<_>, _>>()?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, PrivateKeyDer::from_pem_file(key)?)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, app, handshakes) = (acceptor.clone(), app.clone(), handshakes.clone());
            tokio::spawn(async move {
                let accepted = Instant::now();
                let Ok(tls) = acceptor.accept(stream).await else { return };
                let group = tls.get_ref().1.negotiated_key_exchange_group().map(|g| format!("{:?}", g.name()));
                let _ = handshakes.send((accepted.elapsed(), group.unwrap_or_default()));
                let service = TowerToHyperService::new(app);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
            });
        }
    });
    Ok(address)
}

/// The cgroup of a 128 MB function's CPU share.
fn cgroup() -> Result<()> {
    let folder = Path::new(CGROUP);
    if !folder.exists() {
        std::fs::create_dir(folder)
            .with_context(|| format!("creating {CGROUP} (the cgroup v1 cpu controller, as root)"))?;
    }
    std::fs::write(folder.join("cpu.cfs_period_us"), PERIOD_US.to_string())?;
    std::fs::write(folder.join("cpu.cfs_quota_us"), QUOTA_US.to_string())?;
    Ok(())
}

/// One cold start and first read: init, the read, the longest handshake and how many there were.
struct Run {
    init_ms: f64,
    read_ms: f64,
    total_ms: f64,
    handshake_ms: f64,
    handshakes: usize,
    group: String,
}

/// What every run shares: the function, the test root it trusts, its home, the application read.
struct Setup {
    binary: PathBuf,
    root: PathBuf,
    home: PathBuf,
    application: String,
}

/// One way of running it.
struct Variant {
    name: &'static str,
    quota: bool,
    classical_only: bool,
    open_during_init: bool,
}

async fn cold_request(
    setup: &Setup,
    variant: &Variant,
    aws: SocketAddr,
    handshakes: &mut mpsc::UnboundedReceiver<(Duration, String)>,
) -> Result<Run> {
    while handshakes.try_recv().is_ok() {}
    let mut runtime = RuntimeApi::start().await?;
    let endpoint = format!("https://{aws}");
    let mut command = if variant.quota {
        // The shell joins the cgroup, then becomes the function: all of its start is counted.
        let mut command = function(Path::new("/bin/sh"), runtime.address, &endpoint, aws.port(), &setup.home);
        command.arg("-c").arg("echo $$ > \"$1\"/cgroup.procs && exec \"$0\"").arg(&setup.binary).arg(CGROUP);
        command
    } else {
        function(&setup.binary, runtime.address, &endpoint, aws.port(), &setup.home)
    };
    command.env("BENCH_TRUSTED_ROOT", &setup.root).env("OPEN_DURING_INIT", variant.open_during_init.to_string());
    let started = Instant::now();
    let mut child = command.spawn().context("starting the function")?;
    let result = async {
        let polled = runtime.polled().await?;
        let event = http_event("GET", &format!("/api/applications/{}", setup.application), SUB, &[], &[], None);
        let handed = Instant::now();
        let answer = runtime.invoke(event).await?.map_err(|error| anyhow::anyhow!("the read failed: {error}"))?;
        let answered = Instant::now();
        ensure!(answer["statusCode"] == 200, "the read answered {answer}");
        Ok((polled, handed, answered))
    }
    .await;
    child.kill()?;
    child.wait()?;
    let (polled, handed, answered) = result?;
    let mut seen = Vec::new();
    while let Ok(handshake) = handshakes.try_recv() {
        seen.push(handshake);
    }
    let handshake_ms = seen.iter().map(|(took, _)| took.as_secs_f64() * 1000.0).fold(0.0, f64::max);
    Ok(Run {
        init_ms: polled.duration_since(started).as_secs_f64() * 1000.0,
        read_ms: answered.duration_since(handed).as_secs_f64() * 1000.0,
        total_ms: (polled.duration_since(started) + answered.duration_since(handed)).as_secs_f64() * 1000.0,
        handshake_ms,
        handshakes: seen.len(),
        group: seen.first().map(|(_, group)| group.clone()).unwrap_or_default(),
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let folder = PathBuf::from(std::env::args().nth(1).context("usage: cold-request <folder of release binaries>")?);
    let binary = folder.join("cold-read-function");
    if !binary.exists() {
        bail!("{} is missing: build portal-bench in release first", binary.display());
    }
    cgroup()?;
    let data = tempfile::tempdir()?;
    let (root, chain, key) = certificates(data.path())?;
    let (table, application) = dynamodb_stub::filled(data.path()).await?;
    let router = dynamodb_stub::router(table);
    println!(
        "cold start and first signed-in read (GET /api/applications/{{id}}) over TLS to a local stand-in, medians of {RUNS}:"
    );
    println!("| variant | init | first read | longest TLS handshake | init + read | handshakes | key exchange |");
    println!("|---|---|---|---|---|---|---|");
    let setup = Setup { binary, root, home: data.path().to_owned(), application };
    let variant =
        |name, quota, classical_only, open_during_init| Variant { name, quota, classical_only, open_during_init };
    let variants = [
        variant("no quota (a whole core)", false, false, false),
        variant("7% of a core (128 MB)", true, false, false),
        variant("7%, the stand-in choosing classical X25519", true, true, false),
        variant("7%, the connection opened during init", true, false, true),
    ];
    for variant in &variants {
        let (handshakes_to, mut handshakes) = mpsc::unbounded_channel();
        let aws = serve_tls(router.clone(), &chain, &key, variant.classical_only, handshakes_to).await?;
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            runs.push(cold_request(&setup, variant, aws, &mut handshakes).await?);
        }
        let of = |pick: fn(&Run) -> f64| median(runs.iter().map(pick).collect());
        println!(
            "| {} | {:.1} ms | {:.1} ms | {:.1} ms | **{:.1} ms** | {} | {} |",
            variant.name,
            of(|r| r.init_ms),
            of(|r| r.read_ms),
            of(|r| r.handshake_ms),
            of(|r| r.total_ms),
            runs[0].handshakes,
            runs[0].group
        );
    }
    // Every process it held has ended: the cgroup goes (an empty one is all `rmdir` removes).
    std::fs::remove_dir(CGROUP).with_context(|| format!("removing {CGROUP}"))?;
    Ok(())
}
