//! AWS SDK configuration shared by every Lambda function, built once in `main`.
//!
//! Region and credentials come from the environment Lambda sets (`aws_config` defaults). The
//! HTTPS client trusts only the Amazon Trust Services roots (Amazon Root CA 1–4 and the
//! Starfield Services G2 root that cross-signs them), which issue every AWS service endpoint's
//! certificate. That narrows who can impersonate an AWS endpoint to the CA that AWS runs, and it
//! is also the largest init-time saving: the SDK's default client parses the whole system bundle
//! (~150 roots, ~2.4 ms) during client construction.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::HttpClientError;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};

/// The Amazon Trust Services root certificates (public trust anchors, PEM).
pub const AMAZON_TRUST_SERVICES_ROOTS: &str = include_str!("amazon-trust-services-roots.pem");

/// SDK configuration for the functions: environment region and credentials, and an HTTPS
/// client (rustls on aws-lc) trusting only the Amazon Trust Services roots.
pub async fn load_sdk_config() -> Result<SdkConfig, HttpClientError> {
    let trust =
        TrustStore::empty().with_native_roots(false).with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS.as_bytes());
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .tls_context(TlsContext::builder().with_trust_store(trust).build()?)
        .build_https();
    Ok(aws_config::defaults(BehaviorVersion::latest()).http_client(http_client).load().await)
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
