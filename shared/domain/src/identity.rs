//! The `Identity` port: the account operations the portal needs, as Cognito offers them. The
//! Cognito adapter and the local identity provider implement it.
//!
//! A password alone never yields tokens: `sign_in` always ends in a second-factor challenge,
//! either to enrol an authenticator app (first sign-in) or to answer it.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Serialize;

use crate::email::Email;
use crate::password::Password;
use crate::profile::Language;
use crate::uri::encode_component;

/// A new account.
#[derive(Clone, Debug)]
pub struct SignUp {
    /// Sign-in email.
    pub email: Email,
    /// Chosen password (already checked against the rules).
    pub password: Password,
    /// Given name(s).
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Language of messages sent to the user.
    pub language: Language,
}

/// The second factor a sign-in waits for, named as Cognito names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChallengeKind {
    /// No authenticator yet: enrol one (Cognito `MFA_SETUP`).
    MfaSetup,
    /// Answer with the authenticator's code (Cognito `SOFTWARE_TOKEN_MFA`).
    SoftwareTokenMfa,
}

/// A sign-in waiting for its second factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// What is expected next.
    pub kind: ChallengeKind,
    /// Opaque, short-lived handle of the sign-in in progress.
    pub session: String,
    /// The account signing in (`sub`).
    pub sub: String,
}

/// An account whose email was just confirmed, as its confirmed registration describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// The account's id (`sub`).
    pub sub: String,
    /// Given name(s).
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Language of messages sent to the user.
    pub language: Language,
}

/// An authenticator being enrolled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MfaEnrolment {
    /// The shared TOTP secret, base32 (typed in by hand when a QR code cannot be scanned).
    pub secret: String,
    /// The `otpauth://totp/...` URI that authenticator apps scan as a QR code.
    pub otpauth_uri: String,
    /// The sign-in in progress, to verify the first code with.
    pub session: String,
}

/// A new authenticator for a signed-in account, to be verified before it replaces the old one.
// No `Debug`: it holds the secret.
#[derive(Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewAuthenticator {
    /// The shared TOTP secret, base32 (typed in by hand when a QR code cannot be scanned).
    pub secret: String,
    /// The `otpauth://totp/...` URI that authenticator apps scan as a QR code.
    pub otpauth_uri: String,
}

/// A passkey of an account, as its provider lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyInfo {
    /// The credential's id, base64url without padding.
    pub id: String,
    /// When it was registered (seconds since the epoch).
    pub created_at: u64,
}

/// A passkey sign-in waiting for the browser's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyChallenge {
    /// Opaque, short-lived handle of the sign-in in progress.
    pub session: String,
    /// The account signing in (`sub`), or a stand-in for an address with none: the answer does
    /// not tell which (A6).
    pub sub: String,
    /// The `PublicKeyCredentialRequestOptionsJSON` the browser passes to
    /// `navigator.credentials.get` (user verification required).
    pub options: serde_json::Value,
}

/// Name authenticator apps show for the portal's accounts.
pub const AUTHENTICATOR_ISSUER: &str = "Applicant portal";

/// The `otpauth://totp/…` URI (Google Authenticator key-URI format) that authenticator apps scan:
/// SHA-1, 6 digits, 30-second steps, labelled with the portal and the account name.
pub fn otpauth_uri(secret: &str, account: &str) -> String {
    let issuer = encode_component(AUTHENTICATOR_ISSUER);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        encode_component(account)
    )
}

/// Tokens of a signed-in session. (De)serializable for the one adapter that must hold a sign-in's
/// tokens between two requests, sealed (Cognito's, until a first authenticator is enrolled).
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// Access token (JWT), presented as a bearer token.
    pub access_token: String,
    /// ID token (JWT).
    pub id_token: String,
    /// Refresh token: travels only in an HttpOnly cookie.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The account they belong to (`sub`).
    pub sub: String,
    /// The session they belong to (`origin_jti`: the same for every token refreshed from one
    /// sign-in).
    pub session: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_in", &self.expires_in)
            .field("sub", &self.sub)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

