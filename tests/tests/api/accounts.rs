//! Accounts over HTTP against the local portal: register, confirm, sign in with mandatory MFA,
//! refresh through the cookie, sign out, recover — and the A and S lines of the checklist.

use portal_store::local_identity::secrets::totp;
use portal_tests::{TestApp, now, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) const PASSWORD: &str = "a long and memorable passphrase";

pub(crate) async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).json(&body).send().await.expect("request")
}

pub(crate) async fn latest_code(app: &TestApp, to: &str) -> String {
    let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("outbox");
    outbox
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["to"] == to && m["code"].is_string())
        .and_then(|m| m["code"].as_str())
        .expect("a code for this address")
        .to_owned()
}

pub(crate) async fn register(app: &TestApp, email: &str, language: &str) -> reqwest::Response {
    post(
        app,
        "/api/auth/register",
        json!({"email": email, "password": PASSWORD, "givenName": "Marie", "familyName": "Tremblay",
               "preferredLanguage": language}),
    )
    .await
}

pub(crate) async fn registered(app: &TestApp, email: &str) {
    assert_eq!(register(app, email, "fr").await.status(), StatusCode::CREATED);
    let code = latest_code(app, email).await;
    let confirmed = post(app, "/api/auth/confirm", json!({"email": email, "code": code})).await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);
}

pub(crate) async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    post(app, "/api/auth/login", json!({"email": email, "password": password})).await
}

/// A signed-in session: the access token, the refresh cookie's value and the cookie naming the
/// browser it signed in from.
pub(crate) struct Session {
    pub(crate) access_token: String,
    pub(crate) refresh_cookie: String,
    pub(crate) browser_cookie: String,
    pub(crate) secret: String,
    /// The recovery codes shown at enrolment (none after a sign-in that enrols nothing).
    pub(crate) recovery_codes: Vec<String>,
}

pub(crate) fn refresh_cookie(response: &reqwest::Response) -> String {
    let header = response.headers().get("set-cookie").expect("set-cookie").to_str().expect("ascii").to_owned();
    header.split(';').next().expect("pair").to_owned()
}

/// The `name=value` pair of the cookie `name` a response sets.
pub(crate) fn cookie_set(response: &reqwest::Response, name: &str) -> String {
    let set = response.headers().get_all("set-cookie").iter().map(|value| value.to_str().expect("ascii"));
    let pairs = set.map(|cookie| cookie.split(';').next().expect("pair").to_owned());
    pairs.into_iter().find(|pair| pair.starts_with(&format!("{name}="))).expect("the cookie is set")
}

/// Registers, confirms, signs in, enrols an authenticator with a computed TOTP code.
pub(crate) async fn enrolled(app: &TestApp, email: &str) -> Session {
    registered(app, email).await;
    enrolled_after_registration(app, email).await
}

/// Signs a confirmed account in for the first time, enrolling an authenticator.
pub(crate) async fn enrolled_after_registration(app: &TestApp, email: &str) -> Session {
    let challenge: Value = login(app, email, PASSWORD).await.json().await.expect("json");
    assert_eq!(challenge["challenge"], "MFA_SETUP");
    let setup: Value =
        post(app, "/api/auth/mfa/setup", json!({"session": challenge["session"]})).await.json().await.expect("json");
    let secret = setup["secret"].as_str().expect("secret").to_owned();
    assert!(setup["otpauthUri"].as_str().expect("uri").starts_with("otpauth://totp/"));
    let code = totp::code_at(&secret, now()).expect("code");
    let verified = post(app, "/api/auth/mfa/setup/verify", json!({"session": setup["session"], "code": code})).await;
    assert_eq!(verified.status(), StatusCode::OK);
    let refresh_cookie = refresh_cookie(&verified);
    let browser_cookie = cookie_set(&verified, "portal_browser");
    let tokens: Value = verified.json().await.expect("json");
    let access_token = tokens["accessToken"].as_str().expect("token").to_owned();
    let recovery_codes = serde_json::from_value(tokens["recoveryCodes"].clone()).expect("recovery codes");
    Session { access_token, refresh_cookie, browser_cookie, secret, recovery_codes }
}

