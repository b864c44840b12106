//! Changing the sign-in email while signed in (issue 16, point 5): the password and a fresh
//! authenticator code first; the new address takes over only once the code sent to it is
//! verified, the session goes on, and the old address is told in the owner's language (A5). An
//! address of another account is answered alike and its owner told instead (A6).

use portal_store::local_identity::secrets::totp;
use portal_tests::{TestApp, now, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{PASSWORD, enrolled, latest_code, login, registered};

async fn call(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.expect("request")
}

/// The status and the first field a 400 names.
async fn field_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let problem: Value = response.json().await.expect("json");
    (status, json!([problem["errors"][0]["field"], problem["errors"][0]["code"]]))
}

async fn messages_to(app: &TestApp, to: &str) -> Vec<Value> {
    let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("outbox");
    outbox.as_array().expect("list").iter().filter(|m| m["to"] == to).cloned().collect()
}

async fn challenge_of(app: &TestApp, email: &str) -> (StatusCode, Value) {
    let answer = login(app, email, PASSWORD).await;
    (answer.status(), answer.json::<Value>().await.expect("json")["challenge"].clone())
}

#[tokio::test]
async fn a5_a_new_sign_in_email_takes_over_once_its_code_is_verified_and_the_old_address_is_told() {
    let app = spawn_app().await;
    let session = enrolled(&app, "moving@example.ca").await;
    let token = session.access_token.as_str();

    // Nothing to verify yet; a wrong password, a malformed or unchanged address start nothing.
    let early = call(&app, token, "/api/me/email/verify", json!({"code": "123456"})).await;
    assert_eq!(field_of(early).await, (StatusCode::BAD_REQUEST, json!(["code", "expired"])));
    let change =
        |new: &str, password: &str, code: &str| json!({"newEmail": new, "currentPassword": password, "code": code});
    let refused = call(&app, token, "/api/me/email", change("moved@example.ca", "not it", "000000")).await;
    assert_eq!(field_of(refused).await, (StatusCode::BAD_REQUEST, json!(["currentPassword", "incorrect-password"])));
    let malformed = call(&app, token, "/api/me/email", change("moved", PASSWORD, "000000")).await;
    assert_eq!(field_of(malformed).await, (StatusCode::BAD_REQUEST, json!(["newEmail", "invalid-email"])));
    let same = call(&app, token, "/api/me/email", change("moving@example.ca", PASSWORD, "000000")).await;
    assert_eq!(field_of(same).await, (StatusCode::BAD_REQUEST, json!(["newEmail", "same-address"])));

    // The password and a fresh code: a code goes to the new address, in the owner's language.
    let code = totp::code_at(&session.secret, now() + 30).expect("code");
    let begun = call(&app, token, "/api/me/email", change("moved@example.ca", PASSWORD, &code)).await;
    assert_eq!(begun.status(), StatusCode::ACCEPTED);
    let sent = messages_to(&app, "moved@example.ca").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["subject"], "Confirmez votre nouvelle adresse de connexion");
    // Until it is verified, the old address is the one that signs in.
    assert_eq!(challenge_of(&app, "moving@example.ca").await, (StatusCode::OK, json!("SOFTWARE_TOKEN_MFA")));
    assert_eq!(challenge_of(&app, "moved@example.ca").await.0, StatusCode::UNAUTHORIZED);

    let wrong = call(&app, token, "/api/me/email/verify", json!({"code": "000000"})).await;
    assert_eq!(field_of(wrong).await, (StatusCode::BAD_REQUEST, json!(["code", "mismatch"])));
    let code = latest_code(&app, "moved@example.ca").await;
    let verified = call(&app, token, "/api/me/email/verify", json!({"code": format!(" {code} ")})).await;
    assert_eq!(verified.status(), StatusCode::OK);
    assert_eq!(verified.json::<Value>().await.expect("json"), json!({"email": "moved@example.ca"}));

    // The new address signs in, the old one no longer; this session goes on and renews.
    assert_eq!(challenge_of(&app, "moved@example.ca").await, (StatusCode::OK, json!("SOFTWARE_TOKEN_MFA")));
    assert_eq!(challenge_of(&app, "moving@example.ca").await.0, StatusCode::UNAUTHORIZED);
    let me: Value = app.get("/api/me", Some(token)).await.json().await.expect("json");
    assert_eq!(me["profile"]["email"], "moved@example.ca");
    let renewed = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header("cookie", &session.refresh_cookie)
        .send()
        .await
        .expect("refresh");
    assert_eq!(renewed.status(), StatusCode::OK, "the session outlives the change of address");
    let again = call(&app, token, "/api/me/email/verify", json!({"code": code})).await;
    assert_eq!(field_of(again).await, (StatusCode::BAD_REQUEST, json!(["code", "expired"])), "a code works once");

    // The old address is told where the account went, in French, with no code.
    let told = messages_to(&app, "moving@example.ca").await;
    let notice = told
        .iter()
        .find(|m| m["subject"] == "Votre adresse courriel de connexion a été modifiée")
        .expect("the old address is told");
    assert!(notice["body"].as_str().is_some_and(|body| body.contains("moved@example.ca")), "{notice}");
    assert!(notice.get("code").is_none());
}

#[tokio::test]
async fn a6_an_address_of_another_account_is_answered_alike_and_its_owner_told_instead() {
    let app = spawn_app().await;
    let session = enrolled(&app, "mover@example.ca").await;
    registered(&app, "taken@example.ca").await;
    let before = messages_to(&app, "taken@example.ca").await.len();

    let code = totp::code_at(&session.secret, now() + 30).expect("code");
    let body = json!({"newEmail": "taken@example.ca", "currentPassword": PASSWORD, "code": code});
    let begun = call(&app, &session.access_token, "/api/me/email", body).await;
    assert_eq!(begun.status(), StatusCode::ACCEPTED, "answered as for a free address");

    let told = messages_to(&app, "taken@example.ca").await;
    assert_eq!(told.len(), before + 1, "{told:?}");
    let notice = told.iter().find(|m| m["subject"] == "Quelqu'un a demandé à utiliser votre adresse courriel");
    assert!(notice.is_some_and(|m| m.get("code").is_none()), "the owner is told, and no code is sent: {told:?}");
    // No code can complete it, and a guess is answered as for a free address (a wrong code,
    // counted); both accounts keep their address.
    let guess = call(&app, &session.access_token, "/api/me/email/verify", json!({"code": "123456"})).await;
    assert_eq!(field_of(guess).await, (StatusCode::BAD_REQUEST, json!(["code", "mismatch"])));
    let me: Value = app.get("/api/me", Some(&session.access_token)).await.json().await.expect("json");
    assert_eq!(me["profile"]["email"], "mover@example.ca");
}
