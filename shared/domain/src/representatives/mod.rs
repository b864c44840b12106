//! Representatives: people an applicant lets act on one application (a licensed consultant or
//! lawyer, or an unpaid helper), on one account for everyone.
//!
//! - The owner **invites** by email with a scope (`read` or `full`), paid (with a licence) or
//!   unpaid, an optional end date, and the consent statement they confirmed;
//!   `APP#{id}` / `INVITE#{inviteId}`, in the invitee's index partition `INVITES#{email}` while
//!   it waits (14 days at most). At most [`MAX_INVITATIONS_PER_DAY`] a day per application, a
//!   counter reserved in the same transaction.
//! - The invitee, signed in with that address, **accepts**: the grant joins the application item
//!   (`representatives`), so the access check that reads the application reads the grant with
//!   it, and a revocation holds from the very next request (C4). The representative's dashboard
//!   line of the case (`USER#{rep}` / `APP#{id}`) is written by every change of the application,
//!   beside the owner's: the representative's dashboard stays one query.
//! - The owner **revokes**; a grant past its end date counts for nothing.
//! - A firm's administrator may **hand a client over** to another member: an invitation the
//!   applicant must confirm before the new member can accept it; accepting ends the old grant
//!   in the same transaction.

pub mod consent;
pub mod firms;
pub mod licence;

use std::sync::Arc;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::applications::{Application, Applications};
use crate::audit::Acting;
use crate::events::{Event, EventKind};
use crate::keys;
use crate::limits::{self, DAY_SECONDS};
use crate::notifier::{Channel, Message};
use crate::paging::{self, PageRequest, Paged};
use crate::status::Status;
use crate::table::{Condition, Index, Item, Key, Query, SortKey, StoreError, Table, WriteOp};

use self::licence::Licence;
use crate::statements::Consent;

/// How long an invitation waits for its representative.
pub const INVITATION_DAYS: u64 = 14;
/// Invitations one application may send in a day (a misdirected or abusive stream stops here).
pub const MAX_INVITATIONS_PER_DAY: i64 = 10;
/// Invitations one owner may send in a day, over all their applications (each is an email to an
/// address of their choosing).
pub const MAX_OWNER_INVITATIONS_PER_DAY: i64 = 20;
/// Handovers firms may propose on one application in a day.
pub const MAX_HANDOVERS_PER_DAY: i64 = 3;
/// Representatives one application may have at once: one, and a second or third only when the
/// owner invites them.
pub const MAX_REPRESENTATIVES: usize = 3;
/// Newest invitations listed with an application's grants.
const INVITATIONS_LISTED: u32 = 50;
/// Times a grant change is tried again when another write to the application won the race.
const ATTEMPTS: usize = 4;

/// What a representative may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// See everything, change nothing.
    Read,
    /// Also edit drafts, upload documents, write to officers and book appointments. Never
    /// submit, withdraw, pay or touch the applicant's account.
    Full,
}

/// Whether a representative is paid, and then under which licence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Standing {
    /// A licensed consultant, lawyer or notary, paid for the work.
    Paid {
        /// Their licence.
        licence: Licence,
    },
    /// A family member, friend or organization helping for free.
    Unpaid,
}

/// A firm, as a grant or a membership names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FirmRef {
    /// Its id.
    #[schemars(with = "uuid::Uuid")]
    pub id: String,
    /// Its name.
    pub name: String,
}

/// An accepted grant: who represents the applicant, how, since when and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// The representative's user id.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// Their sign-in address.
    pub email: String,
    /// The applicant's name, as the representative's dashboard shows it.
    pub client_name: String,
    /// Paid (with the licence) or unpaid.
    #[serde(flatten)]
    pub standing: Standing,
    /// What they may do.
    pub scope: Scope,
    /// Their firm, if they belong to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm: Option<FirmRef>,
    /// When they accepted (seconds since the epoch).
    pub since: u64,
    /// The last day (`YYYY-MM-DD`, UTC) the grant holds, if the owner chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub ends_on: Option<String>,
    /// The owner's consent, as confirmed.
    pub consent: Consent,
}

