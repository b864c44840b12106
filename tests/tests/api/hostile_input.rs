//! Hostile ids and query parameters (V3): a NUL, percent-encoding that is not UTF-8, a value
//! that is no id and an over-long one, in every path parameter of every route of the route
//! table (so a new route is covered without touching this file), and in the officer queue's
//! query. Every answer is a 4xx problem, never a 5xx.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_api::routes::{self, Auth, Route};
use portal_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// A well-formed id that names nothing, for a route's other parameters.
const SOME_ID: &str = "0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e10";

/// The names of a route's path parameters, in order.
fn parameters(route: &Route) -> Vec<&'static str> {
    route.path.split('/').filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}')).collect()
}

/// The route's path with each parameter replaced by `value_of(name)`.
fn fill(route: &Route, value_of: impl Fn(&str) -> String) -> String {
    let segments =
        route.path.split('/').map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => value_of(name),
            None => segment.to_owned(),
        });
    segments.collect::<Vec<_>>().join("/")
}

/// The route's path with `value` (as sent, percent-encoded) for `parameter` and [`SOME_ID`]
/// for the others.
fn path_with(route: &Route, parameter: &str, value: &str) -> String {
    fill(route, |name| if name == parameter { value.to_owned() } else { SOME_ID.to_owned() })
}

/// The route's path with [`SOME_ID`] for every parameter.
pub(crate) fn some_path(route: &Route) -> String {
    fill(route, |_| SOME_ID.to_owned())
}

/// A token that gets the caller past the authorizer and the role check of `route`.
pub(crate) fn token_for(app: &TestApp, route: &Route, sub: &str) -> Option<String> {
    match route.auth {
        Auth::Public => None,
        Auth::User => Some(app.access_token(sub, &[])),
        Auth::Officer => Some(app.access_token(sub, &["officers"])),
    }
}

/// Sends `method path`, with the token and an empty JSON body where the method takes one.
pub(crate) async fn call(app: &TestApp, method: &Method, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.request(method.clone(), app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
        request = request.json(&json!({}));
    }
    request.send().await.expect("request")
}

/// The status and problem document of an answer that must be a 4xx problem.
async fn problem(response: reqwest::Response, what: &str) -> (u16, Value) {
    let status = response.status().as_u16();
    assert!((400..500).contains(&status), "{what}: {status}");
    assert_eq!(response.headers()["content-type"], "application/problem+json", "{what}");
    (status, response.json().await.expect("problem json"))
}

#[tokio::test]
async fn v3_hostile_ids_in_every_path_parameter_are_4xx_problems_never_5xx() {
    let app = spawn_app().await;
    let over_long = SOME_ID.repeat(100);
    let not_found = [
        "a%00b",
        "%00",
        &format!("{SOME_ID}%00"),
        "not-a-uuid",
        "0193A4C8-7E7A-7B3E-9F1E-2D4C6B8A9E10",
        "..%2F..%2Fetc",
        &over_long,
    ];
    let mut parameters_tried = 0;

    for route in routes::all() {
        let token = token_for(&app, route, "caller-1");
        for parameter in parameters(route) {
            for value in not_found {
                let path = path_with(route, parameter, value);
                let what = format!("{} {path}", route.method);
                let (status, body) = problem(call(&app, &route.method, &path, token.as_deref()).await, &what).await;
                assert_eq!((status, body["type"].as_str()), (404, Some("not-found")), "{what}");
            }
            let path = path_with(route, parameter, "%ff%fe");
            let what = format!("{} {path}", route.method);
            let (status, body) = problem(call(&app, &route.method, &path, token.as_deref()).await, &what).await;
            assert_eq!(status, 400, "{what}");
            assert_eq!(body["type"], "invalid-fields", "{what}");
            assert_eq!(body["errors"][0]["field"], parameter, "{what}: names the parameter");
            parameters_tried += 1;
        }
    }

    // Applications, documents, messages, notifications and the officer's case routes.
    assert!(parameters_tried >= 20, "the route table's ids were found ({parameters_tried})");
}

