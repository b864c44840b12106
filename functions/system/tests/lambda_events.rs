//! The system area driven with API Gateway v2 event JSON through `lambda_http`.

use portal_domain::application_types::Text;
use portal_domain::site::Site;
use serde_json::{Value, json};

/// A deployment as the template configures it.
fn site() -> Site {
    Site {
        agency: Text { en: "Example Immigration".into(), fr: "Immigration Exemple".into() },
        official_url: "https://portal.example.ca".into(),
        support_email: "help@example.ca".into(),
        support_phone: Some("+1-800-555-0100".into()),
        support_hours: None,
        logo_url: None,
        demo: false,
    }
}

#[tokio::test]
async fn health_answers_without_claims() {
    let router = portal_system::router(site()).expect("router");

    let response = portal_api::lambda::handle_event(portal_api::app(router), include_str!("events/health.json"))
        .await
        .expect("handled");

    assert_eq!(response["statusCode"], 200);
    let body: Value = serde_json::from_str(response["body"].as_str().expect("body")).expect("json");
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn the_site_says_who_runs_the_portal_without_claims() {
    let router = portal_system::router(site()).expect("router");

    let response = portal_api::lambda::handle_event(portal_api::app(router), include_str!("events/site.json"))
        .await
        .expect("handled");

    assert_eq!(response["statusCode"], 200);
    let body: Value = serde_json::from_str(response["body"].as_str().expect("body")).expect("json");
    assert_eq!(
        body,
        json!({
            "agency": {"en": "Example Immigration", "fr": "Immigration Exemple"},
            "officialUrl": "https://portal.example.ca",
            "supportEmail": "help@example.ca",
            "supportPhone": "+1-800-555-0100",
            "demo": false
        })
    );
}
