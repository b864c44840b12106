//! Every function as Lambda runs it (issue 17, points 5 and 6): each release binary started
//! against a local Lambda Runtime API stub, with every AWS endpoint (DynamoDB, and the secrets
//! extension) pointed at a local stub that answers at once, then:
//!
//! - its init (process start to the first poll of the Runtime API), the median of `COLD_STARTS`
//!   starts, beside the bare `lambda_http` hello built alike;
//! - `INVOCATIONS` warm invocations of one route of its area, one at a time as one Lambda
//!   instance takes them: p50 and p99 from the event handed out to its answer received;
//! - its peak resident memory (`VmHWM`) after those invocations.
//!
//! The DynamoDB stub answers reads from an embedded store the bench filled with the domain's own
//! writes (an applicant with five applications, a thread, a profile, a queue), so each route
//! reads what it would in AWS; writes are acknowledged and kept nowhere (the conditional audit
//! transaction of a read succeeds). Any answer but 200 fails the bench: the speed of an error is
//! no figure. The stream, schedule and S3 functions (notify, remind, scan) get events that hold
//! no work: their rows are init and memory, their latencies the runtime loop's.
//!
//! Usage: lambda-functions <folder of release binaries> [invocations]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use portal_bench::median;
use portal_domain::application_types::Catalog;
use portal_domain::applications::{Applications, Change};
use portal_domain::keys;
use portal_domain::messages::{Message, Messages, Side};
use portal_domain::payments::signature;
use portal_domain::status::Command as StatusCommand;
use portal_domain::table::{Cursor, Index, Item, Key, Query, SortKey, Table};
use portal_store::embedded::EmbeddedTable;
use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, oneshot};

const COLD_STARTS: usize = 10;
const DEFAULT_INVOCATIONS: usize = 1_000;
const SUB: &str = "bench-applicant";
const ORIGIN_SECRET: &str = "bench-origin-secret";
const WEBHOOK_SECRET: &str = "whsec_bench";
const APPLICATIONS: usize = 5;

/// What an invocation answered: `Ok(body)` through `/response`, `Err(body)` through `/error`.
type Answer = Result<Value, String>;

/// A warm Runtime API stub, one per function process: `/next` hands out the events queued, one
/// at a time, and each answer goes back to whoever queued its event.
#[derive(Clone)]
struct Runtime {
    events: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>>,
    waiting: Arc<Mutex<HashMap<String, oneshot::Sender<Answer>>>>,
    served: Arc<AtomicU64>,
}

/// An event to hand out, and where its answer goes.
type Invocation = (String, oneshot::Sender<Answer>);

async fn next(State(runtime): State<Runtime>) -> axum::response::Response {
    let Some((event, answer)) = runtime.events.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let id = format!("req-{}", runtime.served.fetch_add(1, Ordering::SeqCst));
    runtime.waiting.lock().expect("waiting").insert(id.clone(), answer);
    let deadline = (SystemTime::now() + Duration::from_secs(30)).duration_since(UNIX_EPOCH).expect("time").as_millis();
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("lambda-runtime-aws-request-id", id),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:ca-central-1:123456789012:function:bench".into()),
        ("content-type", "application/json".into()),
    ] {
        headers.insert(name, value.parse().expect("header"));
    }
    (headers, event).into_response()
}

fn answered(runtime: &Runtime, id: &str, answer: Answer) -> StatusCode {
    if let Some(waiting) = runtime.waiting.lock().expect("waiting").remove(id) {
        let _ = waiting.send(answer);
    }
    StatusCode::ACCEPTED
}

async fn response(State(runtime): State<Runtime>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    answered(&runtime, &id, serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}")))
}

async fn error(State(runtime): State<Runtime>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    answered(&runtime, &id, Err(String::from_utf8_lossy(&body).into_owned()))
}

/// Starts a warm Runtime API stub; gives its address and where to queue invocations.
async fn warm_runtime_api() -> Result<(SocketAddr, mpsc::UnboundedSender<Invocation>)> {
    let (queue, events) = mpsc::unbounded_channel();
    let runtime =
        Runtime { events: Arc::new(tokio::sync::Mutex::new(events)), waiting: Arc::default(), served: Arc::default() };
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .with_state(runtime);
    Ok((serve(app).await?, queue))
}

