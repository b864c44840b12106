//! The audit trail of an application (L1): every read, write and refused attempt, with who, what,
//! when and the outcome, kept in the application's partition where its applicant can list it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::keys;
use crate::table::{Condition, Item, Query, StoreError, Table};

/// Whether the attempt was allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Done.
    Allowed,
    /// Refused (no access).
    Denied,
}

/// One audit record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl AuditRecord {
    /// A record of `actor` doing `action` as `role` at `at`.
    pub fn new(at: u64, actor: &str, role: &str, action: &str, outcome: Outcome) -> Self {
        Self { at, actor: actor.to_owned(), role: role.to_owned(), action: action.to_owned(), outcome }
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
        // A time-ordered unique id keeps the records of one second apart and in order.
        let record_id = uuid::Uuid::now_v7().to_string();
        let key = keys::audit_record(application_id, record.at, &record_id);
        self.table.put(Item::from_record(&key, record)?, Some(Condition::Absent)).await
    }

    /// The latest thousand records of the application's audit trail, newest first.
    pub async fn of(&self, application_id: &str) -> Result<Vec<AuditRecord>, StoreError> {
        let query = Query::partition(keys::audit_partition(application_id)).descending().limit(1000);
        let page = self.table.query(query).await?;
        page.items.iter().map(Item::to_record).collect()
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
