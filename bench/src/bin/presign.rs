//! Upload presigning throughput on one core (budget: ≥ 10,000 signatures per second): our SigV4
//! POST-policy signer (what uploads use: the SDK has no presigned POST) against the SDK's own
//! presigned PUT of the same object, and the local store's HMAC-signed form. No network.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use aws_credential_types::Credentials;
use aws_sdk_s3::config::{BehaviorVersion, Region};
use aws_sdk_s3::presigning::PresigningConfig;
use portal_domain::blobs::{Blobs, UploadRequest};
use portal_domain::clock::SystemClock;
use portal_store::local_blobs::LocalBlobs;
use portal_store::s3_post::{MAX_EXPIRY, SigningCredentials, UploadRule, presign_post};

const SAMPLES: u32 = 20_000;

fn report(name: &str, elapsed: Duration) {
    let per_second = f64::from(SAMPLES) / elapsed.as_secs_f64();
    let micros = elapsed.as_secs_f64() * 1e6 / f64::from(SAMPLES);
    println!("{name}: {per_second:.0} signatures/s ({micros:.1} µs each) over {SAMPLES}");
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let credentials = SigningCredentials {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        session_token: Some("session-token-of-the-function-role".into()),
    };
    let rule = |n: u32| UploadRule {
        bucket: "portal-documents".into(),
        key: format!("quarantine/3f1c0c1e-app/{n:08}-document"),
        content_type: "application/pdf".into(),
        max_bytes: 4_200_000,
        expires_in: MAX_EXPIRY,
    };

    let started = Instant::now();
    for n in 0..SAMPLES {
        std::hint::black_box(presign_post(&credentials, "ca-central-1", &rule(n), SystemTime::now()));
    }
    report("SigV4 POST policy (ours)", started.elapsed());

    let sdk_credentials = Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        credentials.session_token.clone(),
        None,
        "bench",
    );
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("ca-central-1"))
        .credentials_provider(sdk_credentials)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let started = Instant::now();
    for n in 0..SAMPLES {
        let rule = rule(n);
        let request = client
            .put_object()
            .bucket(rule.bucket)
            .key(rule.key)
            .content_type(rule.content_type)
            .content_length(4_200_000);
        std::hint::black_box(request.presigned(PresigningConfig::expires_in(MAX_EXPIRY)?).await?);
    }
    report("SDK presigned PUT", started.elapsed());

    let data = tempfile::tempdir()?;
    let local = LocalBlobs::open(data.path(), std::sync::Arc::new(SystemClock))?;
    let started = Instant::now();
    for n in 0..SAMPLES {
        let request = UploadRequest { key: rule(n).key, content_type: "application/pdf".into(), max_bytes: 4_200_000 };
        std::hint::black_box(local.presign_upload(&request).await?);
    }
    report("local store HMAC form", started.elapsed());
    Ok(())
}
