//! Messages, notifications and preferences over HTTP, in local mode: the officer ↔ applicant
//! thread with read receipts and the inbox; a status change reaching a French-speaking applicant
//! by email (the outbox) and in the portal, through the embedded store's change feed and the
//! same dispatcher the `notify` function runs; `PATCH /api/me` (N4, C1, C3).

use std::time::Duration;

use portal_domain::profile::{Language, Profile, Profiles};
use portal_tests::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::send;
use crate::officer::submitted_application;

/// How long a notification may take to come through the change feed before the test fails.
const PATIENCE: Duration = Duration::from_secs(20);

pub(crate) async fn profile(app: &TestApp, sub: &str, language: Language) {
    let profile = Profile {
        email: format!("{sub}@example.ca"),
        given_name: "Marie".into(),
        family_name: "Tremblay".into(),
        preferred_language: language,
        notifications: Default::default(),
    };
    Profiles::new(app.portal.table.clone()).put(sub, &profile).await.expect("profile");
}

/// Waits for an outbox email to `to` whose body contains `text`.
pub(crate) async fn email_to(app: &TestApp, to: &str, text: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("json");
        let found =
            outbox.as_array().expect("list").iter().find(|m| {
                m["to"] == to && m["channel"] == "email" && m["body"].as_str().is_some_and(|b| b.contains(text))
            });
        if let Some(found) = found {
            return found.clone();
        }
        assert!(started.elapsed() < PATIENCE, "no email to {to} containing {text:?}: {outbox}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn n4_an_officers_decision_reaches_a_french_speaking_applicant_by_email_and_in_the_portal() {
    let app = spawn_app().await;
    profile(&app, "applicante", Language::Fr).await;
    let applicant = app.access_token("applicante", &[]);
    let officer = app.access_token("agent", &["officers"]);
    let id = submitted_application(&app, &applicant).await;

    let received = json!({"to": "received", "reason": "file complete", "version": 3});
    let status_path = format!("/api/officer/applications/{id}/status");
    let moved = send(&app, Method::POST, &status_path, &officer, Some(received)).await;
    assert_eq!(moved.status(), StatusCode::OK);

    let email = email_to(&app, "applicante@example.ca", "reçue").await;
    assert_eq!(email["subject"], "L'état de votre demande\u{a0}: reçue");
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    let number = case["application"]["number"].as_str().expect("number");
    let body = email["body"].as_str().expect("body");
    assert!(body.contains(&format!("votre demande {number} (Visa de visiteur")), "names the application: {body}");
    assert!(!body.contains(&id), "never the internal id");
    assert!(body.contains("/help"), "points to the help page: {body}");

    let notifications: Value = app.get("/api/notifications", Some(&applicant)).await.json().await.expect("json");
    let items = notifications["items"].as_array().expect("items");
    let notice = items.iter().find(|n| n["to"] == "received").expect("the notice");
    assert_eq!(
        notice["title"],
        json!({"en": "Your application is now received", "fr": "L'état de votre demande\u{a0}: reçue"})
    );
    let unread = notifications["unread"].as_u64().expect("unread");
    let first = items[0]["id"].as_str().expect("id");
    let read = send(&app, Method::POST, &format!("/api/notifications/{first}/read"), &applicant, None).await;
    assert_eq!(read.status(), StatusCode::NO_CONTENT);
    let after: Value = app.get("/api/notifications", Some(&applicant)).await.json().await.expect("json");
    assert_eq!(after["unread"].as_u64(), Some(unread - 1));
    let someone_else = app.access_token("someone-else", &[]);
    let theirs = send(&app, Method::POST, &format!("/api/notifications/{first}/read"), &someone_else, None).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "C1: only one's own notifications");
}

