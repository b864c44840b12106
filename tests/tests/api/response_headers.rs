//! Every API answer carries `Cache-Control: no-store`, `nosniff` and the API's CSP (S4): each
//! route of the route table, refused (401 without a token) and answered (with one), unknown
//! routes and methods, and the local-only routes.

use portal_api::headers::API_RESPONSE_HEADERS;
use portal_api::routes::{self, Auth};
use portal_tests::spawn_app;
use reqwest::Method;

use crate::hostile_input::{call, some_path, token_for};

fn assert_api_headers(response: &reqwest::Response, what: &str) {
    for (name, value) in API_RESPONSE_HEADERS {
        assert_eq!(response.headers().get(&name).map(|v| v.to_str().ok()), Some(Some(value)), "{what}: {name}");
    }
}

#[tokio::test]
async fn s4_every_api_answer_is_no_store_nosniff_with_a_csp() {
    let app = spawn_app().await;
    assert_eq!(
        API_RESPONSE_HEADERS.map(|(name, value)| (name.to_string(), value)),
        [
            ("cache-control".to_owned(), "no-store"),
            ("x-content-type-options".to_owned(), "nosniff"),
            ("content-security-policy".to_owned(), "default-src 'none'; frame-ancestors 'none'"),
        ]
    );
    let mut statuses = std::collections::BTreeSet::new();

    for route in routes::all() {
        let path = some_path(route);
        // Each route its own caller, so signing out on one route does not refuse the next.
        let token = token_for(&app, route, &format!("caller-{}", route.function));
        let what = format!("{} {path}", route.method);
        if route.auth != Auth::Public {
            let refused = call(&app, &route.method, &path, None).await;
            assert_eq!(refused.status(), 401, "{what}");
            assert_api_headers(&refused, &what);
            statuses.insert(refused.status().as_u16());
        }
        let answered = call(&app, &route.method, &path, token.as_deref()).await;
        assert!(!answered.status().is_server_error(), "{what}: {}", answered.status());
        assert_api_headers(&answered, &what);
        statuses.insert(answered.status().as_u16());
    }
    for (method, path) in [
        (Method::GET, "/api/nowhere"),
        (Method::GET, "/api"),
        (Method::DELETE, "/api/health"),
        (Method::GET, "/api/dev/outbox"),
        (Method::GET, "/api/dev/blobs/download?key=x"),
    ] {
        let response = call(&app, &method, path, None).await;
        assert_api_headers(&response, &format!("{method} {path}"));
        statuses.insert(response.status().as_u16());
    }

    for status in [200, 400, 401, 403, 404, 405] {
        assert!(statuses.contains(&status), "answers of every kind were checked: {status} missing from {statuses:?}");
    }
}
