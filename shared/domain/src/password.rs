//! Password rules (ASVS 6.2): at least 12 characters, passphrases up to 128, no composition
//! rules, and none of the commonly used passwords.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// Most characters a password may have (long passphrases welcome).
pub const MAX_CHARS: usize = 128;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Why a password was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error("the password is shorter than {MIN_CHARS} characters")]
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    #[error("the password is longer than {MAX_CHARS} characters")]
    TooLong,
    /// On the list of common passwords.
    #[error("the password is too common")]
    Common,
}

/// A password that meets the rules. Never logged or serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// Checks a new password against the rules.
    pub fn parse(candidate: &str) -> Result<Self, PasswordError> {
        let chars = candidate.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if COMMON.contains(candidate.to_lowercase().as_str()) {
            return Err(PasswordError::Common);
        }
        Ok(Self(candidate.to_owned()))
    }

    /// The password itself, for hashing or handing to the identity provider.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a2_twelve_characters_is_the_minimum() {
        assert_eq!(Password::parse("elevenchars"), Err(PasswordError::TooShort));
        assert!(Password::parse("twelve chars").is_ok());
    }

    #[test]
    fn a2_long_passphrases_are_accepted() {
        let passphrase = "correct horse battery staple, but on a long Canadian winter evening";
        assert!(passphrase.chars().count() >= 64);
        assert!(Password::parse(passphrase).is_ok());
        assert_eq!(Password::parse(&"x".repeat(129)), Err(PasswordError::TooLong));
    }

    #[test]
    fn a2_common_passwords_are_refused_whatever_their_case() {
        assert_eq!(Password::parse("Password1234"), Err(PasswordError::Common));
        assert_eq!(Password::parse("QWERTYUIOP123"), Err(PasswordError::Common));
    }

    #[test]
    fn a2_no_composition_rules() {
        assert!(Password::parse("all lowercase words here").is_ok());
        assert!(Password::parse("958271630482").is_ok());
    }

    #[test]
    fn characters_not_bytes_are_counted() {
        assert!(Password::parse("éééééééééééé").is_ok(), "12 characters, 24 bytes");
        assert_eq!(Password::parse("ééééééééééé"), Err(PasswordError::TooShort));
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let password = Password::parse("a secret passphrase").expect("valid");
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
    }
}
