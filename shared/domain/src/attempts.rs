//! Limits on guessing a paper application's details (A3): a user may fail to link one at most
//! five times in 24 hours; then attempts are refused until the failures age out.

use std::sync::Arc;

use crate::limits::{Limit, LimitReached, Limits, Reservation};
use crate::table::{StoreError, Table};

/// Failed links allowed in any 24 hours.
pub const LINK_FAILURES: Limit = Limit { name: "link", max: 5, window_seconds: 24 * 60 * 60 };

/// Counts a user's link attempts.
#[derive(Clone)]
pub struct LinkAttempts {
    limits: Limits,
}

impl LinkAttempts {
    /// Attempts counted in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { limits: Limits::new(table) }
    }

    /// Reserves an attempt before the guess is evaluated.
    pub async fn reserve(&self, sub: &str, now: u64) -> Result<Result<Reservation, LimitReached>, StoreError> {
        self.limits.reserve(LINK_FAILURES, sub, now).await
    }

    /// Gives back a reserved attempt: it succeeded, so it is not a failure.
    pub async fn release(&self, reservation: Reservation) -> Result<(), StoreError> {
        self.limits.release(reservation).await
    }
}
