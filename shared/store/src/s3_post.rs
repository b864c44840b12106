//! Presigned S3 POST uploads (SigV4 POST policies), which the Rust SDK does not offer.
//!
//! The browser uploads straight to S3 with the form fields returned here. The policy pins the
//! exact object key (chosen by the server), the content type and a `content-length-range` up to
//! the declared size, and expires within five minutes, so S3 itself refuses anything else (U1–U4).
//! Signing follows "Authenticating Requests: Browser-Based Uploads Using POST (AWS Signature
//! Version 4)"; the tests check it against the example AWS publishes, byte for byte.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// Longest validity of an upload form (U4).
pub const MAX_EXPIRY: Duration = Duration::from_secs(5 * 60);

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const SERVICE: &str = "s3";

/// Credentials that sign the policy (from the function's role in Lambda).
#[derive(Clone)]
pub struct SigningCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token of temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for SigningCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningCredentials").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

/// What one upload may be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadRule {
    /// The bucket.
    pub bucket: String,
    /// The object key, chosen by the server.
    pub key: String,
    /// The declared content type, which the upload must carry exactly.
    pub content_type: String,
    /// The declared size in bytes: the most the upload may hold.
    pub max_bytes: u64,
    /// How long the form stays valid (at most [`MAX_EXPIRY`]).
    pub expires_in: Duration,
}

/// The form a browser posts, file last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignedPost {
    /// Where to post (the bucket's regional virtual-hosted endpoint).
    pub url: String,
    /// Form fields, in order, before the file.
    pub fields: Vec<(String, String)>,
    /// When the form stops working (seconds since the epoch).
    pub expires_at: u64,
}

/// The times SigV4 writes: the date (`YYYYMMDD`), the request time (`YYYYMMDDTHHMMSSZ`) and the
/// ISO 8601 form the policy's expiration takes.
fn stamps(at: SystemTime) -> (String, String, String) {
    let iso = DateTime::from(at).fmt(Format::DateTime).unwrap_or_default();
    let compact: String = iso.chars().filter(|c| *c != '-' && *c != ':').collect();
    (compact[..8].to_owned(), compact, iso)
}

