//! Who may see an application's case (C1): its owner, or an officer where the route allows;
//! anyone else gets 404, exactly as for an application that does not exist, and the attempt is
//! recorded in the application's audit trail (L1). Every allowed access is recorded too, by the
//! same call and under the same action name, so a trail reads one action with two outcomes.

use std::sync::Arc;

use portal_domain::application_types::{ApplicationType, Catalog};
use portal_domain::applications::{Application, Applications, Case};
use portal_domain::audit::{Audit, AuditRecord, Outcome};
use portal_domain::clock::Clock;
use portal_domain::table::Table;

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

    /// The case view (the application with the first page of each list), if the caller is one
    /// of `allowed`, with the access recorded as `action`; otherwise 404 and, when the
    /// application exists, a denial of `action` in its audit trail.
    pub async fn case_for(
        &self,
        id: &str,
        principal: &Principal,
        allowed: &[Party],
        action: &str,
    ) -> Result<(Case, Party), ApiError> {
        let case = self.applications.case(id).await?;
        let party = self.party(id, case.as_ref().map(|c| &c.application), principal, allowed, action).await?;
        Ok((case.ok_or(ApiError::NotFound)?, party))
    }

    /// The application item alone (what writes and list routes decide on), under the same rule
    /// as [`Self::case_for`].
    pub async fn application_for(
        &self,
        id: &str,
        principal: &Principal,
        allowed: &[Party],
        action: &str,
    ) -> Result<(Application, Party), ApiError> {
        let application = self.applications.get(id).await?;
        let party = self.party(id, application.as_ref(), principal, allowed, action).await?;
        Ok((application.ok_or(ApiError::NotFound)?, party))
    }

    async fn party(
        &self,
        id: &str,
        application: Option<&Application>,
        principal: &Principal,
        allowed: &[Party],
        action: &str,
    ) -> Result<Party, ApiError> {
        let application = application.ok_or(ApiError::NotFound)?;
        let party = if application.owner == principal.sub {
            Some(Party::Owner)
        } else if principal.is_officer() {
            Some(Party::Officer)
        } else {
            None
        };
        match party.filter(|p| allowed.contains(p)) {
            Some(party) => {
                self.audit(id, principal, party.role(), action, Outcome::Allowed).await?;
                Ok(party)
            }
            None => {
                self.audit(id, principal, party.map_or("other", Party::role), action, Outcome::Denied).await?;
                Err(ApiError::NotFound)
            }
        }
    }
}
