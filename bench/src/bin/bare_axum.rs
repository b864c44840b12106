//! The request-path bench's baseline: a bare axum server answering a small JSON, built like the
//! portal (release, the same axum, tokio and serde_json), so the portal's figures read beside
//! what the framework alone costs on this machine.

use anyhow::Result;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    // The bench takes the address from the first `http://` word of the first line, as the portal's.
    println!("listening on http://{}", listener.local_addr()?);
    let app = Router::new().route("/hello", get(|| async { Json(json!({"status": "ok", "service": "bare"})) }));
    axum::serve(listener, app).await?;
    Ok(())
}
