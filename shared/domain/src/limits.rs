//! Counted limits that hold under concurrency (A7): "at most `max` in any `window`", per subject
//! (an account, a client address, a sign-in session).
//!
//! An attempt is *reserved before it is evaluated*: a conditional `ADD 1` on the counter of the
//! current window, which holds only while the counter is below the room the limit leaves, so
//! however many requests arrive at once the store lets exactly that many through. A refused
//! attempt writes nothing; an attempt that should not count (a right password) gives its place
//! back after the fact.
//!
//! Windows are fixed (`now / window`), and the previous window counts too, so no stretch of
//! `window` seconds ever holds more than `max` attempts (it overlaps at most two windows). Near a
//! window's end attempts of both windows race (the previous window read as 0 while its last
//! attempts land let twice `max` through), so there a place is taken in a transaction that also
//! checks the previous window still holds what was read and the next nothing yet. The counters
//! carry `expiresAt`, so the table's TTL removes them once both windows are over.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::keys;
use crate::table::{Condition, Item, Key, StoreError, Table, Update, WriteOp};

/// Seconds in a day (UTC days since 1970 number the daily counters).
pub const DAY_SECONDS: u64 = 86_400;

/// The write that counts one more of a calendar day's (`day`, UTC days since 1970) at `key`,
/// for a transaction: its condition fails the transaction once `max` are counted, so the day's
/// limit holds however many arrive at once (the messages an applicant writes, the invitations
/// sent). The counter goes with the table's TTL once the day is over.
pub fn count_of_day(key: Key, max: i64, day: u64) -> WriteOp {
    WriteOp::Update {
        key,
        update: Update::default().add("count", 1).set("expiresAt", (day + 2) * DAY_SECONDS),
        condition: Some(Condition::Below("count".into(), max)),
    }
}

/// One limit: at most `max` attempts in any `window_seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Stable name, part of the counter's key.
    pub name: &'static str,
    /// Attempts allowed.
    pub max: i64,
    /// Length of the window, in seconds.
    pub window_seconds: u64,
}

/// A place taken under a limit, to give back if the attempt should not count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reservation {
    limit: Limit,
    subject: String,
    window: u64,
}

/// Why an attempt was refused: the limit is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitReached {
    /// Seconds until the attempt can succeed again: the end of the current window when the
    /// previous one filled the limit, else the end of the next (this one then counts as its
    /// previous).
    pub retry_after: u64,
}

/// How long after the end of its window a request's counted attempt may still be written, and
/// so how long both ends of a window race the windows beside them: the request-path
/// functions' timeout (10 s, `template.yaml`) with room for clocks that differ.
const EDGE_SECONDS: u64 = 15;

/// Attempts at a place near a window's edge (or at giving one back) before the race with the
/// window before, or with other attempts' transactions, is given up.
const EDGE_ATTEMPTS: usize = 3;

/// Whether `now` is within [`EDGE_SECONDS`] of either end of its window under `limit`: where an
/// attempt of one window can be written while another of the next is counted. Elsewhere the
/// windows beside it are settled and one conditional update takes the place.
fn near_a_window_edge(limit: Limit, now: u64) -> bool {
    let into = now % limit.window_seconds;
    into < EDGE_SECONDS || limit.window_seconds - into <= EDGE_SECONDS
}

/// Counters in the table.
#[derive(Clone)]
pub struct Limits {
    table: Arc<dyn Table>,
}

