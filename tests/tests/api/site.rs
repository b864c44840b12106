//! Public routes, errors for unknown routes, and the frontend beside the API.

use portal_tests::{TEST_INDEX_HTML, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn health_is_public() {
    let app = spawn_app().await;

    let response = app.get("/api/health", None).await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.expect("json"), json!({"status": "ok"}));
}

/// Who runs the portal is public and set by configuration: local mode says it is a demo.
#[tokio::test]
async fn the_site_says_who_runs_the_portal_and_that_local_mode_is_a_demo() {
    let app = spawn_app().await;

    let site: Value = app.get("/api/site", None).await.json().await.expect("json");

    assert_eq!(site["demo"], true);
    assert_eq!(site["agency"]["fr"], "Agence d'immigration de démonstration");
    assert!(site["supportEmail"].as_str().is_some_and(|email| email.contains('@')), "{site}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;

    let response = app.get("/api/health", None).await;

    let id = response.headers().get("x-request-id").expect("request id header");
    assert_eq!(id.len(), 36, "a UUID like API Gateway's");
}

#[tokio::test]
async fn an_unknown_api_route_is_a_404_problem() {
    let app = spawn_app().await;

    let response = app.get("/api/nowhere", None).await;

    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let request_id = response.headers()["x-request-id"].to_str().expect("ascii").to_owned();
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["type"], "not-found");
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["requestId"], request_id.as_str());
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem() {
    let app = spawn_app().await;

    let response = app.client.delete(app.url("/api/health")).send().await.expect("request");

    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn the_frontend_is_served_at_the_root_and_for_app_routes() {
    let app = spawn_app().await;

    for path in ["/", "/dashboard"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        let csp = response.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.text().await.expect("text"), TEST_INDEX_HTML);
    }
}

#[tokio::test]
async fn the_jwks_publishes_the_signing_key() {
    let app = spawn_app().await;

    let jwks: Value = app.get("/.well-known/jwks.json", None).await.json().await.expect("json");

    assert_eq!(jwks["keys"][0]["kid"], app.portal.signer.kid());
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
}

#[tokio::test]
async fn v3_an_oversized_body_is_a_413_problem() {
    let app = spawn_app().await;
    let huge = format!("{{\"email\":\"{}\",\"password\":\"x\"}}", "a".repeat(3 * 1024 * 1024));

    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("request");

    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn v3_invalid_utf8_is_a_400_problem() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body(vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'])
        .send()
        .await
        .expect("request");

    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<Value>().await.expect("json")["type"], "malformed-body");
}
