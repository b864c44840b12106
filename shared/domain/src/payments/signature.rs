//! Webhook signatures, Stripe's documented scheme, which the local test gateway signs with too
//! (so one code path verifies both): the `Stripe-Signature` header holds `t=<unix seconds>` and
//! one or more `v1=<hex>`, each an HMAC-SHA256, keyed by the endpoint's secret (the whole
//! string, `whsec_` included, as bytes), of `"{t}.{raw body}"`. An event is accepted when any
//! `v1` matches (several while a secret is rolled) and `t` is within the tolerance of now in
//! either direction; every other scheme (`v0`, unknown ones) is ignored, so none can downgrade it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How far from now a signature's timestamp may be, in seconds (Stripe's default).
pub const TOLERANCE_SECONDS: u64 = 300;

/// The request header that carries the signature.
pub const HEADER: &str = "Stripe-Signature";

/// Why a webhook was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is missing or not `t=…,v1=…`.
    #[error("the signature header is missing or malformed")]
    Malformed,
    /// No `v1` signature matches the body under any of the secrets.
    #[error("no signature matches the payload")]
    NoMatch,
    /// The timestamp is further than the tolerance from now (a replay, or a wrong clock).
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: u64, body: &[u8]) -> HmacSha256 {
    // Any key length is valid for HMAC.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Verifies `header` for `body` under any of `secrets` at `now` (seconds since the epoch).
/// Signatures are compared in constant time.
pub fn verify(header: Option<&str>, body: &[u8], secrets: &[&str], now: u64) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Malformed)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let (key, value) = item.trim().split_once('=').ok_or(SignatureError::Malformed)?;
        match key {
            "t" => timestamp = Some(value.parse::<u64>().map_err(|_| SignatureError::Malformed)?),
            // A v1 that is not hex cannot match; skipped, as Stripe's libraries do.
            "v1" => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let matches = secrets
        .iter()
        .any(|secret| signatures.iter().any(|signature| mac(secret, timestamp, body).verify_slice(signature).is_ok()));
    if !matches {
        return Err(SignatureError::NoMatch);
    }
    if timestamp.abs_diff(now) > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// The header value signing `body` at `timestamp` with `secret` (what the local gateway sends).
pub fn sign(body: &[u8], secret: &str, timestamp: u64) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stripe's published example (stripe-dotnet's `EventUtilityTest` and its
    /// `event_test_signature.json`, 484 bytes with its final newline): secret `webhook_secret`,
    /// timestamp 1533204620, and the header Stripe computed for them.
    const PUBLISHED_BODY: &str = r#"{
  "id": "evt_123",
  "object": "event",
  "account": "acct_123",
  "api_version": "2017-05-25",
  "created": 1533204620,
  "data": {
    "object": {
      "id": "cus_123",
      "object": "customer",
      "created": 123456789,
      "email": "test@stripe.com",
      "livemode": false,
      "metadata": {}
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {
    "id": "req_123",
    "idempotency_key": "idempotency-key-123"
  },
  "type": "customer.created"
}
"#;
    const PUBLISHED_HEADER: &str = "t=1533204620,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7,v0=63f3a72374a733066c4be69ed7f8e5ac85c22c9f0a6a612ab9a025a9e4ee7eef";
    const T: u64 = 1_533_204_620;

    #[test]
    fn p2_stripe_s_published_example_verifies_and_our_signature_is_stripe_s() {
        assert_eq!(PUBLISHED_BODY.len(), 484);
        let body = PUBLISHED_BODY.as_bytes();
        assert_eq!(verify(Some(PUBLISHED_HEADER), body, &["webhook_secret"], T + 100), Ok(()));
        assert!(PUBLISHED_HEADER.starts_with(&sign(body, "webhook_secret", T)), "{}", sign(body, "webhook_secret", T));
        assert_eq!(verify(Some(PUBLISHED_HEADER), body, &["webhook_secret"], T + 400), Err(SignatureError::Stale));
        assert_eq!(verify(Some(PUBLISHED_HEADER), body, &["webhook_secret"], T - 400), Err(SignatureError::Stale));
    }

    #[test]
    fn p2_a_tampered_body_a_wrong_secret_or_another_scheme_is_refused() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
        let header = sign(body, "whsec_test", T);
        assert_eq!(verify(Some(&header), body, &["whsec_test"], T), Ok(()));
        let tampered = br#"{"id":"evt_1","type":"checkout.session.completed "}"#;
        assert_eq!(verify(Some(&header), tampered, &["whsec_test"], T), Err(SignatureError::NoMatch));
        assert_eq!(verify(Some(&header), body, &["whsec_other"], T), Err(SignatureError::NoMatch));
        // Only v1 counts: a v0 (Stripe's test-mode decoy) alone is no signature.
        let v0 = header.replace("v1=", "v0=");
        assert_eq!(verify(Some(&v0), body, &["whsec_test"], T), Err(SignatureError::Malformed));
        // A signature over another timestamp does not move to this one.
        let moved = header.replace(&format!("t={T}"), &format!("t={}", T + 1));
        assert_eq!(verify(Some(&moved), body, &["whsec_test"], T), Err(SignatureError::NoMatch));
    }

    #[test]
    fn p2_any_of_several_signatures_and_secrets_while_a_secret_is_rolled() {
        let body = b"{}";
        let old = sign(body, "whsec_old", T);
        let new = sign(body, "whsec_new", T);
        let both = format!("{new},{}", old.split_once(',').expect("t,v1").1);
        assert_eq!(verify(Some(&both), body, &["whsec_old"], T), Ok(()));
        assert_eq!(verify(Some(&both), body, &["whsec_new"], T), Ok(()));
        assert_eq!(verify(Some(&format!("{old},v1=zz,v1=00")), body, &["whsec_new", "whsec_old"], T), Ok(()));
    }

    #[test]
    fn p2_malformed_headers_are_refused_without_a_panic() {
        for header in ["", "t", "t=", ",,", "t=,v1=", "t=abc,v1=00", "v1=00", "t=1533204620", "t=1533204620,v1"] {
            assert_eq!(verify(Some(header), b"{}", &["s"], T), Err(SignatureError::Malformed), "{header:?}");
        }
        assert_eq!(verify(None, b"{}", &["s"], T), Err(SignatureError::Malformed));
    }
}
