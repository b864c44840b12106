//! The `Clock` port: what time it is, in whole seconds since the Unix epoch (the unit of JWT
//! claims and expiry attributes).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time.
#[async_trait::async_trait]
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;

    /// Milliseconds since the Unix epoch (orders events within one second).
    fn now_ms(&self) -> u64 {
        self.now() * 1000
    }

    /// Waits until the clock reads `ms` (milliseconds since the epoch) or later.
    async fn wait_until_ms(&self, ms: u64);
}

/// The calendar date (UTC, `YYYY-MM-DD`) of an instant in seconds since the epoch: dates so
/// written compare as text in calendar order.
pub fn utc_date(seconds: u64) -> String {
    let (year, month, day) = civil_date(seconds);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The UTC calendar date (year, month 1–12, day 1–31) of `seconds` since the epoch, after
/// Howard Hinnant's `civil_from_days` (this and the receipts' dates are all the portal needs of
/// a date library).
pub fn civil_date(seconds: u64) -> (u64, u64, u64) {
    let days = seconds / 86_400 + 719_468;
    let era = days / 146_097;
    let day_of_era = days % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    (year_of_era + era * 400 + u64::from(month <= 2), month, day)
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

fn since_epoch() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

#[async_trait::async_trait]
impl Clock for SystemClock {
    fn now(&self) -> u64 {
        since_epoch().as_secs()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(since_epoch().as_millis()).unwrap_or(u64::MAX)
    }

    async fn wait_until_ms(&self, ms: u64) {
        let target = Duration::from_millis(ms);
        if let Some(left) = target.checked_sub(since_epoch()) {
            tokio::time::sleep(left).await;
        }
    }
}

/// A clock that moves only when told to: for tests and tools that need to reach an expiry.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock reading `now`.
    pub fn at(now: u64) -> Self {
        Self(AtomicU64::new(now))
    }

    /// Moves the clock forward.
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Waiting moves a manual clock forward at once.
    async fn wait_until_ms(&self, ms: u64) {
        self.0.fetch_max(ms.div_ceil(1000), Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_have_their_utc_calendar_date() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(951_868_799), "2000-02-29");
        assert_eq!(utc_date(951_868_800), "2000-03-01");
        assert_eq!(utc_date(1_800_000_000), "2027-01-15");
        assert_eq!(utc_date(4_102_444_800), "2100-01-01");
    }
}
