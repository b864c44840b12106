//! A stand-in for DynamoDB (and the secrets extension) that answers at once: reads come from an
//! embedded store filled with the domain's own writes, so each route reads what it would in AWS;
//! writes are acknowledged and kept nowhere (the conditional audit transaction of a read
//! succeeds). Only what the portal's adapter sends is understood.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use portal_domain::application_types::Catalog;
use portal_domain::applications::{Applications, Change};
use portal_domain::keys;
use portal_domain::messages::{Message, Messages, Side};
use portal_domain::status::Command;
use portal_domain::table::{Cursor, Index, Item, Key, Query, SortKey, Table};
use portal_store::embedded::EmbeddedTable;
use serde_json::{Map, Value, json};

/// The applicant whose data the store holds.
pub const SUB: &str = "bench-applicant";
/// The payments webhook's signing secret, as the secrets extension gives it.
pub const WEBHOOK_SECRET: &str = "whsec_bench";
/// The applicant's applications.
const APPLICATIONS: usize = 5;

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

/// The text of a wire-format string (keys and cursors hold nothing else).
fn text(value: &Value) -> Option<String> {
    value.get("S").and_then(Value::as_str).map(str::to_owned)
}

fn wire_key(key: &Value) -> Option<Key> {
    Some(Key::new(text(key.get("pk")?)?, text(key.get("sk")?)?))
}

/// A `Query` request read back into the store's query: the partition, the sort condition
/// (`begins_with` or `BETWEEN`, as the adapter writes them), order, limit and cursor.
fn query_of(request: &Value) -> Option<Query> {
    let condition = request.get("KeyConditionExpression")?.as_str()?;
    let values = request.get("ExpressionAttributeValues")?;
    let value = |placeholder: &str| text(values.get(placeholder.trim_end_matches(')'))?);
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
            start.iter().filter_map(|(name, value)| Some((name.clone(), Value::String(text(value)?)))).collect();
        query = query.after(Some(Cursor::from_last_key(&key)));
    }
    Some(query)
}

fn refused(status: StatusCode, why: impl Into<String>) -> Response {
    (status, why.into()).into_response()
}

/// One DynamoDB call (`X-Amz-Target`), answered from the store.
async fn dynamodb(State(table): State<Arc<EmbeddedTable>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let answer = match target.trim_start_matches("DynamoDB_20120810.") {
        "GetItem" => {
            let Some(key) = wire_key(&request["Key"]) else { return refused(StatusCode::BAD_REQUEST, "no key") };
            match table.get(&key).await {
                Ok(Some(item)) => json!({"Item": wire_map(item.attributes())}),
                Ok(None) => json!({}),
                Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }
        "Query" => {
            let Some(query) = query_of(&request) else {
                return refused(StatusCode::BAD_REQUEST, format!("a query the stub cannot read: {request}"));
            };
            match table.query(query).await {
                Ok(page) => {
                    let items: Vec<Value> =
                        page.items.iter().map(|item| Value::Object(wire_map(item.attributes()))).collect();
                    let mut answer = json!({"Count": items.len(), "ScannedCount": items.len(), "Items": items});
                    if let Some(next) = page.next.and_then(|cursor| cursor.to_last_key().ok()) {
                        answer["LastEvaluatedKey"] = Value::Object(wire_map(&next));
                    }
                    answer
                }
                Err(e) => return refused(StatusCode::BAD_REQUEST, e.to_string()),
            }
        }
        // An update's answer (ALL_NEW) needs only to name its key here.
        "UpdateItem" => json!({"Attributes": request["Key"]}),
        "PutItem" | "DeleteItem" | "TransactWriteItems" => json!({}),
        other => return refused(StatusCode::BAD_REQUEST, format!("the stub does not answer {other}")),
    };
    ([("content-type", "application/x-amz-json-1.0")], answer.to_string()).into_response()
}

/// The payments area's secret, as the Parameters and Secrets extension answers it.
async fn secret() -> impl IntoResponse {
    let secret = json!({"stripeSecretKey": "sk_test_bench", "webhookSecrets": [WEBHOOK_SECRET]});
    axum::Json(json!({"Name": "bench", "SecretString": secret.to_string()}))
}

/// The stand-in's routes over `table`: DynamoDB at `/`, the secrets extension beside it.
pub fn router(table: Arc<EmbeddedTable>) -> Router {
    Router::new().route("/", post(dynamodb)).route("/secretsmanager/get", get(secret)).with_state(table)
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// A store in `folder` filled the way the portal would: the applicant's profile and
/// applications (one submitted, in the officers' queue), an officer's thread on the first;
/// gives the store and that first application's id.
pub async fn filled(folder: &std::path::Path) -> Result<(Arc<EmbeddedTable>, String)> {
    let table = Arc::new(EmbeddedTable::open(&folder.join("stand-in.redb"))?);
    let catalog = Catalog::load()?;
    let visitor = catalog.get("visitor-visa").context("the visitor visa type")?;
    let applications = Applications::new(Arc::clone(&table) as Arc<dyn Table>);
    let at = now();
    let mut ids = Vec::new();
    for n in 0..APPLICATIONS as u64 {
        let id = uuid::Uuid::new_v4().to_string();
        applications.create_draft(SUB, visitor, id.clone(), at + n).await?;
        ids.push(id);
    }
    let draft = applications.get(&ids[1]).await?.context("the second draft")?;
    let submit = Change { number: Some("V000000001".into()), ..Change::new(Command::Submit, SUB, 1, at + 10) };
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