/// What can go wrong, in terms the routes can answer with.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// An account with this email exists (never told to the caller: register answers the same).
    #[error("an account with this email already exists")]
    AccountExists,
    /// Wrong email or password, or no such account (indistinguishable on purpose).
    #[error("the email or password is not correct")]
    NotAuthorized,
    /// The account's email is not confirmed yet.
    #[error("the email address is not confirmed")]
    NotConfirmed,
    /// A one-time code that does not match.
    #[error("the code is not correct")]
    CodeMismatch,
    /// A one-time code that has expired or was already used.
    #[error("the code has expired")]
    CodeExpired,
    /// The sign-in session is unknown, expired, or at another step.
    #[error("the sign-in session has expired")]
    SessionExpired,
    /// Too many failed attempts: wait before trying again.
    #[error("too many attempts")]
    TooManyAttempts,
    /// The password breaks the identity provider's policy.
    #[error("the password does not meet the policy")]
    InvalidPassword,
    /// Too much work is already waiting (password hashing): try again shortly.
    #[error("the identity provider is busy")]
    Busy,
    /// The identity provider failed or could not be reached.
    #[error("the identity provider is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The account operations of the portal.
#[async_trait]
pub trait Identity: Send + Sync {
    /// Registers an unconfirmed account and sends its email a confirmation code (A9). An
    /// unconfirmed registration holds nothing: registering the address again replaces it, and
    /// only confirming with the code sent for a registration makes that registration's password
    /// the account's. `AccountExists` when the address belongs to a confirmed account.
    async fn sign_up(&self, request: &SignUp) -> Result<(), IdentityError>;

    /// Confirms an account's email with the code sent to it, and says who the account is.
    async fn confirm_sign_up(&self, email: &Email, code: &str) -> Result<Registered, IdentityError>;

    /// The id (`sub`) of the account of an email, if there is one (to tell its owner something).
    async fn account_id(&self, email: &Email) -> Result<Option<String>, IdentityError>;

    /// Sends a new confirmation code.
    async fn resend_confirmation(&self, email: &Email) -> Result<(), IdentityError>;

    /// Checks email and password; always ends in a second-factor challenge.
    async fn sign_in(&self, email: &Email, password: &str) -> Result<Challenge, IdentityError>;

    /// Starts enrolling an authenticator app for a sign-in at the `MfaSetup` step.
    async fn begin_mfa_enrolment(&self, session: &str) -> Result<MfaEnrolment, IdentityError>;

    /// Verifies the first authenticator code, enables MFA and completes the sign-in.
    async fn complete_mfa_enrolment(&self, session: &str, code: &str) -> Result<Tokens, IdentityError>;

    /// Answers a `SoftwareTokenMfa` challenge and completes the sign-in.
    async fn answer_mfa(&self, session: &str, code: &str) -> Result<Tokens, IdentityError>;

    /// Completes a sign-in waiting for its authenticator's code (`session`, begun with `email`
    /// and `password`) without that code: the caller redeemed a recovery code in its place. The
    /// authenticator stays the account's.
    async fn complete_sign_in_without_code(
        &self,
        session: &str,
        email: &Email,
        password: &str,
    ) -> Result<Tokens, IdentityError>;

    /// New tokens for a refresh token.
    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, IdentityError>;

    /// Sends a password-reset code, if the account exists (the caller never learns which).
    async fn forgot_password(&self, email: &Email) -> Result<(), IdentityError>;

    /// Sets a new password with the reset code, and returns the account's id (`sub`) so the
    /// caller can end its sessions.
    async fn confirm_forgot_password(
        &self,
        email: &Email,
        code: &str,
        password: &Password,
    ) -> Result<String, IdentityError>;

    /// Ends the session of a refresh token at the provider: it and every token refreshed from
    /// the same sign-in stop working (Cognito `RevokeToken`). An unknown token is no error.
    async fn revoke_refresh_token(&self, refresh_token: &str) -> Result<(), IdentityError>;

    /// Starts replacing the authenticator of the signed-in user of `access_token` (their own,
    /// as presented): a new secret, which takes over only once a code of it is verified; the
    /// old authenticator works until then (Cognito `AssociateSoftwareToken`).
    async fn begin_authenticator_change(
        &self,
        access_token: &str,
        email: &Email,
    ) -> Result<NewAuthenticator, IdentityError>;

    /// Verifies a code of the new authenticator and makes it the account's, in place of the
    /// old one (Cognito `VerifySoftwareToken`, then the MFA preference).
    async fn complete_authenticator_change(
        &self,
        access_token: &str,
        email: &Email,
        code: &str,
    ) -> Result<(), IdentityError>;

