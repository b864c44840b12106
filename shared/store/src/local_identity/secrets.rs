//! Random values and their stored forms: one-time codes, opaque tokens, TOTP, password hashes.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::identity::IdentityError;

/// Argon2id cost parameters. The defaults are OWASP's minimum for Argon2id (19 MiB, 2 passes,
/// 1 lane); the local portal can raise them through its configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

fn unavailable(error: impl std::fmt::Display) -> IdentityError {
    IdentityError::Unavailable(error.to_string().into())
}

/// Fills a buffer from the system's CSPRNG.
fn random_bytes<const N: usize>() -> Result<[u8; N], IdentityError> {
    let mut bytes = [0u8; N];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| unavailable("random generator failed"))?;
    Ok(bytes)
}

/// A uniformly random six-digit code.
pub fn six_digit_code() -> Result<String, IdentityError> {
    // Rejection sampling keeps every code equally likely.
    let bound = u32::MAX - u32::MAX % 1_000_000;
    loop {
        let value = u32::from_be_bytes(random_bytes::<4>()?);
        if value < bound {
            return Ok(format!("{:06}", value % 1_000_000));
        }
    }
}

/// An opaque token of 256 random bits (sessions, refresh tokens).
pub fn opaque_token() -> Result<String, IdentityError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

pub use portal_domain::digest::digest;

/// Compares a submitted code with a stored digest in constant time.
pub fn matches_digest(submitted: &str, stored: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(digest(submitted).as_bytes(), stored.as_bytes()).is_ok()
}

/// Argon2id password hashing with configured costs.
#[derive(Clone)]
pub struct PasswordHashing {
    argon2: Argon2<'static>,
    /// A hash of a random password: verified against when the account does not exist, so a
    /// wrong email takes as long as a wrong password.
    decoy: String,
}

impl PasswordHashing {
    /// Hashing with these costs.
    pub fn new(cost: HashCost) -> Result<Self, IdentityError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None).map_err(unavailable)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut hashing = Self { argon2, decoy: String::new() };
        hashing.decoy = hashing.hash(&opaque_token()?)?;
        Ok(hashing)
    }

    /// The PHC string of a new password.
    pub fn hash(&self, password: &str) -> Result<String, IdentityError> {
        self.hash_in(password, &mut Memory::default())
    }

    /// Whether `password` matches the stored hash (`None`: no account, checked against the decoy).
    pub fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        self.verify_in(password, stored, &mut Memory::default())
    }

    /// `hash`, computing in `memory` (kept by the caller between computations).
    pub fn hash_in(&self, password: &str, memory: &mut Memory) -> Result<String, IdentityError> {
        let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(unavailable)?;
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(unavailable)?;
        let params = self.argon2.params().clone();
        let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
        self.argon2
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut output, memory.blocks(&params))
            .map_err(unavailable)?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(unavailable)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&output).map_err(unavailable)?),
        };
        Ok(hash.to_string())
    }

    /// `verify`, computing in `memory`, with the costs the stored hash names.
    pub fn verify_in(&self, password: &str, stored: Option<&str>, memory: &mut Memory) -> bool {
        let Ok(hash) = PasswordHash::new(stored.unwrap_or(&self.decoy)) else { return false };
        let Ok(params) = Params::try_from(&hash) else { return false };
        let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else { return false };
        if hash.algorithm != Algorithm::Argon2id.ident() {
            return false;
        }
        let mut salt_bytes = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else { return false };
        let mut output = vec![0u8; expected.len()];
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        if argon2
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut output, memory.blocks(&params))
            .is_err()
        {
            return false;
        }
        // `Output` compares in constant time.
        Output::new(&output).is_ok_and(|computed| computed == expected) && stored.is_some()
    }
}

