//! The local portal's JWT authorizer (API Gateway's stand-in): anything but a valid access
//! token of this pool and client is a 401 before a handler runs (S3).

use portal_store::local_identity::signing::{AccessClaims, CLIENT_ID, ISSUER, Signer};
use portal_tests::{TestApp, now, spawn_app};
use serde_json::{Value, json};

async fn assert_unauthorized(app: &TestApp, token: Option<&str>) {
    let response = app.get("/api/me", token).await;
    assert_eq!(response.status(), 401, "token {token:?}");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["type"], "unauthenticated");
    assert!(body["requestId"].is_string());
    if let Some(token) = token {
        assert!(!body.to_string().contains(token), "S4: the token is never echoed");
    }
}

fn segments(token: &str) -> Vec<&str> {
    token.split('.').collect()
}

#[tokio::test]
async fn s3_no_token_is_refused() {
    let app = spawn_app().await;
    assert_unauthorized(&app, None).await;
    assert_unauthorized(&app, Some("not-a-jwt")).await;
}

#[tokio::test]
async fn s3_alg_none_is_refused() {
    let app = spawn_app().await;
    let valid = app.access_token("user-1", &[]);
    let header = base64_url(&json!({"alg": "none", "typ": "JWT", "kid": app.portal.signer.kid()}));
    let unsigned = format!("{header}.{}.", segments(&valid)[1]);

    assert_unauthorized(&app, Some(&unsigned)).await;
}

#[tokio::test]
async fn s3_a_foreign_signature_is_refused() {
    let app = spawn_app().await;
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let foreign = Signer::load_or_create(elsewhere.path()).expect("foreign key");
    let forged =
        foreign.sign(&AccessClaims::new("user-1", "session-1", vec!["officers".into()], now(), 900)).expect("sign");
    // Same claims, our key id in the header, the foreign key's signature.
    let ours = app.access_token("user-1", &["officers"]);
    let spliced = format!("{}.{}.{}", segments(&ours)[0], segments(&forged)[1], segments(&forged)[2]);

    assert_unauthorized(&app, Some(&forged)).await;
    assert_unauthorized(&app, Some(&spliced)).await;
}

#[tokio::test]
async fn s3_a_tampered_payload_is_refused() {
    let app = spawn_app().await;
    let valid = app.access_token("user-1", &[]);
    let payload = base64_url(&json!({"sub": "user-1", "cognito:groups": ["officers"], "token_use": "access",
        "client_id": CLIENT_ID, "iss": ISSUER, "exp": now() + 900, "iat": now()}));
    let tampered = format!("{}.{payload}.{}", segments(&valid)[0], segments(&valid)[2]);

    assert_unauthorized(&app, Some(&tampered)).await;
}

#[tokio::test]
async fn s3_an_expired_token_is_refused() {
    let app = spawn_app().await;
    let expired = app.sign(&AccessClaims::new("user-1", "session-1", vec![], now() - 3600, 900));
    assert_unauthorized(&app, Some(&expired)).await;
}

#[tokio::test]
async fn s3_a_token_for_another_client_or_issuer_is_refused() {
    let app = spawn_app().await;
    let mut other_client = AccessClaims::new("user-1", "session-1", vec![], now(), 900);
    other_client.client_id = "another-app";
    let mut other_issuer = AccessClaims::new("user-1", "session-1", vec![], now(), 900);
    other_issuer.iss = "https://cognito-idp.ca-central-1.amazonaws.com/ca-central-1_other";

    assert_unauthorized(&app, Some(&app.sign(&other_client))).await;
    assert_unauthorized(&app, Some(&app.sign(&other_issuer))).await;
}

#[tokio::test]
async fn s3_an_id_token_is_not_an_access_token() {
    let app = spawn_app().await;
    // Shaped like a Cognito ID token: `aud` is the client, which API Gateway's authorizer
    // accepts, so the refusal comes from the handler's `token_use` check.
    let id_token = app.sign(&json!({"sub": "user-1", "aud": CLIENT_ID, "token_use": "id", "iss": ISSUER,
        "email": "user@example.ca", "exp": now() + 900, "iat": now()}));

    assert_unauthorized(&app, Some(&id_token)).await;
}

#[tokio::test]
async fn public_routes_ignore_tokens() {
    let app = spawn_app().await;
    let response = app.get("/api/health", Some("garbage")).await;
    assert_eq!(response.status(), 200);
}

fn base64_url(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}
