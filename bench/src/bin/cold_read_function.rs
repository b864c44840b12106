//! The applications function as `functions/applications/src/main.rs` builds it, for the
//! `cold-request` bench: the one difference is whom its HTTPS client trusts, the bench's test
//! root (`BENCH_TRUSTED_ROOT`, a PEM file) instead of the Amazon roots, since the bench's
//! stand-in for DynamoDB has a certificate of its own. With `OPEN_DURING_INIT` set, it also
//! opens its connection to the store during init (a read of a key that does not exist).

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_applications::ApplicationsState;
use portal_domain::application_types::Catalog;
use portal_domain::clock::SystemClock;
use portal_domain::table::{Key, Table};
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { portal_api::routes::Area::Applications.routes() }, async || {
        let env = Environment::process();
        let config = TableConfig::from_env(&env)?;
        let roots = std::fs::read(env.required("BENCH_TRUSTED_ROOT")?)?;
        let table = Arc::new(AwsClients::load_trusting(&roots).await?.table(config.table_name));
        if env.parsed_or("OPEN_DURING_INIT", false)? {
            table.get(&Key::new("WARM#UP", "WARM#UP")).await?;
        }
        let state = ApplicationsState::new(table, Arc::new(Catalog::load()?), Arc::new(SystemClock));
        Ok(portal_applications::router(state)?)
    })
    .await
}