#[tokio::test]
async fn v3_hostile_officer_queue_parameters_are_400_problems_naming_them() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let nul_cursor = URL_SAFE_NO_PAD
        .encode(json!({"gsi1pk": "QUEUE#submitted", "gsi1sk": "\u{0}", "pk": "APP#\u{0}", "sk": "APP"}).to_string());
    let cases = [
        ("status=submitted&type=a%00b".to_owned(), "type"),
        ("status=submitted&type=%ff%fe".to_owned(), "type"),
        ("status=submitted&type=Visitor%20Visa".to_owned(), "type"),
        (format!("status=submitted&type={}", "a".repeat(5000)), "type"),
        ("status=a%00b".to_owned(), "status"),
        ("status=%ff%fe".to_owned(), "status"),
        ("type=visitor-visa".to_owned(), "status"),
        (format!("status=submitted&cursor={nul_cursor}"), "cursor"),
        ("status=submitted&cursor=%00".to_owned(), "cursor"),
        ("status=submitted&colour=red".to_owned(), "colour"),
    ];

    for (query, field) in cases {
        let response = app.get(&format!("/api/officer/queue?{query}"), Some(&officer)).await;
        let (status, body) = problem(response, &query).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["errors"][0]["field"], field, "{query}");
    }
    let fine = app.get("/api/officer/queue?status=submitted&type=visitor-visa", Some(&officer)).await;
    assert_eq!(fine.status(), 200);
}

#[tokio::test]
async fn v3_a_hostile_application_number_is_a_plain_mismatch() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);

    for number in ["W12345678\u{0}", "\u{0}", "W123456789\u{0}x"] {
        let response = app
            .client
            .post(app.url("/api/applications/link"))
            .bearer_auth(&applicant)
            .json(&json!({"applicationNumber": number, "familyName": "Nguyen", "dateOfBirth": "1985-03-14"}))
            .send()
            .await
            .expect("request");
        let (status, body) = problem(response, number).await;
        assert_eq!((status, body["type"].as_str()), (404, Some("not-found")), "{number:?}");
    }
}

#[tokio::test]
async fn c2_v3_applicants_on_officer_routes_get_403_whatever_ids_or_parameters_they_send() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);

    for route in routes::all().filter(|route| route.auth == Auth::Officer) {
        let paths = match parameters(route).first() {
            Some(parameter) => vec![path_with(route, parameter, "a%00b"), path_with(route, parameter, "%ff%fe")],
            None => vec![format!("{}?status=%00&type=%ff%fe", route.path)],
        };
        for path in paths {
            let what = format!("{} {path}", route.method);
            let (status, body) = problem(call(&app, &route.method, &path, Some(&applicant)).await, &what).await;
            assert_eq!((status, body["type"].as_str()), (403, Some("forbidden")), "{what}");
        }
    }
}

/// API Gateway's event for `GET {raw_path}` by a signed-in user (the profile area's fixture,
/// pointed at another path).
fn lambda_event(raw_path: &str) -> String {
    let mut event: Value =
        serde_json::from_str(include_str!("../../../functions/profile/tests/events/get-me.json")).expect("fixture");
    event["rawPath"] = json!(raw_path);
    event["requestContext"]["http"]["path"] = json!(raw_path);
    event["routeKey"] = json!("GET /api/applications/{id}/messages");
    event["requestContext"]["routeKey"] = event["routeKey"].clone();
    event.to_string()
}

#[tokio::test]
async fn v3_s4_on_lambda_a_hostile_id_is_a_4xx_problem_with_the_api_headers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table =
        std::sync::Arc::new(portal_store::embedded::EmbeddedTable::open(&dir.path().join("t.redb")).expect("store"));
    let state = portal_messages::MessagesState::new(table, std::sync::Arc::new(portal_domain::clock::SystemClock));
    let app = portal_api::app(portal_messages::router(state).expect("router"));

    for (id, status, kind) in [("a%00b", 404, "not-found"), ("%ff%fe", 400, "invalid-fields")] {
        let event = lambda_event(&format!("/api/applications/{id}/messages"));
        let response = portal_api::lambda::handle_event(app.clone(), &event).await.expect("handled");

        assert_eq!(response["statusCode"], status, "{id}");
        let headers = &response["headers"];
        assert_eq!(headers["content-type"], "application/problem+json", "{id}");
        assert_eq!(headers["cache-control"], "no-store", "{id}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{id}");
        let body: Value = serde_json::from_str(response["body"].as_str().expect("body")).expect("json");
        assert_eq!(body["type"], kind, "{id}");
    }
}
