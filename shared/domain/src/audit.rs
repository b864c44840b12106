//! The audit trail of an application (L1): every read, write and refused attempt, with who, what,
//! when and the outcome, kept in the application's partition where its applicant can list it.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::keys;
use crate::paging::{self, PageRequest, Paged};
use crate::table::{Condition, Cursor, Item, Query, StoreError, Table, WriteOp};

/// Below this many bytes left, a page of activity stops rather than open the next trail.
const MIN_BYTES_FOR_ANOTHER_TRAIL: usize = 16 * 1024;
/// What an activity line adds to its record (the application id and its field name).
const LINE_OVERHEAD_BYTES: usize = 64;

/// Where a page of activity ended: in which application's trail, and where in it (`None`: at
/// its start). Opaque to callers.
#[derive(Debug, Serialize, Deserialize)]
struct ActivityPosition {
    application: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

impl ActivityPosition {
    fn cursor(&self) -> Cursor {
        Cursor::from(URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default()))
    }

    /// The position a cursor names, if it is one of `applications`.
    fn of(cursor: &Cursor, applications: &[String]) -> Result<(usize, Option<Cursor>), StoreError> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor.as_str()).map_err(|_| StoreError::InvalidCursor)?;
        let position: ActivityPosition = serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)?;
        let index = applications.iter().position(|id| *id == position.application).ok_or(StoreError::InvalidCursor)?;
        Ok((index, position.after.map(Cursor::from)))
    }
}

/// Whether the attempt was allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Done.
    Allowed,
    /// Refused (no access).
    Denied,
}

/// One audit record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// When (seconds since the epoch).
    pub at: u64,
    /// Who (`sub`).
    pub actor: String,
    /// As whom: `applicant`, `officer`, or `other` for someone with no part in the file.
    pub role: String,
    /// What (`read`, `save-form`, `submit`, `withdraw`, ...).
    pub action: String,
    /// Allowed or denied.
    pub outcome: Outcome,
    /// A representative acting for the applicant: who, and their firm (both identities are on
    /// the record: the actor's id above, and the name the applicant knows them by).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Acting>,
    /// What the act was about, where the applicant needs it to recognize it (the file name of
    /// an upload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// A representative on an audit record, as the applicant knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Acting {
    /// Their name.
    pub name: String,
    /// Their firm's name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm: Option<String>,
}

impl AuditRecord {
    /// A record of `actor` doing `action` as `role` at `at`.
    pub fn new(at: u64, actor: &str, role: &str, action: &str, outcome: Outcome) -> Self {
        Self {
            at,
            actor: actor.to_owned(),
            role: role.to_owned(),
            action: action.to_owned(),
            outcome,
            representative: None,
            subject: None,
        }
    }

    /// Who did it, as the application's applicant may see it: their own id on their own
    /// actions; everyone else by role only (officers' identities stay internal to the agency,
    /// and anyone else's identity is their own personal data).
    pub fn actor_shown_to_applicant(&self) -> Option<&str> {
        (self.role == APPLICANT_ROLE).then_some(self.actor.as_str())
    }
}

/// The role of the application's applicant in its records.
pub const APPLICANT_ROLE: &str = "applicant";
/// The role of a representative acting for the applicant.
pub const REPRESENTATIVE_ROLE: &str = "representative";

/// Writes and lists audit records.
#[derive(Clone)]
pub struct Audit {
    table: Arc<dyn Table>,
}

impl Audit {
    /// Audit records kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// Records one attempt on an application.
    pub async fn record(&self, application_id: &str, record: &AuditRecord) -> Result<(), StoreError> {
        self.table.put(Self::item(application_id, record)?, Some(Condition::Absent)).await
    }

    /// Records one attempt on an application only if the application's item meets `condition`,
    /// checked in the same transaction: how a read's record is written beside the read that
    /// decides on it (DESIGN §7). `false` when the condition did not hold: nothing was written.
    pub async fn record_if(
        &self,
        application_id: &str,
        record: &AuditRecord,
        condition: Condition,
    ) -> Result<bool, StoreError> {
        let check = WriteOp::Check { key: keys::application(application_id), condition };
        let put = WriteOp::Put { item: Self::item(application_id, record)?, condition: Some(Condition::Absent) };
        match self.table.transact_write(vec![check, put]).await {
            Ok(()) => Ok(true),
            Err(StoreError::TransactionCanceled { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    fn item(application_id: &str, record: &AuditRecord) -> Result<Item, StoreError> {
        // A time-ordered unique id keeps the records of one second apart and in order.
        let record_id = uuid::Uuid::now_v7().to_string();
        Item::from_record(&keys::audit_record(application_id, record.at, &record_id), record)
    }

    /// Records one act on a user's account itself (its authenticator reset, by support or by
    /// its owner), in the account's own trail.
    pub async fn record_on_account(&self, sub: &str, record: &AuditRecord) -> Result<(), StoreError> {
        self.record(&keys::account_trail(sub), record).await
    }

    /// One page of the application's audit trail, newest first.
    pub async fn of(&self, application_id: &str, page: &PageRequest) -> Result<Paged<AuditRecord>, StoreError> {
        let query = Query::partition(keys::audit_partition(application_id)).descending();
        paging::read(self.table.as_ref(), query, page).await
    }

    /// One page of the trails of several applications (a user's), one trail after the other in
    /// the order given, each newest first. The cursor names an application of `applications`,
    /// so it opens no one else's trail.
    pub async fn activity(
        &self,
        applications: &[String],
        page: &PageRequest,
    ) -> Result<Paged<(String, AuditRecord)>, StoreError> {
        let (mut index, mut after) = match &page.after {
            Some(cursor) => ActivityPosition::of(cursor, applications)?,
            None => (0, None),
        };
        let (mut items, mut bytes) = (Vec::new(), page.bytes);
        while let Some(application) = applications.get(index) {
            let left = page.limit - items.len() as u32;
            if left == 0 || bytes < MIN_BYTES_FOR_ANOTHER_TRAIL {
                let position =
                    ActivityPosition { application: application.clone(), after: after.map(|c| c.as_str().to_owned()) };
                return Ok(Paged { items, next: Some(position.cursor()) });
            }
            let budget = bytes.saturating_sub(left as usize * (LINE_OVERHEAD_BYTES + application.len()));
            let trail = self.of(application, &PageRequest { limit: left, bytes: budget, after: after.take() }).await?;
            for record in trail.items {
                bytes = bytes.saturating_sub(paging::json_size(&record)? + LINE_OVERHEAD_BYTES + application.len());
                items.push((application.clone(), record));
            }
            if let Some(next) = trail.next {
                let position =
                    ActivityPosition { application: application.clone(), after: Some(next.as_str().to_owned()) };
                return Ok(Paged { items, next: Some(position.cursor()) });
            }
            index += 1;
        }
        Ok(Paged { items, next: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l1_applicants_see_their_own_id_and_everyone_else_by_role_only() {
        let by = |role: &str| AuditRecord::new(1, "sub-1", role, "read", Outcome::Allowed);
        assert_eq!(by(APPLICANT_ROLE).actor_shown_to_applicant(), Some("sub-1"));
        assert_eq!(by("officer").actor_shown_to_applicant(), None);
        assert_eq!(by("other").actor_shown_to_applicant(), None);
    }
}
