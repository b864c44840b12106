//! The auth area: registration, email confirmation, sign-in with mandatory MFA, token refresh
//! through an HttpOnly cookie, password recovery, the caller's sessions and sign-out. Handlers
//! parse, call the domain's `Accounts` (the `Identity` port behind the portal's limits) and map
//! its answers.

mod cookie;

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::{Json, Router};
use portal_api::body::JsonBody;
use portal_api::client::{ClientAddress, ClientPlace};
use portal_api::contract::auth::{
    AuthenticatorCode, Confirmation, Credentials, EmailAddress, EmailCode, LostAuthenticatorReset, MfaChallenge,
    MfaCode, MfaEnrolled, NewEmail, NewPasskey, NewPassword, OtherSessionsEnded, PasskeyAssertion, PasskeyList,
    PasskeyName, PasskeyOptions, PasskeySignInStart, PasskeyView, PasswordReset, Reauthentication, RecoveredSignIn,
    Recovery, RecoveryCodeSet, RecoveryCodesLeft, Registration, RegistrationAccepted, SessionList, SessionView,
    SignInEmail, SignInSession, SignedIn, SupportReset, WebAuthnJson, passkey_name,
};
use portal_api::params::PathParams;
use portal_api::principal::{BearerToken, Officer, Principal, SUPPORT_GROUP};
use portal_api::problem::ApiError;
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::accounts::{
    AccountError, Accounts, Arrival, Caller, EmailChange, LostAuthenticator, PasswordChange, ResetBy,
};
use portal_domain::clock::Clock;
use portal_domain::email::Email;
use portal_domain::identity::{Identity, IdentityError, MfaEnrolment, NewAuthenticator, Tokens};
use portal_domain::ids::{PasskeyId, SessionId};
use portal_domain::notifier::Notifier;
use portal_domain::sessions::{self, Place, Revocations};
use portal_domain::table::Table;

/// What the area's handlers need.
#[derive(Clone)]
pub struct AuthState {
    accounts: Accounts,
    revocations: Revocations,
}

impl AuthState {
    /// State over an identity provider and the table; notices to account owners go through
    /// `notifier`.
    pub fn new(
        identity: Arc<dyn Identity>,
        table: Arc<dyn Table>,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            accounts: Accounts::new(identity, Arc::clone(&table), notifier, clock),
            revocations: Revocations::new(table),
        }
    }
}

