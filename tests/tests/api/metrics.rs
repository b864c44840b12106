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
    // Remind's run at start aside (the next test), only the functions called are there.
    let called: Vec<&Value> = figures.iter().filter(|f| f["function"] != "Remind").collect();
    assert_eq!(called.len(), 2, "only the functions called: {figures:?}");
}

/// What notify, scan and remind are counted as: a stream record each, an uploaded object each,
/// a run each (their metric lines in AWS, `portal_api::metrics::Figures`).
#[tokio::test]
async fn dev_metrics_count_what_the_functions_without_a_route_handle() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    crate::officer::submitted_application(&app, &applicant).await;

    // The notifier and the reminders' timer (which runs once at start) run beside the server:
    // a batch or a run is counted once it is done.
    let mut figures: Vec<Value> = Vec::new();
    for _ in 0..200 {
        figures = app.get("/api/dev/metrics", None).await.json().await.expect("json");
        if ["Notify", "Remind"].iter().all(|function| figures.iter().any(|f| f["function"] == *function)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let of = |function: &str| figures.iter().find(|f| f["function"] == function).cloned();
    let scan = of("Scan").expect("Scan counted");
    // The visitor visa's three required documents, each verified once after its upload.
    assert_eq!(
        (scan["area"].as_str(), scan["requests"].as_u64(), scan["errors"].as_u64()),
        (Some("scan"), Some(3), Some(0))
    );
    let notify = of("Notify").expect("Notify counted");
    assert_eq!(notify["area"], "notify");
    assert!(notify["requests"].as_u64().expect("requests") >= 1, "the submission's event: {notify}");
    assert_eq!(notify["errors"].as_u64(), Some(0), "{notify}");
    let remind = of("Remind").expect("Remind counted");
    assert_eq!((remind["area"].as_str(), remind["errors"].as_u64()), (Some("remind"), Some(0)));
    assert!(remind["requests"].as_u64().expect("requests") >= 1, "{remind}");
}
