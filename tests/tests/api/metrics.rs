//! The local portal's figures at `GET /api/dev/metrics`: what each function's metric lines give
//! CloudWatch in AWS (requests, 5xx, latency), counted per function of each area.

use portal_tests::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn dev_metrics_count_each_functions_requests_errors_and_latency() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/health", None).await.status(), 200);
    }
    // Refused before any handler: still a request of its function, and not an error of the portal.
    assert_eq!(app.get("/api/me", None).await.status(), 401);
    // Not a route: no function to count it against.
    assert_eq!(app.get("/api/nothing-here", None).await.status(), 404);

    let figures: Vec<Value> = app.get("/api/dev/metrics", None).await.json().await.expect("json");
    let of = |function: &str| figures.iter().find(|f| f["function"] == function).cloned();
    let health = of("Health").expect("Health counted");
    assert_eq!((health["area"].as_str(), health["requests"].as_u64()), (Some("system"), Some(3)));
    assert_eq!(health["errors"].as_u64(), Some(0));
    let (p50, p99) = (health["p50Ms"].as_f64().expect("p50"), health["p99Ms"].as_f64().expect("p99"));
    assert!(p50 > 0.0 && p50 <= p99, "{health}");
    let me = of("GetMe").expect("GetMe counted");
    assert_eq!(
        (me["area"].as_str(), me["requests"].as_u64(), me["errors"].as_u64()),
        (Some("profile"), Some(1), Some(0))
    );
    assert_eq!(figures.len(), 2, "only the functions called: {figures:?}");
}