/// Argon2's working memory (its cost, 19 MiB by default), kept by a hashing thread from one
/// computation to the next: allocating it for each computation leaves the allocator holding
/// freed copies it does not give back.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    fn blocks(&mut self, params: &Params) -> &mut [Block] {
        let count = params.block_count();
        if self.0.len() < count {
            self.0.resize(count, Block::default());
        }
        &mut self.0[..count]
    }
}

/// RFC 6238 TOTP as authenticator apps implement it: SHA-1, 6 digits, 30-second steps, and one
/// step of drift either way.
pub mod totp {
    use totp_rs::{Builder, Secret, Totp};

    use super::{IdentityError, random_bytes, unavailable};

    /// A new 160-bit shared secret, base32.
    pub fn new_secret() -> Result<String, IdentityError> {
        Ok(Secret::from(random_bytes::<20>()?.to_vec()).to_base32())
    }

    fn totp(secret: &str) -> Result<Totp, IdentityError> {
        let secret = Secret::try_from_base32(secret).map_err(unavailable)?;
        Builder::new().with_secret(secret).build().map_err(unavailable)
    }

    /// The time step a code matches at `now` (±1 step), if any.
    pub fn matching_step(secret: &str, code: &str, now: u64) -> Result<Option<u64>, IdentityError> {
        Ok(totp(secret)?.check(code, now))
    }

    /// The code for `now` (what an authenticator app shows).
    pub fn code_at(secret: &str, now: u64) -> Result<String, IdentityError> {
        Ok(totp(secret)?.generate(now).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = six_digit_code().expect("code");
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn digests_match_only_their_secret() {
        let stored = digest("482913");
        assert!(matches_digest("482913", &stored));
        assert!(!matches_digest("482914", &stored));
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hashing =
            PasswordHashing::new(HashCost { memory_kib: 1024, iterations: 1, parallelism: 1 }).expect("hashing");
        let stored = hashing.hash("a long enough passphrase").expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(hashing.verify("a long enough passphrase", Some(&stored)));
        assert!(!hashing.verify("another passphrase!", Some(&stored)));
        assert!(!hashing.verify("anything at all", None), "the decoy never matches");
    }

    #[test]
    fn hashes_are_the_argon2_crates_own_phc_strings_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let cost = HashCost { memory_kib: 1024, iterations: 1, parallelism: 1 };
        let hashing = PasswordHashing::new(cost).expect("hashing");
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None).expect("params");
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::encode_b64(b"sixteen byte slt").expect("salt");
        let theirs = reference.hash_password(b"a long enough passphrase", &salt).expect("hash").to_string();
        let mut memory = Memory::default();
        assert!(hashing.verify_in("a long enough passphrase", Some(&theirs), &mut memory));
        assert!(!hashing.verify_in("not the passphrase!!", Some(&theirs), &mut memory));
        let ours = hashing.hash_in("a long enough passphrase", &mut memory).expect("hash");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(reference.verify_password(b"a long enough passphrase", &parsed).is_ok());
    }

    #[test]
    fn the_default_cost_is_owasp_minimum() {
        assert_eq!(HashCost::default(), HashCost { memory_kib: 19_456, iterations: 2, parallelism: 1 });
    }

    #[test]
    fn totp_matches_rfc_6238_test_vectors() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", last 6 of the 8 digits.
        let secret = totp_rs::Secret::from(b"12345678901234567890".to_vec()).to_base32();
        for (time, expected) in
            [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")]
        {
            assert_eq!(totp::code_at(&secret, time).expect("code"), expected, "t={time}");
        }
    }

    #[test]
    fn totp_accepts_one_step_of_drift_and_no_more() {
        let secret = totp::new_secret().expect("secret");
        let now = 1_800_000_000;
        let code = totp::code_at(&secret, now).expect("code");
        assert_eq!(totp::matching_step(&secret, &code, now).expect("check"), Some(now / 30));
        assert_eq!(totp::matching_step(&secret, &code, now + 30).expect("check"), Some(now / 30));
        assert_eq!(totp::matching_step(&secret, &code, now + 90).expect("check"), None);
    }
}