/// Starts the cold-start stub: each poll is reported and never answered.
async fn cold_runtime_api() -> Result<(SocketAddr, mpsc::UnboundedReceiver<Instant>)> {
    let (polled, polls) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/2018-06-01/runtime/invocation/next",
        get(move || {
            let _ = polled.send(Instant::now());
            std::future::pending::<&'static str>()
        }),
    );
    Ok((serve(app).await?, polls))
}

async fn serve(app: Router) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

/// A JSON value as DynamoDB's wire format writes it (what the SDK reads back into the same JSON).
fn to_wire(value: &Value) -> Value {
    match value {
        Value::Null => json!({"NULL": true}),
        Value::Bool(b) => json!({"BOOL": b}),
        Value::Number(n) => json!({"N": n.to_string()}),
        Value::String(s) => json!({"S": s}),
        Value::Array(items) => json!({"L": items.iter().map(to_wire).collect::<Vec<_>>()}),
        Value::Object(fields) => json!({"M": wire_map(fields)}),
    }
}

fn wire_map(fields: &Map<String, Value>) -> Map<String, Value> {
    fields.iter().map(|(name, value)| (name.clone(), to_wire(value))).collect()
}

/// The JSON a wire-format value stands for (keys and cursors only hold strings).
fn from_wire(value: &Value) -> Option<String> {
    value.get("S").and_then(Value::as_str).map(str::to_owned)
}

fn wire_key(key: &Value) -> Option<Key> {
    Some(Key::new(from_wire(key.get("pk")?)?, from_wire(key.get("sk")?)?))
}

/// A DynamoDB `Query` request read back into the store's query: the partition, the sort
/// condition (`begins_with` or `BETWEEN`, as the adapter writes them), order, limit and cursor.
fn query_of(request: &Value) -> Option<Query> {
    let condition = request.get("KeyConditionExpression")?.as_str()?;
    let values = request.get("ExpressionAttributeValues")?;
    let value = |placeholder: &str| from_wire(values.get(placeholder.trim_end_matches(')'))?);
    let placeholders: Vec<&str> = condition.split([' ', ',', '(']).filter(|word| word.starts_with(':')).collect();
    let partition = value(placeholders.first()?)?;
    let mut query = match request.get("IndexName").and_then(Value::as_str) {
        Some("gsi1") => Query::index(Index::Gsi1, partition),
        Some("lsi1") => Query::index(Index::Lsi1, partition),
        Some(_) => return None,
        None => Query::partition(partition),
    };
    if condition.contains("begins_with") {
        query = query.sort(SortKey::Prefix(value(placeholders.get(1)?)?));
    } else if condition.contains("BETWEEN") {
        query = query.sort(SortKey::Between(value(placeholders.get(1)?)?, value(placeholders.get(2)?)?));
    }
    if request.get("ScanIndexForward") == Some(&Value::Bool(false)) {
        query = query.descending();
    }
    if let Some(limit) = request.get("Limit").and_then(Value::as_u64) {
        query = query.limit(u32::try_from(limit).ok()?);
    }
    if let Some(start) = request.get("ExclusiveStartKey").and_then(Value::as_object) {
        let key: Map<String, Value> =
            start.iter().filter_map(|(name, value)| Some((name.clone(), Value::String(from_wire(value)?)))).collect();
        query = query.after(Some(Cursor::from_last_key(&key)));
    }
    Some(query)
}

/// The DynamoDB stub: reads from the filled store, writes acknowledged; and the secrets
/// extension's one call.
async fn aws(State(table): State<Arc<EmbeddedTable>>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let answer = match target.trim_start_matches("DynamoDB_20120810.") {
        "GetItem" => match wire_key(&request["Key"]) {
            Some(key) => match table.get(&key).await {
                Ok(Some(item)) => json!({"Item": wire_map(item.attributes())}),
                Ok(None) => json!({}),
                Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
            },
            None => return (StatusCode::BAD_REQUEST, "no key").into_response(),
        },
        "Query" => match query_of(&request) {
            Some(query) => match table.query(query).await {
                Ok(page) => {
                    let items: Vec<Value> =
                        page.items.iter().map(|item| Value::Object(wire_map(item.attributes()))).collect();
                    let mut answer = json!({"Count": items.len(), "ScannedCount": items.len(), "Items": items});
                    if let Some(next) = page.next.and_then(|cursor| cursor.to_last_key().ok()) {
                        answer["LastEvaluatedKey"] = Value::Object(wire_map(&next));
                    }
                    answer
                }
                Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
            },
            None => {
                return (StatusCode::BAD_REQUEST, format!("a query the stub cannot read: {request}")).into_response();
            }
        },
        // The item as it was: enough for an update's answer (ALL_NEW) to name its key.
        "UpdateItem" => json!({"Attributes": request["Key"]}),
        "PutItem" | "DeleteItem" | "TransactWriteItems" => json!({}),
        other => return (StatusCode::BAD_REQUEST, format!("the stub does not answer {other}")).into_response(),
    };
    ([("content-type", "application/x-amz-json-1.0")], answer.to_string()).into_response()
}