impl Grant {
    /// The representative as records of their acts name them.
    pub fn acting(&self) -> Acting {
        Acting { name: self.name.clone(), firm: self.firm.as_ref().map(|firm| firm.name.clone()) }
    }

    /// Whether the grant still holds at `now`: until the end of its last day.
    pub fn holds_at(&self, now: u64) -> bool {
        in_force(self.ends_on.as_deref(), now)
    }
}

/// Whether a grant whose last day is `ends_on` (none: until ended) still holds at `now`.
pub fn in_force(ends_on: Option<&str>, now: u64) -> bool {
    ends_on.and_then(end_of_day).is_none_or(|end| now < end)
}

/// The first second after the last day `date` (`YYYY-MM-DD`, UTC).
fn end_of_day(date: &str) -> Option<u64> {
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let next = day.succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    u64::try_from(next).ok()
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum InvitationState {
    /// A firm's handover, waiting for the applicant's consent.
    AwaitingApplicant,
    /// Waiting for the representative.
    Pending,
    /// Accepted: the grant is on the application.
    Accepted,
    /// Declined by the representative.
    Declined,
    /// Withdrawn by the owner, or by the end of the invitee's grant (a revoked representative
    /// cannot come back through another invitation).
    Withdrawn,
}

/// An invitation to represent an applicant on one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// Its id.
    #[schemars(with = "uuid::Uuid")]
    pub id: String,
    /// The application.
    #[schemars(with = "uuid::Uuid")]
    pub application_id: String,
    /// Its type's code.
    pub application_type: String,
    /// Its number, once submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_number: Option<String>,
    /// The applicant's name, as the representative will see it.
    pub client_name: String,
    /// Who is invited: the address they sign in with.
    pub email: String,
    /// Paid (with the licence) or unpaid.
    #[serde(flatten)]
    pub standing: Standing,
    /// What they may do once they accept.
    pub scope: Scope,
    /// The grant's last day, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub ends_on: Option<String>,
    /// The firm handing the client over (handovers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm: Option<FirmRef>,
    /// The member whose grant this one replaces (handovers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// The owner's consent (`null` while a handover waits for it).
    pub consent: Option<Consent>,
    /// Sent (seconds since the epoch).
    pub created_at: u64,
    /// It can no longer be accepted from then.
    pub expires_at: u64,
    /// Where it stands.
    pub state: InvitationState,
}

impl Invitation {
    /// A new invitation of `email` to represent `client_name` on `application`, open 14 days
    /// from `now`, waiting for the owner's consent to be attached.
    fn new(
        application: &Application,
        client_name: &str,
        email: String,
        standing: Standing,
        scope: Scope,
        ends_on: Option<String>,
        now: u64,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: application.id.clone(),
            application_type: application.type_code.clone(),
            application_number: application.number.clone(),
            client_name: client_name.to_owned(),
            email,
            standing,
            scope,
            ends_on,
            firm: None,
            replaces: None,
            consent: None,
            created_at: now,
            expires_at: now + INVITATION_DAYS * DAY_SECONDS,
            state: InvitationState::Pending,
        }
    }

    /// Whether its representative may still accept it.
    pub fn acceptable_at(&self, now: u64) -> bool {
        self.state == InvitationState::Pending && now < self.expires_at
    }

    /// Whether it still waits, for its representative or for the owner's consent.
    fn waiting(&self) -> bool {
        matches!(self.state, InvitationState::Pending | InvitationState::AwaitingApplicant)
    }

    /// The write that withdraws it, if it still waits as it was read.
    fn withdrawal(&self) -> Result<WriteOp, StoreError> {
        Invitation { state: InvitationState::Withdrawn, ..self.clone() }.settle(self.state)
    }

    /// The item: waiting ones are in the invitee's index partition, settled ones leave it.
    fn item(&self) -> Result<Item, StoreError> {
        let item = Item::from_record(&keys::invitation(&self.application_id, &self.id), self)?;
        Ok(match self.state {
            InvitationState::Pending | InvitationState::AwaitingApplicant => {
                item.with_index_keys(Index::Gsi1, keys::invitations_of(&self.email), self.id.clone())
            }
            InvitationState::Accepted | InvitationState::Declined | InvitationState::Withdrawn => item,
        })
    }

    /// The write that moves it from `from` to `self.state`, if it is still `from`.
    fn settle(&self, from: InvitationState) -> Result<WriteOp, StoreError> {
        Ok(WriteOp::Put { item: self.item()?, condition: Some(Condition::Equals("state".into(), json!(from))) })
    }
}

