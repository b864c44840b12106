//! Accounts: registration, sign-in with MFA, sessions, recovery.
//!
//! A sign-in ends with [`SignedIn`] in the body and the refresh token in the [`REFRESH_COOKIE`]
//! cookie (`HttpOnly; Secure; SameSite=Strict; Path=/api/auth`): the two MFA routes and
//! `refresh` set it, `refresh` reads it, `logout` and a refused refresh clear it.

use http::Method;
use portal_domain::accounts::Passkey;
use portal_domain::email::Email;
use portal_domain::identity::{Challenge, ChallengeKind, MfaEnrolment, NewAuthenticator, SignUp, Tokens};
use portal_domain::ids::{PasskeyId, SessionId};
use portal_domain::password::{self, Password, PasswordError};
use portal_domain::profile::Language;
use portal_domain::sessions::Session;
use portal_domain::user_agent::Device;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Contract;
use crate::problem::{ApiError, FieldErrors};
use crate::routes::{Area, Auth, Route};

/// The cookie carrying the refresh token.
pub const REFRESH_COOKIE: &str = "portal_refresh";
/// Longest given or family name, in characters (once trimmed).
pub const MAX_NAME_CHARS: usize = 100;
/// Longest email address.
const MAX_EMAIL_CHARS: usize = 254;

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::POST,
        path: "/api/auth/register",
        function: "Register",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Create an account; emails a confirmation code",
        contract: Contract::json::<RegistrationAccepted>(201).body::<Registration>(),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/confirm",
        function: "ConfirmRegistration",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Confirm the account's email with its code",
        contract: Contract::empty(204).body::<Confirmation>().problems(&[401]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/resend",
        function: "ResendCode",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Send a new confirmation code",
        contract: Contract::empty(202).body::<EmailAddress>(),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/login",
        function: "Login",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Check email and password; always answers with an MFA challenge",
        contract: Contract::json::<MfaChallenge>(200).body::<Credentials>().problems(&[401, 403]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa/setup",
        function: "BeginMfaSetup",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Start enrolling an authenticator app",
        contract: Contract::json::<MfaEnrolment>(200).body::<SignInSession>().problems(&[401]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa/setup/verify",
        function: "CompleteMfaSetup",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Verify the first authenticator code; signs in, with recovery codes the first time",
        contract: Contract::json::<MfaEnrolled>(200).body::<MfaCode>().problems(&[401]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa",
        function: "AnswerMfa",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Answer the MFA challenge; signs in",
        contract: Contract::json::<SignedIn>(200).body::<MfaCode>().problems(&[401]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa/recovery",
        function: "RecoverWithCode",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Sign in with a recovery code in place of the authenticator's code; the authenticator stays",
        contract: Contract::json::<RecoveredSignIn>(200).body::<Recovery>().problems(&[401, 403]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/refresh",
        function: "Refresh",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "New tokens for the refresh cookie (rotated)",
        contract: Contract::json::<SignedIn>(200).without_body().cookie(REFRESH_COOKIE).problems(&[401]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/forgot",
        function: "ForgotPassword",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Email a password-reset code (202 whether or not the account exists)",
        contract: Contract::empty(202).body::<EmailAddress>(),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/reset",
        function: "ResetPassword",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Set a new password with the reset code; ends every session",
        contract: Contract::empty(204).body::<PasswordReset>().problems(&[401]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/reset-authenticator",
        function: "ResetLostAuthenticator",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "No authenticator and no recovery code: the reset code, a new password and an application's details remove the authenticator",
        contract: Contract::empty(204).body::<LostAuthenticatorReset>().problems(&[401]),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/accounts/reset-authenticator",
        function: "SupportResetAuthenticator",
        area: Area::Auth,
        auth: Auth::Officer,
        summary: "Support removes a person's authenticator once their identity is checked (support role; audited)",
        contract: Contract::empty(204).body::<SupportReset>(),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/logout",
        function: "Logout",
        area: Area::Auth,
        auth: Auth::User,
        summary: "End every session of the caller",
        contract: Contract::empty(204).without_body(),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/end-session",
        function: "EndThisSession",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Sign out of this browser only: its session's tokens and refresh cookie stop working",
        contract: Contract::empty(204).without_body().optional_cookie(REFRESH_COOKIE),
    },
    Route {
        method: Method::POST,
        path: "/api/me/password",
        function: "ChangePassword",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Change the password with the current one and a fresh authenticator code (or a recovery code); ends every other session",
        contract: Contract::empty(204).body::<NewPassword>(),
    },
    Route {
        method: Method::POST,
        path: "/api/me/authenticator",
        function: "BeginAuthenticatorChange",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Start replacing the authenticator (the password and a code of the current one, or a recovery code); the old one works until the new one is verified",
        contract: Contract::json::<NewAuthenticator>(200).body::<Reauthentication>(),
    },
    Route {
        method: Method::POST,
        path: "/api/me/authenticator/verify",
        function: "CompleteAuthenticatorChange",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Verify a code of the new authenticator, which then replaces the old one",
        contract: Contract::empty(204).body::<AuthenticatorCode>(),
    },
    Route {
        method: Method::POST,
        path: "/api/me/email",
        function: "BeginEmailChange",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Start changing the sign-in email (the password and a fresh authenticator code or a recovery code): a code goes to the new address, which takes over once it is verified",
        contract: Contract::empty(202).body::<NewEmail>(),
    },
    Route {
        method: Method::POST,
        path: "/api/me/email/verify",
        function: "CompleteEmailChange",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Verify the code sent to the new address, which becomes the sign-in email; the old address is told",
        contract: Contract::json::<SignInEmail>(200).body::<EmailCode>(),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/passkey",
        function: "BeginPasskeySignIn",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Start signing in with a passkey alone (both factors): the options for navigator.credentials.get",
        contract: Contract::json::<PasskeySignInStart>(200).body::<EmailAddress>().problems(&[401]),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/passkey/verify",
        function: "CompletePasskeySignIn",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Sign in with the browser's passkey assertion; sets the refresh cookie",
        contract: Contract::json::<SignedIn>(200).body::<PasskeyAssertion>().problems(&[401]),
    },
    Route {
        method: Method::GET,
        path: "/api/me/passkeys",
        function: "ListPasskeys",
        area: Area::Auth,
        auth: Auth::User,
        summary: "The caller's passkeys, with the names they gave them",
        contract: Contract::json::<PasskeyList>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/me/passkeys",
        function: "BeginPasskeyRegistration",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Start registering a passkey (the password and a fresh authenticator code): the options for navigator.credentials.create",
        contract: Contract::json::<PasskeyOptions>(200).body::<Reauthentication>(),
    },
    Route {
        method: Method::POST,
        path: "/api/me/passkeys/verify",
        function: "CompletePasskeyRegistration",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Keep the browser's new passkey under a name, once verified",
        contract: Contract::json::<PasskeyView>(201).body::<NewPasskey>(),
    },
    Route {
        method: Method::PATCH,
        path: "/api/me/passkeys/{id}",
        function: "RenamePasskey",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Name one of the caller's passkeys anew",
        contract: Contract::json::<PasskeyView>(200).path::<PasskeyId>().body::<PasskeyName>(),
    },
    Route {
        method: Method::DELETE,
        path: "/api/me/passkeys/{id}",
        function: "RemovePasskey",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Remove one of the caller's passkeys: it no longer signs in",
        contract: Contract::empty(204).path::<PasskeyId>(),
    },
    Route {
        method: Method::GET,
        path: "/api/me/recovery-codes",
        function: "CountRecoveryCodes",
        area: Area::Auth,
        auth: Auth::User,
        summary: "How many recovery codes the caller has left",
        contract: Contract::json::<RecoveryCodesLeft>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/me/recovery-codes",
        function: "NewRecoveryCodes",
        area: Area::Auth,
        auth: Auth::User,
        summary: "A new set of recovery codes (the password and a fresh authenticator code or a recovery code); voids the old one",
        contract: Contract::json::<RecoveryCodeSet>(200).body::<Reauthentication>(),
    },
    Route {
        method: Method::GET,
        path: "/api/me/sessions",
        function: "ListSessions",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Where the caller is signed in: browser, system, address, first and last use",
        contract: Contract::json::<SessionList>(200),
    },
    Route {
        method: Method::DELETE,
        path: "/api/me/sessions/{id}",
        function: "EndSession",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Sign out one session of the caller (this one included)",
        contract: Contract::empty(204).path::<SessionId>(),
    },
    Route {
        method: Method::POST,
        path: "/api/me/sessions/end-others",
        function: "EndOtherSessions",
        area: Area::Auth,
        auth: Auth::User,
        summary: "Sign out every session of the caller but this one",
        contract: Contract::json::<OtherSessionsEnded>(200).without_body(),
    },
];

/// The answer to a first enrolment: the tokens, as [`SignedIn`], and the recovery codes.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MfaEnrolled {
    /// The access token (a JWT), sent as `Authorization: Bearer` to signed-in routes.
    pub access_token: String,
    /// The ID token (a JWT) describing the account.
    pub id_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Ten single-use codes that stand in for the authenticator if it is lost, shown this once
    /// (kept only as digests); empty when the account still holds codes of an earlier set.
    pub recovery_codes: Vec<String>,
}

/// A sign-in completed with a recovery code. No `Debug`: it holds the tokens.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecoveredSignIn {
    /// The access token (a JWT), sent as `Authorization: Bearer` to signed-in routes.
    pub access_token: String,
    /// The ID token (a JWT) describing the account.
    pub id_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// How many of the account's recovery codes are left (a new set can be made from the
    /// account's sign-in and security page).
    pub recovery_codes_left: usize,
}

/// The body of `POST /api/auth/mfa/recovery`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recovery {
    /// The sign-in address.
    pub email: String,
    /// The password.
    pub password: String,
    /// One of the account's recovery codes (`XXXX-XXXX-XXXX`; case, spaces and hyphens do not
    /// matter).
    #[schemars(length(max = 64))]
    pub code: String,
}

/// The body of `POST /api/me/authenticator/verify`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticatorCode {
    /// A 6-digit code of the new authenticator (spaces around it are forgiven).
    pub code: String,
}

/// How many recovery codes are left: `GET /api/me/recovery-codes`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodesLeft {
    /// Codes of the current set not used yet (0 to 10).
    pub remaining: usize,
}

/// A new set of recovery codes, shown this once.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodeSet {
    /// Ten single-use codes; the set before no longer works.
    pub codes: Vec<String>,
}

