//! Every key of the single table, built by pure functions so the access patterns can be read in
//! one place (and asserted without a store).
//!
//! | item              | pk             | sk          | gsi1pk | gsi1sk |
//! |-------------------|----------------|-------------|--------|--------|
//! | user profile      | `USER#{sub}`   | `PROFILE`   |        |        |
//! | token revocation  | `USER#{sub}`   | `REVOKED`   |        |        |

use crate::table::Key;

/// Partition of everything that belongs to one user account.
pub fn user_partition(sub: &str) -> String {
    format!("USER#{sub}")
}

/// The user's profile item.
pub fn profile(sub: &str) -> Key {
    Key::new(user_partition(sub), "PROFILE")
}

/// The user's "tokens issued until T are refused" record.
pub fn revocation(sub: &str) -> Key {
    Key::new(user_partition(sub), "REVOKED")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_key_is_stable() {
        assert_eq!(profile("abc-123"), Key::new("USER#abc-123", "PROFILE"));
    }
}