/// Who accepts an invitation, as their profile and firm say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    /// Their user id.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// Their sign-in address (normalized).
    pub email: String,
    /// Their firm, if any.
    pub firm: Option<FirmRef>,
}

/// What the owner asks for in an invitation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    /// The invitee's address (normalized).
    pub email: String,
    /// Paid or unpaid.
    pub standing: Standing,
    /// Read or full.
    pub scope: Scope,
    /// The last day, if any.
    pub ends_on: Option<String>,
    /// The consent confirmed.
    pub consent: Consent,
}

/// Why a representatives' change was refused.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// The application is withdrawn or closed: nobody is invited to it any more.
    #[error("the application is no longer open")]
    Closed,
    /// The owner invited themselves.
    #[error("an applicant cannot represent themselves")]
    Yourself,
    /// Today's invitations for this application are used up.
    #[error("too many invitations today")]
    TooManyToday {
        /// Seconds until tomorrow (UTC).
        retry_after: u64,
    },
    /// The application has as many representatives as it may.
    #[error("the application has its representatives")]
    TooMany,
    /// The invitee already represents the applicant on it.
    #[error("already a representative")]
    AlreadyRepresenting,
    /// The invitation was settled or expired meanwhile.
    #[error("the invitation is no longer open")]
    NotOpen,
    /// No such grant or invitation on the application.
    #[error("no such grant")]
    NotFound,
    /// Other writes kept winning.
    #[error("the application kept changing")]
    Busy,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The grants and invitations of one application, as its owner lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Representation {
    /// Accepted grants still in force.
    pub grants: Vec<Grant>,
    /// The newest invitations, waiting or settled.
    pub invitations: Vec<Invitation>,
}

impl Representation {
    /// The application's grants in force at `now`, with its newest `invitations`.
    pub fn of(application: &Application, invitations: Vec<Invitation>, now: u64) -> Self {
        let grants = application.representatives.iter().filter(|grant| grant.holds_at(now)).cloned().collect();
        Self { grants, invitations }
    }
}

/// Reads and writes invitations and grants.
#[derive(Clone)]
pub struct Representatives {
    table: Arc<dyn Table>,
    applications: Applications,
}