/// The area's router.
pub fn router(state: AuthState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Auth, state.revocations.clone(), |route| match route.function {
        "Register" => Some(route.serve(register)),
        "ConfirmRegistration" => Some(route.serve(confirm)),
        "ResendCode" => Some(route.serve(resend)),
        "Login" => Some(route.serve(login)),
        "BeginMfaSetup" => Some(route.serve(begin_mfa_setup)),
        "CompleteMfaSetup" => Some(route.serve(complete_mfa_setup)),
        "AnswerMfa" => Some(route.serve(answer_mfa)),
        "RecoverWithCode" => Some(route.serve(recover)),
        "CountRecoveryCodes" => Some(route.serve(count_recovery_codes)),
        "NewRecoveryCodes" => Some(route.serve(new_recovery_codes)),
        "Refresh" => Some(route.serve(refresh)),
        "ForgotPassword" => Some(route.serve(forgot)),
        "ResetPassword" => Some(route.serve(reset)),
        "Logout" => Some(route.serve(logout)),
        "ResetLostAuthenticator" => Some(route.serve(reset_lost_authenticator)),
        "SupportResetAuthenticator" => Some(route.serve(support_reset_authenticator)),
        "EndThisSession" => Some(route.serve(end_this_session)),
        "ChangePassword" => Some(route.serve(change_password)),
        "BeginAuthenticatorChange" => Some(route.serve(begin_authenticator_change)),
        "CompleteAuthenticatorChange" => Some(route.serve(complete_authenticator_change)),
        "BeginEmailChange" => Some(route.serve(begin_email_change)),
        "BeginPasskeySignIn" => Some(route.serve(begin_passkey_sign_in)),
        "CompletePasskeySignIn" => Some(route.serve(complete_passkey_sign_in)),
        "ListPasskeys" => Some(route.serve(list_passkeys)),
        "BeginPasskeyRegistration" => Some(route.serve(begin_passkey_registration)),
        "CompletePasskeyRegistration" => Some(route.serve(complete_passkey_registration)),
        "RenamePasskey" => Some(route.serve(rename_passkey)),
        "RemovePasskey" => Some(route.serve(remove_passkey)),
        "CompleteEmailChange" => Some(route.serve(complete_email_change)),
        "ListSessions" => Some(route.serve(list_sessions)),
        "EndSession" => Some(route.serve(end_session)),
        "EndOtherSessions" => Some(route.serve(end_other_sessions)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// An answer that also sets a cookie.
type WithCookie<T> = ([(HeaderName, HeaderValue); 1], T);

/// The same answer whether or not the email already has an account (A6).
async fn register(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<Registration>,
) -> Result<(StatusCode, Json<RegistrationAccepted>), ApiError> {
    state.accounts.register(&body.sign_up()?, &client).await?;
    Ok((StatusCode::CREATED, Json(RegistrationAccepted::SENT)))
}

async fn confirm(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<Confirmation>,
) -> Result<StatusCode, ApiError> {
    state.accounts.confirm(&body.email()?, body.code.trim(), &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn resend(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<EmailAddress>,
) -> Result<StatusCode, ApiError> {
    state.accounts.resend_confirmation(&body.parse()?, &client).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn login(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<Credentials>,
) -> Result<Json<MfaChallenge>, ApiError> {
    // A malformed email cannot have an account: the same answer as a wrong password.
    let email = Email::parse(&body.email).map_err(|_| ApiError::InvalidCredentials)?;
    Ok(Json(state.accounts.sign_in(&email, &body.password, &client).await?.into()))
}

async fn begin_mfa_setup(
    State(state): State<AuthState>,
    JsonBody(body): JsonBody<SignInSession>,
) -> Result<Json<MfaEnrolment>, ApiError> {
    Ok(Json(state.accounts.begin_mfa_enrolment(&body.session).await?))
}

/// Tokens in the body, the refresh token only in its cookie.
fn signed_in(tokens: &Tokens) -> Result<WithCookie<Json<SignedIn>>, ApiError> {
    Ok(([(SET_COOKIE, cookie::refresh_cookie(&tokens.refresh_token)?)], Json(SignedIn::from(tokens))))
}

/// A completed sign-in: its answer (`T`), the refresh cookie first, and the browser's id kept
/// in its own cookie.
type SignedInBrowser<T> = (AppendHeaders<[(HeaderName, HeaderValue); 2]>, Json<T>);

/// Completes a sign-in with `second_factor`, from the caller's place and browser; `answer`
/// words what it gave.
async fn sign_in_browser<T, A, F>(
    place: Place,
    headers: &HeaderMap,
    second_factor: F,
    answer: impl FnOnce(A) -> (Tokens, T),
) -> Result<SignedInBrowser<T>, ApiError>
where
    F: AsyncFnOnce(&Arrival) -> Result<A, AccountError>,
{
    let browser = cookie::browser_id(headers).unwrap_or_else(sessions::new_browser_id);
    let browser_cookie = cookie::browser_cookie(&browser)?;
    let (tokens, body) = answer(second_factor(&Arrival { place, browser }).await?);
    let cookies = [(SET_COOKIE, cookie::refresh_cookie(&tokens.refresh_token)?), (SET_COOKIE, browser_cookie)];
    Ok((AppendHeaders(cookies), Json(body)))
}

/// The first sign-in: tokens, and the recovery codes issued with them.
async fn complete_mfa_setup(
    State(state): State<AuthState>,
    ClientPlace(place): ClientPlace,
    headers: HeaderMap,
    JsonBody(body): JsonBody<MfaCode>,
) -> Result<SignedInBrowser<MfaEnrolled>, ApiError> {
    let code = body.code.trim();
    let enrolment = async |arrival: &Arrival| state.accounts.complete_mfa_enrolment(&body.session, code, arrival).await;
    sign_in_browser(place, &headers, enrolment, |enrolled| {
        let signed_in = SignedIn::from(&enrolled.tokens);
        let answer = MfaEnrolled {
            access_token: signed_in.access_token,
            id_token: signed_in.id_token,
            expires_in: signed_in.expires_in,
            recovery_codes: enrolled.recovery_codes,
        };
        (enrolled.tokens, answer)
    })
    .await
}

async fn answer_mfa(
    State(state): State<AuthState>,
    ClientPlace(place): ClientPlace,
    headers: HeaderMap,
    JsonBody(body): JsonBody<MfaCode>,
) -> Result<SignedInBrowser<SignedIn>, ApiError> {
    let code = body.code.trim();
    let answered = async |arrival: &Arrival| state.accounts.answer_mfa(&body.session, code, arrival).await;
    sign_in_browser(place, &headers, answered, |tokens| {
        let answer = SignedIn::from(&tokens);
        (tokens, answer)
    })
    .await
}

/// A recovery code in place of the authenticator's code: signs in, and says how many are left.
async fn recover(
    State(state): State<AuthState>,
    ClientPlace(place): ClientPlace,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Recovery>,
) -> Result<SignedInBrowser<RecoveredSignIn>, ApiError> {
    // A malformed email cannot have an account: the same answer as a wrong password.
    let email = Email::parse(&body.email).map_err(|_| ApiError::InvalidCredentials)?;
    let code = body.code.trim();
    let recovered = async |arrival: &Arrival| state.accounts.recover(&email, &body.password, code, arrival).await;
    sign_in_browser(place, &headers, recovered, |recovered| {
        let signed_in = SignedIn::from(&recovered.tokens);
        let answer = RecoveredSignIn {
            access_token: signed_in.access_token,
            id_token: signed_in.id_token,
            expires_in: signed_in.expires_in,
            recovery_codes_left: recovered.codes_left,
        };
        (recovered.tokens, answer)
    })
    .await
}

/// A 401 that also clears the refresh cookie.
fn signed_out() -> Response {
    ([(SET_COOKIE, cookie::cleared_refresh_cookie())], ApiError::Unauthenticated).into_response()
}

/// New tokens for the cookie's refresh token; a missing or refused one is a 401 that clears it.
async fn refresh(
    State(state): State<AuthState>,
    ClientPlace(place): ClientPlace,
    headers: HeaderMap,
) -> Result<WithCookie<Json<SignedIn>>, Response> {
    let token = cookie::refresh_token(&headers).ok_or_else(signed_out)?;
    match state.accounts.refresh(&token, &place).await {
        Ok(tokens) => signed_in(&tokens).map_err(IntoResponse::into_response),
        Err(AccountError::Identity(IdentityError::NotAuthorized)) => Err(signed_out()),
        Err(other) => Err(ApiError::from(other).into_response()),
    }
}

/// 202 whether or not the account exists (A6).
async fn forgot(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<EmailAddress>,
) -> Result<StatusCode, ApiError> {
    state.accounts.forgot_password(&body.parse()?, &client).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn reset(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    let (email, password) = body.parse()?;
    state.accounts.reset_password(&email, body.code.trim(), &password, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the caller: 204, no body, and the refresh cookie cleared.
async fn logout(principal: Principal, State(state): State<AuthState>) -> Result<WithCookie<StatusCode>, ApiError> {
    state.accounts.sign_out(&principal.sub).await?;
    Ok(([(SET_COOKIE, cookie::cleared_refresh_cookie())], StatusCode::NO_CONTENT))
}

/// Signs out of this browser: the session of the caller's token ends (every token refreshed
/// from its sign-in), its refresh token is revoked at the provider, and the cookie cleared.
/// Other sessions of the caller go on.
async fn end_this_session(
    principal: Principal,
    State(state): State<AuthState>,
    headers: HeaderMap,
) -> Result<WithCookie<StatusCode>, ApiError> {
    let refresh_token = cookie::refresh_token(&headers);
    match &principal.session {
        Some(session) => state.accounts.end_session(&principal.sub, session, refresh_token.as_deref()).await?,
        // A token naming no session (none are issued so): everything it could stand for ends.
        None => state.accounts.sign_out(&principal.sub).await?,
    }
    Ok(([(SET_COOKIE, cookie::cleared_refresh_cookie())], StatusCode::NO_CONTENT))
}

async fn list_sessions(principal: Principal, State(state): State<AuthState>) -> Result<Json<SessionList>, ApiError> {
    let current = principal.session.as_deref();
    let sessions = state.accounts.sessions().list(&principal.sub).await?;
    Ok(Json(SessionList { sessions: sessions.into_iter().map(|session| SessionView::of(session, current)).collect() }))
}

/// Ends one of the caller's sessions (404 for an id that is not one of theirs); ending the
/// caller's own also clears its refresh cookie.
async fn end_session(
    principal: Principal,
    State(state): State<AuthState>,
    PathParams(id): PathParams<SessionId>,
) -> Result<Response, ApiError> {
    if !state.accounts.sessions().end(&principal.sub, &id).await? {
        return Err(ApiError::NotFound);
    }
    if principal.session.as_deref() == Some(id.as_str()) {
        return Ok(([(SET_COOKIE, cookie::cleared_refresh_cookie())], StatusCode::NO_CONTENT).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn end_other_sessions(
    principal: Principal,
    State(state): State<AuthState>,
) -> Result<Json<OtherSessionsEnded>, ApiError> {
    let ended = state.accounts.sessions().end_others(&principal.sub, principal.session.as_deref()).await?;
    Ok(Json(OtherSessionsEnded { ended }))
}

/// The answer to a signed-in caller proving it is them again: a wrong current password is a 400
/// naming the field, not a 401, since the caller is signed in and a 401 would send the web app to
/// renew its token.
fn reauthenticated<T>(outcome: Result<T, AccountError>) -> Result<T, ApiError> {
    outcome.map_err(|error| match error {
        AccountError::Identity(IdentityError::NotAuthorized) => {
            ApiError::invalid("currentPassword", "incorrect-password")
        }
        other => other.into(),
    })
}

/// Changes the caller's password (204).
async fn change_password(
    principal: Principal,
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<NewPassword>,
) -> Result<StatusCode, ApiError> {
    let new = body.parse()?;
    let change = PasswordChange { current: &body.current_password, code: body.code.trim(), new: &new };
    let changed = state.accounts.change_password(&principal.sub, principal.session.as_deref(), &change, &client).await;
    reauthenticated(changed)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn count_recovery_codes(
    principal: Principal,
    State(state): State<AuthState>,
) -> Result<Json<RecoveryCodesLeft>, ApiError> {
    let remaining = state.accounts.recovery_codes().remaining(&principal.sub).await?;
    Ok(Json(RecoveryCodesLeft { remaining }))
}

async fn new_recovery_codes(
    principal: Principal,
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<Reauthentication>,
) -> Result<Json<RecoveryCodeSet>, ApiError> {
    let issued =
        state.accounts.new_recovery_codes(&principal.sub, &body.current_password, body.code.trim(), &client).await;
    Ok(Json(RecoveryCodeSet { codes: reauthenticated(issued)? }))
}

/// Removes a lost authenticator for someone with no recovery code either (204). A wrong code and
/// details that match none of the account's applications get one answer (a 400 naming
/// `applicationNumber`), so a guess never learns that half of it was right; an unknown address
/// answers the same.
async fn reset_lost_authenticator(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<LostAuthenticatorReset>,
) -> Result<StatusCode, ApiError> {
    let (email, new_password) = body.parse()?;
    let lost = LostAuthenticator {
        email: &email,
        code: body.code.trim(),
        new_password: &new_password,
        application_number: &body.application_number,
        date_of_birth: &body.date_of_birth,
    };
    match state.accounts.reset_lost_authenticator(&lost, &client).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(AccountError::Identity(
            IdentityError::NotAuthorized | IdentityError::CodeMismatch | IdentityError::CodeExpired,
        )) => Err(ApiError::invalid("applicationNumber", "no-match")),
        Err(other) => Err(other.into()),
    }
}

/// Support removes a person's authenticator once they checked who the person is (204); only
/// officers in the support group may (403), and an address with no account is a 404.
async fn support_reset_authenticator(
    officer: Officer,
    State(state): State<AuthState>,
    JsonBody(body): JsonBody<SupportReset>,
) -> Result<StatusCode, ApiError> {
    if !officer.groups.iter().any(|group| group == SUPPORT_GROUP) {
        return Err(ApiError::Forbidden);
    }
    let (email, reason) = body.parse()?;
    let by = ResetBy { actor: officer.sub.clone(), role: SUPPORT_GROUP.into(), reason };
    match state.accounts.reset_authenticator(&email, &by).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(AccountError::Identity(IdentityError::NotAuthorized)) => Err(ApiError::NotFound),
        Err(other) => Err(other.into()),
    }
}

/// A new authenticator's secret (200), once the caller proved it is them again.
async fn begin_authenticator_change(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<Reauthentication>,
) -> Result<Json<NewAuthenticator>, ApiError> {
    let accounts = &state.accounts;
    let begun =
        accounts.begin_authenticator_change(&principal.sub, &token, &body.current_password, body.code.trim(), &client);
    Ok(Json(reauthenticated(begun.await)?))
}

/// The new authenticator takes over once a code of it is verified (204).
async fn complete_authenticator_change(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<AuthenticatorCode>,
) -> Result<StatusCode, ApiError> {
    let completed = state.accounts.complete_authenticator_change(&principal.sub, &token, body.code.trim(), &client);
    match completed.await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        // No change begun, or another begun since: start again (not a 401, the caller is signed in).
        Err(AccountError::Identity(IdentityError::SessionExpired)) => Err(ApiError::invalid("code", "expired")),
        Err(other) => Err(other.into()),
    }
}

/// A code goes to the new address (202), once the caller proved it is them again; an address of
/// another account is answered the same (A6).
async fn begin_email_change(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<NewEmail>,
) -> Result<StatusCode, ApiError> {
    let new = body.parse()?;
    let change = EmailChange { new: &new, current: &body.current_password, code: body.code.trim() };
    reauthenticated(state.accounts.begin_email_change(&principal.sub, &token, &change, &client).await)?;
    Ok(StatusCode::ACCEPTED)
}

/// The new address takes over once the code sent to it is verified (200, with the address).
async fn complete_email_change(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<EmailCode>,
) -> Result<Json<SignInEmail>, ApiError> {
    match state.accounts.complete_email_change(&principal.sub, &token, body.code.trim(), &client).await {
        Ok(email) => Ok(Json(SignInEmail { email: email.to_string() })),
        // No change asked for, or the address taken meanwhile: start again (not a 401, the
        // caller is signed in).
        Err(AccountError::Identity(IdentityError::SessionExpired | IdentityError::AccountExists)) => {
            Err(ApiError::invalid("code", "expired"))
        }
        Err(other) => Err(other.into()),
    }
}

/// A passkey ceremony's answer refused: a credential that does not verify names `credential`
/// (400), a ceremony that ended asks to start again.
fn passkey_refused(error: AccountError) -> ApiError {
    match error {
        AccountError::Identity(IdentityError::CodeMismatch | IdentityError::CodeExpired) => {
            ApiError::invalid("credential", "mismatch")
        }
        AccountError::Identity(IdentityError::SessionExpired) => ApiError::invalid("credential", "expired"),
        other => other.into(),
    }
}

/// A JSON value of WebAuthn's as the identity port takes it.
fn webauthn_value(object: &WebAuthnJson) -> serde_json::Value {
    serde_json::Value::Object(object.clone())
}

/// The options the browser asks its authenticator with, as an object.
fn webauthn_object(value: serde_json::Value) -> Result<WebAuthnJson, ApiError> {
    match value {
        serde_json::Value::Object(object) => Ok(object),
        _ => Err(ApiError::Internal("the identity provider's WebAuthn options are not an object".into())),
    }
}

/// The options to ask the browser for a passkey with; answered alike for an address with no
/// account (a 401 only where the provider says the account has no passkey, in AWS).
async fn begin_passkey_sign_in(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<EmailAddress>,
) -> Result<Json<PasskeySignInStart>, ApiError> {
    // A malformed email cannot have an account: the same answer as an unknown one.
    let email = Email::parse(&body.email).map_err(|_| ApiError::InvalidCredentials)?;
    let challenge = state.accounts.begin_passkey_sign_in(&email, &client).await?;
    Ok(Json(PasskeySignInStart { session: challenge.session, public_key: webauthn_object(challenge.options)? }))
}

async fn complete_passkey_sign_in(
    State(state): State<AuthState>,
    ClientPlace(place): ClientPlace,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PasskeyAssertion>,
) -> Result<SignedInBrowser<SignedIn>, ApiError> {
    let credential = webauthn_value(&body.credential);
    let answered = async |arrival: &Arrival| {
        let signed_in = state.accounts.complete_passkey_sign_in(&body.session, &credential, arrival).await;
        // An assertion that does not verify is a wrong credential (401), as a wrong password is.
        signed_in.map_err(|error| match error {
            AccountError::Identity(IdentityError::CodeMismatch) => IdentityError::NotAuthorized.into(),
            other => other,
        })
    };
    sign_in_browser(place, &headers, answered, |tokens| {
        let answer = SignedIn::from(&tokens);
        (tokens, answer)
    })
    .await
}

async fn list_passkeys(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
) -> Result<Json<PasskeyList>, ApiError> {
    let passkeys = state.accounts.passkeys(&principal.sub, &token).await?;
    Ok(Json(PasskeyList { passkeys: passkeys.into_iter().map(PasskeyView::from).collect() }))
}

/// The options for the browser's new passkey (200), once the caller proved it is them again.
async fn begin_passkey_registration(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<Reauthentication>,
) -> Result<Json<PasskeyOptions>, ApiError> {
    let begun = state.accounts.begin_passkey_registration(
        &principal.sub,
        &token,
        &body.current_password,
        body.code.trim(),
        &client,
    );
    Ok(Json(PasskeyOptions { public_key: webauthn_object(reauthenticated(begun.await)?)? }))
}

/// The new passkey, kept under its name (201).
async fn complete_passkey_registration(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
    JsonBody(body): JsonBody<NewPasskey>,
) -> Result<(StatusCode, Json<PasskeyView>), ApiError> {
    let name = passkey_name(&body.name)?;
    let credential = webauthn_value(&body.credential);
    let caller = Caller { sub: &principal.sub, issued_at: principal.issued_at, session: principal.session.as_deref() };
    let kept = state.accounts.complete_passkey_registration(&caller, &token, &name, &credential).await;
    Ok((StatusCode::CREATED, Json(kept.map_err(passkey_refused)?.into())))
}

/// A passkey that is not one of the caller's is a 404.
fn not_theirs(error: AccountError) -> ApiError {
    match error {
        AccountError::Identity(IdentityError::NotAuthorized) => ApiError::NotFound,
        other => other.into(),
    }
}

/// Names one of the caller's passkeys anew. A credential id is opaque (any base64url text is
/// well-formed), so whether it is one of theirs (404) is answered before the body is looked at.
async fn rename_passkey(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
    PathParams(id): PathParams<PasskeyId>,
    body: Result<JsonBody<PasskeyName>, ApiError>,
) -> Result<Json<PasskeyView>, ApiError> {
    let accounts = &state.accounts;
    let passkey = accounts.passkey(&principal.sub, &token, id.as_str()).await.map_err(not_theirs)?;
    let name = passkey_name(&body?.0.name)?;
    let renamed = accounts.rename_passkey(&principal.sub, passkey, &name).await;
    Ok(Json(renamed.map_err(not_theirs)?.into()))
}

async fn remove_passkey(
    principal: Principal,
    BearerToken(token): BearerToken,
    State(state): State<AuthState>,
    PathParams(id): PathParams<PasskeyId>,
) -> Result<StatusCode, ApiError> {
    state.accounts.remove_passkey(&principal.sub, &token, id.as_str()).await.map_err(not_theirs)?;
    Ok(StatusCode::NO_CONTENT)
}
