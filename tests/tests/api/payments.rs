//! Fees over HTTP: what a draft owes before submission, the optional fees officers add to a
//! case, the dashboard's "payment required", and who may see or add them (C1, C2, C3).

use portal_tests::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::{create_draft, send};
use crate::officer::submitted_application;

async fn fees(app: &TestApp, id: &str, token: &str) -> (StatusCode, Value) {
    let response = send(app, Method::GET, &format!("/api/applications/{id}/fees"), token, None).await;
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

async fn add_fee(app: &TestApp, id: &str, officer: &str, body: Value) -> (StatusCode, Value) {
    let response = send(app, Method::POST, &format!("/api/officer/applications/{id}/fees"), officer, Some(body)).await;
    (response.status(), response.json().await.expect("json"))
}

async fn version_of(app: &TestApp, id: &str, token: &str) -> u64 {
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(token)).await.json().await.expect("json");
    case["application"]["version"].as_u64().expect("version")
}

#[tokio::test]
async fn a_draft_owes_its_type_s_fees_before_submission_and_the_dashboard_says_payment_is_required() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();

    let (status, fees) = fees(&app, &id, &applicant).await;

    assert_eq!(status, StatusCode::OK);
    let items: Vec<(&str, u64, bool, &str)> = fees["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            let amount = item["amountCents"].as_u64().expect("integer cents");
            let before = item["dueBeforeSubmission"].as_bool().expect("flag");
            (item["code"].as_str().expect("code"), amount, before, item["state"].as_str().expect("state"))
        })
        .collect();
    assert_eq!(items, [("processing", 10_000, true, "due"), ("biometrics", 8_500, true, "due")]);
    assert_eq!((fees["dueCents"].as_u64(), fees["dueBeforeSubmissionCents"].as_u64()), (Some(18_500), Some(18_500)));
    assert_eq!(fees["paidCents"], 0);
    assert_eq!(fees["items"][0]["label"]["fr"], "Frais de traitement");
    let dashboard: Value = app.get("/api/applications", Some(&applicant)).await.json().await.expect("json");
    assert_eq!(dashboard[0]["paymentRequired"], true, "{dashboard}");
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    assert_eq!(case["fees"], fees, "the case shows the same fees");
}

#[tokio::test]
async fn an_officer_adds_an_optional_fee_of_the_type_once_and_the_applicant_owes_it() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let version = version_of(&app, &id, &applicant).await;

    let (status, added) =
        add_fee(&app, &id, &officer, json!({"code": "restoration-of-status", "version": version})).await;

    assert_eq!(status, StatusCode::CREATED, "{added}");
    let line = &added["items"][2];
    assert_eq!((line["code"].as_str(), line["amountCents"].as_u64()), (Some("restoration-of-status"), Some(24_625)));
    assert_eq!((line["dueBeforeSubmission"].as_bool(), line["state"].as_str()), (Some(false), Some("due")));
    assert!(line["addedAt"].is_u64());
    assert_eq!(added["dueCents"].as_u64(), Some(18_500 + 24_625));
    let (_, seen) = fees(&app, &id, &applicant).await;
    assert_eq!(seen, added, "the applicant sees what the officer added");

    // Once only, whatever the version.
    let (again, problem) =
        add_fee(&app, &id, &officer, json!({"code": "restoration-of-status", "version": version})).await;
    assert_eq!((again, problem["type"].as_str()), (StatusCode::CONFLICT, Some("fee-already-added")));
    let (_, after) = fees(&app, &id, &applicant).await;
    assert_eq!(after["items"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn c3_a_fee_outside_the_type_s_list_a_stale_version_or_a_draft_is_refused_with_nothing_added() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let version = version_of(&app, &id, &applicant).await;

    // A fee of another type (the PR fee) and a made-up one: 400 naming the field.
    for code in ["right-of-permanent-residence", "discount"] {
        let (status, problem) = add_fee(&app, &id, &officer, json!({"code": code, "version": version})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{code}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "code", "{problem}");
    }
    // The amount is never the caller's to say.
    let (status, _) =
        add_fee(&app, &id, &officer, json!({"code": "restoration-of-status", "version": version, "amountCents": 1}))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, problem) =
        add_fee(&app, &id, &officer, json!({"code": "restoration-of-status", "version": version - 1})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["currentVersion"].as_u64(), Some(version), "{problem}");
    let draft = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let (status, _) = add_fee(&app, &draft, &officer, json!({"code": "restoration-of-status", "version": 1})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a draft owes only its type's fees");

    for case in [&id, &draft] {
        let (_, fees) = fees(&app, case, &applicant).await;
        assert_eq!(fees["items"].as_array().map(Vec::len), Some(2), "nothing was added to {case}");
    }
}

#[tokio::test]
async fn c1_c2_fees_are_the_owner_s_and_officers_to_read_and_only_officers_add_them() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let other = app.access_token("applicant-2", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let version = version_of(&app, &id, &applicant).await;

    assert_eq!(fees(&app, &id, &other).await.0, StatusCode::NOT_FOUND, "another applicant");
    assert_eq!(fees(&app, &id, &officer).await.0, StatusCode::OK, "an officer");
    let body = json!({"code": "restoration-of-status", "version": version});
    assert_eq!(add_fee(&app, &id, &applicant, body.clone()).await.0, StatusCode::FORBIDDEN, "the applicant");
    let (_, fees) = fees(&app, &id, &applicant).await;
    assert_eq!(fees["dueCents"].as_u64(), Some(18_500));
}

#[tokio::test]
async fn officers_adding_the_same_fee_at_once_add_it_once() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let version = version_of(&app, &id, &applicant).await;

    let body = json!({"code": "restoration-of-status", "version": version});
    let attempts = (0..20).map(|_| add_fee(&app, &id, &officer, body.clone()));
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts).await.into_iter().map(|(s, _)| s).collect();

    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(*s, StatusCode::CREATED | StatusCode::CONFLICT)), "{statuses:?}");
    let (_, fees) = fees(&app, &id, &applicant).await;
    assert_eq!(fees["dueCents"].as_u64(), Some(18_500 + 24_625), "owed once");
}