impl Limits {
    /// Counters kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    async fn counted(&self, limit: Limit, subject: &str, window: u64) -> Result<i64, StoreError> {
        let item = self.table.get(&keys::limit_counter(limit.name, subject, window)).await?;
        Ok(item.and_then(|item| item.get("count").and_then(Value::as_i64)).unwrap_or_default())
    }

    /// The count of the window before `window` (none before the first).
    async fn counted_before(&self, limit: Limit, subject: &str, window: u64) -> Result<i64, StoreError> {
        match window.checked_sub(1) {
            Some(previous) => self.counted(limit, subject, previous).await,
            None => Ok(0),
        }
    }

    /// Reserves an attempt under `limit` for `subject` at `now`, or says when to come back.
    pub async fn reserve(
        &self,
        limit: Limit,
        subject: &str,
        now: u64,
    ) -> Result<Result<Reservation, LimitReached>, StoreError> {
        let window = now / limit.window_seconds;
        // Full because of the previous window: free once it ends. Full in this one: it counts as
        // the previous window of the next, so free once that ends.
        let free_at = |windows_left: u64| (window + windows_left) * limit.window_seconds;
        let reached = |windows_left| LimitReached { retry_after: (free_at(windows_left) - now).max(1) };
        let key = keys::limit_counter(limit.name, subject, window);
        let count_one = || Update::default().add("count", 1).set("expiresAt", (window + 2) * limit.window_seconds);
        let with_room = |room: i64| Some(Condition::Below("count".into(), room));
        let reservation = Reservation { limit, subject: subject.to_owned(), window };
        let near_an_edge = near_a_window_edge(limit, now);
        let mut outcome = Ok(Err(reached(1)));
        for _ in 0..EDGE_ATTEMPTS {
            let previous = self.counted_before(limit, subject, window).await?;
            let room = limit.max - previous;
            if room <= 0 {
                return Ok(Err(reached(1)));
            }
            if !near_an_edge {
                return match self.table.update(&key, count_one(), with_room(room)).await {
                    Ok(_) => Ok(Ok(reservation)),
                    Err(StoreError::ConditionFailed) => Ok(Err(reached(2))),
                    Err(other) => Err(other),
                };
            }
            // Attempts of the window before may still be landing, or this one may be late for
            // its window: the place is taken only if the next window holds nothing yet and the
            // previous one no more than was read, in one transaction.
            let next = keys::limit_counter(limit.name, subject, window + 1);
            let mut ops = vec![
                WriteOp::Update { key: key.clone(), update: count_one(), condition: with_room(room) },
                WriteOp::Check { key: next, condition: Condition::Below("count".into(), 1) },
            ];
            if let Some(before) = window.checked_sub(1) {
                let condition = Condition::Below("count".into(), previous + 1);
                ops.push(WriteOp::Check { key: keys::limit_counter(limit.name, subject, before), condition });
            }
            match self.table.transact_write(ops).await {
                Ok(()) => return Ok(Ok(reservation)),
                // This window is full: free once the next ends.
                Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                    return Ok(Err(reached(2)));
                }
                // Only the previous window grew since it was read: read it again.
                Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions == [2] => {}
                // The next window has begun: this attempt belongs to it, a moment from now.
                Err(StoreError::TransactionCanceled { failed_conditions }) if !failed_conditions.is_empty() => {
                    return Ok(Err(reached(1)));
                }
                // In conflict with another attempt's transaction on the same counters: again.
                Err(StoreError::Throttled) => outcome = Err(StoreError::Throttled),
                Err(other) => return Err(other),
            }
        }
        outcome
    }

    /// Gives a reserved place back (the attempt succeeded, or must not count); tried again when
    /// it meets another attempt's transaction on the counter.
    pub async fn release(&self, reservation: Reservation) -> Result<(), StoreError> {
        let key = keys::limit_counter(reservation.limit.name, &reservation.subject, reservation.window);
        for _ in 0..EDGE_ATTEMPTS {
            let update = Update::default().add("count", -1);
            match self.table.update(&key, update, Some(Condition::Present)).await {
                Ok(_) => return Ok(()),
                Err(StoreError::Throttled) => {}
                Err(other) => return Err(other),
            }
        }
        Err(StoreError::Throttled)
    }

    /// Whether this is the first refusal of the current window under `limit` for `subject`: a
    /// conditional put of a marker, so however many refusals race, exactly one is first (the one
    /// that tells the account's owner about the cool-down).
    pub async fn first_refusal(&self, limit: Limit, subject: &str, now: u64) -> Result<bool, StoreError> {
        let window = now / limit.window_seconds;
        let key = keys::limit_refused(limit.name, subject, window);
        let marker = Item::from_record(&key, &json!({"expiresAt": (window + 2) * limit.window_seconds}))?;
        match self.table.put(marker, Some(Condition::Absent)).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(other) => Err(other),
        }
    }
}
