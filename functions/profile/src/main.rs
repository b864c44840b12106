//! Lambda entry point of the profile area. Clients are built once, here.

use std::sync::Arc;

use aws_credential_types::provider::SharedCredentialsProvider;
use portal_api::config::{BucketConfig, Environment, TableConfig};
use portal_domain::clock::SystemClock;
use portal_profile::ProfileState;
use portal_store::dynamodb::DynamoTable;
use portal_store::s3::S3Blobs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(async || {
        let env = Environment::process();
        let (config, bucket) = (TableConfig::from_env(&env)?, BucketConfig::from_env(&env)?);
        let aws = portal_store::aws::load_sdk_config().await?;
        let table = DynamoTable::new(aws_sdk_dynamodb::Client::new(&aws), config.table_name);
        // Data exports are assembled in the documents bucket and downloaded through a presigned link.
        let credentials: SharedCredentialsProvider = aws.credentials_provider().ok_or("no AWS credentials")?;
        let s3 = aws_sdk_s3::Client::new(&aws);
        let blobs = Arc::new(S3Blobs::new(s3, credentials, bucket.bucket, bucket.region, bucket.upload_url));
        Ok(portal_profile::router(ProfileState::new(Arc::new(table), blobs, Arc::new(SystemClock)))?)
    })
    .await
}