#[tokio::test]
async fn officer_and_applicant_write_read_and_see_receipts_with_the_inbox_in_step() {
    let app = spawn_app().await;
    profile(&app, "writer", Language::En).await;
    let applicant = app.access_token("writer", &[]);
    let officer = app.access_token("agent-2", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let documents: Value =
        app.get(&format!("/api/applications/{id}/documents"), Some(&applicant)).await.json().await.expect("json");
    let passport = documents["items"][0]["id"].as_str().expect("a document").to_owned();

    let note = json!({"body": "Please check the expiry date on this page.", "documentIds": [passport]});
    let officer_thread = format!("/api/officer/applications/{id}/messages");
    let sent = send(&app, Method::POST, &officer_thread, &officer, Some(note)).await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let officer_message: Value = sent.json().await.expect("json");
    email_to(&app, "writer@example.ca", "message").await;

    let inbox: Value = app.get("/api/inbox", Some(&applicant)).await.json().await.expect("json");
    assert_eq!(inbox["unread"], 1);
    assert_eq!(inbox["applications"][0]["latest"]["from"], "officer");
    let thread = format!("/api/applications/{id}/messages");
    let messages: Value = app.get(&thread, Some(&applicant)).await.json().await.expect("json");
    assert_eq!(messages["items"][0]["documentIds"], json!([passport]));
    assert_eq!(messages["items"][0]["readAt"], 0);

    let read_path = format!("{thread}/{}/read", officer_message["id"].as_str().expect("id"));
    let read: Value = send(&app, Method::POST, &read_path, &applicant, None).await.json().await.expect("json");
    assert!(read["readAt"].as_u64().is_some_and(|at| at > 0), "the officer sees it was read");
    let inbox: Value = app.get("/api/inbox", Some(&applicant)).await.json().await.expect("json");
    assert_eq!(inbox["unread"], 0);

    let reply = json!({"body": "It expires in 2031; the scan is attached again."});
    let reply = send(&app, Method::POST, &thread, &applicant, Some(reply)).await;
    assert_eq!(reply.status(), StatusCode::CREATED);
    let reply: Value = reply.json().await.expect("json");
    let case: Value =
        app.get(&format!("/api/officer/applications/{id}"), Some(&officer)).await.json().await.expect("json");
    assert_eq!(case["messages"]["items"].as_array().map(Vec::len), Some(2));
    let reply_read = format!("{thread}/{}/read", reply["id"].as_str().expect("id"));
    let receipt: Value = send(&app, Method::POST, &reply_read, &officer, None).await.json().await.expect("json");
    assert!(receipt["readAt"].as_u64().is_some_and(|at| at > 0));
    let inbox: Value = app.get("/api/inbox", Some(&applicant)).await.json().await.expect("json");
    assert_eq!(
        (inbox["unread"].as_u64(), inbox["applications"][0]["latest"]["from"].as_str()),
        (Some(0), Some("applicant"))
    );
}

#[tokio::test]
async fn c1_c3_messages_are_checked_and_closed_to_others() {
    let app = spawn_app().await;
    let applicant = app.access_token("careful", &[]);
    let other = app.access_token("nosy", &[]);
    let id = submitted_application(&app, &applicant).await;
    let thread = format!("/api/applications/{id}/messages");

    let problems = [
        (json!({"body": "   "}), "body", "required"),
        (json!({"body": "x".repeat(5001)}), "body", "too-long"),
        (json!({"body": "see attached", "documentIds": ["not-a-document"]}), "documentIds[0]", "unknown-document"),
    ];
    for (body, field, code) in problems {
        let refused = send(&app, Method::POST, &thread, &applicant, Some(body)).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let problem: Value = refused.json().await.expect("json");
        assert_eq!(
            (problem["errors"][0]["field"].as_str(), problem["errors"][0]["code"].as_str()),
            (Some(field), Some(code))
        );
    }
    let sneaky = json!({"body": "hello", "from": "officer"});
    assert_eq!(send(&app, Method::POST, &thread, &applicant, Some(sneaky)).await.status(), StatusCode::BAD_REQUEST);

    assert_eq!(app.get(&thread, Some(&other)).await.status(), StatusCode::NOT_FOUND);
    let hello = json!({"body": "hello"});
    assert_eq!(send(&app, Method::POST, &thread, &other, Some(hello.clone())).await.status(), StatusCode::NOT_FOUND);
    let officer_thread = format!("/api/officer/applications/{id}/messages");
    let as_officer = send(&app, Method::POST, &officer_thread, &applicant, Some(hello)).await;
    assert_eq!(as_officer.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn preferences_change_language_and_channels_with_a_valid_mobile_number() {
    let app = spawn_app().await;
    profile(&app, "chooser", Language::En).await;
    let token = app.access_token("chooser", &[]);

    let problems = [
        (json!({"notifications": {"sms": true}}), "required"),
        (json!({"notifications": {"sms": true, "phone": "514-555-0123"}}), "invalid-phone"),
    ];
    for (body, code) in problems {
        let refused = send(&app, Method::PATCH, "/api/me", &token, Some(body)).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let problem: Value = refused.json().await.expect("json");
        assert_eq!(problem["errors"][0]["field"], "notifications.phone");
        assert_eq!(problem["errors"][0]["code"], code);
    }
    let unknown = send(&app, Method::PATCH, "/api/me", &token, Some(json!({"email": "new@example.ca"}))).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST, "the sign-in address is not changed here");

    let change =
        json!({"preferredLanguage": "fr", "notifications": {"email": false, "sms": true, "phone": "+15145550123"}});
    let changed = send(&app, Method::PATCH, "/api/me", &token, Some(change)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let me: Value = app.get("/api/me", Some(&token)).await.json().await.expect("json");
    assert_eq!(me["profile"]["preferredLanguage"], "fr");
    assert_eq!(me["profile"]["notifications"], json!({"email": false, "sms": true, "phone": "+15145550123"}));
}

#[tokio::test]
async fn an_applicant_downloads_everything_kept_about_them_and_nothing_of_others() {
    let app = spawn_app().await;
    profile(&app, "exporter", Language::Fr).await;
    let applicant = app.access_token("exporter", &[]);
    let officer = app.access_token("agent-3", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let note = json!({"body": "Bonjour, votre dossier est complet."});
    let officer_thread = format!("/api/officer/applications/{id}/messages");
    assert_eq!(send(&app, Method::POST, &officer_thread, &officer, Some(note)).await.status(), StatusCode::CREATED);

    let export = app.get("/api/me/export", Some(&applicant)).await;

    // D6: assembled as a file in storage; the answer is a short-lived link, however large the file.
    assert_eq!(export.status(), StatusCode::OK);
    let link: Value = export.json().await.expect("json");
    let file = app.client.get(app.url(link["url"].as_str().expect("url"))).send().await.expect("download");
    assert_eq!(file.status(), StatusCode::OK);
    let disposition = file.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains("my-portal-data.json"), "{disposition}");
    let data: Value = file.json().await.expect("json");
    assert_eq!(data["profile"]["preferredLanguage"], "fr");
    let exported = &data["applications"][0];
    assert_eq!(exported["application"]["id"], id.as_str());
    assert_eq!(exported["history"][1]["to"], "submitted", "after the payment's entry");
    assert_eq!(exported["documents"].as_array().map(Vec::len), Some(3));
    assert_eq!(exported["messages"][0]["body"], "Bonjour, votre dossier est complet.");
    assert!(exported["messages"][0].get("author").is_none(), "officers stay anonymous to applicants");
    assert!(data["activity"].as_array().is_some_and(|a| !a.is_empty()));

    let someone_else = app.access_token("someone-else", &[]);
    let theirs: Value = app.get("/api/me/export", Some(&someone_else)).await.json().await.expect("json");
    let theirs: Value = app
        .client
        .get(app.url(theirs["url"].as_str().expect("url")))
        .send()
        .await
        .expect("file")
        .json()
        .await
        .expect("json");
    assert_eq!(theirs["applications"], json!([]), "C1: nothing of another applicant");
}