/// A signed-in caller proving it is them again: `POST /api/me/recovery-codes`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reauthentication {
    /// The password the account signs in with now.
    pub current_password: String,
    /// The authenticator app's current 6-digit code, or one of the account's recovery codes in
    /// its place (used up; spaces around it are forgiven).
    pub code: String,
}

/// The body of `POST /api/auth/reset-authenticator`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LostAuthenticatorReset {
    /// The account's address.
    #[schemars(email, length(max = MAX_EMAIL_CHARS))]
    pub email: String,
    /// The code emailed by `/api/auth/forgot` (spaces around it are forgiven).
    pub code: String,
    /// The new password: 12 to 128 characters, not a common one.
    #[schemars(length(min = password::MIN_CHARS, max = password::MAX_CHARS))]
    pub new_password: String,
    /// The number of one of the account's applications (a letter and nine digits).
    #[schemars(length(max = 32))]
    pub application_number: String,
    /// The applicant's date of birth on that application, `YYYY-MM-DD`.
    #[schemars(length(max = 32))]
    pub date_of_birth: String,
}

impl LostAuthenticatorReset {
    /// The address and the new password, or a 400 naming every invalid field.
    pub fn parse(&self) -> Result<(Email, Password), ApiError> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", email(&self.email));
        let password = errors.check("newPassword", new_password(&self.new_password));
        errors.finish_parsed(email.zip(password))
    }
}

