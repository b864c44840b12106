//! Lambda entry point of the documents area. Clients and the type catalog are loaded once.

use std::sync::Arc;

use portal_api::config::{BucketConfig, Environment, TableConfig};
use portal_api::routes::Area;
use portal_documents::DocumentsState;
use portal_domain::application_types::Catalog;
use portal_domain::clock::SystemClock;
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::Documents.routes() }, async || {
        let env = Environment::process();
        let (table_config, bucket) = (TableConfig::from_env(&env)?, BucketConfig::from_env(&env)?);
        let aws = AwsClients::load().await?;
        let table = Arc::new(aws.table(table_config.table_name));
        let blobs = Arc::new(aws.blobs(bucket.bucket, bucket.region, bucket.upload_url)?);
        let state = DocumentsState::new(table, blobs, Arc::new(Catalog::load()?), Arc::new(SystemClock));
        Ok(portal_documents::router(state)?)
    })
    .await
}