async fn secret() -> impl IntoResponse {
    let secret = json!({"stripeSecretKey": "sk_test_bench", "webhookSecrets": [WEBHOOK_SECRET]});
    axum::Json(json!({"Name": "bench", "SecretString": secret.to_string()}))
}

/// Fills a store the way the portal would: an applicant's profile and applications (one
/// submitted, in the officers' queue), an officer's thread on the first.
async fn filled(folder: &std::path::Path) -> Result<(Arc<EmbeddedTable>, String)> {
    let table = Arc::new(EmbeddedTable::open(&folder.join("bench.redb"))?);
    let catalog = Catalog::load()?;
    let visitor = catalog.get("visitor-visa").context("the visitor visa type")?;
    let applications = Applications::new(Arc::clone(&table) as Arc<dyn Table>);
    let at = now();
    let mut ids = Vec::new();
    for n in 0..APPLICATIONS {
        let id = uuid::Uuid::new_v4().to_string();
        applications.create_draft(SUB, visitor, id.clone(), at + n as u64).await?;
        ids.push(id);
    }
    let draft = applications.get(&ids[1]).await?.context("the second draft")?;
    let submit = Change { number: Some("V000000001".into()), ..Change::new(StatusCommand::Submit, SUB, 1, at + 10) };
    applications.change_status(&draft, submit).await?;
    let messages = Messages::new(Arc::clone(&table) as Arc<dyn Table>);
    for n in 0..5 {
        let message =
            Message::new(&ids[0], Side::Officer, "bench-officer", format!("Message {n}."), vec![], at + 20 + n);
        messages.send("bench-officer", &message).await?;
    }
    let profile = json!({"email": "a@example.ca", "givenName": "A", "familyName": "B", "preferredLanguage": "en"});
    table.put(Item::from_record(&keys::profile(SUB), &profile)?, None).await?;
    Ok((table, ids[0].clone()))
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// An API Gateway (v2) event of a route, through CloudFront (the origin secret), as the JWT
/// authorizer passes it on.
fn http_event(
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    groups: &[&str],
) -> String {
    let event = portal_tests::gateway_event(method, path_and_query, None, SUB, groups);
    let mut event: Value = serde_json::from_str(&event).expect("event");
    event["headers"]["x-origin-verify"] = ORIGIN_SECRET.into();
    for (name, value) in headers {
        event["headers"][*name] = (*value).into();
    }
    event["body"] = body.map_or(Value::Null, Value::from);
    event.to_string()
}

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
        event: http_event(method, &path, &[], None, groups),
        http: true,
    };
    let webhook = json!({"id": "evt_bench", "type": "customer.created", "data": {"object": {}}}).to_string();
    let stripe_signature = signature::sign(webhook.as_bytes(), WEBHOOK_SECRET, now());
    let scheduled = json!({"version": "0", "id": "bench", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-12-03T00:00:00Z", "region": "ca-central-1", "resources": [], "detail": {}});
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
            route: "POST /api/payments/webhook (an event it ignores, signed)".into(),
            event: http_event(
                "POST",
                "/api/payments/webhook",
                &[("stripe-signature", &stripe_signature)],
                Some(&webhook),
                &[],
            ),
            http: true,
        },
        http("profile", "GET", "/api/me".into(), &[]),
        http("representatives", "GET", format!("/api/applications/{application}/representatives"), &[]),
        http("system", "GET", "/api/health".into(), &[]),
        Function {
            binary: "notify",
            route: "stream batch, no records".into(),
            event: json!({"Records": []}).to_string(),
            http: false,
        },
        Function {
            binary: "remind",
            route: "schedule, no bookings due".into(),
            event: scheduled.to_string(),
            http: false,
        },
        Function {
            binary: "scan",
            route: "S3 batch, no records".into(),
            event: json!({"Records": []}).to_string(),
            http: false,
        },
    ]
}

