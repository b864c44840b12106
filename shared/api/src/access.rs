//! Who may see or act on an application's case (C1): its owner, an officer where the route
//! allows, a representative within their grant's scope; anyone else gets 404, exactly as for an
//! application that does not exist, and the attempt is recorded in the application's audit
//! trail (L1), a representative's with both identities. Every allowed access is recorded too, by the
//! same call and under the same action name, so a trail reads one action with two outcomes.

use std::sync::Arc;

use portal_domain::application_types::{ApplicationType, Catalog};
use portal_domain::applications::{Application, Applications, Case};
use portal_domain::audit::{APPLICANT_ROLE, Acting, Audit, AuditRecord, Outcome, REPRESENTATIVE_ROLE};
use portal_domain::clock::Clock;
use portal_domain::representatives::{Grant, Scope};
use portal_domain::table::{Condition, Table};

use crate::principal::Principal;
use crate::problem::ApiError;

/// The type of an application. Types are checked against the catalog when a draft starts, so a
/// miss means the deployed catalog lost a type: a server error, never the caller's.
pub fn type_of<'a>(catalog: &'a Catalog, application: &Application) -> Result<&'a ApplicationType, ApiError> {
    let code = &application.type_code;
    catalog.get(code).ok_or_else(|| ApiError::Internal(format!("unknown application type {code}").into()))
}

/// How the caller stands to an application (the domain's, since its views depend on it).
pub use portal_domain::case_view::Party;

/// Reads cases for callers and keeps the audit trail of who did what.
#[derive(Clone)]
pub struct CaseAccess {
    /// The applications.
    pub applications: Applications,
    audit: Audit,
    clock: Arc<dyn Clock>,
}