/// The body of `POST /api/officer/accounts/reset-authenticator`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SupportReset {
    /// The person's sign-in address.
    #[schemars(email, length(max = MAX_EMAIL_CHARS))]
    pub email: String,
    /// How their identity was checked, and why (kept in the account's audit trail).
    #[schemars(length(min = 1, max = 500))]
    pub reason: String,
}

impl SupportReset {
    /// The address and the reason, or a 400 naming every invalid field.
    pub fn parse(&self) -> Result<(Email, String), ApiError> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", email(&self.email));
        let reason = errors.check("reason", name_like(&self.reason, 500));
        errors.finish_parsed(email.zip(reason))
    }
}

/// The body of `POST /api/me/password`: the caller proves it is them again.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPassword {
    /// The password the account signs in with now.
    pub current_password: String,
    /// The authenticator app's current 6-digit code, or one of the account's recovery codes in
    /// its place (used up; spaces around it are forgiven).
    pub code: String,
    /// The new password: 12 to 128 characters, not a common one.
    #[schemars(length(min = password::MIN_CHARS, max = password::MAX_CHARS))]
    pub new_password: String,
}

impl NewPassword {
    /// The new password, or a 400 naming `newPassword`.
    pub fn parse(&self) -> Result<Password, ApiError> {
        new_password(&self.new_password).map_err(|code| ApiError::invalid("newPassword", code))
    }
}