impl Representatives {
    /// Representatives kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { applications: Applications::new(Arc::clone(&table)), table }
    }

    /// Invites `ask.email` to represent the owner of `application` (whose name is `client_name`)
    /// on it. The day's counter is reserved in the same transaction.
    pub async fn invite(
        &self,
        application: &Application,
        owner_email: &str,
        client_name: &str,
        ask: Ask,
        now: u64,
    ) -> Result<Invitation, GrantError> {
        if closed(application) {
            return Err(GrantError::Closed);
        }
        if ask.email == owner_email {
            return Err(GrantError::Yourself);
        }
        let invitation =
            Invitation::new(application, client_name, ask.email, ask.standing, ask.scope, ask.ends_on, now);
        let invitation = Invitation { consent: Some(ask.consent), ..invitation };
        let day = now / DAY_SECONDS;
        let counters = [
            (keys::invitations_on_day(&application.id, day), MAX_INVITATIONS_PER_DAY),
            (keys::invitations_by_owner_on_day(&application.owner, day), MAX_OWNER_INVITATIONS_PER_DAY),
        ];
        self.send(invitation, &counters, None, now).await
    }

    /// Writes a new invitation under the application's daily count, with the event that tells
    /// of it, if any.
    async fn send(
        &self,
        invitation: Invitation,
        counters: &[(Key, i64)],
        event: Option<Event>,
        now: u64,
    ) -> Result<Invitation, GrantError> {
        let day = now / DAY_SECONDS;
        let mut ops: Vec<WriteOp> =
            counters.iter().map(|(key, max)| limits::count_of_day(key.clone(), *max, day)).collect();
        ops.push(WriteOp::Put { item: invitation.item()?, condition: Some(Condition::Absent) });
        if let Some(event) = event {
            ops.push(event.write()?);
        }
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(invitation),
            Err(StoreError::TransactionCanceled { failed_conditions })
                if failed_conditions.iter().any(|&position| position < counters.len()) =>
            {
                Err(GrantError::TooManyToday { retry_after: (day + 1) * DAY_SECONDS - now })
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The application's grants in force at `now` and its newest invitations.
    pub async fn of(&self, application: &Application, now: u64) -> Result<Representation, StoreError> {
        Ok(Representation::of(application, self.invitations(&application.id).await?, now))
    }

    /// An application's newest invitations (the table drops each once its 14 days are over:
    /// the grant keeps the consent, the audit trail the rest).
    pub async fn invitations(&self, application_id: &str) -> Result<Vec<Invitation>, StoreError> {
        let query = Query::partition(keys::application_partition(application_id))
            .sort(SortKey::Prefix(keys::INVITATION_PREFIX.into()))
            .descending()
            .limit(INVITATIONS_LISTED);
        let page = self.table.query(query).await?;
        page.items.iter().map(Item::to_record).collect()
    }

    /// One page of the invitations waiting for `email`, newest first: those still open at
    /// `now` (an expired one stays in the index until its item goes).
    pub async fn waiting_for(
        &self,
        email: &str,
        now: u64,
        page: &PageRequest,
    ) -> Result<Paged<Invitation>, StoreError> {
        let query = Query::index(Index::Gsi1, keys::invitations_of(email)).descending();
        let mut invitations: Paged<Invitation> = paging::read(self.table.as_ref(), query, page).await?;
        invitations.items.retain(|invitation| invitation.acceptable_at(now));
        Ok(invitations)
    }

    /// One invitation of an application.
    pub async fn invitation(&self, application_id: &str, id: &str) -> Result<Option<Invitation>, StoreError> {
        self.table.get(&keys::invitation(application_id, id)).await?.map(|item| item.to_record()).transpose()
    }

    /// The invitation `id` sent to `email`, read again from its own key (the index may lag).
    pub async fn invitation_for(&self, email: &str, id: &str) -> Result<Option<Invitation>, StoreError> {
        let query = Query::index(Index::Gsi1, keys::invitations_of(email))
            .sort(SortKey::Between(id.to_owned(), id.to_owned()))
            .limit(1);
        let page = self.table.query(query).await?;
        let Some(listed) = page.items.first() else { return Ok(None) };
        let listed: Invitation = listed.to_record()?;
        let current = self.invitation(&listed.application_id, id).await?;
        Ok(current.filter(|invitation| invitation.email == email))
    }

    /// The invitee takes up the invitation: the grant joins the application (replacing the
    /// member it hands over from), the invitation is settled, the owner told; all at once.
    pub async fn accept(&self, invitation: &Invitation, invitee: &Invitee, now: u64) -> Result<Grant, GrantError> {
        if !invitation.acceptable_at(now) {
            return Err(GrantError::NotOpen);
        }
        let consent = invitation.consent.clone().ok_or(GrantError::NotOpen)?;
        let grant = Grant {
            user_id: invitee.user_id.clone(),
            name: invitee.name.clone(),
            email: invitee.email.clone(),
            client_name: invitation.client_name.clone(),
            standing: invitation.standing.clone(),
            scope: invitation.scope,
            firm: invitee.firm.clone().or_else(|| invitation.firm.clone()),
            since: now,
            ends_on: invitation.ends_on.clone(),
            consent,
        };
        let accepted = Invitation { state: InvitationState::Accepted, ..invitation.clone() };
        for _ in 0..ATTEMPTS {
            let application = self.applications.get(&invitation.application_id).await?.ok_or(GrantError::NotFound)?;
            if application.owner == invitee.user_id {
                return Err(GrantError::Yourself);
            }
            if closed(&application) {
                return Err(GrantError::Closed);
            }
            let mut changed = application.clone();
            changed
                .representatives
                .retain(|held| held.holds_at(now) && Some(&held.user_id) != invitation.replaces.as_ref());
            if changed.representatives.iter().any(|held| held.user_id == invitee.user_id) {
                return Err(GrantError::AlreadyRepresenting);
            }
            if changed.representatives.len() >= MAX_REPRESENTATIVES {
                return Err(GrantError::TooMany);
            }
            changed.representatives.push(grant.clone());
            let mut attached = vec![accepted.settle(InvitationState::Pending)?];
            attached.push(
                Event::new(
                    &application.id,
                    &application.owner,
                    representative_event(RepresentativeChange::Accepted),
                    now,
                )
                .write()?,
            );
            attached.extend(leaving(&application, &changed, now)?);
            match self.commit(&application, changed, attached).await {
                Err(GrantError::Busy) => continue,
                other => return other.map(|()| grant),
            }
        }
        Err(GrantError::Busy)
    }

    /// The invitee turns the invitation down; the owner is told.
    pub async fn decline(&self, invitation: &Invitation, owner: &str, now: u64) -> Result<(), GrantError> {
        if !invitation.acceptable_at(now) {
            return Err(GrantError::NotOpen);
        }
        let declined = Invitation { state: InvitationState::Declined, ..invitation.clone() };
        let event =
            Event::new(&invitation.application_id, owner, representative_event(RepresentativeChange::Declined), now);
        self.while_open(vec![declined.settle(InvitationState::Pending)?, event.write()?]).await
    }

    /// Writes an invitation's change (and what goes with it), if the invitation is still as it
    /// was read: `NotOpen` when it was settled meanwhile.
    async fn while_open(&self, ops: Vec<WriteOp>) -> Result<(), GrantError> {
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(()),
            Err(StoreError::TransactionCanceled { .. }) => Err(GrantError::NotOpen),
            Err(other) => Err(other.into()),
        }
    }

    /// The owner ends `user_id`'s grant: from the representative's very next request they are
    /// no party to the application; they are told.
    pub async fn revoke(&self, application_id: &str, user_id: &str, now: u64) -> Result<(), GrantError> {
        for _ in 0..ATTEMPTS {
            let application = self.applications.get(application_id).await?.ok_or(GrantError::NotFound)?;
            let Some(grant) = application.grant_of(user_id, now).cloned() else {
                return Err(GrantError::NotFound);
            };
            let mut changed = application.clone();
            changed.representatives.retain(|held| held.user_id != user_id && held.holds_at(now));
            let mut attached = leaving(&application, &changed, now)?;
            // Other invitations to the same address would let them straight back in.
            for invitation in self.invitations(application_id).await? {
                if invitation.waiting() && invitation.email == grant.email {
                    attached.push(invitation.withdrawal()?);
                }
            }
            match self.commit(&application, changed, attached).await {
                Err(GrantError::Busy | GrantError::NotOpen) => continue,
                other => return other,
            }
        }
        Err(GrantError::Busy)
    }

    /// The owner withdraws an invitation that still waits.
    pub async fn withdraw(&self, invitation: &Invitation) -> Result<(), GrantError> {
        if !invitation.waiting() {
            return Err(GrantError::NotOpen);
        }
        self.while_open(vec![invitation.withdrawal()?]).await
    }

    /// The owner confirms a firm's handover: the consent is recorded and the new member may
    /// accept it.
    pub async fn consent_to_handover(
        &self,
        invitation: &Invitation,
        consent: Consent,
        now: u64,
    ) -> Result<Invitation, GrantError> {
        if invitation.state != InvitationState::AwaitingApplicant || now >= invitation.expires_at {
            return Err(GrantError::NotOpen);
        }
        let confirmed = Invitation { state: InvitationState::Pending, consent: Some(consent), ..invitation.clone() };
        self.while_open(vec![confirmed.settle(InvitationState::AwaitingApplicant)?]).await?;
        Ok(confirmed)
    }

    /// A firm's proposal to hand `from`'s client over to `to`: an invitation the applicant must
    /// confirm first.
    pub async fn propose_handover(
        &self,
        application: &Application,
        client_name: &str,
        from: &Grant,
        to: &Invitee,
        standing: Standing,
        now: u64,
    ) -> Result<Invitation, GrantError> {
        if closed(application) {
            return Err(GrantError::Closed);
        }
        if application.representatives.iter().any(|held| held.user_id == to.user_id && held.holds_at(now)) {
            return Err(GrantError::AlreadyRepresenting);
        }
        let invitation = Invitation::new(
            application,
            client_name,
            to.email.clone(),
            standing,
            from.scope,
            from.ends_on.clone(),
            now,
        );
        let invitation = Invitation {
            firm: to.firm.clone(),
            replaces: Some(from.user_id.clone()),
            state: InvitationState::AwaitingApplicant,
            ..invitation
        };
        let proposed = representative_event(RepresentativeChange::HandoverProposed);
        let event = Event::new(&application.id, &application.owner, proposed, now);
        let counters = [(keys::handovers_on_day(&application.id, now / DAY_SECONDS), MAX_HANDOVERS_PER_DAY)];
        self.send(invitation, &counters, Some(event), now).await
    }

    /// Writes the application with its changed grants: `Busy` when another write got in first
    /// (the caller reads again), `NotOpen` when an attached invitation was settled meanwhile.
    async fn commit(
        &self,
        before: &Application,
        mut after: Application,
        attached: Vec<WriteOp>,
    ) -> Result<(), GrantError> {
        after.version = before.version + 1;
        let mut ops =
            self.applications.change_ops(&after, Condition::Equals("version".into(), json!(before.version)))?;
        let first_attached = ops.len();
        ops.extend(attached);
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(()),
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                Err(GrantError::Busy)
            }
            Err(StoreError::TransactionCanceled { failed_conditions })
                if failed_conditions.iter().any(|&position| position >= first_attached) =>
            {
                Err(GrantError::NotOpen)
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// Whether nobody is invited to the application any more (withdrawn or closed).
fn closed(application: &Application) -> bool {
    matches!(application.status, Status::Withdrawn | Status::Closed)
}

/// The writes for representatives who lose their grant in a change (revoked, ended,
/// replaced): their dashboard line goes and they are told.
fn leaving(before: &Application, after: &Application, now: u64) -> Result<Vec<WriteOp>, StoreError> {
    let mut ops = Vec::new();
    for grant in &before.representatives {
        if !after.representatives.iter().any(|kept| kept.user_id == grant.user_id) {
            ops.push(WriteOp::Delete { key: keys::dashboard_entry(&grant.user_id, &before.id), condition: None });
            let event = Event::new(&before.id, &grant.user_id, representative_event(RepresentativeChange::Ended), now);
            ops.push(event.write()?);
        }
    }
    Ok(ops)
}

/// What happened to a representative's grant (what the event tells).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RepresentativeChange {
    /// The representative accepted (told to the owner).
    Accepted,
    /// The representative declined (told to the owner).
    Declined,
    /// The grant ended: revoked, replaced or past its date (told to the representative).
    Ended,
    /// A firm proposes another of its members (told to the owner, who must confirm).
    HandoverProposed,
}

/// The email that tells an invitee, in both official languages (their preference is not known
/// yet). It names who invites them, never the application's contents.
pub fn notice(invitation: &Invitation) -> Message {
    let client = &invitation.client_name;
    let body = format!(
        "{client} invites you to represent them on an immigration application. Sign in to your account with this \
         address (or create one with it), then open \"Invitations\" to accept or decline. The invitation expires in \
         {INVITATION_DAYS} days.\n\n\
         {client} vous invite à le représenter dans une demande d'immigration. Connectez-vous à votre compte avec \
         cette adresse (ou créez-en un avec elle), puis ouvrez « Invitations » pour accepter ou refuser. L'invitation \
         expire dans {INVITATION_DAYS} jours."
    );
    Message {
        to: invitation.email.clone(),
        channel: Channel::Email,
        subject: "Invitation to represent an applicant / Invitation à représenter un demandeur".to_owned(),
        body,
        code: None,
    }
}

fn representative_event(change: RepresentativeChange) -> EventKind {
    EventKind::Representative { change }
}
