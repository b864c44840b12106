//! The `scan` function: S3 object-created events of the documents bucket's `quarantine/` folder,
//! each upload verified by the same step the local portal and the "complete" route run
//! (`portal_domain::verification`). Redelivered events change nothing twice; a failure fails
//! the invocation, so Lambda retries it twice, then parks the event in the template's
//! dead-letter queue (with an alarm); the applicant's "complete" runs the same step meanwhile.

use aws_lambda_events::s3::S3Event;
use percent_encoding::percent_decode_str;
use portal_domain::application_documents::parse_quarantine_key;
use portal_domain::verification::{VerificationError, Verifier};

/// Object keys arrive URL-encoded, with spaces as `+`.
fn object_key(encoded: &str) -> String {
    percent_decode_str(&encoded.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// Verifies every upload the event reports; keys outside quarantine are not uploads and are
/// skipped. Stops at the first failure (the whole event is retried; verification is idempotent).
pub async fn handle(verifier: &Verifier, event: S3Event) -> Result<usize, VerificationError> {
    let mut verified = 0;
    for record in event.records {
        let Some(key) = record.s3.object.key.as_deref().map(object_key) else { continue };
        let Some((application_id, document_id)) = parse_quarantine_key(&key) else {
            tracing::warn!(key, "object outside quarantine: not an upload, skipped");
            continue;
        };
        match verifier.verify(application_id, document_id).await? {
            Some(document) => {
                tracing::info!(application_id, document_id, state = ?document.state, "upload verified");
                verified += 1;
            }
            None => tracing::warn!(application_id, document_id, "upload of an unknown document, skipped"),
        }
    }
    Ok(verified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_are_url_decoded() {
        assert_eq!(object_key("quarantine/a%2D1/d+2"), "quarantine/a-1/d 2");
        assert_eq!(object_key("quarantine/a/d"), "quarantine/a/d");
    }
}
