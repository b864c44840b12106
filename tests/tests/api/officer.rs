//! The officer side over HTTP: the queue, the case view, status decisions (C2, C3, D2).

use portal_tests::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::{complete_visitor_form, create_draft, send, signed_declaration};
use crate::documents::attach_required_documents;

/// An applicant's submitted visitor visa; returns its id.
pub(crate) async fn submitted_application(app: &TestApp, applicant: &str) -> String {
    let draft = create_draft(app, applicant).await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let form = json!({"data": complete_visitor_form(), "version": 1});
    send(app, Method::PUT, &format!("/api/applications/{id}/form"), applicant, Some(form)).await;
    attach_required_documents(app, applicant, &id).await;
    crate::payments::pay_fees(app, applicant, &id).await;
    let body = Some(signed_declaration());
    let submitted = send(app, Method::POST, &format!("/api/applications/{id}/submit"), applicant, body).await;
    assert_eq!(submitted.status(), StatusCode::OK);
    id
}

fn decision(to: &str, version: u64) -> Value {
    json!({"to": to, "reason": "Complete and eligible", "noteToApplicant": "We received your application.", "version": version})
}

#[tokio::test]
async fn c2_applicants_calling_officer_routes_get_403() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = submitted_application(&app, &applicant).await;

    let attempts = [
        (Method::GET, "/api/officer/queue?status=submitted".to_owned(), None),
        (Method::GET, format!("/api/officer/applications/{id}"), None),
        (Method::POST, format!("/api/officer/applications/{id}/status"), Some(decision("received", 2))),
    ];
    for (method, path, body) in attempts {
        let response = send(&app, method.clone(), &path, &applicant, body).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
}

#[tokio::test]
async fn an_officer_takes_a_submitted_application_from_the_queue_and_receives_it() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;

    let queue: Value = app
        .get("/api/officer/queue?status=submitted&type=visitor-visa", Some(&officer))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(queue["items"][0]["id"], id.as_str());
    let other_type: Value = app
        .get("/api/officer/queue?status=submitted&type=study-permit", Some(&officer))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(other_type["items"], json!([]));

    let case: Value =
        app.get(&format!("/api/officer/applications/{id}"), Some(&officer)).await.json().await.expect("json");
    let version = case["application"]["version"].as_u64().expect("version");
    let status_path = format!("/api/officer/applications/{id}/status");
    let received = send(&app, Method::POST, &status_path, &officer, Some(decision("received", version))).await;
    assert_eq!(received.status(), StatusCode::OK);

    // The applicant sees the step with its note; the queue moved on.
    let seen: Value = app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    let last = &seen["history"]["items"][2]; // after the payment's entry and the submission
    assert_eq!((last["from"].as_str(), last["to"].as_str()), (Some("submitted"), Some("received")));
    assert_eq!(last["noteToApplicant"], "We received your application.");
    assert!(
        last.get("reason").is_none() && last.get("actor").is_none(),
        "the officer's reason and identity stay internal"
    );
    let submitted_queue: Value =
        app.get("/api/officer/queue?status=submitted", Some(&officer)).await.json().await.expect("json");
    assert_eq!(submitted_queue["items"], json!([]));

    // A stale decision and a skipped step are refused.
    let stale = send(&app, Method::POST, &status_path, &officer, Some(decision("in_review", version))).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(stale.json::<Value>().await.expect("json")["currentVersion"], version + 1);
    let skipped = send(&app, Method::POST, &status_path, &officer, Some(decision("approved", version + 1))).await;
    assert_eq!(skipped.status(), StatusCode::CONFLICT);
    assert_eq!(skipped.json::<Value>().await.expect("json")["type"], "invalid-state");
}

