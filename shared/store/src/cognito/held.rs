//! The tokens of a sign-in that has no second factor yet, held by the portal until one is
//! enrolled (A1).
//!
//! The user pool's MFA is optional (so that an authenticator can be removed, which Cognito
//! refuses in a pool that requires MFA): a password sign-in of an account with no second factor
//! ends in tokens at once. They must not reach the browser before an authenticator is verified,
//! yet the enrolment needs them (`AssociateSoftwareToken` and `VerifySoftwareToken` take the
//! user's access token). So the enrolment's session is those tokens sealed with AES-256-GCM under
//! a key derived from the app client's secret (HKDF-SHA256): the browser carries it between the
//! steps and can neither read nor alter it, and it opens only for a few minutes, as a Cognito
//! challenge session would (the portal's own record of the sign-in also ends it sooner, and once
//! used).

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::identity::{IdentityError, Tokens};

/// How long a held sign-in can be enrolled (Cognito's challenge sessions last as long).
const HELD_SECONDS: u64 = 3 * 60;

/// What marks a session as a held sign-in (a Cognito challenge's session is two base64url parts).
const PREFIX: &str = "held.";

/// Binds the key and every sealed session to this one use.
const PURPOSE: &[u8] = b"portal: a sign-in held until its first authenticator is enrolled";

/// A sign-in waiting for its first authenticator, as sealed into its session.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct HeldSignIn {
    /// The address signed in with (to name the authenticator and set the user's MFA preference).
    pub email: String,
    pub tokens: Tokens,
    /// Seconds since the epoch after which the session no longer opens.
    until: u64,
}

impl HeldSignIn {
    pub fn new(email: &str, tokens: Tokens, now: u64) -> Self {
        Self { email: email.to_owned(), tokens, until: now + HELD_SECONDS }
    }
}

/// Seals and opens held sign-ins.
pub(super) struct Seal {
    key: RandomizedNonceKey,
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal(..)")
    }
}

impl Seal {
    /// The seal of an app client, from its secret (every function of the client derives the same
    /// key; rotating the secret only ends the enrolments under way).
    pub fn new(client_secret: &str) -> Self {
        let mut key = [0u8; 32];
        Salt::new(HKDF_SHA256, PURPOSE)
            .extract(client_secret.as_bytes())
            .expand(&[PURPOSE], &AES_256_GCM)
            .and_then(|okm| okm.fill(&mut key))
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self { key: RandomizedNonceKey::new(&AES_256_GCM, &key).expect("a 32-byte key is an AES-256 key") }
    }

    /// The session that carries `held` (a fresh random nonce each time).
    pub fn seal(&self, held: &HeldSignIn) -> Result<String, IdentityError> {
        let mut sealed = serde_json::to_vec(held).map_err(|e| IdentityError::Unavailable(Box::new(e)))?;
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(PURPOSE), &mut sealed)
            .map_err(|_| IdentityError::Unavailable("sealing a held sign-in failed".into()))?;
        let mut bytes = nonce.as_ref().to_vec();
        bytes.append(&mut sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The held sign-in of `session`, unless it was altered, sealed for another client or is
    /// older than a few minutes at `now`: then the session has expired.
    pub fn open(&self, session: &str, now: u64) -> Result<HeldSignIn, IdentityError> {
        let expired = || IdentityError::SessionExpired;
        let encoded = session.strip_prefix(PREFIX).ok_or_else(expired)?;
        let mut bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| expired())?;
        if bytes.len() < NONCE_LEN {
            return Err(expired());
        }
        let mut sealed = bytes.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&bytes).map_err(|_| expired())?;
        let plain = self.key.open_in_place(nonce, Aad::from(PURPOSE), &mut sealed).map_err(|_| expired())?;
        let held: HeldSignIn = serde_json::from_slice(plain).map_err(|_| expired())?;
        if held.until <= now {
            return Err(expired());
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens {
            access_token: "access-secret".into(),
            id_token: "id-secret".into(),
            refresh_token: "refresh-secret".into(),
            expires_in: 900,
            sub: "user-1".into(),
            session: "s-1".into(),
        }
    }

    #[test]
    fn a1_a_held_session_opens_to_its_tokens_and_shows_none_of_them() {
        let seal = Seal::new("client secret");
        let session = seal.seal(&HeldSignIn::new("ana@example.ca", tokens(), 1_000)).expect("sealed");

        let bytes = URL_SAFE_NO_PAD.decode(session.strip_prefix(PREFIX).expect("prefix")).expect("base64url");
        for secret in ["access-secret", "id-secret", "refresh-secret"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} in the clear");
        }
        let held = seal.open(&session, 1_000 + HELD_SECONDS - 1).expect("opens");
        assert_eq!(held.email, "ana@example.ca");
        assert_eq!(held.tokens.refresh_token, "refresh-secret");
    }

    #[test]
    fn an_altered_late_or_foreign_held_session_has_expired() {
        let seal = Seal::new("client secret");
        let session = seal.seal(&HeldSignIn::new("ana@example.ca", tokens(), 1_000)).expect("sealed");
        let expired = |result: Result<HeldSignIn, IdentityError>| matches!(result, Err(IdentityError::SessionExpired));

        assert!(expired(seal.open(&session, 1_000 + HELD_SECONDS)), "too late");
        assert!(expired(Seal::new("another client's secret").open(&session, 1_000)), "another key");
        let mut altered = session.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(expired(seal.open(&String::from_utf8(altered).expect("ascii"), 1_000)), "altered");
        for garbage in ["held.", "held.!!!", "held.AAAA", "dXNlcg.c2Vzc2lvbg"] {
            assert!(expired(seal.open(garbage, 1_000)), "{garbage}");
        }
    }

    #[test]
    fn two_seals_of_one_sign_in_differ() {
        let seal = Seal::new("client secret");
        let held = HeldSignIn::new("ana@example.ca", tokens(), 1_000);
        assert_ne!(seal.seal(&held).expect("sealed"), seal.seal(&held).expect("sealed"));
    }
}
