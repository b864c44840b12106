//! Lambda entry point of the documents area. Clients and the type catalog are loaded once.

use std::sync::Arc;

use aws_credential_types::provider::SharedCredentialsProvider;
use portal_api::config::{BucketConfig, Environment, TableConfig};
use portal_documents::DocumentsState;
use portal_domain::application_types::Catalog;
use portal_domain::clock::SystemClock;
use portal_store::dynamodb::DynamoTable;
use portal_store::s3::S3Blobs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(async || {
        let env = Environment::process();
        let (table_config, bucket) = (TableConfig::from_env(&env)?, BucketConfig::from_env(&env)?);
        let aws = portal_store::aws::load_sdk_config().await?;
        let table = Arc::new(DynamoTable::new(aws_sdk_dynamodb::Client::new(&aws), table_config.table_name));
        // Upload forms are signed with the function role's credentials, like the SDK's presigned GETs.
        let credentials: SharedCredentialsProvider = aws.credentials_provider().ok_or("no AWS credentials")?;
        let s3 = aws_sdk_s3::Client::new(&aws);
        let blobs = Arc::new(S3Blobs::new(s3, credentials, bucket.bucket, bucket.region, bucket.upload_url));
        let state = DocumentsState::new(table, blobs, Arc::new(Catalog::load()?), Arc::new(SystemClock));
        Ok(portal_documents::router(state)?)
    })
    .await
}
