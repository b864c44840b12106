//! The profile area driven the way Lambda drives it: API Gateway v2 event JSON through
//! `lambda_http`'s adapter, answered with an API Gateway v2 response event.

use std::sync::Arc;

use portal_domain::clock::SystemClock;
use portal_domain::profile::{Language, Profile, Profiles};
use portal_domain::sessions::Revocations;
use portal_domain::table::{Condition, Item, Key, Page, Query, StoreError, Table, Update, WriteOp};
use portal_profile::ProfileState;
use portal_store::embedded::EmbeddedTable;
use portal_store::local_blobs::LocalBlobs;
use serde_json::{Value, json};

const SUB: &str = "7c1e9a52-0d4b-4f55-9b1f-3f0a6d2e8b11";

struct Area {
    table: Arc<dyn Table>,
    _dir: tempfile::TempDir,
}

fn area() -> Area {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store"));
    Area { table, _dir: dir }
}

/// Where exports would be assembled (no test here asks for one).
fn blobs(dir: &tempfile::TempDir) -> Arc<LocalBlobs> {
    Arc::new(LocalBlobs::open(dir.path(), Arc::new(SystemClock)).expect("blobs"))
}

async fn invoke(area: &Area, event: &str) -> (i64, Value, Value) {
    let router =
        portal_profile::router(ProfileState::new(area.table.clone(), blobs(&area._dir), Arc::new(SystemClock)))
            .expect("router");
    let response = portal_api::lambda::handle_event(portal_api::app(router), event).await.expect("handled");
    let body = response["body"].as_str().expect("body");
    (
        response["statusCode"].as_i64().expect("status"),
        response["headers"].clone(),
        serde_json::from_str(body).expect("json"),
    )
}

#[tokio::test]
async fn get_me_reads_the_claims_api_gateway_verified() {
    let area = area();

    let (status, headers, body) = invoke(&area, include_str!("events/get-me.json")).await;

    assert_eq!(status, 200);
    let reference = portal_domain::site::account_reference(SUB);
    assert_eq!(body, json!({"sub": SUB, "reference": reference, "groups": ["officers"], "profile": null}));
    assert_eq!(headers["x-request-id"], "JKJaXmPLvHcESHA=", "API Gateway's request id is echoed");
}

#[tokio::test]
async fn get_me_includes_the_profile_item() {
    let area = area();
    let profile = Profile {
        email: "jean@example.ca".into(),
        given_name: "Jean".into(),
        family_name: "Roy".into(),
        preferred_language: Language::Fr,
        notifications: Default::default(),
    };
    Profiles::new(area.table.clone()).put(SUB, &profile).await.expect("save");

    let (status, _, body) = invoke(&area, include_str!("events/get-me.json")).await;

    assert_eq!(status, 200);
    assert_eq!(body["profile"]["givenName"], "Jean");
    assert_eq!(body["profile"]["preferredLanguage"], "fr");
}

#[tokio::test]
async fn get_me_without_claims_is_a_401_problem() {
    let area = area();

    let (status, headers, body) = invoke(&area, include_str!("events/get-me-without-authorizer.json")).await;

    assert_eq!(status, 401);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["type"], "unauthenticated");
    assert_eq!(body["requestId"], "JKJaXmPLvHcESHB=");
}

#[tokio::test]
async fn s3_get_me_with_id_token_claims_is_a_401() {
    let area = area();

    let (status, _, body) = invoke(&area, include_str!("events/get-me-with-id-token.json")).await;

    assert_eq!(status, 401);
    assert_eq!(body["type"], "unauthenticated");
}

/// A table whose every call fails, as a store outage would.
struct UnreachableTable;

#[async_trait::async_trait]
impl Table for UnreachableTable {
    async fn get(&self, _: &Key) -> Result<Option<Item>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn put(&self, _: Item, _: Option<Condition>) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn update(&self, _: &Key, _: Update, _: Option<Condition>) -> Result<Item, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn delete(&self, _: &Key, _: Option<Condition>) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn query(&self, _: Query) -> Result<Page, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn transact_write(&self, _: Vec<WriteOp>) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
}

#[tokio::test]
async fn c4_when_the_session_check_cannot_run_the_request_is_denied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let router =
        portal_profile::router(ProfileState::new(Arc::new(UnreachableTable), blobs(&dir), Arc::new(SystemClock)))
            .expect("router");

    let response = portal_api::lambda::handle_event(portal_api::app(router), include_str!("events/get-me.json"))
        .await
        .expect("handled");

    assert_eq!(response["statusCode"], 500);
    let body: Value = serde_json::from_str(response["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["type"], "internal");
    assert!(body.get("profile").is_none() && !body.to_string().contains("connection refused"), "no data, no cause");
}

#[tokio::test]
async fn s2_a_token_issued_before_the_users_sign_out_is_refused() {
    let area = area();
    // The fixture's token was issued at 1795000000; the user signed out at that second.
    let signed_out_at = portal_domain::clock::ManualClock::at(1_795_000_000);
    Revocations::new(area.table.clone()).revoke_all(SUB, &signed_out_at).await.expect("revoke");

    let (status, _, body) = invoke(&area, include_str!("events/get-me.json")).await;

    assert_eq!(status, 401);
    assert_eq!(body["type"], "unauthenticated");
}

#[tokio::test]
async fn s4_a_lambda_answer_is_no_store_nosniff_with_a_csp() {
    let area = area();

    let events =
        [(include_str!("events/get-me.json"), 200), (include_str!("events/get-me-without-authorizer.json"), 401)];
    for (event, expected) in events {
        let (status, headers, _) = invoke(&area, event).await;

        assert_eq!(status, expected);
        assert_eq!(headers["cache-control"], "no-store", "{status}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{status}");
        assert_eq!(headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'", "{status}");
    }
}
