//! Representatives: the owner invites, lists and revokes; the invitee accepts or declines;
//! firms have members and hand clients over with the applicant's consent.

use chrono::NaiveDate;
use http::Method;
use portal_domain::applications::Summary;
use portal_domain::email::Email;
use portal_domain::ids::{ApplicationId, FirmId, InvitationId, UserId};
use portal_domain::representatives::consent;
use portal_domain::representatives::firms::{JoinInvitation, Member, Membership};
use portal_domain::representatives::licence::{Licence, LicenceError, Province};
use portal_domain::representatives::{Ask, Grant, Invitation, Representation, Scope, Standing};
use portal_domain::statements::Statement;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::statements::ConsentGiven;
use super::{Contract, Page, PageQuery};
use crate::body::optional_object;
use crate::problem::{ApiError, FieldErrors};
use crate::routes::{Area, Auth, Route};

/// Longest end date ahead of today an owner may choose (a grant can always be renewed).
const MAX_GRANT_DAYS: i64 = 5 * 366;

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/representatives/consent-statement",
        function: "GetConsentStatement",
        area: Area::Representatives,
        auth: Auth::Public,
        summary: "The consent statement an applicant confirms to authorize a representative, in both languages",
        contract: Contract::json::<Statement>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/representatives",
        function: "InviteRepresentative",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Invite someone by email to represent the applicant (owner only; 429 past ten a day)",
        contract: Contract::json::<Invitation>(201)
            .path::<ApplicationId>()
            .body::<NewInvitation>()
            .problems(&[403, 409, 429]),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/representatives",
        function: "ListRepresentatives",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "The application's grants in force and its newest invitations",
        contract: Contract::json::<Representation>(200).path::<ApplicationId>().problems(&[403]),
    },
    Route {
        method: Method::DELETE,
        path: "/api/applications/{id}/representatives/{userId}",
        function: "RevokeRepresentative",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "End a representative's grant: it holds no more from their next request (owner only)",
        contract: Contract::empty(204).path::<(ApplicationId, UserId)>().problems(&[403, 409]),
    },
    Route {
        method: Method::DELETE,
        path: "/api/applications/{id}/representatives/invitations/{inviteId}",
        function: "WithdrawInvitation",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Withdraw an invitation that still waits (owner only)",
        contract: Contract::empty(204).path::<(ApplicationId, InvitationId)>().problems(&[403, 409]),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/representatives/invitations/{inviteId}/consent",
        function: "ConsentToHandover",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Confirm a firm's handover to another of its members (owner only): the member may then accept",
        contract: Contract::json::<Invitation>(200)
            .path::<(ApplicationId, InvitationId)>()
            .body::<ConsentGiven>()
            .problems(&[403, 409]),
    },
    Route {
        method: Method::GET,
        path: "/api/representative/invitations",
        function: "ListInvitations",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "The invitations to represent someone waiting for the caller's address",
        contract: Contract::json::<Page<Invitation>>(200).query::<PageQuery>(),
    },
    Route {
        method: Method::POST,
        path: "/api/representative/invitations/{inviteId}/accept",
        function: "AcceptInvitation",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Accept an invitation sent to the caller's address: the application joins their dashboard",
        contract: Contract::json::<Grant>(200).path::<InvitationId>().without_body().problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/representative/invitations/{inviteId}/decline",
        function: "DeclineInvitation",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Decline an invitation sent to the caller's address",
        contract: Contract::empty(204).path::<InvitationId>().without_body().problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/firms",
        function: "CreateFirm",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Create a firm with the caller as its administrator (one firm per person)",
        contract: Contract::json::<Membership>(201).body::<NewFirm>().problems(&[409]),
    },
    Route {
        method: Method::GET,
        path: "/api/firm",
        function: "GetMyFirm",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "The caller's firm and its members (with their clients, for its administrator), and firms \
                  inviting them",
        contract: Contract::json::<FirmPage>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/firms/{firmId}/members",
        function: "InviteFirmMember",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Invite someone by email to join the firm (its administrator only)",
        contract: Contract::json::<JoinInvitation>(201).path::<FirmId>().body::<NewMember>().problems(&[403]),
    },
    Route {
        method: Method::POST,
        path: "/api/firms/{firmId}/join",
        function: "JoinFirm",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Join a firm that invited the caller's address, with the caller's licence if they hold one",
        contract: Contract::json::<Membership>(200).path::<FirmId>().body::<JoinFirm>().problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/firms/{firmId}/handovers",
        function: "HandOverClient",
        area: Area::Representatives,
        auth: Auth::User,
        summary: "Propose another member for a member's client (the administrator only); the applicant confirms it",
        contract: Contract::json::<Invitation>(201).path::<FirmId>().body::<NewHandover>().problems(&[403, 409]),
    },
];

/// Paid or unpaid, as an invitation says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A licensed consultant, lawyer or notary.
    Paid,
    /// Someone helping for free.
    Unpaid,
}

