//! Representatives' firms: the businesses that represent many clients. Kept small: a firm has
//! a name, an administrator (who created it) and members, each a representative with their own
//! account; the administrator invites members by address, sees who holds which client, and may
//! hand a client over to another member with the applicant's consent
//! ([`super::Representatives::propose_handover`]). A user belongs to one firm at most.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::FirmRef;
use super::licence::Licence;
use crate::keys;
use serde_json::json;

use crate::table::{Condition, Index, Item, Query, SortKey, StoreError, Table, Update, WriteOp};

/// Members a firm may have (its page lists them all, with their clients).
pub const MAX_MEMBERS: u32 = 50;
/// How long an invitation to join a firm waits.
const JOIN_INVITATION_SECONDS: u64 = 14 * 86_400;

/// A firm's role for one of its members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FirmRole {
    /// Invites members and hands clients over.
    Administrator,
    /// Represents clients.
    Member,
}

/// A member of a firm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// Their user id.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// Their sign-in address.
    pub email: String,
    /// Their licence, if they are licensed (a handover of a paid client needs one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<Licence>,
    /// Administrator or member.
    pub role: FirmRole,
    /// Since when (seconds since the epoch).
    pub since: u64,
}

/// Which firm a user belongs to, and as what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The firm.
    pub firm: FirmRef,
    /// Administrator or member.
    pub role: FirmRole,
}

/// A firm's invitation to join it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JoinInvitation {
    /// The firm.
    pub firm: FirmRef,
    /// Who is invited.
    pub email: String,
    /// Sent (seconds since the epoch).
    pub invited_at: u64,
    /// It can no longer be taken up from then.
    pub expires_at: u64,
}

/// Why a firm's change was refused.
#[derive(Debug, thiserror::Error)]
pub enum FirmError {
    /// The user already belongs to a firm.
    #[error("already a member of a firm")]
    AlreadyInAFirm,
    /// The firm has as many members as it may.
    #[error("the firm is full")]
    Full,
    /// No such firm or invitation (or not for this user).
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who joins or creates a firm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Their user id.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// Their sign-in address (normalized).
    pub email: String,
    /// Their licence, if any.
    pub licence: Option<Licence>,
}

/// Reads and writes firms.
#[derive(Clone)]
pub struct Firms {
    table: Arc<dyn Table>,
}

