//! The representatives area: the owner invites someone by email (with the consent statement),
//! lists and revokes grants; the invitee, signed in with that address, accepts or declines;
//! firms have members, and their administrator hands a client over with the applicant's consent.
//!
//! Access (C1): the application routes go through `portal_api::access` (choosing and ending
//! representatives is the owner's alone; a representative may end their own grant); the
//! invitation routes find the invitation through the caller's own address, so nobody reaches
//! another's; the firm routes check the caller's membership.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Needs};
use portal_api::body::JsonBody;
use portal_api::contract::Page;
use portal_api::contract::representatives::{
    FirmPage, JoinFirm, LicenceFields, MemberView, NewFirm, NewHandover, NewInvitation, NewMember,
};
use portal_api::contract::statements::ConsentGiven;
use portal_api::paging::Paging;
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldErrors};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::applications::{Applications, Summary};
use portal_domain::audit::{Acting, Outcome};
use portal_domain::clock::Clock;
use portal_domain::email::Email;
use portal_domain::ids::{ApplicationId, FirmId, InvitationId, UserId};
use portal_domain::notifier::Notifier;
use portal_domain::profile::{Profile, Profiles};
use portal_domain::representatives::consent;
use portal_domain::representatives::firms::{FirmRole, Firms, JoinInvitation, Member, Membership, Person};
use portal_domain::representatives::licence::Licence;
use portal_domain::representatives::{Grant, Invitation, Invitee, Representation, Representatives, Standing, notice};
use portal_domain::sessions::Revocations;
use portal_domain::statements::Statement;
use portal_domain::table::Table;