/// The body of `POST /api/me/email`: the new address, and the caller proving it is them again.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewEmail {
    /// The address to sign in with from now on (it receives a code; an address that belongs to
    /// another account is answered alike, and receives none).
    #[schemars(email, length(max = MAX_EMAIL_CHARS))]
    pub new_email: String,
    /// The password the account signs in with now.
    pub current_password: String,
    /// The authenticator app's current 6-digit code, or one of the account's recovery codes in
    /// its place (used up; spaces around it are forgiven).
    pub code: String,
}

impl NewEmail {
    /// The new address, or a 400 naming `newEmail`.
    pub fn parse(&self) -> Result<Email, ApiError> {
        email(&self.new_email).map_err(|code| ApiError::invalid("newEmail", code))
    }
}

/// The body of `POST /api/me/email/verify`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmailCode {
    /// The 6-digit code sent to the new address (spaces around it are forgiven).
    pub code: String,
}

/// The account's sign-in address, once changed.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignInEmail {
    /// The address the account signs in with, and hears from the portal at.
    pub email: String,
}

/// Longest name of a passkey, in characters.
pub const MAX_PASSKEY_NAME_CHARS: usize = 60;

/// A JSON object of WebAuthn's, passed through as the browser or the provider wrote it.
pub type WebAuthnJson = serde_json::Map<String, serde_json::Value>;

/// The options of a passkey registration: `PublicKeyCredentialCreationOptionsJSON` (WebAuthn
/// Level 3), for `PublicKeyCredential.parseCreationOptionsFromJSON`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyOptions {
    /// The options (a discoverable credential, user verification required).
    pub public_key: WebAuthnJson,
}

/// The body of `POST /api/me/passkeys/verify`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPasskey {
    /// What to call it ("Work laptop"), 1 to 60 characters.
    #[schemars(length(min = 1, max = MAX_PASSKEY_NAME_CHARS))]
    pub name: String,
    /// The new credential as `PublicKeyCredential.toJSON()` gives it (`RegistrationResponseJSON`).
    pub credential: WebAuthnJson,
}

/// The body of `PATCH /api/me/passkeys/{id}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasskeyName {
    /// What to call it, 1 to 60 characters.
    #[schemars(length(min = 1, max = MAX_PASSKEY_NAME_CHARS))]
    pub name: String,
}

/// A passkey's name as typed, trimmed, or a 400 naming `name`.
pub fn passkey_name(name: &str) -> Result<String, ApiError> {
    name_like(name, MAX_PASSKEY_NAME_CHARS).map_err(|code| ApiError::invalid("name", code))
}

/// One of the caller's passkeys.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyView {
    /// The credential's id (base64url), for `PATCH` and `DELETE /api/me/passkeys/{id}`.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// When it was added (seconds since the epoch).
    pub created_at: u64,
}

impl From<Passkey> for PasskeyView {
    fn from(passkey: Passkey) -> Self {
        Self { id: passkey.id, name: passkey.name, created_at: passkey.created_at }
    }
}

/// The caller's passkeys: `GET /api/me/passkeys`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyList {
    /// Oldest first.
    pub passkeys: Vec<PasskeyView>,
}

/// A passkey sign-in begun: `POST /api/auth/passkey`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasskeySignInStart {
    /// The sign-in in progress, to answer with the assertion (3 minutes).
    pub session: String,
    /// `PublicKeyCredentialRequestOptionsJSON`, for
    /// `PublicKeyCredential.parseRequestOptionsFromJSON` (user verification required).
    pub public_key: WebAuthnJson,
}

