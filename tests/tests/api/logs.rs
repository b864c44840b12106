//! L2 / S4: everything the portal logs during a whole account journey — including refused
//! tokens and wrong codes — holds no token, password, one-time code or TOTP secret.

use std::io::Write;
use std::sync::{Arc, Mutex};

use portal_store::local_identity::secrets::totp;
use portal_tests::{now, spawn_app};
use serde_json::{Value, json};

const PASSWORD: &str = "a long and memorable passphrase";

/// Collects every log line in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn l2_s4_logs_hold_no_tokens_passwords_or_codes() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test process");
    let app = spawn_app().await;
    let post = |path: &str, body: Value| app.client.post(app.url(path)).json(&body).send();

    post(
        "/api/auth/register",
        json!({"email": "l@example.ca", "password": PASSWORD, "givenName": "L",
        "familyName": "M", "preferredLanguage": "en"}),
    )
    .await
    .expect("register");
    let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("outbox");
    let email_code = outbox[0]["code"].as_str().expect("code").to_owned();
    post("/api/auth/confirm", json!({"email": "l@example.ca", "code": "000000"})).await.expect("wrong code");
    post("/api/auth/confirm", json!({"email": "l@example.ca", "code": email_code})).await.expect("confirm");
    post("/api/auth/login", json!({"email": "l@example.ca", "password": "wrong passphrase!"})).await.expect("wrong");
    let challenge: Value = post("/api/auth/login", json!({"email": "l@example.ca", "password": PASSWORD}))
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let setup: Value = post("/api/auth/mfa/setup", json!({"session": challenge["session"]}))
        .await
        .expect("setup")
        .json()
        .await
        .expect("json");
    let secret = setup["secret"].as_str().expect("secret").to_owned();
    let totp_code = totp::code_at(&secret, now()).expect("code");
    let verified = post("/api/auth/mfa/setup/verify", json!({"session": setup["session"], "code": totp_code}))
        .await
        .expect("verify");
    let cookie = verified.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    let refresh_token = cookie.split(';').next().and_then(|pair| pair.split_once('=')).expect("pair").1.to_owned();
    let tokens: Value = verified.json().await.expect("json");
    let access = tokens["accessToken"].as_str().expect("token").to_owned();
    app.get("/api/me", Some(&access)).await;
    app.get("/api/me", Some(&format!("{access}tampered"))).await;
    app.client.post(app.url("/api/auth/logout")).bearer_auth(&access).send().await.expect("logout");
    app.get("/api/me", Some(&access)).await;

    let logs = String::from_utf8(captured.0.lock().expect("logs").clone()).expect("utf-8");
    assert!(logs.contains("\"request\""), "the journey was logged at all");
    for (secret_kind, value) in [
        ("JWT", "eyJ"),
        ("password", PASSWORD),
        ("TOTP secret", secret.as_str()),
        ("refresh token", refresh_token.as_str()),
        ("session", challenge["session"].as_str().expect("session")),
    ] {
        assert!(!logs.contains(value), "the logs hold a {secret_kind}");
    }
    // Six-digit codes are looked for as whole numbers: timestamps hold runs of digits too.
    for (secret_kind, code) in [("email code", email_code.as_str()), ("TOTP code", totp_code.as_str())] {
        assert!(!holds_number(&logs, code), "the logs hold a {secret_kind}");
    }
}

/// Whether `text` holds `digits` with no digit or letter right before or after it.
fn holds_number(text: &str, digits: &str) -> bool {
    text.match_indices(digits).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + digits.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
