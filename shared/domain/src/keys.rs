//! Every key of the single table, built by pure functions so the access patterns can be read in
//! one place (and asserted without a store).
//!
//! | item              | pk             | sk          | gsi1pk | gsi1sk |
//! |-------------------|----------------|-------------|--------|--------|
//! | user profile      | `USER#{sub}`   | `PROFILE`   |        |        |
//! | token revocation  | `USER#{sub}`   | `REVOKED`   |        |        |
//!
//! Local mode only (the local identity provider and the outbox; Cognito and SES hold these in AWS):
//!
//! | item                 | pk                       | sk                |
//! |----------------------|--------------------------|-------------------|
//! | local account        | `ACCOUNT#{email}`        | `ACCOUNT`         |
//! | account email code   | `ACCOUNT#{email}`        | `CODE#{purpose}`  |
//! | account of a user id | `USER#{sub}`             | `ACCOUNT`         |
//! | sign-in in progress  | `SIGNIN#{digest}`        | `SIGNIN`          |
//! | refresh token        | `REFRESH#{digest}`       | `REFRESH`         |
//! | ended token family   | `REFRESHFAMILY#{id}`     | `FAMILY`          |
//! | outbox message       | `OUTBOX`                 | `{sentAt}#{id}`   |

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

/// A local account, by sign-in email.
pub fn local_account(email: &str) -> Key {
    Key::new(format!("ACCOUNT#{email}"), "ACCOUNT")
}

/// An email code of a local account (`confirm` or `reset`).
pub fn local_account_code(email: &str, purpose: &str) -> Key {
    Key::new(format!("ACCOUNT#{email}"), format!("CODE#{purpose}"))
}

/// Which local account a user id belongs to.
pub fn local_account_owner(sub: &str) -> Key {
    Key::new(user_partition(sub), "ACCOUNT")
}

/// A sign-in waiting for its second factor, by the digest of its session handle.
pub fn local_sign_in(session_digest: &str) -> Key {
    Key::new(format!("SIGNIN#{session_digest}"), "SIGNIN")
}

/// A refresh token, by its digest.
pub fn local_refresh_token(token_digest: &str) -> Key {
    Key::new(format!("REFRESH#{token_digest}"), "REFRESH")
}

/// The marker of an ended refresh-token family.
pub fn local_refresh_family(family: &str) -> Key {
    Key::new(format!("REFRESHFAMILY#{family}"), "FAMILY")
}

/// Partition of the local outbox.
pub const OUTBOX_PARTITION: &str = "OUTBOX";

/// One outbox message; sort keys order messages by time.
pub fn outbox_message(sent_at: u64, id: &str) -> Key {
    Key::new(OUTBOX_PARTITION, format!("{sent_at:020}#{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_key_is_stable() {
        assert_eq!(profile("abc-123"), Key::new("USER#abc-123", "PROFILE"));
    }
}
