//! Lambda entry point of the profile area. Clients are built once, here.

use std::sync::Arc;

use portal_api::config::{BucketConfig, Environment, TableConfig};
use portal_api::routes::Area;
use portal_domain::clock::SystemClock;
use portal_profile::ProfileState;
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::Profile.routes() }, async || {
        let env = Environment::process();
        let (config, bucket) = (TableConfig::from_env(&env)?, BucketConfig::from_env(&env)?);
        let aws = AwsClients::load().await?;
        let table = Arc::new(aws.table(config.table_name));
        // Data exports are assembled in the documents bucket and downloaded through a presigned link.
        let blobs = Arc::new(aws.blobs(bucket.bucket, bucket.region, bucket.upload_url)?);
        Ok(portal_profile::router(ProfileState::new(table, blobs, Arc::new(SystemClock)))?)
    })
    .await
}
