//! Limits on guessing (A3): a user may fail to link a paper application at most five times in
//! 24 hours; then attempts are refused until the failures age out.
//!
//! Each attempt first reserves a place atomically (an `ADD` on a per-day counter) and gives it
//! back when it succeeds, so parallel guesses cannot slip past the limit. Failures of the current
//! and the previous day count together: never more than five in any 24 hours.

use std::sync::Arc;

use serde_json::Value;

use crate::keys;
use crate::table::{Condition, StoreError, Table, Update};

/// Failures allowed in 24 hours.
pub const MAX_FAILURES: i64 = 5;
const DAY_SECONDS: u64 = 24 * 60 * 60;

/// Counts a user's link attempts.
#[derive(Clone)]
pub struct LinkAttempts {
    table: Arc<dyn Table>,
}

impl LinkAttempts {
    /// Attempts counted in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    async fn add(&self, sub: &str, day: u64, amount: i64) -> Result<i64, StoreError> {
        let item =
            self.table.update(&keys::link_attempts(sub, day), Update::default().add("count", amount), None).await?;
        Ok(item.get("count").and_then(Value::as_i64).unwrap_or_default())
    }

    /// Reserves an attempt; `false` when the user has no attempt left.
    pub async fn reserve(&self, sub: &str, now: u64) -> Result<bool, StoreError> {
        let today = now / DAY_SECONDS;
        let counted_today = self.add(sub, today, 1).await?;
        let yesterday = self.table.get(&keys::link_attempts(sub, today.saturating_sub(1))).await?;
        let counted_yesterday =
            yesterday.and_then(|item| item.get("count").and_then(Value::as_i64)).unwrap_or_default();
        if counted_today + counted_yesterday > MAX_FAILURES {
            self.release(sub, now).await?;
            return Ok(false);
        }
        Ok(true)
    }

    /// Gives back a reserved attempt (it succeeded, or was refused before it could guess).
    pub async fn release(&self, sub: &str, now: u64) -> Result<(), StoreError> {
        let key = keys::link_attempts(sub, now / DAY_SECONDS);
        self.table.update(&key, Update::default().add("count", -1), Some(Condition::Present)).await.map(drop)
    }
}
