//! Store round trips per request (DESIGN §7): the dashboard is one query of the caller's
//! partition, an application with its history one query of its own, besides the session check.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use portal_applications::ApplicationsState;
use portal_domain::application_types::Catalog;
use portal_domain::clock::SystemClock;
use portal_domain::table::{Condition, Item, Key, Page, Query, StoreError, Table, Update, WriteOp};
use portal_store::embedded::EmbeddedTable;
use serde_json::{Value, json};

/// Records every call made to the table it wraps.
struct CountingTable {
    inner: EmbeddedTable,
    calls: Mutex<Vec<String>>,
}

impl CountingTable {
    fn log(&self, call: String) {
        self.calls.lock().expect("calls").push(call);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.lock().expect("calls"))
    }
}

#[async_trait]
impl Table for CountingTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.log(format!("get {} {}", key.pk.split('#').next().unwrap_or_default(), key.sk));
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.log(format!("put {}", item.key().sk.split('#').next().unwrap_or_default()));
        self.inner.put(item, condition).await
    }
    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError> {
        self.log("update".into());
        self.inner.update(key, update, condition).await
    }
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.log("delete".into());
        self.inner.delete(key, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.log(format!("query {}", query.partition.split('#').next().unwrap_or_default()));
        self.inner.query(query).await
    }
    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.log("transact".into());
        self.inner.transact_write(ops).await
    }
}

/// An API Gateway v2 event from a signed-in caller.
fn event(method: &str, path: &str, body: Option<Value>) -> String {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "authorizer": {"jwt": {"claims": {"sub": "owner-1", "token_use": "access", "iat": "1795000000"}, "scopes": null}},
            "domainName": "abc123.execute-api.ca-central-1.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "198.51.100.7", "userAgent": "test"},
            "requestId": "round-trips",
            "routeKey": "$default",
            "stage": "$default",
            "time": "27/Nov/2026:21:00:00 +0000",
            "timeEpoch": 1795000000000u64
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
    .to_string()
}

#[tokio::test]
async fn reads_take_one_query_of_their_partition() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = Arc::new(CountingTable {
        inner: EmbeddedTable::open(&dir.path().join("t.redb")).expect("store"),
        calls: Mutex::new(Vec::new()),
    });
    let state =
        ApplicationsState::new(table.clone(), Arc::new(Catalog::load().expect("catalog")), Arc::new(SystemClock));
    let app = portal_api::app(portal_applications::router(state).expect("router"));
    let created = portal_api::lambda::handle_event(
        app.clone(),
        &event("POST", "/api/applications", Some(json!({"type": "visitor-visa"}))),
    )
    .await
    .expect("created");
    let id = serde_json::from_str::<Value>(created["body"].as_str().expect("body")).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    table.take();

    portal_api::lambda::handle_event(app.clone(), &event("GET", "/api/applications", None)).await.expect("dashboard");
    let dashboard = table.take();
    portal_api::lambda::handle_event(app, &event("GET", &format!("/api/applications/{id}"), None)).await.expect("case");
    let case = table.take();

    assert_eq!(dashboard, ["get USER REVOKED", "query USER"], "session check + one query");
    assert_eq!(case, ["get USER REVOKED", "query APP", "put AUDIT"], "session check + one query + the audit record");
}
