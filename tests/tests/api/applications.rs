//! Applications over HTTP: the type catalog, a draft saved over several visits, submission,
//! withdrawal, the dashboard, and the access rule (C1, C3, L1, D2).

use std::sync::Arc;

use portal_domain::audit::{Audit, Outcome};
use portal_domain::declaration::DECLARATION;
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

/// The body of a submission: the declaration in force, signed in English.
pub(crate) fn signed_declaration() -> Value {
    json!({"declaration": {"version": DECLARATION.version, "language": "en", "agreed": true}})
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
    let incomplete = send(&app, reqwest::Method::POST, &submit, &token, Some(signed_declaration())).await;
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
    let submitted = send(&app, reqwest::Method::POST, &submit, &token, Some(signed_declaration())).await;
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

    let mut dashboard: Value = app.get("/api/applications", Some(&mine)).await.json::<Value>().await.expect("json");
    let dashboard = dashboard["items"].take();

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
        (reqwest::Method::POST, format!("/api/applications/{id}/submit"), Some(signed_declaration())),
        (reqwest::Method::POST, format!("/api/applications/{id}/withdraw"), None),
        (reqwest::Method::DELETE, format!("/api/applications/{id}"), None),
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
    assert_eq!(denied.len(), 5);
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

/// A draft is deleted by its owner (gone from the case and the dashboard); one that holds a
/// document is refused until the document is removed, and a submitted application never is.
#[tokio::test]
async fn an_owner_deletes_a_draft_once_its_documents_are_removed_but_never_a_submitted_one() {
    let app = spawn_app().await;
    let owner = app.access_token("owner", &[]);
    let draft = create_draft(&app, &owner).await;
    let id = draft["id"].as_str().expect("id");
    let passport = crate::documents::upload(
        &app,
        &owner,
        id,
        "passport",
        ("passport.pdf", "application/pdf", crate::documents::PDF),
    )
    .await;

    let refused = send(&app, reqwest::Method::DELETE, &format!("/api/applications/{id}"), &owner, None).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(refused.json::<Value>().await.expect("json")["type"], "draft-has-documents");
    let path = format!("/api/applications/{id}/documents/{}", passport["id"].as_str().expect("id"));
    assert_eq!(send(&app, reqwest::Method::DELETE, &path, &owner, None).await.status(), StatusCode::NO_CONTENT);
    let deleted = send(&app, reqwest::Method::DELETE, &format!("/api/applications/{id}"), &owner, None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    assert_eq!(app.get(&format!("/api/applications/{id}"), Some(&owner)).await.status(), StatusCode::NOT_FOUND);
    let mut dashboard: Value = app.get("/api/applications", Some(&owner)).await.json::<Value>().await.expect("json");
    let dashboard = dashboard["items"].take();
    assert!(!dashboard.to_string().contains(id), "{dashboard}");

    let sent = crate::officer::submitted_application(&app, &owner).await;
    let kept = send(&app, reqwest::Method::DELETE, &format!("/api/applications/{sent}"), &owner, None).await;
    assert_eq!(kept.status(), StatusCode::CONFLICT);
    assert_eq!(kept.json::<Value>().await.expect("json")["type"], "invalid-state");
}

/// The declaration is signed with the submission: without the tick, or on an old text, the
/// submission is refused naming the field; signed in French, its French text is what is kept.
#[tokio::test]
async fn a_submission_records_the_declaration_signed_word_for_word_in_its_language() {
    let app = spawn_app().await;
    let owner = app.access_token("owner", &[]);
    let draft = create_draft(&app, &owner).await;
    let id = draft["id"].as_str().expect("id");
    send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/applications/{id}/form"),
        &owner,
        Some(json!({"data": complete_visitor_form(), "version": 1})),
    )
    .await;
    attach_required_documents(&app, &owner, id).await;
    crate::payments::pay_fees(&app, &owner, id).await;
    let statement: Value = app.get("/api/declaration-statement", None).await.json().await.expect("json");
    assert_eq!(statement["version"], DECLARATION.version);
    assert!(statement["fr"].as_str().expect("fr").contains("fausses déclarations"), "{statement}");
    let submit = format!("/api/applications/{id}/submit");
    let unticked = json!({"declaration": {"version": DECLARATION.version, "language": "fr", "agreed": false}});
    let stale = json!({"declaration": {"version": "2001-01", "language": "fr", "agreed": true}});

    let refusals = [
        send(&app, reqwest::Method::POST, &submit, &owner, Some(unticked)).await,
        send(&app, reqwest::Method::POST, &submit, &owner, Some(stale)).await,
    ];
    let mut fields = Vec::new();
    for refusal in refusals {
        assert_eq!(refusal.status(), StatusCode::BAD_REQUEST);
        let errors = refusal.json::<Value>().await.expect("json")["errors"].clone();
        fields.push((errors[0]["field"].clone(), errors[0]["code"].clone()));
    }
    assert_eq!(
        fields,
        [(json!("declaration.agreed"), json!("must-agree")), (json!("declaration.version"), json!("stale-statement"))]
    );

    let signed = json!({"declaration": {"version": DECLARATION.version, "language": "fr", "agreed": true}});
    let submitted: Value =
        send(&app, reqwest::Method::POST, &submit, &owner, Some(signed)).await.json().await.expect("json");
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["declaration"]["language"], "fr");
    assert_eq!(submitted["declaration"]["text"], statement["fr"]);
    assert_eq!(submitted["declaration"]["at"], submitted["submittedAt"]);
}

/// The type's date rules hold where answers are saved: a birth date from today on, a passport
/// that ends before the trip, an arrival from today back are each refused naming the field.
#[tokio::test]
async fn answers_that_cannot_be_true_are_refused_by_the_type_s_rules() {
    let app = spawn_app().await;
    let owner = app.access_token("owner", &[]);
    let draft = create_draft(&app, &owner).await;
    let id = draft["id"].as_str().expect("id");
    let today = portal_domain::clock::utc_date(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("now").as_secs(),
    );
    let data = json!({"dateOfBirth": "2999-01-01", "arrivalDate": today, "passportExpiry": "2000-01-01"});

    let refused = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/applications/{id}/form"),
        &owner,
        Some(json!({"data": data, "version": 1})),
    )
    .await;

    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let errors: Vec<(Value, Value)> = refused.json::<Value>().await.expect("json")["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["field"].clone(), e["code"].clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (json!("dateOfBirth"), json!("not-in-past")),
            (json!("passportExpiry"), json!("not-after")),
            (json!("arrivalDate"), json!("not-in-future")),
        ]
    );
}
