//! The system area driven with API Gateway v2 event JSON through `lambda_http`.

use serde_json::{Value, json};

#[tokio::test]
async fn health_answers_without_claims() {
    let router = portal_system::router().expect("router");

    let response = portal_api::lambda::handle_event(portal_api::app(router), include_str!("events/health.json"))
        .await
        .expect("handled");

    assert_eq!(response["statusCode"], 200);
    let body: Value = serde_json::from_str(response["body"].as_str().expect("body")).expect("json");
    assert_eq!(body, json!({"status": "ok"}));
}
