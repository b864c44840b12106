//! The local identity provider's signing key: an RSA-2048 key generated on first start and kept
//! in the data folder (mode 0600), published as a JWKS like Cognito's. Tokens it signs are shaped
//! like Cognito access tokens, so the authorizer and the handlers cannot tell the difference.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use anyhow::{Context, Result};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;
use serde_json::{Value, json};

/// `iss` of every local token (Cognito's is the user pool URL).
pub const ISSUER: &str = "urn:portal:local-identity";
/// The app client id local tokens are issued to (Cognito's `client_id` claim).
pub const CLIENT_ID: &str = "portal-local";

const KEY_FILE: &str = "jwt-signing-key.pk8";

/// The private key and its public half.
#[derive(Clone)]
pub struct Signer {
    kid: String,
    encoding: EncodingKey,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl Signer {
    /// Loads the key from the data folder, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(KEY_FILE);
        let pkcs8 = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let generated =
                    KeyPair::generate(KeySize::Rsa2048).map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
                let der = generated.as_der().map_err(|_| anyhow::anyhow!("RSA key encoding failed"))?;
                let mut file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .with_context(|| format!("creating {}", path.display()))?;
                file.write_all(der.as_ref())?;
                file.sync_all()?;
                der.as_ref().to_vec()
            }
            Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
        };
        Self::from_pkcs8(&pkcs8)
    }

    fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let pair = KeyPair::from_pkcs8(pkcs8).map_err(|e| anyhow::anyhow!("signing key rejected: {e}"))?;
        let public = pair.public_key();
        let modulus = public.modulus().big_endian_without_leading_zero().to_vec();
        let exponent = public.exponent().big_endian_without_leading_zero().to_vec();
        let fingerprint = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &modulus);
        let kid = URL_SAFE_NO_PAD.encode(&fingerprint.as_ref()[..16]);
        let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", pkcs8.to_vec()));
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).context("loading the signing key")?;
        Ok(Self { kid, encoding, modulus, exponent })
    }

    /// The key id (`kid`) in token headers and the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key set, as Cognito publishes it at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.modulus),
            "e": URL_SAFE_NO_PAD.encode(&self.exponent),
        }]})
    }

    /// The key that verifies this signer's tokens.
    pub fn decoding_key(&self) -> Result<DecodingKey> {
        let n = URL_SAFE_NO_PAD.encode(&self.modulus);
        let e = URL_SAFE_NO_PAD.encode(&self.exponent);
        DecodingKey::from_rsa_components(&n, &e).context("building the verification key")
    }

    /// Signs a set of claims as an RS256 JWT with this key's `kid`.
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).context("signing a token")
    }
}

/// The claims of a Cognito-shaped access token.
#[derive(Clone, Debug, Serialize)]
pub struct AccessClaims {
    /// The user's id.
    pub sub: String,
    /// The user's groups.
    #[serde(rename = "cognito:groups", skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Always `access`.
    pub token_use: &'static str,
    /// The app client.
    pub client_id: &'static str,
    /// The issuer.
    pub iss: &'static str,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Unique token id.
    pub jti: String,
    /// The session: the same for every token refreshed from one sign-in, as Cognito's.
    pub origin_jti: String,
}

impl AccessClaims {
    /// Access-token claims for a user's `session`, valid for `lifetime_seconds` from `now`.
    pub fn new(sub: &str, session: &str, groups: Vec<String>, now: u64, lifetime_seconds: u64) -> Self {
        Self {
            sub: sub.to_owned(),
            groups,
            token_use: "access",
            client_id: CLIENT_ID,
            iss: ISSUER,
            exp: now + lifetime_seconds,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            origin_jti: session.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_and_reloaded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = Signer::load_or_create(dir.path()).expect("create");
        let second = Signer::load_or_create(dir.path()).expect("reload");
        assert_eq!(first.kid(), second.kid());
        assert_eq!(first.jwks(), second.jwks());
        let mode = std::fs::metadata(dir.path().join(KEY_FILE)).expect("key file").permissions();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
    }
}