#[tokio::test]
async fn the_whole_account_journey() {
    let app = spawn_app().await;
    let session = enrolled(&app, "marie@example.ca").await;

    // /api/me with the access token: the caller and the profile written at registration.
    let me: Value = app.get("/api/me", Some(&session.access_token)).await.json().await.expect("json");
    assert_eq!(me["profile"]["givenName"], "Marie");
    assert_eq!(me["profile"]["preferredLanguage"], "fr");

    // Refresh through the cookie: new tokens, rotated cookie.
    let refreshed = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header("cookie", &session.refresh_cookie)
        .send()
        .await
        .expect("refresh");
    assert_eq!(refreshed.status(), StatusCode::OK);
    let rotated_cookie = refresh_cookie(&refreshed);
    assert_ne!(rotated_cookie, session.refresh_cookie);
    let tokens: Value = refreshed.json().await.expect("json");
    let new_access = tokens["accessToken"].as_str().expect("token");
    assert_eq!(app.get("/api/me", Some(new_access)).await.status(), StatusCode::OK);

    // Sign out: every token of the user is refused from then on (S2).
    let logout = app.client.post(app.url("/api/auth/logout")).bearer_auth(new_access).send().await.expect("logout");
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    for token in [session.access_token.as_str(), new_access] {
        assert_eq!(app.get("/api/me", Some(token)).await.status(), StatusCode::UNAUTHORIZED);
    }
    let after =
        app.client.post(app.url("/api/auth/refresh")).header("cookie", &rotated_cookie).send().await.expect("refresh");
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

/// Sign-out is what its contract says: 204 with no content, and the refresh cookie cleared.
#[tokio::test]
async fn sign_out_answers_204_with_no_content_and_clears_the_refresh_cookie() {
    let app = spawn_app().await;
    let session = enrolled(&app, "leaving@example.ca").await;

    let logout =
        app.client.post(app.url("/api/auth/logout")).bearer_auth(&session.access_token).send().await.expect("logout");

    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert_eq!(logout.headers().get("content-type"), None);
    let cleared = logout.headers().get("set-cookie").expect("set-cookie").to_str().expect("ascii").to_owned();
    assert!(cleared.starts_with("portal_refresh=;") && cleared.ends_with("Max-Age=0"), "{cleared}");
    assert!(logout.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn s1_tokens_are_short_lived_and_the_refresh_token_only_travels_in_a_locked_cookie() {
    let app = spawn_app().await;
    registered(&app, "a@example.ca").await;
    let challenge: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
    let setup: Value =
        post(&app, "/api/auth/mfa/setup", json!({"session": challenge["session"]})).await.json().await.expect("json");
    let code = totp::code_at(setup["secret"].as_str().expect("secret"), now()).expect("code");

    let verified = post(&app, "/api/auth/mfa/setup/verify", json!({"session": setup["session"], "code": code})).await;

    let cookie = verified.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    let body: Value = verified.json().await.expect("json");
    assert!(body.get("refreshToken").is_none(), "the refresh token is never in a body");
    assert!(body["expiresIn"].as_u64().expect("expiresIn") <= 900);
}

#[tokio::test]
async fn s1_a_reused_refresh_cookie_ends_the_session_family() {
    let app = spawn_app().await;
    let session = enrolled(&app, "a@example.ca").await;
    let refresh = |cookie: String| {
        let request = app.client.post(app.url("/api/auth/refresh")).header("cookie", cookie);
        async move { request.send().await.expect("refresh") }
    };

    let first = refresh(session.refresh_cookie.clone()).await;
    let rotated = refresh_cookie(&first);
    let replayed = refresh(session.refresh_cookie.clone()).await;
    let legitimate = refresh(rotated).await;

    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(legitimate.status(), StatusCode::UNAUTHORIZED, "the whole family ended");
}

#[tokio::test]
async fn a1_a_password_alone_never_yields_tokens() {
    let app = spawn_app().await;
    registered(&app, "a@example.ca").await;

    let response = login(&app, "a@example.ca", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("set-cookie").is_none());
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["challenge"], "MFA_SETUP");
    assert!(body.get("accessToken").is_none() && body.get("idToken").is_none());
}

#[tokio::test]
async fn a2_password_rules_name_the_field() {
    let app = spawn_app().await;
    for (password, code) in [("too short", "too-short"), ("Password1234", "common")] {
        let message = portal_api::texts::field_message(code, portal_domain::profile::Language::En);
        let response = post(
            &app,
            "/api/auth/register",
            json!({"email": "a@example.ca", "password": password, "givenName": "A", "familyName": "B",
                   "preferredLanguage": "en"}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["errors"], json!([{"field": "password", "code": code, "message": message}]));
    }
    let passphrase = "a passphrase of sixty-four characters or more is welcome here!!!!";
    assert!(passphrase.len() >= 64);
    let accepted = post(
        &app,
        "/api/auth/register",
        json!({"email": "a@example.ca", "password": passphrase, "givenName": "A", "familyName": "B",
               "preferredLanguage": "en"}),
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a3_repeated_bad_passwords_are_locked_out() {
    let app = spawn_app().await;
    registered(&app, "a@example.ca").await;
    for _ in 0..5 {
        assert_eq!(login(&app, "a@example.ca", "not the passphrase").await.status(), StatusCode::UNAUTHORIZED);
    }

    let locked = login(&app, "a@example.ca", PASSWORD).await;

    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a3_a_totp_code_is_good_once() {
    let app = spawn_app().await;
    let session = enrolled(&app, "a@example.ca").await;
    // The enrolment used the current step's code; the same code cannot sign in again.
    let challenge: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
    assert_eq!(challenge["challenge"], "SOFTWARE_TOKEN_MFA");
    let code = totp::code_at(&session.secret, now()).expect("code");

    let replay = post(&app, "/api/auth/mfa", json!({"session": challenge["session"], "code": code})).await;

    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    let problem: Value = replay.json().await.expect("json");
    assert_eq!(
        problem["errors"],
        json!([{"field": "code", "code": "mismatch", "message": "The code is not correct."}])
    );
}

#[tokio::test]
async fn a4_and_s2_a_password_reset_ends_sessions_and_still_asks_for_mfa() {
    let app = spawn_app().await;
    let session = enrolled(&app, "a@example.ca").await;
    assert_eq!(post(&app, "/api/auth/forgot", json!({"email": "a@example.ca"})).await.status(), StatusCode::ACCEPTED);
    let code = latest_code(&app, "a@example.ca").await;

    let reset = post(
        &app,
        "/api/auth/reset",
        json!({"email": "a@example.ca", "code": code, "newPassword": "a brand new passphrase"}),
    )
    .await;

    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/me", Some(&session.access_token)).await.status(), StatusCode::UNAUTHORIZED);
    let challenge: Value = login(&app, "a@example.ca", "a brand new passphrase").await.json().await.expect("json");
    assert_eq!(challenge["challenge"], "SOFTWARE_TOKEN_MFA");
}

#[tokio::test]
async fn a5_the_password_change_notice_is_in_the_users_language_without_secrets() {
    let app = spawn_app().await;
    registered(&app, "f@example.ca").await;
    post(&app, "/api/auth/forgot", json!({"email": "f@example.ca"})).await;
    let code = latest_code(&app, "f@example.ca").await;
    post(
        &app,
        "/api/auth/reset",
        json!({"email": "f@example.ca", "code": code, "newPassword": "a brand new passphrase"}),
    )
    .await;

    let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("json");

    let notice = &outbox[0];
    assert_eq!(notice["subject"], "Votre mot de passe a été modifié");
    assert!(notice.get("code").is_none());
    assert!(!notice["body"].as_str().expect("body").contains("a brand new passphrase"));
}

#[tokio::test]
async fn a6_register_and_forgot_answer_alike_for_known_and_unknown_emails() {
    let app = spawn_app().await;
    registered(&app, "known@example.ca").await;

    let known = register(&app, "known@example.ca", "en").await;
    let unknown = register(&app, "new@example.ca", "en").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.text().await.expect("body"), unknown.text().await.expect("body"));

    let known = post(&app, "/api/auth/forgot", json!({"email": "known@example.ca"})).await;
    let unknown = post(&app, "/api/auth/forgot", json!({"email": "nobody@example.ca"})).await;
    assert_eq!((known.status(), unknown.status()), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(known.text().await.expect("body"), unknown.text().await.expect("body"));
}

#[tokio::test]
async fn c3_unknown_fields_are_refused_and_named() {
    let app = spawn_app().await;

    let response =
        post(&app, "/api/auth/login", json!({"email": "a@example.ca", "password": PASSWORD, "mfa": false})).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["type"], "malformed-body");
    assert!(problem["detail"].as_str().expect("detail").contains("unknown field `mfa`"));
}

#[tokio::test]
async fn v3_a_body_that_is_not_json_is_a_415_problem() {
    let app = spawn_app().await;

    let response = app.client.post(app.url("/api/auth/login")).body("email=a").send().await.expect("request");

    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn the_demo_officer_can_sign_in_and_must_enrol_mfa() {
    let app = spawn_app().await;

    let response = login(&app, portal_local::DEMO_OFFICER_EMAIL, portal_local::DEMO_OFFICER_PASSWORD).await;

    let challenge: Value = response.json().await.expect("json");
    assert_eq!(challenge["challenge"], "MFA_SETUP");
}

#[tokio::test]
async fn errors_come_in_the_language_the_request_asks_for() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.url("/api/auth/register"))
        .header("accept-language", "fr-CA,fr;q=0.9,en;q=0.5")
        .json(&json!({"email": "pas-un-courriel", "password": "court", "givenName": "A", "familyName": "B",
                      "preferredLanguage": "fr"}))
        .send()
        .await
        .expect("request");

    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["title"], "Certains champs ne sont pas valides");
    assert_eq!(problem["errors"][0]["message"], "Entrez une adresse courriel valide.");
    assert_eq!(problem["errors"][1]["message"], "C'est trop court\u{a0}: utilisez au moins 12 caractères.");
}