/// The body of `POST /api/applications/{id}/representatives`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInvitation {
    /// The address the representative signs in with (or will register with).
    #[schemars(length(min = 3, max = 254))]
    pub email: String,
    /// Paid or unpaid.
    pub kind: Kind,
    /// A paid representative's licence number (`R` and six digits, or a law society's).
    #[schemars(length(min = 1, max = 20))]
    pub licence_number: Option<String>,
    /// The law society's province (lawyers and notaries).
    pub province: Option<Province>,
    /// What they may do.
    pub scope: Scope,
    /// The grant's last day (`YYYY-MM-DD`, from today to five years ahead), if any.
    #[schemars(extend("format" = "date"))]
    pub ends_on: Option<String>,
    /// The consent statement, confirmed.
    pub consent: ConsentGiven,
}

impl NewInvitation {
    /// What the owner asks, checked field by field (all problems at once).
    pub fn ask(self, today: NaiveDate, now: u64) -> Result<Ask, ApiError> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(&self.email).map_err(|_| "invalid-email"));
        let standing = match (self.kind, &self.licence_number) {
            (Kind::Unpaid, None) if self.province.is_none() => Some(Standing::Unpaid),
            (Kind::Unpaid, _) => {
                errors.add("licenceNumber", "not-for-unpaid");
                None
            }
            (Kind::Paid, None) => {
                errors.add("licenceNumber", "required");
                None
            }
            (Kind::Paid, Some(number)) => {
                let licence = Licence::parse(number, self.province).map_err(licence_code);
                errors.check("licenceNumber", licence).map(|licence| Standing::Paid { licence })
            }
        };
        let ends_on = self.ends_on.as_deref().and_then(|date| {
            let day =
                errors.check("endsOn", NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| "invalid-date"))?;
            if day < today {
                errors.add("endsOn", "in-the-past");
            } else if (day - today).num_days() > MAX_GRANT_DAYS {
                errors.add("endsOn", "too-far");
            }
            Some(day.format("%Y-%m-%d").to_string())
        });
        let consent = self.consent.record(&consent::STATEMENT, Some("consent"), &mut errors, now);
        let scope = self.scope;
        let ask = match (email, standing, consent) {
            (Some(email), Some(standing), Some(consent)) => {
                Some(Ask { email: email.to_string(), standing, scope, ends_on, consent })
            }
            _ => None,
        };
        errors.finish_parsed(ask)
    }
}

/// The field code of a refused licence.
fn licence_code(error: LicenceError) -> &'static str {
    match error {
        LicenceError::NotCicc => "not-cicc-licence",
        LicenceError::NotMemberNumber => "not-member-number",
    }
}

/// The body of `POST /api/firms`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewFirm {
    /// Its name, as clients will see it on their grants.
    #[schemars(length(min = 1, max = 120))]
    pub name: String,
    /// The administrator's own licence, if they hold one.
    #[serde(default, deserialize_with = "optional_object")]
    pub licence: Option<LicenceFields>,
}

/// A firm member's licence: a CICC number, or a law society's member number with its province.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LicenceFields {
    /// `R` and six digits (CICC), or the law society's member number.
    #[schemars(length(min = 1, max = 20))]
    pub number: String,
    /// The law society's province (absent for a CICC licence).
    pub province: Option<Province>,
}

impl LicenceFields {
    /// The licence, or what is wrong with it under `licence.number`.
    pub fn read(optional: Option<&Self>, errors: &mut FieldErrors) -> Option<Licence> {
        let fields = optional?;
        errors.check("licence.number", Licence::parse(&fields.number, fields.province).map_err(licence_code))
    }
}

/// The body of `POST /api/firms/{firmId}/members`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMember {
    /// The address the member signs in with.
    #[schemars(length(min = 3, max = 254))]
    pub email: String,
}

/// The body of `POST /api/firms/{firmId}/join`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JoinFirm {
    /// The member's licence, if they hold one (a paid client is handed over only to a licensed
    /// member).
    #[serde(default, deserialize_with = "optional_object")]
    pub licence: Option<LicenceFields>,
}

/// The body of `POST /api/firms/{firmId}/handovers`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewHandover {
    /// The client's application.
    pub application_id: ApplicationId,
    /// The member who holds it now.
    pub from_user_id: UserId,
    /// The member to hand it to.
    pub to_user_id: UserId,
}

/// Longest firm name (it is copied onto every grant and record of its members' acts).
const MAX_FIRM_NAME_CHARS: usize = 120;

impl NewFirm {
    /// The firm's name as it will be shown: trimmed, 1 to 120 characters, no control characters.
    pub fn checked_name(&self, errors: &mut FieldErrors) -> Option<String> {
        let name = self.name.trim();
        let problem = if name.is_empty() {
            Some("required")
        } else if name.chars().count() > MAX_FIRM_NAME_CHARS {
            Some("too-long")
        } else if name.chars().any(char::is_control) {
            Some("invalid")
        } else {
            None
        };
        errors.check("name", problem.map_or(Ok(name.to_owned()), Err))
    }
}

/// A member as the firm's page shows them: with the clients they hold, for the administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    /// The member.
    #[serde(flatten)]
    pub member: Member,
    /// The applications they represent (the administrator's view only; empty otherwise).
    pub clients: Vec<Summary>,
}

/// The caller's firm page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FirmPage {
    /// The firm they belong to and their role, if any.
    pub membership: Option<Membership>,
    /// Its members.
    pub members: Vec<MemberView>,
    /// Firms inviting the caller to join them.
    pub invitations: Vec<JoinInvitation>,
}