#[tokio::test]
async fn d2_two_officers_deciding_at_once_one_wins_one_gets_409() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = submitted_application(&app, &applicant).await;
    let path = format!("/api/officer/applications/{id}/status");
    let (first, second) = (app.access_token("officer-1", &["officers"]), app.access_token("officer-2", &["officers"]));
    let case: Value =
        app.get(&format!("/api/officer/applications/{id}"), Some(&first)).await.json().await.expect("json");
    let version = case["application"]["version"].as_u64().expect("version");

    let (a, b) = tokio::join!(
        send(&app, Method::POST, &path, &first, Some(decision("received", version))),
        send(&app, Method::POST, &path, &second, Some(decision("received", version))),
    );

    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    // The payment's entry, the submission, one decision.
    assert_eq!(case["history"]["items"].as_array().expect("history").len(), 3, "no gap, no duplicate");
}

#[tokio::test]
async fn c3_a_decision_body_with_unknown_fields_or_no_reason_is_refused() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let applicant = app.access_token("applicant-1", &[]);
    let id = submitted_application(&app, &applicant).await;
    let path = format!("/api/officer/applications/{id}/status");

    let extra = send(
        &app,
        Method::POST,
        &path,
        &officer,
        Some(json!({"to": "received", "reason": "ok", "version": 2, "feesPaid": true})),
    )
    .await;
    let no_reason =
        send(&app, Method::POST, &path, &officer, Some(json!({"to": "received", "reason": " ", "version": 2}))).await;

    assert_eq!(extra.status(), StatusCode::BAD_REQUEST);
    assert_eq!(no_reason.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        no_reason.json::<Value>().await.expect("json")["errors"],
        json!([{"field": "reason", "code": "required", "message": "This field is required."}])
    );
}

#[tokio::test]
async fn the_queue_pages_with_a_cursor() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let applicant = app.access_token("applicant-1", &[]);
    let mut expected = Vec::new();
    for _ in 0..27 {
        expected.push(submitted_application(&app, &applicant).await);
    }

    let mut seen = Vec::new();
    let mut path = "/api/officer/queue?status=submitted&limit=25".to_owned();
    loop {
        let page: Value = app.get(&path, Some(&officer)).await.json().await.expect("json");
        seen.extend(page["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_owned()));
        match page["nextCursor"].as_str() {
            Some(cursor) => path = format!("/api/officer/queue?status=submitted&limit=25&cursor={cursor}"),
            None => break,
        }
    }

    seen.sort();
    expected.sort();
    assert_eq!(seen, expected);
    let bad = app.get("/api/officer/queue?status=submitted&cursor=garbage", Some(&officer)).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// The officer's case says which statuses it may move to next (the status machine's officer
/// steps from the current one) and whether documents may be asked for: each one offered is
/// accepted, and a closed file offers none.
#[tokio::test]
async fn the_case_offers_exactly_the_next_statuses_the_machine_allows() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let applicant = app.access_token("applicant-1", &[]);
    let id = submitted_application(&app, &applicant).await;
    let case_path = format!("/api/officer/applications/{id}");
    let status_path = format!("/api/officer/applications/{id}/status");
    let offered = |case: &Value| (case["nextStatuses"].clone(), case["canRequestDocuments"].clone());

    let mut walk = Vec::new();
    for to in ["received", "in_review", "approved", "closed"] {
        let case: Value = app.get(&case_path, Some(&officer)).await.json().await.expect("json");
        walk.push(offered(&case));
        let version = case["application"]["version"].as_u64().expect("version");
        let moved = send(&app, Method::POST, &status_path, &officer, Some(decision(to, version))).await;
        assert_eq!(moved.status(), StatusCode::OK, "{to} was offered");
    }
    let closed: Value = app.get(&case_path, Some(&officer)).await.json().await.expect("json");
    walk.push(offered(&closed));

    assert_eq!(
        walk,
        [
            (json!(["received"]), json!(false)),
            (json!(["biometrics_requested", "in_review"]), json!(false)),
            (json!(["interview_scheduled", "approved", "refused"]), json!(true)),
            (json!(["closed"]), json!(false)),
            (json!([]), json!(false)),
        ]
    );
}