/// What the area's handlers need.
#[derive(Clone)]
pub struct RepresentativesState {
    access: CaseAccess,
    applications: Applications,
    representatives: Representatives,
    firms: Firms,
    profiles: Profiles,
    notifier: Arc<dyn Notifier>,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl RepresentativesState {
    /// State over the table; invitees are emailed through `notifier`.
    pub fn new(table: Arc<dyn Table>, notifier: Arc<dyn Notifier>, clock: Arc<dyn Clock>) -> Self {
        Self {
            access: CaseAccess::new(Arc::clone(&table), Arc::clone(&clock)),
            applications: Applications::new(Arc::clone(&table)),
            representatives: Representatives::new(Arc::clone(&table)),
            firms: Firms::new(Arc::clone(&table)),
            profiles: Profiles::new(Arc::clone(&table)),
            notifier,
            revocations: Revocations::new(table),
            clock,
        }
    }

    /// The caller's profile: invitations go by its address and grants show its name. Every
    /// account has one from its registration; a caller without one has no address to be
    /// invited at, so nothing of theirs is found.
    async fn profile(&self, principal: &Principal) -> Result<Profile, ApiError> {
        self.profiles.get(&principal.sub).await?.ok_or(ApiError::NotFound)
    }

    /// Tells an invitee by email (in both languages: their preference is not known yet). The
    /// invitation itself is what counts: it waits in their account whether or not this
    /// arrives, so a failure is logged, not answered.
    async fn tell(&self, invitation: &Invitation) {
        if let Err(error) = self.notifier.send(notice(invitation)).await {
            tracing::warn!(%error, invitation = invitation.id, "the invitee's notice could not be sent");
        }
    }

    /// The caller's membership of `firm_id` as its administrator; 404 for anyone else.
    async fn administrator_of(&self, principal: &Principal, firm_id: &str) -> Result<Membership, ApiError> {
        let membership = self.firms.membership(&principal.sub).await?;
        match membership {
            Some(membership) if membership.firm.id == firm_id && membership.role == FirmRole::Administrator => {
                Ok(membership)
            }
            Some(membership) if membership.firm.id == firm_id => Err(ApiError::Forbidden),
            _ => Err(ApiError::NotFound),
        }
    }
}

/// The area's router.
pub fn router(state: RepresentativesState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Representatives, state.revocations.clone(), |route| match route.function {
        "GetConsentStatement" => Some(route.serve(consent_statement)),
        "InviteRepresentative" => Some(route.serve(invite)),
        "ListRepresentatives" => Some(route.serve(list)),
        "RevokeRepresentative" => Some(route.serve(revoke)),
        "WithdrawInvitation" => Some(route.serve(withdraw_invitation)),
        "ConsentToHandover" => Some(route.serve(consent_to_handover)),
        "ListInvitations" => Some(route.serve(invitations)),
        "AcceptInvitation" => Some(route.serve(accept)),
        "DeclineInvitation" => Some(route.serve(decline)),
        "CreateFirm" => Some(route.serve(create_firm)),
        "GetMyFirm" => Some(route.serve(my_firm)),
        "InviteFirmMember" => Some(route.serve(invite_member)),
        "JoinFirm" => Some(route.serve(join_firm)),
        "HandOverClient" => Some(route.serve(hand_over)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

async fn consent_statement() -> Json<Statement> {
    Json(consent::STATEMENT)
}

/// The owner invites someone to represent them on the application.
async fn invite(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<NewInvitation>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, Needs::Owner, "invite-representative").await?;
    let now = state.clock.now();
    let ask = body.ask(today(now), now)?;
    let owner = state.profile(&principal).await?;
    let invitation = state.representatives.invite(&application, &owner.email, &full_name(&owner), ask, now).await?;
    state.tell(&invitation).await;
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// The application's grants and invitations.
async fn list(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Representation>, ApiError> {
    let invitations = async { Ok(state.representatives.invitations(&id).await?) };
    let (application, _, invitations) = state.access.read(&id, &principal, "read-representatives", invitations).await?;
    Ok(Json(Representation::of(&application, invitations, state.clock.now())))
}

/// The owner ends a grant; a representative may end their own.
async fn revoke(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams((id, user_id)): PathParams<(ApplicationId, UserId)>,
) -> Result<StatusCode, ApiError> {
    let needs = if principal.sub == user_id { Needs::Read } else { Needs::Owner };
    state.access.application_for(&id, &principal, needs, "revoke-representative").await?;
    state.representatives.revoke(&id, &user_id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The owner withdraws an invitation that still waits.
async fn withdraw_invitation(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams((id, invite_id)): PathParams<(ApplicationId, InvitationId)>,
) -> Result<StatusCode, ApiError> {
    state.access.application_for(&id, &principal, Needs::Owner, "withdraw-invitation").await?;
    let invitation = state.representatives.invitation(&id, &invite_id).await?.ok_or(ApiError::NotFound)?;
    state.representatives.withdraw(&invitation).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The owner confirms a firm's handover; the new member is told they may accept.
async fn consent_to_handover(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams((id, invite_id)): PathParams<(ApplicationId, InvitationId)>,
    JsonBody(body): JsonBody<ConsentGiven>,
) -> Result<Json<Invitation>, ApiError> {
    state.access.application_for(&id, &principal, Needs::Owner, "consent-to-handover").await?;
    let now = state.clock.now();
    let mut errors = FieldErrors::new();
    let consent = body.record(&consent::STATEMENT, None, &mut errors, now);
    let consent = errors.finish_parsed(consent)?;
    let invitation = state.representatives.invitation(&id, &invite_id).await?.ok_or(ApiError::NotFound)?;
    let confirmed = state.representatives.consent_to_handover(&invitation, consent, now).await?;
    state.tell(&confirmed).await;
    Ok(Json(confirmed))
}

/// The invitations waiting for the caller's address.
async fn invitations(
    principal: Principal,
    State(state): State<RepresentativesState>,
    Paging(page): Paging,
) -> Result<Json<Page<Invitation>>, ApiError> {
    let Some(profile) = state.profiles.get(&principal.sub).await? else {
        return Ok(Json(Page { items: Vec::new(), next_cursor: None }));
    };
    Ok(Json(state.representatives.waiting_for(&profile.email, state.clock.now(), &page).await?.into()))
}

/// The invitee accepts: the grant carries their name and firm.
async fn accept(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams(invite_id): PathParams<InvitationId>,
) -> Result<Json<Grant>, ApiError> {
    let (profile, membership) =
        futures::try_join!(state.profile(&principal), async { Ok(state.firms.membership(&principal.sub).await?) })?;
    let invitation =
        state.representatives.invitation_for(&profile.email, &invite_id).await?.ok_or(ApiError::NotFound)?;
    let invitee = Invitee {
        user_id: principal.sub.clone(),
        name: full_name(&profile),
        email: profile.email,
        firm: membership.map(|membership| membership.firm),
    };
    let grant = state.representatives.accept(&invitation, &invitee, state.clock.now()).await?;
    let id = &invitation.application_id;
    state.access.audit_representative(id, &principal, grant.acting(), "accept-invitation").await?;
    Ok(Json(grant))
}

/// The invitee declines.
async fn decline(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams(invite_id): PathParams<InvitationId>,
) -> Result<StatusCode, ApiError> {
    let profile = state.profile(&principal).await?;
    let invitation =
        state.representatives.invitation_for(&profile.email, &invite_id).await?.ok_or(ApiError::NotFound)?;
    let application = state.applications.get(&invitation.application_id).await?.ok_or(ApiError::NotFound)?;
    state.representatives.decline(&invitation, &application.owner, state.clock.now()).await?;
    let acting = Acting { name: full_name(&profile), firm: None };
    state.access.audit_representative(&application.id, &principal, acting, "decline-invitation").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates a firm with the caller as its administrator.
async fn create_firm(
    principal: Principal,
    State(state): State<RepresentativesState>,
    JsonBody(body): JsonBody<NewFirm>,
) -> Result<(StatusCode, Json<Membership>), ApiError> {
    let mut errors = FieldErrors::new();
    let name = body.checked_name(&mut errors);
    let licence = LicenceFields::read(body.licence.as_ref(), &mut errors);
    let name = errors.finish_parsed(name)?;
    let founder = state.person(&principal, licence).await?;
    let membership = state.firms.create(&name, &founder, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(membership)))
}

/// The caller's firm: its members, with the clients each holds for its administrator.
async fn my_firm(principal: Principal, State(state): State<RepresentativesState>) -> Result<Json<FirmPage>, ApiError> {
    let now = state.clock.now();
    let (profile, membership) =
        futures::try_join!(state.profiles.get(&principal.sub), state.firms.membership(&principal.sub))?;
    let invitations = match profile {
        Some(profile) => state.firms.invitations_for(&profile.email, now).await?,
        None => Vec::new(),
    };
    let Some(membership) = membership else {
        return Ok(Json(FirmPage { membership: None, members: Vec::new(), invitations }));
    };
    let members = state.firms.members(&membership.firm.id).await?;
    // The administrator, as the clients' trails will name them.
    let administrator = (membership.role == FirmRole::Administrator).then(|| Acting {
        name: members.iter().find(|m| m.user_id == principal.sub).map(|m| m.name.clone()).unwrap_or_default(),
        firm: Some(membership.firm.name.clone()),
    });
    let members = futures::future::try_join_all(members.into_iter().map(|member| async {
        let clients = match &administrator {
            Some(acting) => state.firm_clients(&principal, acting, &membership.firm.id, &member, now).await?,
            None => Vec::new(),
        };
        Ok::<_, ApiError>(MemberView { member, clients })
    }))
    .await?;
    Ok(Json(FirmPage { membership: Some(membership), members, invitations }))
}

/// The administrator invites someone to join the firm.
async fn invite_member(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams(firm_id): PathParams<FirmId>,
    JsonBody(body): JsonBody<NewMember>,
) -> Result<(StatusCode, Json<JoinInvitation>), ApiError> {
    let membership = state.administrator_of(&principal, &firm_id).await?;
    let email = Email::parse(&body.email).map_err(|_| ApiError::invalid("email", "invalid-email"))?;
    let invitation = state.firms.invite(&membership.firm, email.as_str(), state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// The caller joins a firm that invited their address.
async fn join_firm(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams(firm_id): PathParams<FirmId>,
    JsonBody(body): JsonBody<JoinFirm>,
) -> Result<Json<Membership>, ApiError> {
    let mut errors = FieldErrors::new();
    let licence = LicenceFields::read(body.licence.as_ref(), &mut errors);
    errors.finish(())?;
    let person = state.person(&principal, licence).await?;
    Ok(Json(state.firms.join(&firm_id, &person, state.clock.now()).await?))
}

/// The administrator proposes another member for a member's client; the applicant confirms it
/// before the new member can accept. A paid client goes to a licensed member only.
async fn hand_over(
    principal: Principal,
    State(state): State<RepresentativesState>,
    PathParams(firm_id): PathParams<FirmId>,
    JsonBody(body): JsonBody<NewHandover>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let membership = state.administrator_of(&principal, &firm_id).await?;
    let now = state.clock.now();
    let application = state.applications.get(&body.application_id).await?.ok_or(ApiError::NotFound)?;
    let from = application
        .grant_of(&body.from_user_id, now)
        .filter(|grant| grant.firm.as_ref().is_some_and(|firm| firm.id == firm_id))
        .ok_or(ApiError::NotFound)?;
    let to = state.firms.member(&firm_id, &body.to_user_id).await?;
    let to = to.ok_or_else(|| ApiError::invalid("toUserId", "not-an-option"))?;
    let standing = match (&from.standing, &to.licence) {
        (Standing::Paid { .. }, Some(licence)) => Standing::Paid { licence: licence.clone() },
        (Standing::Paid { .. }, None) => return Err(ApiError::invalid("toUserId", "unlicensed-member")),
        (Standing::Unpaid, _) => Standing::Unpaid,
    };
    let invitee = Invitee { user_id: to.user_id, name: to.name, email: to.email, firm: Some(membership.firm) };
    let client_name = from.client_name.clone();
    let invitation =
        state.representatives.propose_handover(&application, &client_name, from, &invitee, standing, now).await?;
    state.access.audit(&application.id, &principal, "firm-administrator", "propose-handover", Outcome::Allowed).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

impl RepresentativesState {
    /// The clients `member` holds through the administrator's firm (not those they hold on
    /// their own), each read recorded on the client's trail.
    async fn firm_clients(
        &self,
        administrator: &Principal,
        acting: &Acting,
        firm_id: &str,
        member: &Member,
        now: u64,
    ) -> Result<Vec<Summary>, ApiError> {
        let lines = self.applications.every_dashboard_line(&member.user_id, now).await?;
        let through_the_firm =
            |line: &Summary| line.client.as_ref().is_some_and(|c| c.firm.as_deref() == Some(firm_id));
        let clients: Vec<Summary> = lines.into_iter().filter(through_the_firm).collect();
        futures::future::try_join_all(clients.iter().map(|client| {
            self.access.audit_representative(&client.id, administrator, acting.clone(), "read-firm-clients")
        }))
        .await?;
        Ok(clients)
    }

    /// The caller as a firm's member: name and address from their profile.
    async fn person(&self, principal: &Principal, licence: Option<Licence>) -> Result<Person, ApiError> {
        let profile = self.profile(principal).await?;
        Ok(Person { user_id: principal.sub.clone(), name: full_name(&profile), email: profile.email, licence })
    }
}

fn full_name(profile: &Profile) -> String {
    format!("{} {}", profile.given_name, profile.family_name)
}

/// Today's date (UTC) at `now`.
fn today(now: u64) -> chrono::NaiveDate {
    let seconds = i64::try_from(now).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp(seconds, 0).map(|at| at.date_naive()).unwrap_or_default()
}
