//! Passkeys over HTTP in local mode (issue 16, point 1): registration only after the person
//! proved it is them, options asking for a discoverable credential that verifies its user, a
//! sign-in begun alike for any address (A6), and what does not verify refused. The ceremonies
//! themselves run in Chromium with its virtual authenticator (`journeys/passkeys.mjs`): a valid
//! credential needs a real authenticator's signature.

use portal_store::local_identity::secrets::totp;
use portal_tests::{TestApp, now, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::accounts::{PASSWORD, enrolled, post};

async fn call(app: &TestApp, method: Method, token: &str, path: &str, body: Option<Value>) -> reqwest::Response {
    let request = app.client.request(method, app.url(path)).bearer_auth(token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    request.send().await.expect("request")
}

async fn problem_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let problem: Value = response.json().await.expect("json");
    (status, json!([problem["errors"][0]["field"], problem["errors"][0]["code"]]))
}

#[tokio::test]
async fn a_passkey_is_registered_only_after_proving_it_is_them_as_a_discoverable_credential_that_verifies_its_user() {
    let app = spawn_app().await;
    let session = enrolled(&app, "passkeys@example.ca").await;
    let token = session.access_token.as_str();

    let none: Value = call(&app, Method::GET, token, "/api/me/passkeys", None).await.json().await.expect("json");
    assert_eq!(none, json!({"passkeys": []}));
    let refused =
        call(&app, Method::POST, token, "/api/me/passkeys", Some(json!({"currentPassword": "no", "code": "0"}))).await;
    assert_eq!(problem_of(refused).await, (StatusCode::BAD_REQUEST, json!(["currentPassword", "incorrect-password"])));
    // Nothing begun: a credential has nothing to answer.
    let early = json!({"name": "Laptop", "credential": {"id": "AAAA"}});
    let early = call(&app, Method::POST, token, "/api/me/passkeys/verify", Some(early)).await;
    assert_eq!(problem_of(early).await, (StatusCode::BAD_REQUEST, json!(["credential", "expired"])));

    let code = totp::code_at(&session.secret, now() + 30).expect("code");
    let begun =
        call(&app, Method::POST, token, "/api/me/passkeys", Some(json!({"currentPassword": PASSWORD, "code": code})))
            .await;
    assert_eq!(begun.status(), StatusCode::OK);
    let options: Value = begun.json().await.expect("json");
    let options = &options["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost", "the relying party of PORTAL_PASSKEY_ORIGIN");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required", "it stands for both factors");
    assert!(options["challenge"].as_str().is_some_and(|c| c.len() >= 22), "{options}");
    assert_eq!(options["user"]["name"], "passkeys@example.ca");

    // A name is required; what is not a credential is refused and uses the ceremony up.
    let unnamed = json!({"name": "  ", "credential": {"id": "AAAA"}});
    let unnamed = call(&app, Method::POST, token, "/api/me/passkeys/verify", Some(unnamed)).await;
    assert_eq!(problem_of(unnamed).await, (StatusCode::BAD_REQUEST, json!(["name", "required"])));
    let forged = json!({"name": "Laptop", "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": {"clientDataJSON": "e30", "attestationObject": "oA"}}});
    let forged = call(&app, Method::POST, token, "/api/me/passkeys/verify", Some(forged.clone())).await;
    assert_eq!(problem_of(forged).await, (StatusCode::BAD_REQUEST, json!(["credential", "mismatch"])));
    let listed: Value = call(&app, Method::GET, token, "/api/me/passkeys", None).await.json().await.expect("json");
    assert_eq!(listed, json!({"passkeys": []}), "nothing kept");

    // Another's (or no) passkey cannot be renamed or removed.
    let rename = call(&app, Method::PATCH, token, "/api/me/passkeys/AAAA", Some(json!({"name": "Mine"}))).await;
    assert_eq!(rename.status(), StatusCode::NOT_FOUND);
    assert_eq!(call(&app, Method::DELETE, token, "/api/me/passkeys/AAAA", None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/me/passkeys", None).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a6_a_passkey_sign_in_begins_alike_for_any_address_and_an_assertion_that_does_not_verify_is_refused_once() {
    let app = spawn_app().await;
    enrolled(&app, "has-account@example.ca").await;
    let mut shapes = Vec::new();
    for address in ["has-account@example.ca", "no-account@example.ca"] {
        let begun = post(&app, "/api/auth/passkey", json!({"email": address})).await;
        assert_eq!(begun.status(), StatusCode::OK, "{address}");
        let begun: Value = begun.json().await.expect("json");
        let options = &begun["publicKey"];
        assert_eq!(options["userVerification"], "required");
        let allowed = options.get("allowCredentials").and_then(Value::as_array).map_or(0, Vec::len);
        assert_eq!(allowed, 0, "no credential ids leave the portal: {options}");
        let mut keys: Vec<String> = options.as_object().expect("object").keys().cloned().collect();
        keys.sort();
        shapes.push(keys);
    }
    assert_eq!(shapes[0], shapes[1], "the same answer whether or not the address has an account");

    let begun: Value =
        post(&app, "/api/auth/passkey", json!({"email": "has-account@example.ca"})).await.json().await.expect("json");
    let forged = json!({"session": begun["session"], "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": {"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA", "userHandle": "AA"}}});
    let refused = post(&app, "/api/auth/passkey/verify", forged.clone()).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().get("set-cookie").is_none(), "no session");
    let again = post(&app, "/api/auth/passkey/verify", forged).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "a sign-in answers once");
    let malformed = post(&app, "/api/auth/passkey", json!({"email": "not an address"})).await;
    assert_eq!(malformed.status(), StatusCode::UNAUTHORIZED);
}
