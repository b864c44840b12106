//! In-process handler latency of `GET /api/me` with the store stubbed: API Gateway v2 event JSON
//! through `lambda_http`'s adapter, the area router and back, as each Lambda invocation runs.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use async_trait::async_trait;
use portal_domain::clock::SystemClock;
use portal_domain::table::{Condition, Item, Key, Page, Query, StoreError, Table, Update, WriteOp};
use portal_profile::ProfileState;
use serde_json::json;

/// A table holding one profile (and no revocation record), in memory, answering at once.
struct StubTable {
    profile: Item,
}

#[async_trait]
impl Table for StubTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        Ok((*key == self.profile.key()).then(|| self.profile.clone()))
    }
    async fn put(&self, _item: Item, _condition: Option<Condition>) -> Result<(), StoreError> {
        Err(StoreError::InvalidRequest("read-only stub".into()))
    }
    async fn update(&self, _key: &Key, _update: Update, _condition: Option<Condition>) -> Result<Item, StoreError> {
        Err(StoreError::InvalidRequest("read-only stub".into()))
    }
    async fn delete(&self, _key: &Key, _condition: Option<Condition>) -> Result<(), StoreError> {
        Err(StoreError::InvalidRequest("read-only stub".into()))
    }
    async fn query(&self, _query: Query) -> Result<Page, StoreError> {
        Ok(Page { items: Vec::new(), next: None })
    }
    async fn transact_write(&self, _ops: Vec<WriteOp>) -> Result<(), StoreError> {
        Err(StoreError::InvalidRequest("read-only stub".into()))
    }
}

const EVENT: &str = include_str!("../../../functions/profile/tests/events/get-me.json");
const WARMUP: usize = 1_000;
const SAMPLES: usize = 20_000;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let profile = json!({"email": "a@example.ca", "givenName": "A", "familyName": "B", "preferredLanguage": "en"});
    let sub = "7c1e9a52-0d4b-4f55-9b1f-3f0a6d2e8b11"; // the event's caller
    let item = Item::from_record(&portal_domain::keys::profile(sub), &profile)?;
    // The measured route reads no file; exports would go to a throwaway folder.
    let files = tempfile::tempdir()?;
    let blobs = Arc::new(portal_store::local_blobs::LocalBlobs::open(files.path(), Arc::new(SystemClock))?);
    let router =
        portal_profile::router(ProfileState::new(Arc::new(StubTable { profile: item }), blobs, Arc::new(SystemClock)))?;
    let app = portal_api::app(router);

    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..WARMUP + SAMPLES {
        let started = Instant::now();
        let response = portal_api::lambda::handle_event(app.clone(), EVENT).await.map_err(|e| anyhow::anyhow!(e))?;
        let elapsed = started.elapsed();
        if response["statusCode"] != 200 {
            anyhow::bail!("unexpected response {response}");
        }
        if i >= WARMUP {
            samples.push(elapsed.as_secs_f64() * 1e6);
        }
    }
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize];
    println!(
        "GET /api/me in-process (event JSON -> lambda_http -> router -> response event), store stubbed: \
         p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs over {SAMPLES} calls (budget p99 <= 1000 µs)",
        at(0.5),
        at(0.99),
        samples[samples.len() - 1]
    );
    Ok(())
}