impl CaseAccess {
    /// Access to the cases kept in `table`.
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        Self { applications: Applications::new(Arc::clone(&table)), audit: Audit::new(table), clock }
    }

    /// Records what a representative (or someone becoming one) did about an application,
    /// named as the applicant knows them.
    pub async fn audit_representative(
        &self,
        id: &str,
        principal: &Principal,
        acting: Acting,
        action: &str,
    ) -> Result<(), ApiError> {
        let mut record =
            AuditRecord::new(self.clock.now(), &principal.sub, REPRESENTATIVE_ROLE, action, Outcome::Allowed);
        record.representative = Some(acting);
        Ok(self.audit.record(id, &record).await?)
    }

    /// Records what a caller did (or was refused) on an application.
    pub async fn audit(
        &self,
        id: &str,
        principal: &Principal,
        role: &str,
        action: &str,
        outcome: Outcome,
    ) -> Result<(), ApiError> {
        let record = AuditRecord::new(self.clock.now(), &principal.sub, role, action, outcome);
        Ok(self.audit.record(id, &record).await?)
    }

    /// The case view (the application with the first page of each list), if the caller may
    /// do what `needs` says, with the access recorded as `action`; see [`Self::decide`].
    pub async fn case_for(
        &self,
        id: &str,
        principal: &Principal,
        needs: Needs,
        action: &str,
    ) -> Result<(Case, Party), ApiError> {
        fn application(case: &Option<Case>) -> Option<&Application> {
            case.as_ref().map(|case| &case.application)
        }
        let (case, party) = if needs == Needs::Read {
            self.read_recorded(id, principal, action, async { Ok(self.applications.case(id).await?) }, application)
                .await?
        } else {
            let case = self.applications.case(id).await?;
            let party = self.decide(application(&case), principal, needs, &Act::named(action)).await?;
            (case, party)
        };
        Ok((case.ok_or(ApiError::NotFound)?, party))
    }

    /// What a read route shows of an application (`data`), if the caller may see it, in one
    /// round trip of latency (DESIGN §7): `data` is read beside the application item and the
    /// access record (and dropped if the caller may not see it); see [`Self::read_recorded`].
    pub async fn read<T>(
        &self,
        id: &str,
        principal: &Principal,
        action: &str,
        data: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<(Application, Party, T), ApiError> {
        // What `data` finds (a missing document, say) is answered only once the caller is
        // known to be allowed: a stranger's attempt is recorded and answered 404 all the same.
        let reads = async {
            let (application, data) = tokio::join!(self.applications.get(id), data);
            Ok((application?, data))
        };
        let ((application, data), party) =
            self.read_recorded(id, principal, action, reads, |(application, _)| application.as_ref()).await?;
        Ok((application.ok_or(ApiError::NotFound)?, party, data?))
    }

    /// Runs `reads` (which hold the application item, as `application` finds it) beside the
    /// access record of the applicant reading their own application, written on the condition
    /// that the item names the caller as its owner: the common case costs no round trip of its
    /// own. Anyone else (an officer, a representative, a stranger) is decided and recorded once
    /// the item says how they stand, as [`Self::decide`] does for every other route.
    async fn read_recorded<T>(
        &self,
        id: &str,
        principal: &Principal,
        action: &str,
        reads: impl Future<Output = Result<T, ApiError>>,
        application: impl Fn(&T) -> Option<&Application>,
    ) -> Result<(T, Party), ApiError> {
        let record = AuditRecord::new(self.clock.now(), &principal.sub, APPLICANT_ROLE, action, Outcome::Allowed);
        let owner = Condition::Equals("owner".into(), principal.sub.clone().into());
        let (read, recorded) = tokio::join!(reads, self.audit.record_if(id, &record, owner));
        let read = read?;
        let party = match recorded {
            Ok(true) => Party::Owner,
            // Not the owner, or the record could not be written: decided (and recorded) again.
            Ok(false) | Err(_) => self.decide(application(&read), principal, Needs::Read, &Act::named(action)).await?,
        };
        Ok((read, party))
    }

    /// The application item alone (what writes and list routes decide on), under the same rule
    /// as [`Self::case_for`].
    pub async fn application_for(
        &self,
        id: &str,
        principal: &Principal,
        needs: Needs,
        action: &str,
    ) -> Result<(Application, Party), ApiError> {
        self.application_for_act(id, principal, needs, &Act::named(action)).await
    }

    /// [`Self::application_for`] for an act whose record names what it was about.
    pub async fn application_for_act(
        &self,
        id: &str,
        principal: &Principal,
        needs: Needs,
        act: &Act<'_>,
    ) -> Result<(Application, Party), ApiError> {
        let application = self.applications.get(id).await?;
        let party = self.decide(application.as_ref(), principal, needs, act).await?;
        Ok((application.ok_or(ApiError::NotFound)?, party))
    }

    /// How the caller stands to the application, if they may do what `needs` says; the attempt
    /// is recorded either way. Someone with no part in it gets 404, as if it did not exist; a
    /// representative beyond their grant gets 403 saying why; an officer acting as the
    /// applicant, 404 as before.
    async fn decide(
        &self,
        application: Option<&Application>,
        principal: &Principal,
        needs: Needs,
        act: &Act<'_>,
    ) -> Result<Party, ApiError> {
        let application = application.ok_or(ApiError::NotFound)?;
        let now = self.clock.now();
        let grant = application.grant_of(&principal.sub, now);
        let party = if application.owner == principal.sub {
            Some(Party::Owner)
        } else if principal.is_officer() {
            Some(Party::Officer)
        } else {
            grant.map(|grant| Party::Representative(grant.scope))
        };
        let role = party.map_or("other", Party::role);
        let mut record = AuditRecord::new(now, &principal.sub, role, act.action, Outcome::Denied);
        record.subject = act.subject.map(str::to_owned);
        let Some(party) = party else {
            self.audit.record(&application.id, &record).await?;
            return Err(ApiError::NotFound);
        };
        if let Party::Representative(_) = party {
            record.representative = grant.map(Grant::acting);
        }
        let verdict = needs.allows(party);
        if verdict.is_ok() {
            record.outcome = Outcome::Allowed;
        }
        self.audit.record(&application.id, &record).await?;
        verdict.map(|()| party)
    }
}

/// An act on an application, as its audit record names it.
#[derive(Clone, Copy, Debug)]
pub struct Act<'a> {
    /// What (`read`, `upload`, ...).
    pub action: &'a str,
    /// What it was about, where the applicant needs it (a file name).
    pub subject: Option<&'a str>,
}

impl<'a> Act<'a> {
    /// An act recorded by its name alone.
    pub fn named(action: &'a str) -> Self {
        Self { action, subject: None }
    }
}

/// What a route needs of its caller on an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// To see it: the owner, an officer, or a representative of either scope.
    Read,
    /// To work on it as the applicant would: the owner or a `full` representative (edit a
    /// draft, upload, write to officers, book appointments).
    Act,
    /// What only the applicant does: submit, withdraw, pay, choose representatives.
    Owner,
    /// An officer's work.
    Officer,
}

impl Needs {
    /// Whether `party` may; otherwise the answer they get.
    fn allows(self, party: Party) -> Result<(), ApiError> {
        match (self, party) {
            (Needs::Read, _)
            | (Needs::Act | Needs::Owner, Party::Owner)
            | (Needs::Act, Party::Representative(Scope::Full))
            | (Needs::Officer, Party::Officer) => Ok(()),
            (Needs::Act, Party::Representative(Scope::Read)) => Err(ApiError::ReadOnlyAccess),
            (Needs::Owner, Party::Representative(_)) => Err(ApiError::ApplicantOnly),
            (Needs::Act | Needs::Owner, Party::Officer) | (Needs::Officer, Party::Owner | Party::Representative(_)) => {
                Err(ApiError::NotFound)
            }
        }
    }
}
