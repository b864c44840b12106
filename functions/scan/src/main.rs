//! Lambda entry point of the `scan` function (S3 object-created events). Clients are built once.

use std::sync::Arc;
use std::time::Instant;

use aws_lambda_events::s3::S3Event;
use lambda_runtime::{LambdaEvent, service_fn};
use portal_api::config::{BucketConfig, Environment, TableConfig};
use portal_api::metrics::{Figures, MetricSink, SCAN};
use portal_domain::application_documents::Documents;
use portal_domain::clock::SystemClock;
use portal_domain::verification::Verifier;
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    portal_api::observe::init_tracing();
    let env = Environment::process();
    let (table_config, bucket) = (TableConfig::from_env(&env)?, BucketConfig::from_env(&env)?);
    let aws = AwsClients::load().await?;
    let table = Arc::new(aws.table(table_config.table_name));
    let blobs = Arc::new(aws.blobs(bucket.bucket, bucket.region, None)?);
    let verifier = Verifier::new(Documents::new(table), blobs, Arc::new(SystemClock));
    lambda_runtime::run(service_fn(async |event: LambdaEvent<S3Event>| {
        let started = Instant::now();
        let uploads = event.payload.records.len() as u64;
        let verified = portal_scan::handle(&verifier, event.payload).await;
        // A failure fails the whole event, which Lambda delivers again: all its uploads failed.
        let failed = if verified.is_err() { uploads } else { 0 };
        MetricSink::Logs.record(&Figures::invocation(SCAN, started, uploads, failed));
        Ok::<_, lambda_runtime::Error>(serde_json::json!({ "verified": verified? }))
    }))
    .await
}
