//! Applications over HTTP: the type catalog, a draft saved over several visits, submission,
//! withdrawal, the dashboard, and the access rule (C1, C3, L1, D2).

use std::sync::Arc;

use portal_domain::audit::{Audit, Outcome};
use portal_domain::paging::PageRequest;
use portal_tests::{TestApp, spawn_app};

use crate::documents::attach_required_documents;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

pub(crate) async fn create_draft(app: &TestApp, token: &str) -> Value {
    let response =
        send(app, reqwest::Method::POST, "/api/applications", token, Some(json!({"type": "visitor-visa"}))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.expect("json")
}

pub(crate) fn complete_visitor_form() -> Value {
    json!({
        "familyName": "Tremblay", "givenNames": "Marie", "dateOfBirth": "1990-05-17",
        "countryOfCitizenship": "France", "passportNumber": "AB1234567", "passportExpiry": "2031-01-31",
        "purpose": "tourism", "arrivalDate": "2027-07-01", "lengthOfStayDays": 21, "fundsCad": 8000
    })
}

#[tokio::test]
async fn the_catalog_lists_the_six_types_in_both_languages() {
    let app = spawn_app().await;

    let types: Value = app.get("/api/application-types", None).await.json().await.expect("json");

    let types = types.as_array().expect("list");
    assert_eq!(types.len(), 6);
    for application_type in types {
        assert!(application_type["name"]["en"].is_string() && application_type["name"]["fr"].is_string());
        assert!(!application_type["sections"].as_array().expect("sections").is_empty());
    }
}

#[tokio::test]
async fn processing_times_are_listed_for_every_type() {
    let app = spawn_app().await;

    let times: Value = app.get("/api/processing-times", None).await.json().await.expect("json");

    let times = times.as_array().expect("list");
    assert_eq!(times.len(), 6);
    assert!(times.iter().all(|t| t["estimate"].is_null()), "no decisions yet, no made-up figure");
}

#[tokio::test]
async fn a_draft_is_saved_over_visits_submitted_and_withdrawn() {
    let app = spawn_app().await;
    let token = app.access_token("applicant-1", &[]);
    let draft = create_draft(&app, &token).await;
    let id = draft["id"].as_str().expect("id");
    let form = format!("/api/applications/{id}/form");

    // A partial draft is valid to save.
    let saved = send(
        &app,
        reqwest::Method::PUT,
        &form,
        &token,
        Some(json!({"data": {"familyName": "Tremblay"}, "version": 1})),
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    // A stale save is refused with the version to reload (nothing lost: the first save stays).
    let stale = send(&app, reqwest::Method::PUT, &form, &token, Some(json!({"data": {}, "version": 1}))).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(stale.json::<Value>().await.expect("json")["currentVersion"], 2);
    // Invalid values are named.
    let invalid = send(
        &app,
        reqwest::Method::PUT,
        &form,
        &token,
        Some(json!({"data": {"passportNumber": "ab-1"}, "version": 2})),
    )
    .await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        invalid.json::<Value>().await.expect("json")["errors"],
        json!([{"field": "passportNumber", "code": "pattern", "message": "The format is not valid."}])
    );

    // Submitting an incomplete form lists what is missing.
    let submit = format!("/api/applications/{id}/submit");
    let incomplete = send(&app, reqwest::Method::POST, &submit, &token, None).await;
    assert_eq!(incomplete.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing: Value = incomplete.json().await.expect("json");
    assert!(
        missing["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["field"] == "passportNumber" && e["code"] == "required")
    );

    send(&app, reqwest::Method::PUT, &form, &token, Some(json!({"data": complete_visitor_form(), "version": 2}))).await;
    attach_required_documents(&app, &token, id).await;
    crate::payments::pay_fees(&app, &token, id).await;
    let submitted = send(&app, reqwest::Method::POST, &submit, &token, None).await;
    assert_eq!(submitted.status(), StatusCode::OK);
    let submitted: Value = submitted.json().await.expect("json");
    assert_eq!(submitted["status"], "submitted");
    let number = submitted["number"].as_str().expect("number");
    assert!(
        number.len() == 10 && number.starts_with('V') && number[1..].chars().all(|c| c.is_ascii_digit()),
        "{number}"
    );

    let case: Value = app.get(&format!("/api/applications/{id}"), Some(&token)).await.json().await.expect("json");
    // The payment's entry first, then the submission.
    let history = case["history"]["items"].as_array().expect("history");
    assert_eq!((history[0]["from"].as_str(), history[0]["to"].as_str()), (Some("draft"), Some("draft")));
    assert_eq!(history[1]["from"], "draft");
    assert_eq!(history[1]["to"], "submitted");
    assert_eq!(case["fees"]["items"].as_array().expect("fees").len(), 2);
    let passport = case["checklist"].as_array().expect("checklist").iter().find(|l| l["kind"] == "passport").cloned();
    assert_eq!(passport, Some(json!({"kind": "passport", "required": true, "state": "verified", "satisfied": true})));

    let withdraw = format!("/api/applications/{id}/withdraw");
    assert_eq!(send(&app, reqwest::Method::POST, &withdraw, &token, None).await.status(), StatusCode::OK);
    let again = send(&app, reqwest::Method::POST, &withdraw, &token, None).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(again.json::<Value>().await.expect("json")["type"], "invalid-state");
}

#[tokio::test]
async fn the_dashboard_shows_only_the_callers_applications() {
    let app = spawn_app().await;
    let mine = app.access_token("applicant-1", &[]);
    let theirs = app.access_token("applicant-2", &[]);
    create_draft(&app, &mine).await;
    create_draft(&app, &theirs).await;

    let dashboard: Value = app.get("/api/applications", Some(&mine)).await.json().await.expect("json");

    let entries = dashboard.as_array().expect("list");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["type"], "visitor-visa");
    assert_eq!(entries[0]["status"], "draft");
    assert_eq!(entries[0]["actionRequired"], true);
}

#[tokio::test]
async fn c1_another_applicant_gets_404_on_every_route_and_the_attempt_is_audited() {
    let app = spawn_app().await;
    let owner = app.access_token("owner", &[]);
    let intruder = app.access_token("intruder", &[]);
    let draft = create_draft(&app, &owner).await;
    let id = draft["id"].as_str().expect("id");

    let attempts = [
        (reqwest::Method::GET, format!("/api/applications/{id}"), None),
        (reqwest::Method::PUT, format!("/api/applications/{id}/form"), Some(json!({"data": {}, "version": 1}))),
        (reqwest::Method::POST, format!("/api/applications/{id}/submit"), None),
        (reqwest::Method::POST, format!("/api/applications/{id}/withdraw"), None),
    ];
    let missing = send(&app, reqwest::Method::GET, "/api/applications/no-such-id", &intruder, None).await;
    let missing_body: Value = missing.json().await.expect("json");
    for (method, path, body) in attempts {
        let response = send(&app, method.clone(), &path, &intruder, body).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["type"], missing_body["type"], "indistinguishable from a missing application");
        assert!(!body.to_string().contains("visitor-visa"), "no data");
    }

    let trail = Audit::new(Arc::clone(&app.portal.table)).of(id, &PageRequest::first()).await.expect("audit").items;
    let denied: Vec<_> = trail.iter().filter(|r| r.outcome == Outcome::Denied).collect();
    assert_eq!(denied.len(), 4);
    assert!(denied.iter().all(|r| r.actor == "intruder" && r.role == "other"));
}

#[tokio::test]
async fn officers_read_applications_but_cannot_act_as_the_applicant() {
    let app = spawn_app().await;
    let owner = app.access_token("owner", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let draft = create_draft(&app, &owner).await;
    let id = draft["id"].as_str().expect("id");

    let read = app.get(&format!("/api/applications/{id}"), Some(&officer)).await;
    let edit = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/applications/{id}/form"),
        &officer,
        Some(json!({"data": {}, "version": 1})),
    )
    .await;

    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(edit.status(), StatusCode::NOT_FOUND);
    let trail = Audit::new(Arc::clone(&app.portal.table)).of(id, &PageRequest::first()).await.expect("audit").items;
    assert!(trail.iter().any(|r| r.actor == "officer-1" && r.action == "read" && r.outcome == Outcome::Allowed), "L1");
}

#[tokio::test]
async fn c3_an_applicant_cannot_set_the_status_or_an_unknown_type() {
    let app = spawn_app().await;
    let token = app.access_token("applicant-1", &[]);

    let with_status = send(
        &app,
        reqwest::Method::POST,
        "/api/applications",
        &token,
        Some(json!({"type": "visitor-visa", "status": "approved"})),
    )
    .await;
    let unknown_type =
        send(&app, reqwest::Method::POST, "/api/applications", &token, Some(json!({"type": "moon-visa"}))).await;

    assert_eq!(with_status.status(), StatusCode::BAD_REQUEST);
    assert!(with_status.json::<Value>().await.expect("json")["detail"].as_str().expect("detail").contains("status"));
    assert_eq!(unknown_type.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown_type.json::<Value>().await.expect("json")["errors"],
        json!([{"field": "type", "code": "unknown-type", "message": "This application type does not exist."}])
    );
}

#[tokio::test]
async fn l1_the_applicant_lists_who_read_or_changed_their_files() {
    let app = spawn_app().await;
    let owner = app.access_token("owner", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let intruder = app.access_token("intruder", &[]);
    let draft = create_draft(&app, &owner).await;
    let id = draft["id"].as_str().expect("id");
    app.get(&format!("/api/applications/{id}"), Some(&officer)).await;
    app.get(&format!("/api/applications/{id}"), Some(&intruder)).await;

    let activity: Value = app.get("/api/me/activity", Some(&owner)).await.json().await.expect("json");

    let lines = activity["items"].as_array().expect("list");
    let has = |role: &str, action: &str, outcome: &str| {
        lines
            .iter()
            .any(|l| l["applicationId"] == id && l["role"] == role && l["action"] == action && l["outcome"] == outcome)
    };
    assert!(has("applicant", "create", "allowed"));
    assert!(has("officer", "read", "allowed"));
    assert!(has("other", "read", "denied"));
    assert!(!activity.to_string().contains("intruder"), "someone else's identity is not shown");
    let theirs: Value = app.get("/api/me/activity", Some(&intruder)).await.json().await.expect("json");
    assert_eq!(theirs, json!({"items": [], "nextCursor": null}), "the intruder sees nothing of it");
}