/// A function's process, with the environment Lambda and the template give it.
fn start(binary: &std::path::Path, runtime: SocketAddr, aws: SocketAddr, home: &std::path::Path) -> Result<Child> {
    Command::new(binary)
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
        .env("AWS_ENDPOINT_URL", format!("http://{aws}"))
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", format!("http://{aws}"))
        .env("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", aws.port().to_string())
        .env("PAYMENTS_SECRET_ID", "bench")
        .env("PORTAL_URL", "https://portal.example.ca")
        .env("TABLE_NAME", "portal")
        .env("DOCUMENTS_BUCKET", "portal-documents")
        .env("CLOUDFRONT_ORIGIN_SECRET", ORIGIN_SECRET)
        .env("EMAIL_SENDER", "no-reply@portal.example.ca")
        .env("USER_POOL_ID", "ca-central-1_Example")
        .env("USER_POOL_CLIENT_ID", "client")
        .env("USER_POOL_CLIENT_SECRET", "secret")
        .env("RUST_LOG", "warn")
        .env("HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))
}

/// Peak resident memory of a process so far, in KiB (`VmHWM`).
fn peak_memory_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).context("no VmHWM")?;
    Ok(line.split_whitespace().nth(1).context("VmHWM value")?.parse()?)
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

/// Milliseconds from spawn to the first poll.
async fn init(
    binary: &std::path::Path,
    runtime: SocketAddr,
    aws: SocketAddr,
    home: &std::path::Path,
    polls: &mut mpsc::UnboundedReceiver<Instant>,
) -> Result<f64> {
    while polls.try_recv().is_ok() {}
    let started = Instant::now();
    let mut child = start(binary, runtime, aws, home)?;
    let polled = tokio::time::timeout(Duration::from_secs(10), polls.recv()).await;
    child.kill()?;
    child.wait()?;
    match polled {
        Ok(Some(at)) => Ok(at.duration_since(started).as_secs_f64() * 1000.0),
        _ => bail!("{} never polled the Runtime API", binary.display()),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let folder = std::path::PathBuf::from(
        args.next().context("usage: lambda-functions <folder of release binaries> [invocations]")?,
    );
    let invocations: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(DEFAULT_INVOCATIONS);
    let data = tempfile::tempdir()?;
    let (table, application) = filled(data.path()).await?;
    let stub = Router::new().route("/", post(aws)).route("/secretsmanager/get", get(secret)).with_state(table);
    let aws_address = serve(stub).await?;
    let (cold, mut polls) = cold_runtime_api().await?;

    let hello = folder.join("hello");
    println!(
        "{COLD_STARTS} cold starts each (init: start to first poll of the Runtime API), then {invocations} warm invocations one at a time:"
    );
    println!("| function | route or event | init p50 | init vs hello | warm p50 | warm p99 | peak RSS after |");
    println!("|---|---|---|---|---|---|---|");
    let mut hello_inits = Vec::new();
    for function in functions(&application) {
        let binary = folder.join(function.binary);
        let mut inits = Vec::new();
        for _ in 0..COLD_STARTS {
            // Taking turns with the baseline: both see the same machine.
            inits.push(init(&binary, cold, aws_address, data.path(), &mut polls).await?);
            hello_inits.push(init(&hello, cold, aws_address, data.path(), &mut polls).await?);
        }
        let (warm, queue) = warm_runtime_api().await?;
        let mut child = start(&binary, warm, aws_address, data.path())?;
        let mut latencies = Vec::with_capacity(invocations);
        for _ in 0..invocations {
            let (answer, answered) = oneshot::channel();
            let handed = Instant::now();
            queue.send((function.event.clone(), answer))?;
            let answer = tokio::time::timeout(Duration::from_secs(10), answered)
                .await
                .with_context(|| format!("{}: no answer", function.route))??;
            latencies.push(handed.elapsed().as_secs_f64() * 1e6);
            let body = answer.map_err(|error| anyhow::anyhow!("{}: the invocation failed: {error}", function.route))?;
            if function.http {
                ensure!(body["statusCode"] == 200, "{}: answered {body}", function.route);
            }
        }
        let memory = peak_memory_kib(child.id())?;
        child.kill()?;
        child.wait()?;
        let (init_p50, hello_p50) = (median(inits), median(hello_inits.clone()));
        let (p50, p99) = (percentile(&mut latencies, 0.5), percentile(&mut latencies, 0.99));
        println!(
            "| {} | {} | {init_p50:.1} ms | {:.2}× | {p50:.0} µs | {p99:.0} µs | {:.1} MiB |",
            function.binary,
            function.route,
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
