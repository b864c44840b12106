//! Email addresses as sign-in names: trimmed, lowercased, and plausibly deliverable.

use serde::{Deserialize, Serialize};

/// Longest address SMTP allows.
const MAX_LENGTH: usize = 254;

/// A normalized email address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why an address was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid email address")]
pub struct InvalidEmail;

impl Email {
    /// Normalizes and checks an address: one `@`, a non-empty local part, a dotted domain, no
    /// spaces or control characters, at most 254 characters.
    pub fn parse(candidate: &str) -> Result<Self, InvalidEmail> {
        let address = candidate.trim().to_lowercase();
        let (local, domain) = address.split_once('@').ok_or(InvalidEmail)?;
        let well_formed = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && address.len() <= MAX_LENGTH
            && !address.chars().any(|c| c.is_whitespace() || c.is_control());
        if well_formed { Ok(Self(address)) } else { Err(InvalidEmail) }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Marie.Tremblay@Example.CA ").map(String::from),
            Ok("marie.tremblay@example.ca".into())
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in ["", "no-at-sign", "@example.ca", "a@b", "a@.ca", "a@ca.", "a b@example.ca", "a@b@example.ca"] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad:?}");
        }
        assert_eq!(Email::parse(&format!("{}@example.ca", "a".repeat(250))), Err(InvalidEmail));
    }
}