impl Firms {
    /// Firms kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// Creates a firm named `name` with `founder` as its administrator.
    pub async fn create(&self, name: &str, founder: &Person, now: u64) -> Result<Membership, FirmError> {
        let firm = FirmRef { id: uuid::Uuid::new_v4().to_string(), name: name.to_owned() };
        let membership = Membership { firm: firm.clone(), role: FirmRole::Administrator };
        let ops = vec![
            WriteOp::Put {
                item: Item::from_record(
                    &keys::firm(&firm.id),
                    &json!({"id": firm.id, "name": firm.name, "members": 1}),
                )?,
                condition: Some(Condition::Absent),
            },
            member_put(&firm, founder, FirmRole::Administrator, now)?,
            membership_put(&founder.user_id, &membership)?,
        ];
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(membership),
            Err(StoreError::TransactionCanceled { .. }) => Err(FirmError::AlreadyInAFirm),
            Err(other) => Err(other.into()),
        }
    }

    /// The firm a user belongs to, if any.
    pub async fn membership(&self, sub: &str) -> Result<Option<Membership>, StoreError> {
        self.table.get(&keys::membership(sub)).await?.map(|item| item.to_record()).transpose()
    }

    /// A firm's members.
    pub async fn members(&self, firm_id: &str) -> Result<Vec<Member>, StoreError> {
        let query = Query::partition(keys::firm_partition(firm_id))
            .sort(SortKey::Prefix(keys::FIRM_MEMBER_PREFIX.into()))
            .limit(MAX_MEMBERS);
        let page = self.table.query(query).await?;
        page.items.iter().map(Item::to_record).collect()
    }

    /// One member of a firm.
    pub async fn member(&self, firm_id: &str, sub: &str) -> Result<Option<Member>, StoreError> {
        self.table.get(&keys::firm_member(firm_id, sub)).await?.map(|item| item.to_record()).transpose()
    }

    /// Invites `email` to join `firm` (again, if they were: the new invitation replaces it).
    pub async fn invite(&self, firm: &FirmRef, email: &str, now: u64) -> Result<JoinInvitation, FirmError> {
        let invitation = JoinInvitation {
            firm: firm.clone(),
            email: email.to_owned(),
            invited_at: now,
            expires_at: now + JOIN_INVITATION_SECONDS,
        };
        let item = Item::from_record(&keys::firm_invitation(&firm.id, email), &invitation)?.with_index_keys(
            Index::Gsi1,
            keys::firm_invitations_of(email),
            firm.id.clone(),
        );
        self.table.put(item, None).await?;
        Ok(invitation)
    }

    /// The firms waiting for `email` to join them at `now`.
    pub async fn invitations_for(&self, email: &str, now: u64) -> Result<Vec<JoinInvitation>, StoreError> {
        let query = Query::index(Index::Gsi1, keys::firm_invitations_of(email)).limit(MAX_MEMBERS);
        let page = self.table.query(query).await?;
        let invitations: Vec<JoinInvitation> = page.items.iter().map(Item::to_record).collect::<Result<_, _>>()?;
        Ok(invitations.into_iter().filter(|invitation| now < invitation.expires_at).collect())
    }

    /// `person` takes up the firm's invitation to their address: they become a member, if the
    /// firm's count of members has room (reserved in the same transaction).
    pub async fn join(&self, firm_id: &str, person: &Person, now: u64) -> Result<Membership, FirmError> {
        let invitation_key = keys::firm_invitation(firm_id, &person.email);
        let invitation: JoinInvitation = match self.table.get(&invitation_key).await? {
            Some(item) => item.to_record()?,
            None => return Err(FirmError::NotFound),
        };
        if now >= invitation.expires_at {
            return Err(FirmError::NotFound);
        }
        let membership = Membership { firm: invitation.firm.clone(), role: FirmRole::Member };
        let ops = vec![
            WriteOp::Delete { key: invitation_key, condition: Some(Condition::Present) },
            member_put(&invitation.firm, person, FirmRole::Member, now)?,
            membership_put(&person.user_id, &membership)?,
            WriteOp::Update {
                key: keys::firm(firm_id),
                update: Update::default().add("members", 1),
                condition: Some(Condition::All(vec![
                    Condition::Present,
                    Condition::Below("members".into(), i64::from(MAX_MEMBERS)),
                ])),
            },
        ];
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(membership),
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                Err(FirmError::NotFound)
            }
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&3) => {
                Err(FirmError::Full)
            }
            Err(StoreError::TransactionCanceled { .. }) => Err(FirmError::AlreadyInAFirm),
            Err(other) => Err(other.into()),
        }
    }
}

/// The write of a user's membership, if they belong to no firm yet (one firm each).
fn membership_put(sub: &str, membership: &Membership) -> Result<WriteOp, StoreError> {
    let item = Item::from_record(&keys::membership(sub), membership)?;
    Ok(WriteOp::Put { item, condition: Some(Condition::Absent) })
}

fn member_put(firm: &FirmRef, person: &Person, role: FirmRole, now: u64) -> Result<WriteOp, StoreError> {
    let member = Member {
        user_id: person.user_id.clone(),
        name: person.name.clone(),
        email: person.email.clone(),
        licence: person.licence.clone(),
        role,
        since: now,
    };
    let item = Item::from_record(&keys::firm_member(&firm.id, &person.user_id), &member)?;
    Ok(WriteOp::Put { item, condition: Some(Condition::Absent) })
}
