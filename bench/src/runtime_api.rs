//! A function run as Lambda runs it, on this machine: a local Lambda Runtime API for its runtime
//! loop to poll, the environment Lambda and the template give it, and the API Gateway events its
//! routes take. One Runtime API per function process: a poll left waiting by a process that was
//! stopped would otherwise take the next one's event.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// What the functions' CloudFront origin secret is here.
pub const ORIGIN_SECRET: &str = "bench-origin-secret";

/// What an invocation answered: `Ok(body)` through `/response`, `Err(body)` through `/error`.
pub type Answer = Result<Value, String>;

/// An event to hand out, and where its answer goes.
type Invocation = (String, oneshot::Sender<Answer>);

/// A running Runtime API: where it listens, and each poll of `/next` as it came.
pub struct RuntimeApi {
    /// Its address (`AWS_LAMBDA_RUNTIME_API`).
    pub address: SocketAddr,
    /// When the function polled for work, each time.
    pub polls: mpsc::UnboundedReceiver<Instant>,
    queue: mpsc::UnboundedSender<Invocation>,
}

#[derive(Clone)]
struct Loop {
    events: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>>,
    waiting: Arc<Mutex<HashMap<String, oneshot::Sender<Answer>>>>,
    served: Arc<AtomicU64>,
    polled: mpsc::UnboundedSender<Instant>,
}

async fn next(State(runtime): State<Loop>) -> Response {
    let _ = runtime.polled.send(Instant::now());
    let Some((event, answer)) = runtime.events.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let id = format!("req-{}", runtime.served.fetch_add(1, Ordering::SeqCst));
    runtime.waiting.lock().expect("waiting").insert(id.clone(), answer);
    let deadline = (SystemTime::now() + Duration::from_secs(30)).duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("lambda-runtime-aws-request-id", id),
        ("lambda-runtime-deadline-ms", deadline.as_millis().to_string()),
        ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:ca-central-1:123456789012:function:bench".into()),
        ("content-type", "application/json".into()),
    ] {
        headers.insert(name, value.parse().expect("a header value"));
    }
    (headers, event).into_response()
}

fn answered(runtime: &Loop, id: &str, answer: Answer) -> StatusCode {
    if let Some(waiting) = runtime.waiting.lock().expect("waiting").remove(id) {
        let _ = waiting.send(answer);
    }
    StatusCode::ACCEPTED
}

async fn response(State(runtime): State<Loop>, UrlPath(id): UrlPath<String>, body: Bytes) -> StatusCode {
    answered(&runtime, &id, serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}")))
}

async fn error(State(runtime): State<Loop>, UrlPath(id): UrlPath<String>, body: Bytes) -> StatusCode {
    answered(&runtime, &id, Err(String::from_utf8_lossy(&body).into_owned()))
}

impl RuntimeApi {
    /// Starts one on a loopback port.
    pub async fn start() -> Result<Self> {
        let (queue, events) = mpsc::unbounded_channel();
        let (polled, polls) = mpsc::unbounded_channel();
        let runtime = Loop {
            events: Arc::new(tokio::sync::Mutex::new(events)),
            waiting: Arc::default(),
            served: Arc::default(),
            polled,
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .with_state(runtime);
        Ok(Self { address: serve(app).await?, polls, queue })
    }

    /// Waits for the function's next poll (its first: the end of its init).
    pub async fn polled(&mut self) -> Result<Instant> {
        tokio::time::timeout(Duration::from_secs(30), self.polls.recv())
            .await
            .context("the function never polled the Runtime API")?
            .context("the Runtime API stopped")
    }

    /// Hands `event` to the function and waits for its answer.
    pub async fn invoke(&self, event: String) -> Result<Answer> {
        let (answer, answered) = oneshot::channel();
        self.queue.send((event, answer)).ok().context("the Runtime API stopped")?;
        Ok(tokio::time::timeout(Duration::from_secs(30), answered).await.context("no answer")??)
    }
}

/// Serves `app` on a loopback port; gives the address.
pub async fn serve(app: Router) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

/// A function binary with the environment Lambda and the template give it: the Runtime API at
/// `runtime`, every AWS endpoint at `aws` (`http://…` or `https://…`), the secrets extension on
/// `secrets_port`, and nothing of this process's own environment.
pub fn function(binary: &Path, runtime: SocketAddr, aws: &str, secrets_port: u16, home: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_REGION", "ca-central-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .env("AWS_SESSION_TOKEN", "session")
        .env("AWS_ENDPOINT_URL", aws)
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", aws)
        .env("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", secrets_port.to_string())
        .env("PAYMENTS_SECRET_ID", "bench")
        .env("PORTAL_URL", "https://portal.example.ca")
        .env("TABLE_NAME", "portal")
        .env("DOCUMENTS_BUCKET", "portal-documents")
        .env("CLOUDFRONT_ORIGIN_SECRET", ORIGIN_SECRET)
        .env("EMAIL_SENDER", "no-reply@portal.example.ca")
        .env("USER_POOL_ID", "ca-central-1_Example")
        .env("USER_POOL_CLIENT_ID", "client")
        .env("USER_POOL_CLIENT_SECRET", "secret")
        .env("SITE_AGENCY_EN", "Immigration Agency")
        .env("SITE_AGENCY_FR", "Agence d’immigration")
        .env("SITE_OFFICIAL_URL", "https://agency.example.ca")
        .env("SITE_SUPPORT_EMAIL", "help@agency.example.ca")
        .env("RUST_LOG", "warn")
        .env("HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// One cold start of `binary` against `runtime` (which hands it nothing), every AWS endpoint at
/// `aws`: milliseconds from spawn to its first poll, and its peak memory (KiB) then.
pub async fn cold_start(binary: &Path, runtime: &mut RuntimeApi, aws: SocketAddr, home: &Path) -> Result<(f64, u64)> {
    let started = Instant::now();
    let mut child = function(binary, runtime.address, &format!("http://{aws}"), aws.port(), home)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let polled = runtime.polled().await.with_context(|| format!("{}'s init", binary.display()));
    let memory = peak_memory_kib(child.id());
    child.kill()?;
    child.wait()?;
    Ok((polled?.duration_since(started).as_secs_f64() * 1000.0, memory?))
}

/// An API Gateway (v2) event of a route called by `sub`, through CloudFront (the origin
/// secret), as the JWT authorizer passes it on.
pub fn http_event(
    method: &str,
    path_and_query: &str,
    sub: &str,
    groups: &[&str],
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> String {
    let event = portal_tests::gateway_event(method, path_and_query, None, sub, groups);
    let mut event: Value = serde_json::from_str(&event).expect("the event is JSON");
    event["headers"]["x-origin-verify"] = ORIGIN_SECRET.into();
    for (name, value) in headers {
        event["headers"][*name] = (*value).into();
    }
    event["body"] = body.map_or(Value::Null, Value::from);
    event.to_string()
}

/// Peak resident memory of a process so far, in KiB (`VmHWM`).
pub fn peak_memory_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).context("no VmHWM")?;
    Ok(line.split_whitespace().nth(1).context("VmHWM value")?.parse()?)
}
