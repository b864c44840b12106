//! Sessions and their revocation (S2, S5).
//!
//! A session is one completed sign-in and every token refreshed from it: Cognito names it by the
//! `origin_jti` claim its tokens share, and the local provider does the same. The portal keeps a
//! record of each (`Sessions`), so its owner can see where they are signed in and end any of them.
//!
//! API Gateway's JWT authorizer cannot see a sign-out, so each user also has a revocation record,
//! checked on every signed-in request, saying
//!
//! - `issuedUntil`: tokens issued at or before this second are refused (sign-out everywhere,
//!   password reset, disable). The comparison includes the second itself, so a token issued in the
//!   same second as a sign-out is refused too; a sign-in finishing in that second waits for the
//!   next one before its tokens are issued (`wait_for_fresh_tokens`), so it is not caught by it.
//! - `changedAtMs`: the last change to the account (the above, and an authenticator enrolled).
//!   A sign-in waiting for its second factor that began at or before it is refused, so a
//!   challenge never outlives the account state it was issued for.
//! - `ended#{session}`: one session ended on its own (signed out from its browser, from the list
//!   of sessions, or by the inactivity timer), kept until its tokens would have expired anyway.
//!   One attribute per session, so two sessions ended at once cannot overwrite each other, and the
//!   check stays one read of one item.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Clock;
use crate::digest::digest;
use crate::keys;
use crate::table::{Condition, Item, Query, SortKey, StoreError, Table, Update};

/// How far past the second the wait goes: the identity provider stamps tokens with its own
/// clock, which may run slightly behind ours.
const ISSUER_CLOCK_MARGIN_MS: u64 = 200;

/// A session lasts as long as a refresh token after its last use (12 hours, in both modes).
pub const SESSION_SECONDS: u64 = 12 * 60 * 60;

/// A browser stays known for 400 days after its last sign-in (the longest a cookie may last).
pub const KNOWN_BROWSER_SECONDS: u64 = 400 * 24 * 60 * 60;

/// Most sessions listed: sign-ins are limited per client and sessions end after 12 hours, so a
/// person has far fewer; this bounds what one read returns.
pub const MAX_SESSIONS_LISTED: u32 = 100;

/// Attribute-name prefix of an ended session in the revocation record.
const ENDED_PREFIX: &str = "ended#";

fn ended_attribute(session: &str) -> String {
    format!("{ENDED_PREFIX}{session}")
}

/// Reads and writes revocation records.
#[derive(Clone)]
pub struct Revocations {
    table: Arc<dyn Table>,
}

/// A user's revocation record, as read.
struct Revocation(Option<Item>);

impl Revocation {
    fn number(&self, name: &str) -> u64 {
        self.0.as_ref().and_then(|item| item.get(name)).and_then(Value::as_u64).unwrap_or_default()
    }

    fn issued_until(&self) -> u64 {
        self.number("issuedUntil")
    }

    fn ended(&self, session: &str) -> bool {
        self.0.as_ref().is_some_and(|item| item.get(&ended_attribute(session)).is_some())
    }

    /// Ended sessions whose tokens have all expired by `now`: no longer worth keeping.
    fn stale(&self, now: u64) -> Vec<String> {
        let Some(item) = &self.0 else { return Vec::new() };
        item.attributes()
            .iter()
            .filter(|(name, until)| name.starts_with(ENDED_PREFIX) && until.as_u64().is_some_and(|u| u <= now))
            .map(|(name, _)| name.clone())
            .collect()
    }
}

