//! Idempotency keys (P1): a client that may retry a request sends an `Idempotency-Key`; the
//! first request with a key is carried out and its answer kept for a day, and every later
//! request with that key gets that answer again instead of doing the work twice. A key is the
//! caller's own (stored under their `sub`), and bound to its request: the same key with a
//! different request is refused, and while the first is still running the others are told so.
//!
//! The key is reserved with a conditional write before any work starts, so of many requests
//! arriving at once with one key exactly one does the work. A reservation whose request died
//! (a crash, a timeout) can be taken over once its lease has passed.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::keys;
use crate::table::{Condition, Item, StoreError, Table, Update, numeric};

/// How long an answer is kept (at least the 24 h clients may retry within).
pub const KEEP_SECONDS: u64 = 24 * 3600;

/// How long a request may run before another with its key may take over.
pub const LEASE_SECONDS: u64 = 60;

/// Longest key accepted (Stripe's limit).
pub const MAX_KEY_CHARS: usize = 255;

/// What to do with a request carrying a key.
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// Do the work, then [`IdempotencyKeys::complete`] (or [`IdempotencyKeys::abandon`]).
    Fresh,
    /// Done before: answer this again.
    Replay {
        /// The first answer's status.
        status: u16,
        /// Its body.
        body: Value,
    },
    /// The first request with this key is still running.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    request: String,
    lease_until: u64,
    expires_at: u64,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body: Option<Value>,
}

/// The idempotency keys of the table.
#[derive(Clone)]
pub struct IdempotencyKeys {
    table: Arc<dyn Table>,
}

/// A digest of what identifies a request (method, route, target, body), to compare with.
pub fn request_digest(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

fn key_of(sub: &str, key: &str) -> crate::table::Key {
    // The caller's key may be any text up to 255 characters: its digest keeps the table key short.
    keys::idempotency(sub, &hex::encode(Sha256::digest(key.as_bytes())))
}

impl IdempotencyKeys {
    /// Keys kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// Reserves `key` of `sub` for the request whose digest is `request`, or says what was
    /// done with it.
    pub async fn claim(&self, sub: &str, key: &str, request: &str, now: u64) -> Result<Claim, StoreError> {
        let record_key = key_of(sub, key);
        let fresh = Record {
            request: request.to_owned(),
            lease_until: now + LEASE_SECONDS,
            expires_at: now + KEEP_SECONDS,
            status: None,
            body: None,
        };
        // Absent, or expired and not yet removed by the table's TTL.
        let reservable = Condition::Below("expiresAt".into(), numeric(now)?);
        match self.table.put(Item::from_record(&record_key, &fresh)?, Some(reservable)).await {
            Ok(()) => return Ok(Claim::Fresh),
            Err(StoreError::ConditionFailed) => {}
            Err(other) => return Err(other),
        }
        let Some(item) = self.table.get(&record_key).await? else { return Ok(Claim::InProgress) };
        let held: Record = item.to_record()?;
        if held.request != request {
            return Ok(Claim::Mismatch);
        }
        if let (Some(status), Some(body)) = (held.status, held.body) {
            return Ok(Claim::Replay { status, body });
        }
        if held.lease_until > now {
            return Ok(Claim::InProgress);
        }
        // The first request died: take its lease over, unless another did a moment ago.
        let expired_lease = Condition::Equals("leaseUntil".into(), json!(held.lease_until));
        let update = Update::default().set("leaseUntil", json!(now + LEASE_SECONDS));
        match self.table.update(&record_key, update, Some(expired_lease)).await {
            Ok(_) => Ok(Claim::Fresh),
            Err(StoreError::ConditionFailed) => Ok(Claim::InProgress),
            Err(other) => Err(other),
        }
    }

    /// Keeps the answer of the request that holds `key`.
    pub async fn complete(&self, sub: &str, key: &str, status: u16, body: &Value) -> Result<(), StoreError> {
        let update = Update::default().set("status", json!(status)).set("body", body.clone());
        self.table.update(&key_of(sub, key), update, Some(Condition::Present)).await.map(|_| ())
    }

    /// Gives `key` back after a failure that a retry may not meet (the store or the processor
    /// was unavailable): the next request with it does the work.
    pub async fn abandon(&self, sub: &str, key: &str) -> Result<(), StoreError> {
        self.table.delete(&key_of(sub, key), None).await
    }
}