/// The body of `POST /api/auth/passkey/verify`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasskeyAssertion {
    /// The session `POST /api/auth/passkey` gave.
    #[schemars(length(max = 4096))]
    pub session: String,
    /// The assertion as `PublicKeyCredential.toJSON()` gives it (`AuthenticationResponseJSON`).
    pub credential: WebAuthnJson,
}

/// The cookie that lets a browser be recognised at its next sign-in (a random id, nothing
/// else): a sign-in from a browser without it is told to the account's owner.
pub const BROWSER_COOKIE: &str = "portal_browser";

/// The caller's sessions: `GET /api/me/sessions`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionList {
    /// The sessions whose tokens still work, the most recently used first.
    pub sessions: Vec<SessionView>,
}

/// One session, as its owner sees it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The session's id (for `DELETE /api/me/sessions/{id}`).
    pub id: SessionIdText,
    /// The browser its user agent names (`Firefox`, `Microsoft Edge`, ...), if recognised.
    pub browser: Option<String>,
    /// The operating system its user agent names (`Windows`, `iOS`, ...), if recognised.
    pub os: Option<String>,
    /// The client's address at its last use (no place is looked up: that would send the
    /// address to a third party).
    pub address: String,
    /// When it began (seconds since the epoch).
    pub started_at: u64,
    /// When it was last used: signed in, or its tokens renewed (seconds since the epoch).
    pub last_used_at: u64,
    /// Whether it is the session of this request.
    pub current: bool,
}

/// A session id as answered (a UUID).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct SessionIdText(#[schemars(with = "uuid::Uuid")] pub String);

impl SessionView {
    /// The view of `session` for a caller in session `current`.
    pub fn of(session: Session, current: Option<&str>) -> Self {
        let device = Device::of(&session.user_agent);
        Self {
            current: current == Some(session.id.as_str()),
            id: SessionIdText(session.id),
            browser: device.browser.map(str::to_owned),
            os: device.os.map(str::to_owned),
            address: session.address,
            started_at: session.started_at,
            last_used_at: session.last_used_at,
        }
    }
}

/// The answer to `POST /api/me/sessions/end-others`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OtherSessionsEnded {
    /// How many sessions were signed out.
    pub ended: usize,
}

/// The body of `POST /api/auth/register`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registration {
    /// The sign-in address (trimmed and lowercased; at most 254 characters).
    #[schemars(email, length(max = MAX_EMAIL_CHARS))]
    pub email: String,
    /// The password: 12 to 128 characters, not a common one.
    #[schemars(length(min = password::MIN_CHARS, max = password::MAX_CHARS))]
    pub password: String,
    /// Given name(s), up to 100 characters, no control characters.
    #[schemars(length(min = 1, max = MAX_NAME_CHARS))]
    pub given_name: String,
    /// Family name, up to 100 characters, no control characters.
    #[schemars(length(min = 1, max = MAX_NAME_CHARS))]
    pub family_name: String,
    /// The language of the portal, messages and notifications.
    pub preferred_language: Language,
}

impl Registration {
    /// The account to create, or a 400 naming every invalid field.
    pub fn sign_up(self) -> Result<SignUp, ApiError> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", email(&self.email));
        let password = errors.check("password", new_password(&self.password));
        let given_name = errors.check("givenName", name(&self.given_name));
        let family_name = errors.check("familyName", name(&self.family_name));
        let parsed = email.zip(password).zip(given_name.zip(family_name));
        let ((email, password), (given_name, family_name)) = errors.finish_parsed(parsed)?;
        Ok(SignUp { email, password, given_name, family_name, language: self.preferred_language })
    }
}

/// The answer to a registration: the same whether or not the address already has an account
/// (its owner is told by email instead, A6).
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegistrationAccepted {
    /// Always `confirmation-code-sent`.
    pub status: RegistrationStatus,
}

impl RegistrationAccepted {
    /// The one answer.
    pub const SENT: Self = Self { status: RegistrationStatus::ConfirmationCodeSent };
}

/// Where a registration stands once accepted.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RegistrationStatus {
    /// A confirmation code is on its way to the address (when it has no confirmed account).
    ConfirmationCodeSent,
}

/// The body of `POST /api/auth/confirm`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Confirmation {
    /// The address registered.
    #[schemars(email, length(max = MAX_EMAIL_CHARS))]
    pub email: String,
    /// The 6-digit code emailed to it (spaces around it are forgiven).
    pub code: String,
}

