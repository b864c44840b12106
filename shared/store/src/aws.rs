//! AWS SDK configuration shared by every Lambda function, built once in `main`.
//!
//! Region and credentials come from the environment Lambda sets (`aws_config` defaults). The
//! HTTPS client trusts only the Amazon Trust Services roots (Amazon Root CA 1–4 and the
//! Starfield Services G2 root that cross-signs them), which issue every AWS service endpoint's
//! certificate. That narrows who can impersonate an AWS endpoint to the CA that AWS runs, and it
//! is also the largest init-time saving: the SDK's default client parses the whole system bundle
//! (~150 roots, ~2.4 ms) during client construction.
//!
//! Functions take their adapters from [`AwsClients`], which builds each one's SDK client from
//! that one configuration. Nothing here touches the network: clients connect on first use.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::HttpClientError;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};

/// The Amazon Trust Services root certificates (public trust anchors, PEM).
pub const AMAZON_TRUST_SERVICES_ROOTS: &str = include_str!("amazon-trust-services-roots.pem");

/// SDK configuration for the functions: environment region and credentials, and an HTTPS
/// client (rustls on aws-lc) trusting only the Amazon Trust Services roots.
pub async fn load_sdk_config() -> Result<SdkConfig, HttpClientError> {
    load_sdk_config_trusting(AMAZON_TRUST_SERVICES_ROOTS.as_bytes()).await
}

/// The same configuration with other trust anchors (`roots`, PEM) in place of the Amazon ones:
/// for benchmarks against a local stand-in with a certificate of its own, never for a function.
pub async fn load_sdk_config_trusting(roots: &[u8]) -> Result<SdkConfig, HttpClientError> {
    let trust = TrustStore::empty().with_native_roots(false).with_pem_certificate(roots);
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .tls_context(TlsContext::builder().with_trust_store(trust).build()?)
        .build_https();
    Ok(aws_config::defaults(BehaviorVersion::latest()).http_client(http_client).load().await)
}

/// The AWS adapters of a function, each built on demand from one SDK configuration.
#[derive(Clone, Debug)]
pub struct AwsClients {
    config: SdkConfig,
}

/// The environment gave no credentials to sign with (Lambda always sets them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoCredentials;

impl std::fmt::Display for NoCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no AWS credentials in the environment")
    }
}

impl std::error::Error for NoCredentials {}

impl AwsClients {
    /// The configuration of [`load_sdk_config`].
    pub async fn load() -> Result<Self, HttpClientError> {
        Ok(Self { config: load_sdk_config().await? })
    }

    /// The configuration of [`load_sdk_config_trusting`] (benchmarks only).
    pub async fn load_trusting(roots: &[u8]) -> Result<Self, HttpClientError> {
        Ok(Self { config: load_sdk_config_trusting(roots).await? })
    }

    /// The DynamoDB table `table_name`.
    #[cfg(feature = "dynamodb")]
    pub fn table(&self, table_name: impl Into<String>) -> crate::dynamodb::DynamoTable {
        crate::dynamodb::DynamoTable::new(aws_sdk_dynamodb::Client::new(&self.config), table_name)
    }

    /// The documents bucket, its upload forms signed with the function role's credentials (like
    /// the SDK's presigned GETs); `upload_url` is where browsers post when not the bucket itself.
    #[cfg(feature = "s3")]
    pub fn blobs(
        &self,
        bucket: impl Into<String>,
        region: impl Into<String>,
        upload_url: Option<String>,
    ) -> Result<crate::s3::S3Blobs, NoCredentials> {
        let credentials = self.config.credentials_provider().ok_or(NoCredentials)?;
        let client = aws_sdk_s3::Client::new(&self.config);
        Ok(crate::s3::S3Blobs::new(client, credentials, bucket, region, upload_url))
    }

    /// The Cognito user pool and app client of `config`.
    #[cfg(feature = "cognito")]
    pub fn identity(&self, config: crate::cognito::CognitoConfig) -> crate::cognito::CognitoIdentity {
        crate::cognito::CognitoIdentity::new(aws_sdk_cognitoidentityprovider::Client::new(&self.config), config)
    }

    /// The notify function's dead-letter queue at `queue_url`, and the table's stream.
    #[cfg(feature = "dead-letters")]
    pub fn dead_letters(&self, queue_url: impl Into<String>) -> crate::dead_letters::DeadLetterQueue {
        let sqs = aws_sdk_sqs::Client::new(&self.config);
        crate::dead_letters::DeadLetterQueue::new(sqs, aws_sdk_dynamodbstreams::Client::new(&self.config), queue_url)
    }

    /// Email through SES from `sender`, text messages through SNS.
    #[cfg(feature = "notify")]
    pub fn notifier(&self, sender: impl Into<String>) -> crate::ses_sns::AwsNotifier {
        let ses = aws_sdk_sesv2::Client::new(&self.config);
        crate::ses_sns::AwsNotifier::new(ses, aws_sdk_sns::Client::new(&self.config), sender)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sdk_config_builds_without_the_system_roots() {
        let config = load_sdk_config().await.expect("the bundled roots parse");
        assert!(config.http_client().is_some());
    }

    #[test]
    fn the_bundle_holds_the_five_amazon_trust_services_roots() {
        assert_eq!(AMAZON_TRUST_SERVICES_ROOTS.matches("-----BEGIN CERTIFICATE-----").count(), 5);
        assert_eq!(AMAZON_TRUST_SERVICES_ROOTS.matches("-----END CERTIFICATE-----").count(), 5);
    }
}
