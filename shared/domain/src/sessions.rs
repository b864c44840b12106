//! Session revocation (S2): API Gateway's JWT authorizer cannot see a sign-out, so each user has
//! a "tokens issued at or before T are invalid" record, checked on every signed-in request.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::keys;
use crate::table::{Item, StoreError, Table};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Revocation {
    /// Tokens with `iat` at or before this time (seconds since the epoch) are refused.
    issued_until: u64,
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

    /// Refuses, from now on, every token of the user issued at or before `now`.
    pub async fn revoke_all(&self, sub: &str, now: u64) -> Result<(), StoreError> {
        let item = Item::from_record(&keys::revocation(sub), &Revocation { issued_until: now })?;
        self.table.put(item, None).await
    }

    /// The time until which the user's tokens are refused, if they ever signed out everywhere.
    pub async fn revoked_until(&self, sub: &str) -> Result<Option<u64>, StoreError> {
        let record = self.table.get(&keys::revocation(sub)).await?;
        record.map(|item| item.to_record::<Revocation>().map(|r| r.issued_until)).transpose()
    }

    /// Whether a token of the user issued at `issued_at` has been revoked.
    pub async fn is_revoked(&self, sub: &str, issued_at: u64) -> Result<bool, StoreError> {
        Ok(self.revoked_until(sub).await?.is_some_and(|until| issued_at <= until))
    }
}
