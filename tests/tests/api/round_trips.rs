//! Store round trips per request (DESIGN §7): each read route is one round trip of latency
//! (one query, or bounded reads run concurrently), besides the session check, and writes read
//! the application item, never its whole partition (D6); driven through `lambda_http` with API
//! Gateway v2 events.

use std::sync::Arc;

use portal_applications::ApplicationsState;
use portal_domain::application_types::Catalog;
use portal_domain::applications::Applications;
use portal_domain::clock::SystemClock;
use portal_domain::sessions::Revocations;
use portal_messages::MessagesState;
use portal_store::embedded::EmbeddedTable;
use portal_tests::counting::CountingTable;
use portal_tests::gateway_event;
use serde_json::{Value, json};

/// An API Gateway v2 event from the signed-in applicant `owner-1`.
fn event(method: &str, path: &str, body: Option<Value>) -> String {
    gateway_event(method, path, body.as_ref(), "owner-1", &[])
}

#[tokio::test]
async fn reads_take_one_query_of_their_partition() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = Arc::new(CountingTable::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")));
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
    portal_api::lambda::handle_event(app.clone(), &event("GET", &format!("/api/applications/{id}"), None))
        .await
        .expect("case");
    let case = table.take();

    assert_eq!(dashboard, ["get USER REVOKED", "query USER"], "session check + one query");
    assert_eq!(
        case,
        [
            "get USER REVOKED",
            "get APP APP",
            "query APP",
            "query APP",
            "query APP",
            "query APP",
            "query APP",
            "transact"
        ],
        "session check + the item and a bounded first page of each list (history, documents, requests, messages, \
         fees) + the audit record on the condition that the caller owns it, all at once (the grants journey holds \
         every read to that)"
    );
    let save = json!({"data": {}, "version": 1});
    portal_api::lambda::handle_event(app, &event("PUT", &format!("/api/applications/{id}/form"), Some(save)))
        .await
        .expect("saved");
    // The access is recorded by the check that allows it, before the write.
    assert_eq!(table.take(), ["get USER REVOKED", "get APP APP", "put AUDIT", "transact"], "no query of the case");
}

#[tokio::test]
async fn d6_a_message_reads_the_application_item_not_the_whole_case() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = Arc::new(CountingTable::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")));
    let applications = Applications::new(table.clone());
    let id = "0b0e5f0e-5c1a-4c3e-9d5e-6f1a2b3c4d5e";
    applications.create_draft("owner-1", &visitor_visa(), id.into(), 1_795_000_000).await.expect("draft");
    let app = portal_api::app(
        portal_messages::router(MessagesState::new(table.clone(), Arc::new(SystemClock))).expect("router"),
    );
    table.take();

    let sent = portal_api::lambda::handle_event(
        app,
        &event("POST", &format!("/api/applications/{id}/messages"), Some(json!({"body": "Hello"}))),
    )
    .await
    .expect("sent");

    assert_eq!(sent["statusCode"], 201, "{sent}");
    assert_eq!(table.take(), ["get USER REVOKED", "get APP APP", "put AUDIT", "transact"]);
}

#[tokio::test]
async fn the_inbox_and_notifications_are_one_query_each() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = Arc::new(CountingTable::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")));
    let app = portal_api::app(
        portal_messages::router(MessagesState::new(table.clone(), Arc::new(SystemClock))).expect("router"),
    );

    portal_api::lambda::handle_event(app.clone(), &event("GET", "/api/inbox", None)).await.expect("inbox");
    let inbox = table.take();
    portal_api::lambda::handle_event(app, &event("GET", "/api/notifications", None)).await.expect("notifications");
    let notifications = table.take();

    assert_eq!(inbox, ["get USER REVOKED", "query USER"], "session check + one query");
    assert_eq!(notifications, ["get USER REVOKED", "query USER"], "session check + one query");
}

#[tokio::test]
async fn s2_a_read_checked_beside_its_session_check_is_refused_when_the_session_was_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = Arc::new(CountingTable::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")));
    let applications = Applications::new(table.clone());
    let id = "0b0e5f0e-5c1a-4c3e-9d5e-6f1a2b3c4d5e";
    applications.create_draft("owner-1", &visitor_visa(), id.into(), 1_795_000_000).await.expect("draft");
    let state =
        ApplicationsState::new(table.clone(), Arc::new(Catalog::load().expect("catalog")), Arc::new(SystemClock));
    let app = portal_api::app(portal_applications::router(state).expect("router"));
    Revocations::new(table.clone()).revoke_all("owner-1", &SystemClock).await.expect("signed out everywhere");
    table.take();

    let read = portal_api::lambda::handle_event(app, &event("GET", &format!("/api/applications/{id}"), None))
        .await
        .expect("answered");

    // The case was read beside the check, and its answer dropped for the refusal.
    assert!(table.take().contains(&"query APP".to_owned()), "the read ran beside the check");
    assert_eq!(read["statusCode"], 401, "{read}");
    let body = read["body"].as_str().expect("body");
    assert!(!body.contains(id) && !body.contains("visitor-visa"), "nothing of the case: {body}");
}

/// The visitor visa type of the catalog.
fn visitor_visa() -> portal_domain::application_types::ApplicationType {
    portal_domain::application_types::Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone()
}
