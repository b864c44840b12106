//! Replacing the authenticator while signed in (issue 16, point 5): the password and a code of
//! the authenticator in hand first; the new one takes over only once a code of it is verified,
//! and the owner is told (A5).

use portal_store::local_identity::secrets::totp;
use portal_tests::{TestApp, now, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{PASSWORD, enrolled, post};

async fn call(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.expect("request")
}

/// Signs the account in with its password and `code`; gives the answer's status.
async fn sign_in(app: &TestApp, code: String) -> StatusCode {
    let body = json!({"email": "new-phone@example.ca", "password": PASSWORD});
    let challenge: Value = post(app, "/api/auth/login", body).await.json().await.expect("json");
    assert_eq!(challenge["challenge"], "SOFTWARE_TOKEN_MFA");
    post(app, "/api/auth/mfa", json!({"session": challenge["session"], "code": code})).await.status()
}

async fn field_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json::<Value>().await.expect("json")["errors"][0]["field"].clone())
}

#[tokio::test]
async fn a5_a_new_authenticator_replaces_the_old_only_once_a_code_of_it_is_verified() {
    let app = spawn_app().await;
    let session = enrolled(&app, "new-phone@example.ca").await;
    let token = session.access_token.as_str();

    // Nothing to verify yet; a wrong password starts nothing.
    let early = call(&app, token, "/api/me/authenticator/verify", json!({"code": "123456"})).await;
    assert_eq!(field_of(early).await, (StatusCode::BAD_REQUEST, json!("code")));
    let refused = call(&app, token, "/api/me/authenticator", json!({"currentPassword": "no", "code": "000000"})).await;
    assert_eq!(field_of(refused).await, (StatusCode::BAD_REQUEST, json!("currentPassword")));

    // The password and a fresh code of the authenticator in hand: a new secret.
    let code = totp::code_at(&session.secret, now() + 30).expect("code");
    let begun = call(&app, token, "/api/me/authenticator", json!({"currentPassword": PASSWORD, "code": code})).await;
    assert_eq!(begun.status(), StatusCode::OK);
    let new: Value = begun.json().await.expect("json");
    let secret = new["secret"].as_str().expect("secret").to_owned();
    assert_ne!(secret, session.secret);
    assert!(new["otpauthUri"].as_str().is_some_and(|uri| uri.starts_with("otpauth://totp/")));

    // A code that is not the new authenticator's changes nothing.
    let wrong = call(&app, token, "/api/me/authenticator/verify", json!({"code": "000000"})).await;
    assert_eq!(field_of(wrong).await, (StatusCode::BAD_REQUEST, json!("code")));
    let verified = call(
        &app,
        token,
        "/api/me/authenticator/verify",
        json!({"code": totp::code_at(&secret, now()).expect("code")}),
    )
    .await;
    assert_eq!(verified.status(), StatusCode::NO_CONTENT);

    // The next sign-in answers with the new authenticator, not the old one.
    let old = totp::code_at(&session.secret, now() + 30).expect("code");
    assert_eq!(sign_in(&app, old).await, StatusCode::BAD_REQUEST, "the old authenticator no longer signs in");
    assert_eq!(sign_in(&app, totp::code_at(&secret, now() + 30).expect("code")).await, StatusCode::OK);
    assert_eq!(app.get("/api/me", Some(token)).await.status(), StatusCode::OK, "this session goes on");

    let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("outbox");
    let notices = outbox.as_array().expect("list").iter().filter(|m| {
        m["to"] == "new-phone@example.ca" && m["subject"] == "Une application d'authentification a été configurée"
    });
    let notices: Vec<&Value> = notices.collect();
    assert_eq!(notices.len(), 2, "at the enrolment, and at the change");
    for notice in notices {
        let body = notice["body"].as_str().expect("body");
        assert!(!body.contains(&secret) && !body.contains(&session.secret), "A5: no secret in a notice");
        assert!(notice.get("code").is_none());
    }
}