/// A body naming one address: `POST /api/auth/resend` and `POST /api/auth/forgot`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmailAddress {
    /// The account's address.
    #[schemars(email, length(max = MAX_EMAIL_CHARS))]
    pub email: String,
}

/// The body of `POST /api/auth/login`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Credentials {
    /// The sign-in address (one that cannot be an address answers as a wrong password).
    pub email: String,
    /// The password.
    pub password: String,
}

/// A sign-in waiting for its second factor (a password alone never yields tokens).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MfaChallenge {
    /// `MFA_SETUP` on the first sign-in (enrol an authenticator app with `/api/auth/mfa/setup`),
    /// then `SOFTWARE_TOKEN_MFA` (answer with `/api/auth/mfa`).
    pub challenge: ChallengeKind,
    /// The sign-in in progress, valid for 3 minutes: give it back with the next step.
    pub session: String,
}

impl From<Challenge> for MfaChallenge {
    fn from(challenge: Challenge) -> Self {
        Self { challenge: challenge.kind, session: challenge.session }
    }
}

/// The body of `POST /api/auth/mfa/setup`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignInSession {
    /// The `session` of the `MFA_SETUP` challenge.
    pub session: String,
}

/// The body of `POST /api/auth/mfa/setup/verify` and `POST /api/auth/mfa`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MfaCode {
    /// The `session` of the challenge (or of the enrolment).
    pub session: String,
    /// The authenticator app's current 6-digit code (spaces around it are forgiven); a recovery
    /// code is given to `POST /api/auth/mfa/recovery` instead.
    pub code: String,
}

/// A completed sign-in. The refresh token is not here: it travels only in the
/// [`REFRESH_COOKIE`] cookie, which no script can read.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    /// The access token (a JWT), sent as `Authorization: Bearer` to signed-in routes.
    pub access_token: String,
    /// The ID token (a JWT) describing the account.
    pub id_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

impl From<&Tokens> for SignedIn {
    fn from(tokens: &Tokens) -> Self {
        Self {
            access_token: tokens.access_token.clone(),
            id_token: tokens.id_token.clone(),
            expires_in: tokens.expires_in,
        }
    }
}

/// The body of `POST /api/auth/reset`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordReset {
    /// The account's address.
    #[schemars(email, length(max = MAX_EMAIL_CHARS))]
    pub email: String,
    /// The code emailed by `/api/auth/forgot` (spaces around it are forgiven).
    pub code: String,
    /// The new password: 12 to 128 characters, not a common one.
    #[schemars(length(min = password::MIN_CHARS, max = password::MAX_CHARS))]
    pub new_password: String,
}

impl PasswordReset {
    /// The address and the new password, or a 400 naming every invalid field.
    pub fn parse(&self) -> Result<(Email, Password), ApiError> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", email(&self.email));
        let password = errors.check("newPassword", new_password(&self.new_password));
        errors.finish_parsed(email.zip(password))
    }
}

impl Confirmation {
    /// The address, or a 400 naming `email`.
    pub fn email(&self) -> Result<Email, ApiError> {
        email(&self.email).map_err(|code| ApiError::invalid("email", code))
    }
}

impl EmailAddress {
    /// The address, or a 400 naming `email`.
    pub fn parse(&self) -> Result<Email, ApiError> {
        email(&self.email).map_err(|code| ApiError::invalid("email", code))
    }
}

fn email(value: &str) -> Result<Email, &'static str> {
    Email::parse(value).map_err(|_| "invalid-email")
}

fn new_password(value: &str) -> Result<Password, &'static str> {
    Password::parse(value).map_err(|error| match error {
        PasswordError::TooShort => "too-short",
        PasswordError::TooLong => "too-long",
        PasswordError::Common => "common",
    })
}

/// A name: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control characters.
fn name(value: &str) -> Result<String, &'static str> {
    name_like(value, MAX_NAME_CHARS)
}

/// A line of text: trimmed, 1 to `max` characters, no control characters.
fn name_like(value: &str, max: usize) -> Result<String, &'static str> {
    let text = value.trim();
    if text.is_empty() {
        return Err("required");
    }
    if text.chars().count() > max || text.chars().any(char::is_control) {
        return Err("invalid");
    }
    Ok(text.to_owned())
}
