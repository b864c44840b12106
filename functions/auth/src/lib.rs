//! The auth area: registration, email confirmation, sign-in with mandatory MFA, token refresh
//! through an HttpOnly cookie, password recovery and sign-out. Handlers parse, call the
//! domain's `Accounts` (the `Identity` port behind the portal's limits) and map its answers.

mod cookie;

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use portal_api::body::JsonBody;
use portal_api::client::ClientAddress;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldError};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::accounts::{AccountError, Accounts};
use portal_domain::clock::Clock;
use portal_domain::email::Email;
use portal_domain::identity::{ChallengeKind, Identity, IdentityError, SignUp, Tokens};
use portal_domain::notifier::Notifier;
use portal_domain::password::{Password, PasswordError};
use portal_domain::profile::Language;
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Longest name accepted.
const MAX_NAME_CHARS: usize = 100;

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
        "Refresh" => Some(route.serve(refresh)),
        "ForgotPassword" => Some(route.serve(forgot)),
        "ResetPassword" => Some(route.serve(reset)),
        "Logout" => Some(route.serve(logout)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// The answer to an account operation's error on any auth route.
fn api_error(error: AccountError) -> ApiError {
    match error {
        AccountError::Identity(error) => identity_error(error),
        AccountError::Limited(reached) => reached.into(),
        AccountError::Store(error) => error.into(),
    }
}

fn identity_error(error: IdentityError) -> ApiError {
    match error {
        IdentityError::NotAuthorized | IdentityError::AccountExists => ApiError::InvalidCredentials,
        IdentityError::NotConfirmed => ApiError::EmailNotConfirmed,
        IdentityError::CodeMismatch => ApiError::Invalid(vec![FieldError::new("code", "mismatch")]),
        IdentityError::CodeExpired => ApiError::Invalid(vec![FieldError::new("code", "expired")]),
        IdentityError::SessionExpired => ApiError::SessionExpired,
        IdentityError::TooManyAttempts => ApiError::TooManyAttempts,
        IdentityError::InvalidPassword => ApiError::Invalid(vec![FieldError::new("password", "policy")]),
        IdentityError::Busy => ApiError::Unavailable,
        IdentityError::Unavailable(cause) => cause.into(),
    }
}

fn parse_email(field: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<Email> {
    Email::parse(value).map_err(|_| errors.push(FieldError::new(field, "invalid-email"))).ok()
}

fn parse_password(field: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<Password> {
    Password::parse(value)
        .map_err(|error| {
            let code = match error {
                PasswordError::TooShort => "too-short",
                PasswordError::TooLong => "too-long",
                PasswordError::Common => "common",
            };
            errors.push(FieldError::new(field, code));
        })
        .ok()
}

fn parse_name(field: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let name = value.trim();
    if name.is_empty() {
        errors.push(FieldError::new(field, "required"));
        return None;
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "invalid"));
        return None;
    }
    Some(name.to_owned())
}

/// Fails with every invalid field at once, or gives the parsed values.
fn all_valid<T>(errors: Vec<FieldError>, parsed: Option<T>) -> Result<T, ApiError> {
    match parsed {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// The one email field of a body.
fn email_field(value: &str) -> Result<Email, ApiError> {
    let mut errors = Vec::new();
    let email = parse_email("email", value, &mut errors);
    all_valid(errors, email)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RegisterBody {
    email: String,
    password: String,
    given_name: String,
    family_name: String,
    preferred_language: Language,
}

/// The same answer whether or not the email already has an account (A6).
fn registration_accepted() -> Response {
    (StatusCode::CREATED, Json(json!({"status": "confirmation-code-sent"}))).into_response()
}

async fn register(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<RegisterBody>,
) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    let email = parse_email("email", &body.email, &mut errors);
    let password = parse_password("password", &body.password, &mut errors);
    let given_name = parse_name("givenName", &body.given_name, &mut errors);
    let family_name = parse_name("familyName", &body.family_name, &mut errors);
    let names = given_name.zip(family_name);
    let ((email, password), (given_name, family_name)) = all_valid(errors, email.zip(password).zip(names))?;
    let request = SignUp { email, password, given_name, family_name, language: body.preferred_language };
    state.accounts.register(&request, &client).await.map_err(api_error)?;
    Ok(registration_accepted())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfirmBody {
    email: String,
    code: String,
}

async fn confirm(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<ConfirmBody>,
) -> Result<StatusCode, ApiError> {
    let email = email_field(&body.email)?;
    state.accounts.confirm(&email, body.code.trim(), &client).await.map_err(api_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EmailBody {
    email: String,
}

async fn resend(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<EmailBody>,
) -> Result<StatusCode, ApiError> {
    state.accounts.resend_confirmation(&email_field(&body.email)?, &client).await.map_err(api_error)?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChallengeAnswer {
    challenge: &'static str,
    session: String,
}

async fn login(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Json<ChallengeAnswer>, ApiError> {
    // A malformed email cannot have an account: the same answer as a wrong password.
    let email = Email::parse(&body.email).map_err(|_| ApiError::InvalidCredentials)?;
    let challenge = state.accounts.sign_in(&email, &body.password, &client).await.map_err(api_error)?;
    let name = match challenge.kind {
        ChallengeKind::MfaSetup => "MFA_SETUP",
        ChallengeKind::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
    };
    Ok(Json(ChallengeAnswer { challenge: name, session: challenge.session }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionBody {
    session: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MfaSetupAnswer {
    secret: String,
    otpauth_uri: String,
    session: String,
}

async fn begin_mfa_setup(
    State(state): State<AuthState>,
    JsonBody(body): JsonBody<SessionBody>,
) -> Result<Json<MfaSetupAnswer>, ApiError> {
    let enrolment = state.accounts.begin_mfa_enrolment(&body.session).await.map_err(api_error)?;
    Ok(Json(MfaSetupAnswer {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauth_uri,
        session: enrolment.session,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionCodeBody {
    session: String,
    code: String,
}

/// Tokens in the body, the refresh token only in its cookie.
fn signed_in(tokens: Tokens) -> Response {
    let body = json!({
        "accessToken": tokens.access_token,
        "idToken": tokens.id_token,
        "expiresIn": tokens.expires_in,
    });
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie::refresh_cookie(&tokens.refresh_token)) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

async fn complete_mfa_setup(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<SessionCodeBody>,
) -> Result<Response, ApiError> {
    let enrolled = state.accounts.complete_mfa_enrolment(&body.session, body.code.trim(), &client).await;
    Ok(signed_in(enrolled.map_err(api_error)?))
}

async fn answer_mfa(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<SessionCodeBody>,
) -> Result<Response, ApiError> {
    let tokens = state.accounts.answer_mfa(&body.session, body.code.trim(), &client).await.map_err(api_error)?;
    Ok(signed_in(tokens))
}

/// A 401 that also clears the refresh cookie.
fn signed_out_error(error: ApiError) -> Response {
    let mut response = error.into_response();
    response.headers_mut().insert(SET_COOKIE, HeaderValue::from_static(cookie::CLEARED_REFRESH_COOKIE));
    response
}

async fn refresh(State(state): State<AuthState>, headers: HeaderMap) -> Response {
    let Some(token) = cookie::refresh_token(&headers) else {
        return signed_out_error(ApiError::Unauthenticated);
    };
    match state.accounts.refresh(&token).await {
        Ok(tokens) => signed_in(tokens),
        Err(AccountError::Identity(IdentityError::NotAuthorized)) => signed_out_error(ApiError::Unauthenticated),
        Err(other) => api_error(other).into_response(),
    }
}

async fn forgot(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<EmailBody>,
) -> Result<StatusCode, ApiError> {
    // 202 whether or not the account exists (A6).
    state.accounts.forgot_password(&email_field(&body.email)?, &client).await.map_err(api_error)?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResetBody {
    email: String,
    code: String,
    new_password: String,
}

async fn reset(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<ResetBody>,
) -> Result<StatusCode, ApiError> {
    let mut errors = Vec::new();
    let email = parse_email("email", &body.email, &mut errors);
    let password = parse_password("newPassword", &body.new_password, &mut errors);
    let (email, password) = all_valid(errors, email.zip(password))?;
    state.accounts.reset_password(&email, body.code.trim(), &password, &client).await.map_err(api_error)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn logout(principal: Principal, State(state): State<AuthState>) -> Result<Response, ApiError> {
    state.accounts.sign_out(&principal.sub).await.map_err(api_error)?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(SET_COOKIE, HeaderValue::from_static(cookie::CLEARED_REFRESH_COOKIE));
    Ok(response)
}
