//! `make run`: the whole portal on one machine, no AWS account needed.

use anyhow::{Context, Result};
use portal_api::config::Environment;
use portal_local::config::PortalConfig;

#[tokio::main]
async fn main() -> Result<()> {
    portal_api::observe::init_tracing();
    let config = PortalConfig::from_env(&Environment::process())?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {} (set PORTAL_ADDR to use another address)", config.addr))?;
    let portal = portal_local::spawn(&config, listener).await?;
    println!("Applicant portal (local mode) is running: http://{}/", portal.addr);
    println!("Data folder: {}    Stop with Ctrl-C.", config.data_dir.display());
    println!(
        "Demo officer: {} / {} (set up an authenticator app at first sign-in).",
        portal_local::DEMO_OFFICER_EMAIL,
        portal_local::DEMO_OFFICER_PASSWORD
    );
    println!("Emails and text messages are not sent: they appear below and at /api/dev/outbox.");
    shutdown_signal().await;
    println!("Stopping...");
    portal.stop().await
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(signal) => signal,
        Err(_) => return interrupt.await.unwrap_or_default(),
    };
    tokio::select! {
        _ = interrupt => {}
        _ = terminate.recv() => {}
    }
}
