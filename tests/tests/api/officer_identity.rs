//! Officers' identities stay internal: what an applicant reads of their file — activity (L1),
//! the application and its history, documents and requests, messages, inbox, notifications and
//! the data export — shows officers by role, never by their id.

use portal_tests::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::send;
use crate::officer::submitted_application;

const OFFICER_SUB: &str = "officer-sub-5d41402abc";

#[tokio::test]
async fn l1_an_officer_s_actions_show_in_the_applicant_s_activity_by_role_never_by_id() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token(OFFICER_SUB, &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let case_path = format!("/api/officer/applications/{id}");
    let case: Value = app.get(&case_path, Some(&officer)).await.json().await.expect("json");
    let version = case["application"]["version"].as_u64().expect("version");
    for (to, version) in [("received", version), ("in_review", version + 1)] {
        let decision = json!({"to": to, "reason": "Complete", "noteToApplicant": "On its way.", "version": version});
        let decided = send(&app, Method::POST, &format!("{case_path}/status"), &officer, Some(decision)).await;
        assert_eq!(decided.status(), StatusCode::OK, "{to}");
    }
    let message = json!({"body": "Please send a clearer passport scan."});
    let written = send(&app, Method::POST, &format!("{case_path}/messages"), &officer, Some(message)).await;
    assert_eq!(written.status(), StatusCode::CREATED);
    let asked = json!({"documents": [{"kind": "passport", "note": "Clearer, please"}], "dueDate": "2099-01-31", "version": version + 2});
    let requested = send(&app, Method::POST, &format!("{case_path}/document-requests"), &officer, Some(asked)).await;
    assert_eq!(requested.status(), StatusCode::OK);

    let activity: Value = app.get("/api/me/activity", Some(&applicant)).await.json().await.expect("json");

    let lines = activity["items"].as_array().expect("a page of lines");
    let officer_lines: Vec<&Value> = lines.iter().filter(|line| line["role"] == "officer").collect();
    let actions: Vec<&str> = officer_lines.iter().filter_map(|line| line["action"].as_str()).collect();
    for action in ["read", "change-status", "send-message", "request-documents"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(officer_lines.iter().all(|line| line.get("actor").is_none()), "{officer_lines:?}");
    assert!(lines.iter().any(|line| line["role"] == "applicant" && line["actor"] == "applicant-1"));
    let applicant_reads = [
        "/api/me/activity".to_owned(),
        "/api/me/export".to_owned(),
        format!("/api/applications/{id}"),
        format!("/api/applications/{id}/documents"),
        format!("/api/applications/{id}/messages"),
        "/api/applications".to_owned(),
        "/api/inbox".to_owned(),
        "/api/notifications".to_owned(),
    ];
    for path in applicant_reads {
        let response = app.get(&path, Some(&applicant)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.text().await.expect("body");
        assert!(!body.contains(OFFICER_SUB), "{path} shows the officer's id: {body}");
    }
    let console = app.get(&case_path, Some(&officer)).await.text().await.expect("body");
    assert!(console.contains(OFFICER_SUB), "the officers' own console keeps who did what");
}