/// The SigV4 signature of a base64-encoded POST policy: HMAC-SHA256 with the key derived from
/// the secret, the date (`YYYYMMDD`), the region and the service, as lowercase hex.
pub fn sign_policy(secret_access_key: &str, date: &str, region: &str, encoded_policy: &str) -> String {
    let step = |key: &[u8], data: &str| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
    let date_key = step(format!("AWS4{secret_access_key}").as_bytes(), date);
    let region_key = step(date_key.as_ref(), region);
    let service_key = step(region_key.as_ref(), SERVICE);
    let signing_key = step(service_key.as_ref(), "aws4_request");
    let signature = step(signing_key.as_ref(), encoded_policy);
    signature.as_ref().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Builds and signs the upload form for one object.
pub fn presign_post(
    credentials: &SigningCredentials,
    region: &str,
    rule: &UploadRule,
    now: SystemTime,
) -> PresignedPost {
    let expires_in = rule.expires_in.min(MAX_EXPIRY);
    let (date, amz_date, _) = stamps(now);
    let (_, _, expiration) = stamps(now + expires_in);
    let credential = format!("{}/{date}/{region}/{SERVICE}/aws4_request", credentials.access_key_id);
    let mut fields = vec![
        ("key".to_owned(), rule.key.clone()),
        ("Content-Type".to_owned(), rule.content_type.clone()),
        ("x-amz-algorithm".to_owned(), ALGORITHM.to_owned()),
        ("x-amz-credential".to_owned(), credential),
        ("x-amz-date".to_owned(), amz_date),
    ];
    if let Some(token) = &credentials.session_token {
        fields.push(("x-amz-security-token".to_owned(), token.clone()));
    }
    let mut conditions: Vec<Value> = vec![json!({"bucket": rule.bucket})];
    conditions.extend(fields.iter().map(|(name, value)| json!({ name.as_str(): value })));
    conditions.push(json!(["content-length-range", 1, rule.max_bytes]));
    let policy = json!({"expiration": expiration, "conditions": conditions}).to_string();
    let encoded = STANDARD.encode(policy);
    let signature = sign_policy(&credentials.secret_access_key, &date, region, &encoded);
    fields.push(("policy".to_owned(), encoded));
    fields.push(("x-amz-signature".to_owned(), signature));
    let expires_at = (now + expires_in).duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    PresignedPost { url: format!("https://{}.s3.{region}.amazonaws.com/", rule.bucket), fields, expires_at }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example policy of AWS's "Example: Browser-Based Upload using HTTP POST (Using AWS
    /// Signature Version 4)", with the CRLF line ends the page calls for.
    fn published_example_policy() -> String {
        [
            r#"{ "expiration": "2015-12-30T12:00:00.000Z","#,
            r#"  "conditions": ["#,
            r#"    {"bucket": "sigv4examplebucket"},"#,
            r#"    ["starts-with", "$key", "user/user1/"],"#,
            r#"    {"acl": "public-read"},"#,
            r#"    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},"#,
            r#"    ["starts-with", "$Content-Type", "image/"],"#,
            r#"    {"x-amz-meta-uuid": "14365123651274"},"#,
            r#"    {"x-amz-server-side-encryption": "AES256"},"#,
            r#"    ["starts-with", "$x-amz-meta-tag", ""],"#,
            "",
            r#"    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},"#,
            r#"    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},"#,
            r#"    {"x-amz-date": "20151229T000000Z" }"#,
            "  ]",
            "}",
        ]
        .join("\r\n")
    }

    #[test]
    fn u4_the_signature_matches_the_example_aws_publishes() {
        let encoded = STANDARD.encode(published_example_policy());
        assert!(encoded.starts_with("eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0K"));
        assert!(encoded.ends_with("IgfQ0KICBdDQp9"));

        let signature = sign_policy("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20151229", "us-east-1", &encoded);

        assert_eq!(signature, "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e");
    }

    #[test]
    fn dates_are_written_as_sigv4_wants() {
        let at = UNIX_EPOCH + Duration::from_secs(1_451_347_200); // 2015-12-29T00:00:00Z
        assert_eq!(stamps(at), ("20151229".into(), "20151229T000000Z".into(), "2015-12-29T00:00:00Z".into()));
        let leap = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // 2024-02-29T12:34:56Z
        assert_eq!(stamps(leap).1, "20240229T123456Z");
    }

    fn rule(expires_in: Duration) -> UploadRule {
        UploadRule {
            bucket: "portal-documents".into(),
            key: "quarantine/APP1/DOC1".into(),
            content_type: "application/pdf".into(),
            max_bytes: 2_000_000,
            expires_in,
        }
    }

    #[test]
    fn u1_u2_u3_the_policy_pins_key_type_and_size_and_expires_within_five_minutes() {
        let credentials = SigningCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: Some("token".into()),
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);

        let post = presign_post(&credentials, "ca-central-1", &rule(Duration::from_secs(3600)), now);

        assert_eq!(post.url, "https://portal-documents.s3.ca-central-1.amazonaws.com/");
        assert_eq!(post.expires_at, 1_800_000_000 + 300, "U4: clamped to five minutes");
        let field = |name: &str| post.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).expect(name);
        let policy: Value = serde_json::from_slice(&STANDARD.decode(field("policy")).expect("base64")).expect("json");
        let conditions = policy["conditions"].as_array().expect("conditions");
        for expected in [
            json!({"bucket": "portal-documents"}),
            json!({"key": "quarantine/APP1/DOC1"}),
            json!({"Content-Type": "application/pdf"}),
            json!({"x-amz-security-token": "token"}),
            json!(["content-length-range", 1, 2_000_000]),
        ] {
            assert!(conditions.contains(&expected), "missing {expected}");
        }
        assert_eq!(policy["expiration"], "2027-01-15T08:05:00Z");
        let date = field("x-amz-date");
        assert_eq!(field("x-amz-signature"), sign_policy("secret", &date[..8], "ca-central-1", &field("policy")));
    }
}
