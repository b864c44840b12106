//! Session revocation (S2, S5): API Gateway's JWT authorizer cannot see a sign-out, so each user
//! has a record, checked on every signed-in request, saying
//!
//! - `issuedUntil`: tokens issued at or before this second are refused (sign-out, password
//!   reset, disable). The comparison includes the second itself, so a token issued in the same
//!   second as a sign-out is refused too; a sign-in finishing in that second waits for the next
//!   one before its tokens are issued (`wait_for_fresh_tokens`), so it is not caught by it.
//! - `changedAtMs`: the last change to the account (the above, and an authenticator enrolled).
//!   A sign-in waiting for its second factor that began at or before it is refused, so a
//!   challenge never outlives the account state it was issued for.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::keys;
use crate::table::{StoreError, Table, Update};

/// How far past the second the wait goes: the identity provider stamps tokens with its own
/// clock, which may run slightly behind ours.
const ISSUER_CLOCK_MARGIN_MS: u64 = 200;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Revocation {
    /// Tokens with `iat` at or before this time (seconds since the epoch) are refused.
    #[serde(default)]
    issued_until: u64,
    /// When the account last changed (milliseconds since the epoch).
    #[serde(default)]
    changed_at_ms: u64,
}

/// Reads and writes revocation records.
#[derive(Clone)]
pub struct Revocations {
    table: Arc<dyn Table>,
}

impl Revocations {
    /// Revocations kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    async fn record(&self, sub: &str) -> Result<Option<Revocation>, StoreError> {
        let record = self.table.get(&keys::revocation(sub)).await?;
        record.map(|item| item.to_record::<Revocation>()).transpose()
    }

    /// Refuses, from now on, every token of the user issued until now, and every sign-in of
    /// theirs waiting for its second factor.
    pub async fn revoke_all(&self, sub: &str, clock: &dyn Clock) -> Result<(), StoreError> {
        let now_ms = clock.now_ms();
        let update = Update::default().set("issuedUntil", now_ms / 1000).set("changedAtMs", now_ms);
        self.table.update(&keys::revocation(sub), update, None).await.map(drop)
    }

    /// Records a change to the account that ends pending sign-ins but keeps tokens (an
    /// authenticator was enrolled).
    pub async fn account_changed(&self, sub: &str, clock: &dyn Clock) -> Result<(), StoreError> {
        let update = Update::default().set("changedAtMs", clock.now_ms());
        self.table.update(&keys::revocation(sub), update, None).await.map(drop)
    }

    /// Whether a token of the user issued at `issued_at` (seconds) has been revoked.
    pub async fn is_revoked(&self, sub: &str, issued_at: u64) -> Result<bool, StoreError> {
        Ok(self.record(sub).await?.is_some_and(|record| issued_at <= record.issued_until))
    }

    /// Whether a sign-in that began at `began_at_ms` has been overtaken by a change to the account.
    pub async fn changed_since(&self, sub: &str, began_at_ms: u64) -> Result<bool, StoreError> {
        Ok(self.record(sub).await?.is_some_and(|record| record.changed_at_ms >= began_at_ms))
    }

    /// Waits, if the user's tokens were revoked in the current second, for the next second, so
    /// tokens issued from now on are not refused with those of before.
    pub async fn wait_for_fresh_tokens(&self, sub: &str, clock: &dyn Clock) -> Result<(), StoreError> {
        if let Some(record) = self.record(sub).await?
            && record.issued_until >= clock.now()
        {
            clock.wait_until_ms((record.issued_until + 1) * 1000 + ISSUER_CLOCK_MARGIN_MS).await;
        }
        Ok(())
    }
}