impl Revocations {
    /// Revocations kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    async fn record(&self, sub: &str) -> Result<Revocation, StoreError> {
        Ok(Revocation(self.table.get(&keys::revocation(sub)).await?))
    }

    /// Refuses, from now on, every token of the user issued until now, and every sign-in of
    /// theirs waiting for its second factor.
    pub async fn revoke_all(&self, sub: &str, clock: &dyn Clock) -> Result<(), StoreError> {
        let now_ms = clock.now_ms();
        let update = Update::default().set("issuedUntil", now_ms / 1000).set("changedAtMs", now_ms);
        self.table.update(&keys::revocation(sub), update, None).await.map(drop)
    }

    /// Refuses, from now on, every token of one session of the user.
    pub async fn end_session(&self, sub: &str, session: &str, clock: &dyn Clock) -> Result<(), StoreError> {
        let now = clock.now();
        let mut update = Update::default().set(ended_attribute(session), now + SESSION_SECONDS);
        for stale in self.record(sub).await?.stale(now) {
            if stale != ended_attribute(session) {
                update = update.remove(stale);
            }
        }
        self.table.update(&keys::revocation(sub), update, None).await.map(drop)
    }

    /// Records a change to the account that ends pending sign-ins but keeps tokens (an
    /// authenticator was enrolled).
    pub async fn account_changed(&self, sub: &str, clock: &dyn Clock) -> Result<(), StoreError> {
        let update = Update::default().set("changedAtMs", clock.now_ms());
        self.table.update(&keys::revocation(sub), update, None).await.map(drop)
    }

    /// Whether a token of the user issued at `issued_at` (seconds), of `session` when it names
    /// one, has been revoked.
    pub async fn is_revoked(&self, sub: &str, issued_at: u64, session: Option<&str>) -> Result<bool, StoreError> {
        let record = self.record(sub).await?;
        Ok(issued_at <= record.issued_until() || session.is_some_and(|session| record.ended(session)))
    }

    /// Whether a sign-in that began at `began_at_ms` has been overtaken by a change to the account.
    pub async fn changed_since(&self, sub: &str, began_at_ms: u64) -> Result<bool, StoreError> {
        let record = self.record(sub).await?;
        Ok(record.0.is_some() && record.number("changedAtMs") >= began_at_ms)
    }

    /// Waits, if the user's tokens were revoked in the current second, for the next second, so
    /// tokens issued from now on are not refused with those of before.
    pub async fn wait_for_fresh_tokens(&self, sub: &str, clock: &dyn Clock) -> Result<(), StoreError> {
        let issued_until = self.record(sub).await?.issued_until();
        if issued_until > 0 && issued_until >= clock.now() {
            clock.wait_until_ms((issued_until + 1) * 1000 + ISSUER_CLOCK_MARGIN_MS).await;
        }
        Ok(())
    }

    /// The sessions of `records` whose tokens still work: not ended, not revoked with all the
    /// user's tokens since they were last used.
    async fn live(&self, sub: &str, records: Vec<Session>) -> Result<Vec<Session>, StoreError> {
        let revocation = self.record(sub).await?;
        Ok(records
            .into_iter()
            .filter(|session| session.last_used_at > revocation.issued_until() && !revocation.ended(&session.id))
            .collect())
    }
}

/// A new browser id, for a browser that holds none (its cookie keeps it).
pub fn new_browser_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Where a sign-in or a refresh came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// The client's address (the source address API Gateway saw).
    pub address: String,
    /// Its `User-Agent`, as kept (`user_agent::kept`).
    pub user_agent: String,
}

/// One session, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The session's id (`origin_jti` of its tokens).
    pub id: String,
    /// The browser's `User-Agent` at its last use.
    pub user_agent: String,
    /// The client's address at its last use.
    pub address: String,
    /// When it began (seconds since the epoch).
    pub started_at: u64,
    /// When its tokens were last issued (the sign-in, or the last refresh).
    pub last_used_at: u64,
    /// When it ends unless used again (the table's expiry attribute).
    pub expires_at: u64,
}

/// The sessions of every user, and the browsers each signed in from.
#[derive(Clone)]
pub struct Sessions {
    table: Arc<dyn Table>,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl Sessions {
    /// Sessions kept in `table`.
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        Self { revocations: Revocations::new(Arc::clone(&table)), table, clock }
    }

