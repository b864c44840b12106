//! `spawn_app()`: a real local portal on a random loopback port with a fresh data folder, and
//! helpers to mint tokens the way the local identity provider does.

pub mod counting;

use std::time::{SystemTime, UNIX_EPOCH};

use portal_local::RunningPortal;
use portal_local::config::PortalConfig;
use portal_store::local_identity::signing::AccessClaims;

/// Index page the test site serves at `/`.
pub const TEST_INDEX_HTML: &str = "<!doctype html><title>portal test site</title>";

/// A running portal and a client for it. Dropping it stops the server and removes its data.
pub struct TestApp {
    /// The portal.
    pub portal: RunningPortal,
    /// An HTTP client.
    pub client: reqwest::Client,
    _data: tempfile::TempDir,
}

impl TestApp {
    /// Stops the portal (releasing its store) and hands back its folder, to restart it later.
    pub async fn stop(self) -> tempfile::TempDir {
        self.portal.stop().await.expect("portal stops");
        self._data
    }

    /// Absolute URL of a path on the portal.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.portal.addr)
    }

    /// An access token for a user in the given groups, valid for 15 minutes.
    pub fn access_token(&self, sub: &str, groups: &[&str]) -> String {
        let groups = groups.iter().map(|g| (*g).to_owned()).collect();
        self.sign(&AccessClaims::new(sub, "test-session", groups, now(), 15 * 60))
    }

    /// Signs arbitrary claims with the portal's key.
    pub fn sign<C: serde::Serialize>(&self, claims: &C) -> String {
        self.portal.signer.sign(claims).expect("signing")
    }

    /// GET with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// The secret test portals verify payment events with (so tests can sign events of their own).
pub const TEST_WEBHOOK_SECRET: &str = "whsec_test_portal";

/// Configuration of a test portal: loopback port 0, no terminal echo of messages (L2: codes
/// stay out of the test output), default hashing costs.
pub fn test_config(data_dir: &std::path::Path, frontend_dir: std::path::PathBuf) -> PortalConfig {
    PortalConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: data_dir.to_path_buf(),
        frontend_dir,
        echo_messages: false,
        hash_cost: Default::default(),
        webhook_secret: Some(TEST_WEBHOOK_SECRET.to_owned()),
        appointment_cutoff_hours: 24,
        passkey_origin: "http://localhost".into(),
        site: portal_domain::site::Site::demo("http://127.0.0.1".into()),
    }
}

/// Starts a portal on 127.0.0.1:0 over a fresh data folder, serving a one-page test site.
pub async fn spawn_app() -> TestApp {
    spawn_app_in(tempfile::tempdir().expect("temp dir")).await
}

/// The data folder of a test portal inside its temporary folder.
pub fn data_dir(folder: &tempfile::TempDir) -> std::path::PathBuf {
    folder.path().join("data")
}

/// Starts a portal over an existing temporary folder (its data folder is [`data_dir`]).
pub async fn spawn_app_in(data: tempfile::TempDir) -> TestApp {
    let frontend_dir = data.path().join("site");
    std::fs::create_dir_all(&frontend_dir).expect("site dir");
    std::fs::write(frontend_dir.join("index.html"), TEST_INDEX_HTML).expect("index");
    let config = test_config(&data_dir(&data), frontend_dir);
    let listener = tokio::net::TcpListener::bind(config.addr).await.expect("bind");
    let portal = portal_local::spawn(&config, listener).await.expect("portal starts");
    TestApp { portal, client: reqwest::Client::new(), _data: data }
}

/// An API Gateway v2 (HTTP API, payload 2.0) event for `method` `path` (with its query string,
/// if any) from the caller `sub` in `groups`, its claims as the JWT authorizer renders them.
pub fn gateway_event(
    method: &str,
    path_and_query: &str,
    body: Option<&serde_json::Value>,
    sub: &str,
    groups: &[&str],
) -> String {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut claims = serde_json::json!({"sub": sub, "token_use": "access", "iat": now().to_string()});
    if !groups.is_empty() {
        claims["cognito:groups"] = format!("[{}]", groups.join(" ")).into();
    }
    serde_json::json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "authorizer": {"jwt": {"claims": claims, "scopes": null}},
            "domainName": "api.portal.example.ca",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "198.51.100.7", "userAgent": "test"},
            "requestId": "test-request",
            "routeKey": "$default",
            "stage": "$default",
            "time": "27/Nov/2026:21:00:00 +0000",
            "timeEpoch": 1795000000000u64
        },
        "body": body.map(ToString::to_string),
        "isBase64Encoded": false
    })
    .to_string()
}