    /// Starts moving the signed-in user of `access_token` (at `email`) to the sign-in address
    /// `new`: a code is sent to `new`, and `email` stays the account's until it is verified
    /// (Cognito `UpdateUserAttributes`, with email changes verified before they apply).
    /// `AccountExists` when `new` belongs to another account.
    async fn begin_email_change(&self, access_token: &str, email: &Email, new: &Email) -> Result<(), IdentityError>;

    /// Verifies the code sent to `new`, which then becomes the account's sign-in address in place
    /// of `email` (Cognito `VerifyUserAttribute`).
    async fn complete_email_change(
        &self,
        access_token: &str,
        email: &Email,
        new: &Email,
        code: &str,
    ) -> Result<(), IdentityError>;

    /// Starts registering a passkey for the signed-in user of `access_token` (`sub`, at
    /// `email`): the `PublicKeyCredentialCreationOptionsJSON` for `navigator.credentials.create`,
    /// a discoverable credential with user verification required (Cognito
    /// `StartWebAuthnRegistration`).
    async fn begin_passkey_registration(
        &self,
        access_token: &str,
        sub: &str,
        email: &Email,
    ) -> Result<serde_json::Value, IdentityError>;

    /// Verifies the browser's new credential (`RegistrationResponseJSON`) against the begun
    /// registration and keeps it; gives its id (Cognito `CompleteWebAuthnRegistration`).
    /// `CodeMismatch` when the credential does not verify.
    async fn complete_passkey_registration(
        &self,
        access_token: &str,
        sub: &str,
        credential: &serde_json::Value,
    ) -> Result<String, IdentityError>;

    /// The user's passkeys (Cognito `ListWebAuthnCredentials`).
    async fn passkeys(&self, access_token: &str, sub: &str) -> Result<Vec<PasskeyInfo>, IdentityError>;

    /// Removes one of the user's passkeys (Cognito `DeleteWebAuthnCredential`); `NotAuthorized`
    /// when it is not one of theirs.
    async fn delete_passkey(&self, access_token: &str, sub: &str, id: &str) -> Result<(), IdentityError>;

    /// Starts a sign-in with a passkey alone (it stands for both factors: something held, and
    /// the person verified by it). Answered alike for an address with no account or no passkey
    /// (Cognito `USER_AUTH` with the `WEB_AUTHN` challenge).
    async fn begin_passkey_sign_in(&self, email: &Email) -> Result<PasskeyChallenge, IdentityError>;

    /// Verifies the browser's assertion (`AuthenticationResponseJSON`) and completes the sign-in.
    /// `CodeMismatch` when it does not verify or is not a passkey of the account.
    async fn complete_passkey_sign_in(
        &self,
        session: &str,
        credential: &serde_json::Value,
    ) -> Result<Tokens, IdentityError>;

    /// Removes the account's authenticator: its next sign-in must enrol a new one (`MfaSetup`)
    /// before any token is issued.
    async fn reset_mfa(&self, email: &Email) -> Result<(), IdentityError>;

    /// Sets a new password for the account of `email` (the caller has proven it is its owner).
    async fn set_password(&self, email: &Email, password: &Password) -> Result<(), IdentityError>;

    /// Ends every session of the user: refresh tokens stop working at once.
    async fn sign_out_everywhere(&self, sub: &str) -> Result<(), IdentityError>;

    /// Creates a confirmed account in `groups` with a password the administrator chose
    /// (officers); it enrols MFA at its first sign-in. Returns the account's id (`sub`).
    async fn admin_create_user(&self, request: &SignUp, groups: &[&str]) -> Result<String, IdentityError>;

    /// Disables an account: it can no longer sign in or refresh. Returns its id (`sub`) so the
    /// caller can refuse its access tokens too.
    async fn admin_disable_user(&self, email: &Email) -> Result<String, IdentityError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_otpauth_uri_names_the_portal_and_the_account() {
        assert_eq!(
            otpauth_uri("JBSWY3DPEHPK3PXP", "marie+test@example.ca"),
            "otpauth://totp/Applicant%20portal:marie%2Btest%40example.ca?secret=JBSWY3DPEHPK3PXP\
             &issuer=Applicant%20portal&algorithm=SHA1&digits=6&period=30"
        );
    }
}