    /// Records a session that began or was refreshed now, from `place`: its first use is kept,
    /// its last use and place follow.
    pub async fn used(&self, sub: &str, id: &str, place: &Place) -> Result<(), StoreError> {
        let now = self.clock.now();
        let key = keys::session(sub, id);
        let update = Update::default()
            .set("lastUsedAt", now)
            .set("expiresAt", now + SESSION_SECONDS)
            .set("address", place.address.clone())
            .set("userAgent", place.user_agent.clone());
        match self.table.update(&key, update, Some(Condition::Present)).await {
            Err(StoreError::ConditionFailed) => {}
            other => return other.map(drop),
        }
        let session = Session {
            id: id.to_owned(),
            user_agent: place.user_agent.clone(),
            address: place.address.clone(),
            started_at: now,
            last_used_at: now,
            expires_at: now + SESSION_SECONDS,
        };
        // A concurrent first use wrote it in the meantime: either record says the same.
        match self.table.put(Item::from_record(&key, &session)?, Some(Condition::Absent)).await {
            Err(StoreError::ConditionFailed) => Ok(()),
            other => other,
        }
    }

    /// The user's sessions whose tokens still work, the most recently used first (at most
    /// [`MAX_SESSIONS_LISTED`] records are read).
    pub async fn list(&self, sub: &str) -> Result<Vec<Session>, StoreError> {
        let page = self.table.query(self.records_of(sub).limit(MAX_SESSIONS_LISTED)).await?;
        let mut sessions = self.live(sub, &page.items).await?;
        sessions.sort_by(|a, b| b.last_used_at.cmp(&a.last_used_at).then_with(|| a.id.cmp(&b.id)));
        Ok(sessions)
    }

    fn records_of(&self, sub: &str) -> Query {
        Query::partition(keys::user_partition(sub)).sort(SortKey::Prefix(keys::SESSION_PREFIX.to_owned()))
    }

    /// The sessions of `items` (session records) that are not expired, nor revoked.
    async fn live(&self, sub: &str, items: &[Item]) -> Result<Vec<Session>, StoreError> {
        let now = self.clock.now();
        let records: Vec<Session> = items.iter().map(Item::to_record).collect::<Result<_, _>>()?;
        let unexpired = records.into_iter().filter(|session| session.expires_at > now).collect();
        self.revocations.live(sub, unexpired).await
    }

    /// Ends one session of the user: its tokens are refused from now on, its record goes.
    /// `false` when the user has no such session.
    pub async fn end(&self, sub: &str, id: &str) -> Result<bool, StoreError> {
        if self.table.get(&keys::session(sub, id)).await?.is_none() {
            return Ok(false);
        }
        self.end_recorded(sub, id).await?;
        Ok(true)
    }

    /// Ends a session that has a record.
    async fn end_recorded(&self, sub: &str, id: &str) -> Result<(), StoreError> {
        // The revocation first: once it is written, the session is over whatever happens next.
        self.revocations.end_session(sub, id, self.clock.as_ref()).await?;
        self.table.delete(&keys::session(sub, id), None).await
    }

    /// Ends every session of the user but `keep`, page after page however many there are;
    /// returns how many ended.
    pub async fn end_others(&self, sub: &str, keep: Option<&str>) -> Result<usize, StoreError> {
        let mut ended = 0;
        let mut after = None;
        loop {
            let page = self.table.query(self.records_of(sub).limit(MAX_SESSIONS_LISTED).after(after)).await?;
            for session in self.live(sub, &page.items).await? {
                if Some(session.id.as_str()) != keep {
                    self.end_recorded(sub, &session.id).await?;
                    ended += 1;
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(ended),
            }
        }
    }

    /// Whether the user's tokens of session `id` are refused (it was ended).
    pub async fn ended(&self, sub: &str, id: &str) -> Result<bool, StoreError> {
        Ok(self.revocations.record(sub).await?.ended(id))
    }

    /// Records that the user signed in from `browser` (the id its cookie holds) and says whether
    /// it had signed in from it before.
    pub async fn browser_seen(&self, sub: &str, browser: &str) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let key = keys::known_browser(sub, &digest(browser));
        let seen = self.table.get(&key).await?.is_some_and(|item| {
            item.get("expiresAt").and_then(Value::as_u64).is_some_and(|expires_at| expires_at > now)
        });
        let record = serde_json::json!({"lastSignInAt": now, "expiresAt": now + KNOWN_BROWSER_SECONDS});
        self.table.put(Item::from_record(&key, &record)?, None).await?;
        Ok(seen)
    }
}
