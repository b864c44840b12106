//! The `Identity` port on Amazon Cognito user pools, through the server-side flows of an app
//! client with a secret (`ADMIN_USER_PASSWORD_AUTH`, `SECRET_HASH` on every call that takes it).
//!
//! Cognito's challenge session does not name the user, but answering a challenge must; the
//! session handed to the caller therefore wraps Cognito's session together with the username.
//! A caller who edits the username gains nothing: Cognito binds its session to the user.
//!
//! The pool's MFA is optional and the portal enforces it: a sign-in of an account with no second
//! factor is held (`held`) until an authenticator is enrolled, so a password alone never yields
//! tokens (A1), and an authenticator can be removed for someone who lost it.

mod held;

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType, MessageActionType,
    SoftwareTokenMfaSettingsType, UserStatusType, VerifySoftwareTokenResponseType, WebAuthnMfaSettingsType,
};
use aws_smithy_types::{Document, Number};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use portal_domain::email::Email;
use portal_domain::identity::{
    Challenge, ChallengeKind, Identity, IdentityError, MfaEnrolment, NewAuthenticator, PasskeyChallenge, PasskeyInfo,
    Registered, SignUp, Tokens, otpauth_uri,
};
use portal_domain::password::Password;
use portal_domain::profile::Language;

use self::held::{HeldSignIn, Seal};

/// The user pool and app client the functions use.
#[derive(Clone)]
pub struct CognitoConfig {
    /// `USER_POOL_ID`.
    pub user_pool_id: String,
    /// `USER_POOL_CLIENT_ID`.
    pub client_id: String,
    /// `USER_POOL_CLIENT_SECRET`.
    pub client_secret: String,
}

impl std::fmt::Debug for CognitoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoConfig")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The `Identity` port on a Cognito user pool.
#[derive(Clone, Debug)]
pub struct CognitoIdentity {
    client: Client,
    config: CognitoConfig,
    seal: std::sync::Arc<Seal>,
}

/// `SECRET_HASH`: Base64(HMAC-SHA256(client secret, username ‖ client id)).
pub fn secret_hash(client_secret: &str, client_id: &str, username: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, client_secret.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&key, format!("{username}{client_id}").as_bytes());
    STANDARD.encode(tag.as_ref())
}

/// Maps Cognito's errors by their code.
fn identity_error<E, R>(error: SdkError<E, R>) -> IdentityError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match error.code() {
        // Cognito's own lockout after repeated failures: not a guess to count against the place.
        Some("NotAuthorizedException") if error.message().is_some_and(|m| m.contains("attempts exceeded")) => {
            IdentityError::TooManyAttempts
        }
        Some("NotAuthorizedException" | "UserNotFoundException") => IdentityError::NotAuthorized,
        Some("UsernameExistsException" | "AliasExistsException") => IdentityError::AccountExists,
        Some("UserNotConfirmedException") => IdentityError::NotConfirmed,
        Some("CodeMismatchException" | "EnableSoftwareTokenMFAException") => IdentityError::CodeMismatch,
        Some("ExpiredCodeException") => IdentityError::CodeExpired,
        // A passkey credential Cognito cannot verify is a wrong answer, not a failure of the pool.
        Some(
            "WebAuthnClientMismatchException"
            | "WebAuthnOriginNotAllowedException"
            | "WebAuthnRelyingPartyMismatchException"
            | "WebAuthnCredentialNotSupportedException",
        ) => IdentityError::CodeMismatch,
        Some("WebAuthnChallengeNotFoundException") => IdentityError::SessionExpired,
        Some("TooManyRequestsException" | "TooManyFailedAttemptsException" | "LimitExceededException") => {
            IdentityError::TooManyAttempts
        }
        Some("InvalidPasswordException") => IdentityError::InvalidPassword,
        _ => IdentityError::Unavailable(Box::new(error)),
    }
}

/// A code that Cognito will not send answers like one it sent: to an unknown address
/// (`UserNotFoundException`), to a confirmed one on resend or an unconfirmed one on reset
/// (`InvalidParameterException`), or past Cognito's own per-user limit (`LimitExceededException`,
/// which only existing users reach; the portal's own limit comes first). Whether an account
/// exists is not the caller's business (A6).
fn unknown_address_is_fine<T, E, R>(sent: Result<T, SdkError<E, R>>) -> Result<(), IdentityError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match sent {
        Ok(_) => Ok(()),
        Err(error)
            if matches!(
                error.code(),
                Some("UserNotFoundException" | "InvalidParameterException" | "LimitExceededException")
            ) =>
        {
            Ok(())
        }
        Err(error) => match identity_error(error) {
            IdentityError::NotAuthorized => Ok(()),
            other => Err(other),
        },
    }
}

/// A challenge session as handed to the caller: Cognito's session and the username.
fn wrap_session(username: &str, session: &str) -> String {
    format!("{}.{}", URL_SAFE_NO_PAD.encode(username), URL_SAFE_NO_PAD.encode(session))
}

fn unwrap_session(wrapped: &str) -> Result<(String, String), IdentityError> {
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).ok().and_then(|bytes| String::from_utf8(bytes).ok());
    let (username, session) = wrapped.split_once('.').ok_or(IdentityError::SessionExpired)?;
    match (decode(username), decode(session)) {
        (Some(username), Some(session)) if !username.is_empty() && !session.is_empty() => Ok((username, session)),
        _ => Err(IdentityError::SessionExpired),
    }
}

/// The claims of an access token the portal needs to keep its session records: whose it is
/// (`sub`) and which sign-in it comes from (`origin_jti`, present once the app client enables
/// token revocation, as `template.yaml` does).
#[derive(serde::Deserialize)]
struct SessionClaims {
    sub: String,
    origin_jti: String,
}

/// Reads the claims of a token Cognito has just issued to this function, over TLS: the payload
/// is decoded, not verified (the authorizer verifies every token a caller presents).
fn session_claims(access_token: &str) -> Result<SessionClaims, IdentityError> {
    let unreadable = |what: &str| IdentityError::Unavailable(format!("Cognito's access token {what}").into());
    let payload = access_token.split('.').nth(1).ok_or_else(|| unreadable("is not a JWT"))?;
    let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| unreadable("payload is not base64url"))?;
    serde_json::from_slice(&json).map_err(|_| unreadable("has no sub or origin_jti"))
}

fn tokens(result: Option<&AuthenticationResultType>, previous_refresh: Option<&str>) -> Result<Tokens, IdentityError> {
    let missing = || IdentityError::Unavailable("Cognito returned no tokens".into());
    let result = result.ok_or_else(missing)?;
    let refresh_token = result.refresh_token().or(previous_refresh).ok_or_else(missing)?;
    let access_token = result.access_token().ok_or_else(missing)?;
    let claims = session_claims(access_token)?;
    Ok(Tokens {
        access_token: access_token.to_owned(),
        id_token: result.id_token().ok_or_else(missing)?.to_owned(),
        refresh_token: refresh_token.to_owned(),
        expires_in: u64::try_from(result.expires_in()).unwrap_or_default(),
        sub: claims.sub,
        session: claims.origin_jti,
    })
}

/// Seconds since the epoch (the held sign-ins' clock: Cognito's own sessions expire by its clock).
fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

/// The `locale` attribute of a language.
fn locale(language: Language) -> &'static str {
    match language {
        Language::En => "en",
        Language::Fr => "fr",
    }
}

/// A user attribute's value.
fn user_attribute<'a>(user: &'a AdminGetUserOutput, name: &str) -> Option<&'a str> {
    user.user_attributes().iter().find(|a| a.name() == name).and_then(|a| a.value())
}

/// A user's id (`sub`; the username where the pool names users by it).
fn user_sub(user: &AdminGetUserOutput) -> String {
    user_attribute(user, "sub").unwrap_or(user.username()).to_owned()
}

/// A JSON value as the SDK's document (WebAuthn options and credentials travel as documents).
fn document(value: &serde_json::Value) -> Document {
    match value {
        serde_json::Value::Null => Document::Null,
        serde_json::Value::Bool(b) => Document::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Document::Number(Number::PosInt(u)),
            (_, Some(i), _) => Document::Number(Number::NegInt(i)),
            (_, _, f) => Document::Number(Number::Float(f.unwrap_or_default())),
        },
        serde_json::Value::String(s) => Document::String(s.clone()),
        serde_json::Value::Array(items) => Document::Array(items.iter().map(document).collect()),
        serde_json::Value::Object(map) => Document::Object(map.iter().map(|(k, v)| (k.clone(), document(v))).collect()),
    }
}

/// A document of the SDK's as JSON.
fn json(document: &Document) -> serde_json::Value {
    match document {
        Document::Null => serde_json::Value::Null,
        Document::Bool(b) => serde_json::Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => serde_json::Value::from(*u),
        Document::Number(Number::NegInt(i)) => serde_json::Value::from(*i),
        Document::Number(Number::Float(f)) => serde_json::Value::from(*f),
        Document::String(s) => serde_json::Value::String(s.clone()),
        Document::Array(items) => serde_json::Value::Array(items.iter().map(json).collect()),
        Document::Object(map) => serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), json(v))).collect()),
    }
}

/// The challenge of a passkey sign-in for an address with no account or no passkey: shaped as
/// Cognito's, with a random challenge and a session Cognito never issued, so no credential
/// answers it.
fn stand_in_passkey_challenge(email: &Email) -> Result<PasskeyChallenge, IdentityError> {
    let random = |bytes: usize| {
        let mut buffer = vec![0u8; bytes];
        aws_lc_rs::rand::fill(&mut buffer).map(|()| URL_SAFE_NO_PAD.encode(&buffer))
    };
    let unavailable = |_| IdentityError::Unavailable("no randomness for a stand-in challenge".into());
    let options = serde_json::json!({
        "challenge": random(32).map_err(unavailable)?,
        "timeout": 180_000,
        "userVerification": "required",
    });
    let session = wrap_session(email.as_str(), &random(48).map_err(unavailable)?);
    // No account's id: the sign-in's record is kept under one of its own.
    let sub = format!("stand-in-{}", random(16).map_err(unavailable)?);
    Ok(PasskeyChallenge { session, sub, options })
}

fn attribute(name: &str, value: &str) -> Result<AttributeType, IdentityError> {
    AttributeType::builder().name(name).value(value).build().map_err(|e| IdentityError::Unavailable(Box::new(e)))
}

impl CognitoIdentity {
    /// An adapter over an already-built client (clients are built once, at init).
    pub fn new(client: Client, config: CognitoConfig) -> Self {
        let seal = std::sync::Arc::new(Seal::new(&config.client_secret));
        Self { client, config, seal }
    }

    /// The user of an email, if there is one.
    async fn user(&self, email: &Email) -> Result<Option<AdminGetUserOutput>, IdentityError> {
        let user =
            self.client.admin_get_user().user_pool_id(&self.config.user_pool_id).username(email.as_str()).send().await;
        match user.map_err(identity_error) {
            Ok(user) => Ok(Some(user)),
            Err(IdentityError::NotAuthorized) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// The account's id (`sub`) for its email.
    async fn sub_of(&self, email: &Email) -> Result<String, IdentityError> {
        Ok(user_sub(&self.user(email).await?.ok_or(IdentityError::NotAuthorized)?))
    }

    async fn register(&self, request: &SignUp) -> Result<(), IdentityError> {
        let username = request.email.as_str();
        self.client
            .sign_up()
            .client_id(&self.config.client_id)
            .secret_hash(self.hash(username))
            .username(username)
            .password(request.password.expose())
            .user_attributes(attribute("email", username)?)
            .user_attributes(attribute("given_name", &request.given_name)?)
            .user_attributes(attribute("family_name", &request.family_name)?)
            .user_attributes(attribute("locale", locale(request.language))?)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    /// Makes the user's verified authenticator their second factor, asked for at every password
    /// sign-in from now on.
    async fn prefer_authenticator(&self, username: &str) -> Result<(), IdentityError> {
        self.authenticator_asked(username, true).await
    }

    /// Whether a password sign-in asks for the user's authenticator. Turned off, the verified
    /// secret stays the user's: only the preference changes.
    async fn authenticator_asked(&self, username: &str, asked: bool) -> Result<(), IdentityError> {
        let preferred = SoftwareTokenMfaSettingsType::builder().enabled(asked).preferred_mfa(asked).build();
        self.client
            .admin_set_user_mfa_preference()
            .user_pool_id(&self.config.user_pool_id)
            .username(username)
            .software_token_mfa_settings(preferred)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    /// A password sign-in (`ADMIN_USER_PASSWORD_AUTH`), as Cognito answers it.
    async fn password_auth(&self, email: &Email, password: &str) -> Result<AdminInitiateAuthOutput, IdentityError> {
        self.client
            .admin_initiate_auth()
            .user_pool_id(&self.config.user_pool_id)
            .client_id(&self.config.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", email.as_str())
            .auth_parameters("PASSWORD", password)
            .auth_parameters("SECRET_HASH", self.hash(email.as_str()))
            .send()
            .await
            .map_err(identity_error)
    }

    fn hash(&self, username: &str) -> String {
        secret_hash(&self.config.client_secret, &self.config.client_id, username)
    }

    /// Answers a challenge (with `answer`, a response's name and value) and returns the tokens
    /// it ends in.
    async fn respond(
        &self,
        challenge: ChallengeNameType,
        username: &str,
        session: &str,
        answer: Option<(&str, &str)>,
    ) -> Result<Tokens, IdentityError> {
        let mut request = self
            .client
            .admin_respond_to_auth_challenge()
            .user_pool_id(&self.config.user_pool_id)
            .client_id(&self.config.client_id)
            .challenge_name(challenge)
            .session(session)
            .challenge_responses("USERNAME", username)
            .challenge_responses("SECRET_HASH", self.hash(username));
        if let Some((name, value)) = answer {
            request = request.challenge_responses(name, value);
        }
        let output = request.send().await.map_err(identity_error)?;
        if output.challenge_name().is_some() {
            return Err(IdentityError::SessionExpired);
        }
        tokens(output.authentication_result(), None)
    }
}

#[async_trait]
impl Identity for CognitoIdentity {
    async fn sign_up(&self, request: &SignUp) -> Result<(), IdentityError> {
        match self.register(request).await {
            Err(IdentityError::AccountExists) => {}
            registered => return registered,
        }
        // An unconfirmed user holds nothing (A9): it is replaced by this registration, so the
        // only password the address can be confirmed with is the latest registrant's.
        let Some(existing) = self.user(&request.email).await? else { return self.register(request).await };
        if existing.user_status() != Some(&UserStatusType::Unconfirmed) {
            return Err(IdentityError::AccountExists);
        }
        self.client
            .admin_delete_user()
            .user_pool_id(&self.config.user_pool_id)
            .username(existing.username())
            .send()
            .await
            .map_err(identity_error)?;
        self.register(request).await
    }

    async fn confirm_sign_up(&self, email: &Email, code: &str) -> Result<Registered, IdentityError> {
        self.client
            .confirm_sign_up()
            .client_id(&self.config.client_id)
            .secret_hash(self.hash(email.as_str()))
            .username(email.as_str())
            .confirmation_code(code)
            .send()
            .await
            .map_err(identity_error)?;
        let user = self.user(email).await?.ok_or(IdentityError::CodeExpired)?;
        let text = |name| user_attribute(&user, name).unwrap_or_default().to_owned();
        Ok(Registered {
            sub: user_sub(&user),
            given_name: text("given_name"),
            family_name: text("family_name"),
            language: if user_attribute(&user, "locale") == Some("fr") { Language::Fr } else { Language::En },
        })
    }

    async fn account_id(&self, email: &Email) -> Result<Option<String>, IdentityError> {
        Ok(self.user(email).await?.as_ref().map(user_sub))
    }

    async fn resend_confirmation(&self, email: &Email) -> Result<(), IdentityError> {
        let sent = self
            .client
            .resend_confirmation_code()
            .client_id(&self.config.client_id)
            .secret_hash(self.hash(email.as_str()))
            .username(email.as_str())
            .send()
            .await;
        unknown_address_is_fine(sent)
    }

    async fn sign_in(&self, email: &Email, password: &str) -> Result<Challenge, IdentityError> {
        let output = self.password_auth(email, password).await?;
        let Some(challenge) = output.challenge_name() else {
            // No second factor on the account (never enrolled, or removed): Cognito hands out the
            // tokens, which the portal holds until an authenticator is enrolled (A1). They name
            // the account.
            let tokens = tokens(output.authentication_result(), None)?;
            let sub = tokens.sub.clone();
            let held = HeldSignIn::new(email.as_str(), tokens, now());
            return Ok(Challenge { kind: ChallengeKind::MfaSetup, session: self.seal.seal(&held)?, sub });
        };
        if challenge != &ChallengeNameType::SoftwareTokenMfa {
            // The pool's MFA is optional, with TOTP its only MFA for a password (template.yaml).
            return Err(IdentityError::Unavailable(format!("the user pool asked for {challenge}").into()));
        }
        let session = output.session().ok_or(IdentityError::SessionExpired)?;
        // With email sign-in, Cognito names the user by its internal username in the challenge.
        let username = output
            .challenge_parameters()
            .and_then(|parameters| parameters.get("USER_ID_FOR_SRP"))
            .map_or(email.as_str(), String::as_str);
        let sub = self.sub_of(email).await?;
        Ok(Challenge { kind: ChallengeKind::SoftwareTokenMfa, session: wrap_session(username, session), sub })
    }

    async fn begin_mfa_enrolment(&self, session: &str) -> Result<MfaEnrolment, IdentityError> {
        let held = self.seal.open(session, now())?;
        let output = self
            .client
            .associate_software_token()
            .access_token(&held.tokens.access_token)
            .send()
            .await
            .map_err(identity_error)?;
        let secret = output.secret_code().ok_or(IdentityError::SessionExpired)?.to_owned();
        // The same session goes on to the code: the secret stays with Cognito, bound to the user.
        Ok(MfaEnrolment { otpauth_uri: otpauth_uri(&secret, &held.email), secret, session: session.to_owned() })
    }

    async fn complete_mfa_enrolment(&self, session: &str, code: &str) -> Result<Tokens, IdentityError> {
        let held = self.seal.open(session, now())?;
        // Cognito answers a code that is not six digits as a malformed request, not a wrong code.
        if code.len() != 6 || !code.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(IdentityError::CodeMismatch);
        }
        let verified = self
            .client
            .verify_software_token()
            .access_token(&held.tokens.access_token)
            .user_code(code)
            .send()
            .await
            .map_err(identity_error)?;
        if verified.status() != Some(&VerifySoftwareTokenResponseType::Success) {
            return Err(IdentityError::CodeMismatch);
        }
        self.prefer_authenticator(&held.email).await?;
        Ok(held.tokens)
    }

    async fn answer_mfa(&self, session: &str, code: &str) -> Result<Tokens, IdentityError> {
        let (username, cognito_session) = unwrap_session(session)?;
        let answer = ("SOFTWARE_TOKEN_MFA_CODE", code);
        self.respond(ChallengeNameType::SoftwareTokenMfa, &username, &cognito_session, Some(answer)).await
    }

    async fn complete_sign_in_without_code(
        &self,
        _session: &str,
        email: &Email,
        password: &str,
    ) -> Result<Tokens, IdentityError> {
        // Cognito completes a sign-in waiting for a TOTP code only with that code. So the
        // authenticator is set aside (its preference off: the verified secret stays the user's),
        // the password alone signs in, and the authenticator is asked for again, whatever the
        // sign-in gave. A sign-in of the portal's meeting the pool meanwhile, offered to enrol
        // an authenticator, is refused by `Accounts` (its record of a recovery under way); the
        // pool cannot be asked directly without the app client's secret.
        self.authenticator_asked(email.as_str(), false).await?;
        let signed_in = self.password_auth(email, password).await;
        self.prefer_authenticator(email.as_str()).await?;
        let output = signed_in?;
        if let Some(challenge) = output.challenge_name() {
            return Err(IdentityError::Unavailable(
                format!("with the authenticator aside, the user pool asked for {challenge}").into(),
            ));
        }
        tokens(output.authentication_result(), None)
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, IdentityError> {
        // GetTokensFromRefreshToken rotates the refresh token when the app client enables
        // rotation, and takes the client secret itself (no username needed).
        let output = self
            .client
            .get_tokens_from_refresh_token()
            .client_id(&self.config.client_id)
            .client_secret(&self.config.client_secret)
            .refresh_token(refresh_token)
            .send()
            .await
            .map_err(identity_error)?;
        tokens(output.authentication_result(), Some(refresh_token))
    }

    async fn forgot_password(&self, email: &Email) -> Result<(), IdentityError> {
        let sent = self
            .client
            .forgot_password()
            .client_id(&self.config.client_id)
            .secret_hash(self.hash(email.as_str()))
            .username(email.as_str())
            .send()
            .await;
        unknown_address_is_fine(sent)
    }

    async fn confirm_forgot_password(
        &self,
        email: &Email,
        code: &str,
        password: &Password,
    ) -> Result<String, IdentityError> {
        self.client
            .confirm_forgot_password()
            .client_id(&self.config.client_id)
            .secret_hash(self.hash(email.as_str()))
            .username(email.as_str())
            .confirmation_code(code)
            .password(password.expose())
            .send()
            .await
            .map_err(identity_error)?;
        self.sub_of(email).await
    }

    async fn admin_create_user(&self, request: &SignUp, groups: &[&str]) -> Result<String, IdentityError> {
        let username = request.email.as_str();
        let created = self
            .client
            .admin_create_user()
            .user_pool_id(&self.config.user_pool_id)
            .username(username)
            .user_attributes(attribute("email", username)?)
            .user_attributes(attribute("email_verified", "true")?)
            .user_attributes(attribute("given_name", &request.given_name)?)
            .user_attributes(attribute("family_name", &request.family_name)?)
            .user_attributes(attribute("locale", locale(request.language))?)
            // No invitation with a temporary password: the administrator hands over the password.
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .map_err(identity_error)?;
        self.set_password(&request.email, &request.password).await?;
        for group in groups {
            self.client
                .admin_add_user_to_group()
                .user_pool_id(&self.config.user_pool_id)
                .username(username)
                .group_name(*group)
                .send()
                .await
                .map_err(identity_error)?;
        }
        let user = created.user().ok_or_else(|| IdentityError::Unavailable("Cognito returned no user".into()))?;
        let sub = user.attributes().iter().find(|a| a.name() == "sub").and_then(|a| a.value());
        Ok(sub.or(user.username()).unwrap_or(username).to_owned())
    }

    async fn admin_disable_user(&self, email: &Email) -> Result<String, IdentityError> {
        self.client
            .admin_disable_user()
            .user_pool_id(&self.config.user_pool_id)
            .username(email.as_str())
            .send()
            .await
            .map_err(identity_error)?;
        let sub = self.sub_of(email).await?;
        self.sign_out_everywhere(&sub).await?;
        Ok(sub)
    }

    async fn revoke_refresh_token(&self, refresh_token: &str) -> Result<(), IdentityError> {
        // RevokeToken takes the app client's secret itself; it also ends the access tokens
        // issued from the token for Cognito's own endpoints (the portal's record does it for the
        // API). A token Cognito does not know is answered like a revoked one.
        let revoked = self
            .client
            .revoke_token()
            .client_id(&self.config.client_id)
            .client_secret(&self.config.client_secret)
            .token(refresh_token)
            .send()
            .await;
        match revoked {
            Err(error) if error.code() == Some("UnsupportedTokenTypeException") => Ok(()),
            other => other.map(drop).map_err(identity_error),
        }
    }

    async fn begin_authenticator_change(
        &self,
        access_token: &str,
        email: &Email,
    ) -> Result<NewAuthenticator, IdentityError> {
        // Authorized by the caller's own access token (its `aws.cognito.signin.user.admin` scope),
        // not IAM. Cognito keeps the old authenticator until the new one is verified.
        let output =
            self.client.associate_software_token().access_token(access_token).send().await.map_err(identity_error)?;
        let secret = output.secret_code().ok_or(IdentityError::SessionExpired)?.to_owned();
        Ok(NewAuthenticator { otpauth_uri: otpauth_uri(&secret, email.as_str()), secret })
    }

    async fn complete_authenticator_change(
        &self,
        access_token: &str,
        email: &Email,
        code: &str,
    ) -> Result<(), IdentityError> {
        let verified = self
            .client
            .verify_software_token()
            .access_token(access_token)
            .user_code(code)
            .send()
            .await
            .map_err(identity_error)?;
        if verified.status() != Some(&VerifySoftwareTokenResponseType::Success) {
            return Err(IdentityError::CodeMismatch);
        }
        self.prefer_authenticator(email.as_str()).await
    }

    async fn begin_email_change(&self, access_token: &str, _email: &Email, new: &Email) -> Result<(), IdentityError> {
        // The pool verifies an email before it applies (`AttributesRequireVerificationBeforeUpdate`):
        // the old address signs in until the code Cognito sends to the new one is verified. An
        // address of another account is `AliasExistsException`.
        self.client
            .update_user_attributes()
            .access_token(access_token)
            .user_attributes(attribute("email", new.as_str())?)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    async fn complete_email_change(
        &self,
        access_token: &str,
        _email: &Email,
        _new: &Email,
        code: &str,
    ) -> Result<(), IdentityError> {
        self.client
            .verify_user_attribute()
            .access_token(access_token)
            .attribute_name("email")
            .code(code)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    async fn begin_passkey_registration(
        &self,
        access_token: &str,
        _sub: &str,
        _email: &Email,
    ) -> Result<serde_json::Value, IdentityError> {
        // The pool's relying party and its user-verification rule (required) shape the options.
        let output = self
            .client
            .start_web_authn_registration()
            .access_token(access_token)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(json(output.credential_creation_options()))
    }

    async fn complete_passkey_registration(
        &self,
        access_token: &str,
        _sub: &str,
        credential: &serde_json::Value,
    ) -> Result<String, IdentityError> {
        let id =
            credential.get("id").and_then(serde_json::Value::as_str).ok_or(IdentityError::CodeMismatch)?.to_owned();
        let completed = self
            .client
            .complete_web_authn_registration()
            .access_token(access_token)
            .credential(document(credential))
            .send()
            .await;
        match completed {
            Ok(_) => {}
            // What is not a credential at all is a wrong answer too.
            Err(error) if error.code() == Some("InvalidParameterException") => return Err(IdentityError::CodeMismatch),
            Err(error) => return Err(identity_error(error)),
        }
        // The user has MFA (the authenticator app, which stays): a passkey stands for both factors
        // only once it is one of their MFA methods too.
        self.client
            .set_user_mfa_preference()
            .access_token(access_token)
            .web_authn_mfa_settings(WebAuthnMfaSettingsType::builder().enabled(true).build())
            .send()
            .await
            .map_err(identity_error)?;
        Ok(id)
    }

    async fn passkeys(&self, access_token: &str, _sub: &str) -> Result<Vec<PasskeyInfo>, IdentityError> {
        let mut passkeys = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let output = self
                .client
                .list_web_authn_credentials()
                .access_token(access_token)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(identity_error)?;
            for credential in output.credentials() {
                let created_at = u64::try_from(credential.created_at().secs()).unwrap_or_default();
                passkeys.push(PasskeyInfo { id: credential.credential_id().to_owned(), created_at });
            }
            match output.next_token() {
                Some(token) => next = Some(token.to_owned()),
                None => return Ok(passkeys),
            }
        }
    }

    async fn delete_passkey(&self, access_token: &str, _sub: &str, id: &str) -> Result<(), IdentityError> {
        let deleted =
            self.client.delete_web_authn_credential().access_token(access_token).credential_id(id).send().await;
        match deleted {
            Ok(_) => Ok(()),
            Err(error) if error.code() == Some("ResourceNotFoundException") => Err(IdentityError::NotAuthorized),
            Err(error) => Err(identity_error(error)),
        }
    }

    async fn begin_passkey_sign_in(&self, email: &Email) -> Result<PasskeyChallenge, IdentityError> {
        // Choice-based sign-in (`USER_AUTH`), asking for the passkey challenge: Cognito answers
        // with the request options for the user's passkeys.
        let initiated = self
            .client
            .admin_initiate_auth()
            .user_pool_id(&self.config.user_pool_id)
            .client_id(&self.config.client_id)
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", email.as_str())
            .auth_parameters("PREFERRED_CHALLENGE", "WEB_AUTHN")
            .auth_parameters("SECRET_HASH", self.hash(email.as_str()))
            .send()
            .await
            .map_err(identity_error);
        let output = match initiated {
            Ok(output) if output.challenge_name() == Some(&ChallengeNameType::WebAuthn) => output,
            // No account, no passkey, or none allowed: a challenge like any other, which no
            // credential answers (A6).
            Ok(_) | Err(IdentityError::NotAuthorized) => return stand_in_passkey_challenge(email),
            Err(other) => return Err(other),
        };
        let parameters = output.challenge_parameters();
        let parameter = |name: &str| parameters.and_then(|p| p.get(name)).map(String::as_str);
        let mut options: serde_json::Value = parameter("CREDENTIAL_REQUEST_OPTIONS")
            .and_then(|text| serde_json::from_str(text).ok())
            .ok_or_else(|| IdentityError::Unavailable("the passkey challenge carries no request options".into()))?;
        // The account's credential ids stay with the portal: passkeys are discoverable, so the
        // browser finds the one it holds, and the answer is the same for every address (A6).
        if let Some(options) = options.as_object_mut() {
            options.remove("allowCredentials");
        }
        let username = parameter("USER_ID_FOR_SRP").unwrap_or(email.as_str());
        let session = output.session().ok_or(IdentityError::SessionExpired)?;
        let sub = self.sub_of(email).await?;
        Ok(PasskeyChallenge { session: wrap_session(username, session), sub, options })
    }

    async fn complete_passkey_sign_in(
        &self,
        session: &str,
        credential: &serde_json::Value,
    ) -> Result<Tokens, IdentityError> {
        let (username, cognito_session) = unwrap_session(session)?;
        let answer = ("CREDENTIAL", credential.to_string());
        self.respond(ChallengeNameType::WebAuthn, &username, &cognito_session, Some((answer.0, &answer.1))).await
    }

    async fn reset_mfa(&self, email: &Email) -> Result<(), IdentityError> {
        // With neither the authenticator nor passkeys as MFA, the next password sign-in ends in
        // tokens, which the portal holds until a new authenticator is enrolled (A1). The passkeys
        // themselves can only be deleted with the user's own token: the portal voids them
        // (`Accounts`), and removes them at the user's next sign-in.
        let off = SoftwareTokenMfaSettingsType::builder().enabled(false).preferred_mfa(false).build();
        self.client
            .admin_set_user_mfa_preference()
            .user_pool_id(&self.config.user_pool_id)
            .username(email.as_str())
            .software_token_mfa_settings(off)
            .web_authn_mfa_settings(WebAuthnMfaSettingsType::builder().enabled(false).build())
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    async fn set_password(&self, email: &Email, password: &Password) -> Result<(), IdentityError> {
        self.client
            .admin_set_user_password()
            .user_pool_id(&self.config.user_pool_id)
            .username(email.as_str())
            .password(password.expose())
            .permanent(true)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }

    async fn sign_out_everywhere(&self, sub: &str) -> Result<(), IdentityError> {
        self.client
            .admin_user_global_sign_out()
            .user_pool_id(&self.config.user_pool_id)
            .username(sub)
            .send()
            .await
            .map_err(identity_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cognitoidentityprovider::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenOutput;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    /// An access token shaped like Cognito's (header, payload, signature), of session `s-1`.
    fn access_token() -> String {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"user-1","origin_jti":"s-1","token_use":"access"}"#);
        format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2lnbmF0dXJl")
    }

    fn result(refresh: Option<&str>) -> AuthenticationResultType {
        AuthenticationResultType::builder()
            .access_token(access_token())
            .id_token("id")
            .set_refresh_token(refresh.map(str::to_owned))
            .expires_in(900)
            .build()
    }

    /// The adapter over a mocked client, for pool `pool` and app client `client` (secret `secret`).
    fn adapter(client: Client) -> CognitoIdentity {
        let config =
            CognitoConfig { user_pool_id: "pool".into(), client_id: "client".into(), client_secret: "secret".into() };
        CognitoIdentity::new(client, config)
    }

    fn identity_answering(rotated: Option<&'static str>) -> (CognitoIdentity, aws_smithy_mocks::Rule) {
        let rule = mock!(Client::get_tokens_from_refresh_token)
            .match_requests(|r| r.client_secret() == Some("secret") && r.refresh_token() == Some("old"))
            .then_output(move || {
                GetTokensFromRefreshTokenOutput::builder().authentication_result(result(rotated)).build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&rule]);
        (adapter(client), rule)
    }

    #[tokio::test]
    async fn a6_resending_a_code_to_an_unknown_address_answers_like_a_known_one() {
        use aws_sdk_cognitoidentityprovider::operation::resend_confirmation_code::{
            ResendConfirmationCodeError, ResendConfirmationCodeOutput,
        };
        use aws_sdk_cognitoidentityprovider::types::error::UserNotFoundException;
        use aws_smithy_types::error::ErrorMetadata;

        let known = mock!(Client::resend_confirmation_code)
            .match_requests(|r| r.username() == Some("known@example.ca") && r.secret_hash().is_some())
            .then_output(|| ResendConfirmationCodeOutput::builder().build());
        let unknown = mock!(Client::resend_confirmation_code).then_error(|| {
            let meta = ErrorMetadata::builder().code("UserNotFoundException").build();
            ResendConfirmationCodeError::UserNotFoundException(UserNotFoundException::builder().meta(meta).build())
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&known, &unknown]);
        let identity = adapter(client);

        let email = |address: &str| Email::parse(address).expect("email");
        identity.resend_confirmation(&email("known@example.ca")).await.expect("known");
        identity.resend_confirmation(&email("unknown@example.ca")).await.expect("unknown answers the same");
        assert_eq!((known.num_calls(), unknown.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn s1_refresh_hands_back_the_rotated_token() {
        let (identity, rule) = identity_answering(Some("new"));

        let tokens = identity.refresh("old").await.expect("refreshed");

        assert_eq!((tokens.refresh_token.as_str(), tokens.expires_in), ("new", 900));
        assert_eq!((tokens.sub.as_str(), tokens.session.as_str()), ("user-1", "s-1"), "read from the access token");
        assert_eq!(rule.num_calls(), 1, "the request carried the client secret and the token");
    }

    #[tokio::test]
    async fn ending_a_session_revokes_its_refresh_token_with_the_client_secret() {
        use aws_sdk_cognitoidentityprovider::operation::revoke_token::{RevokeTokenError, RevokeTokenOutput};
        use aws_sdk_cognitoidentityprovider::types::error::UnsupportedTokenTypeException;
        use aws_smithy_types::error::ErrorMetadata;

        let revoked = mock!(Client::revoke_token)
            .match_requests(|r| {
                (r.client_id(), r.client_secret(), r.token()) == (Some("client"), Some("secret"), Some("refresh-1"))
            })
            .then_output(|| RevokeTokenOutput::builder().build());
        let unknown = mock!(Client::revoke_token).then_error(|| {
            let meta = ErrorMetadata::builder().code("UnsupportedTokenTypeException").build();
            RevokeTokenError::UnsupportedTokenTypeException(UnsupportedTokenTypeException::builder().meta(meta).build())
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&revoked, &unknown]);
        let identity = adapter(client);

        identity.revoke_refresh_token("refresh-1").await.expect("revoked");
        identity.revoke_refresh_token("not-a-token").await.expect("an unknown token is no error");
        assert_eq!((revoked.num_calls(), unknown.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn an_email_change_asks_cognito_with_the_callers_token_and_a_taken_address_is_an_existing_account() {
        use aws_sdk_cognitoidentityprovider::operation::update_user_attributes::{
            UpdateUserAttributesError, UpdateUserAttributesOutput,
        };
        use aws_sdk_cognitoidentityprovider::operation::verify_user_attribute::VerifyUserAttributeOutput;
        use aws_sdk_cognitoidentityprovider::types::error::AliasExistsException;
        use aws_smithy_types::error::ErrorMetadata;

        let asked = mock!(Client::update_user_attributes)
            .match_requests(|r| {
                let email = r.user_attributes().iter().find(|a| a.name() == "email").and_then(AttributeType::value);
                r.access_token() == Some("token-1") && email == Some("new@example.ca")
            })
            .then_output(|| UpdateUserAttributesOutput::builder().build());
        let taken = mock!(Client::update_user_attributes).then_error(|| {
            let meta = ErrorMetadata::builder().code("AliasExistsException").build();
            UpdateUserAttributesError::AliasExistsException(AliasExistsException::builder().meta(meta).build())
        });
        let verified = mock!(Client::verify_user_attribute)
            .match_requests(|r| {
                (r.access_token(), r.attribute_name(), r.code()) == (Some("token-1"), Some("email"), Some("123456"))
            })
            .then_output(|| VerifyUserAttributeOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&asked, &taken, &verified]);
        let identity = adapter(client);
        let (old, new) =
            (Email::parse("old@example.ca").expect("email"), Email::parse("new@example.ca").expect("email"));

        identity.begin_email_change("token-1", &old, &new).await.expect("code sent");
        let refused = identity.begin_email_change("token-1", &old, &new).await;
        assert!(matches!(refused, Err(IdentityError::AccountExists)), "{refused:?}");
        identity.complete_email_change("token-1", &old, &new, "123456").await.expect("verified");
        assert_eq!((asked.num_calls(), taken.num_calls(), verified.num_calls()), (1, 1, 1));
    }

    #[tokio::test]
    async fn passkeys_are_registered_listed_and_removed_with_the_callers_token() {
        use aws_sdk_cognitoidentityprovider::operation::complete_web_authn_registration::CompleteWebAuthnRegistrationOutput;
        use aws_sdk_cognitoidentityprovider::operation::delete_web_authn_credential::DeleteWebAuthnCredentialOutput;
        use aws_sdk_cognitoidentityprovider::operation::list_web_authn_credentials::ListWebAuthnCredentialsOutput;
        use aws_sdk_cognitoidentityprovider::operation::start_web_authn_registration::StartWebAuthnRegistrationOutput;
        use aws_sdk_cognitoidentityprovider::types::WebAuthnCredentialDescription;
        use aws_smithy_types::DateTime;

        let options = serde_json::json!({"challenge": "Y2hhbGxlbmdl", "rp": {"id": "portal.example.ca"},
            "authenticatorSelection": {"userVerification": "required"}, "timeout": 300000});
        let started = mock!(Client::start_web_authn_registration)
            .match_requests(|r| r.access_token() == Some("token-1"))
            .then_output({
                let options = options.clone();
                move || {
                    StartWebAuthnRegistrationOutput::builder()
                        .credential_creation_options(document(&options))
                        .build()
                        .expect("output")
                }
            });
        let credential = serde_json::json!({"id": "cred-1", "rawId": "cred-1", "type": "public-key",
            "response": {"clientDataJSON": "e30", "attestationObject": "o2M"}});
        let completed = mock!(Client::complete_web_authn_registration)
            .match_requests({
                let credential = credential.clone();
                move |r| r.access_token() == Some("token-1") && r.credential().map(json) == Some(credential.clone())
            })
            .then_output(|| CompleteWebAuthnRegistrationOutput::builder().build());
        let listed = mock!(Client::list_web_authn_credentials)
            .match_requests(|r| r.access_token() == Some("token-1"))
            .then_output(|| {
                let credential = WebAuthnCredentialDescription::builder()
                    .credential_id("cred-1")
                    .friendly_credential_name("Chrome on Windows")
                    .relying_party_id("portal.example.ca")
                    .authenticator_transports("internal")
                    .created_at(DateTime::from_secs(1_796_220_309))
                    .build()
                    .expect("description");
                ListWebAuthnCredentialsOutput::builder().credentials(credential).build().expect("output")
            });
        let preferred = mock!(Client::set_user_mfa_preference)
            .match_requests(|r| {
                r.access_token() == Some("token-1") && r.web_authn_mfa_settings().is_some_and(|s| s.enabled())
            })
            .then_output(|| {
                aws_sdk_cognitoidentityprovider::operation::set_user_mfa_preference::SetUserMfaPreferenceOutput::builder()
                    .build()
            });
        let deleted = mock!(Client::delete_web_authn_credential)
            .match_requests(|r| (r.access_token(), r.credential_id()) == (Some("token-1"), Some("cred-1")))
            .then_output(|| DeleteWebAuthnCredentialOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::Sequential,
            &[&started, &completed, &preferred, &listed, &deleted]
        );
        let identity = adapter(client);
        let email = Email::parse("owner@example.ca").expect("email");

        assert_eq!(identity.begin_passkey_registration("token-1", "sub-1", &email).await.expect("options"), options);
        assert_eq!(
            identity.complete_passkey_registration("token-1", "sub-1", &credential).await.expect("kept"),
            "cred-1"
        );
        let passkeys = identity.passkeys("token-1", "sub-1").await.expect("listed");
        assert_eq!(passkeys, vec![PasskeyInfo { id: "cred-1".into(), created_at: 1_796_220_309 }]);
        identity.delete_passkey("token-1", "sub-1", "cred-1").await.expect("deleted");
        let calls = (started.num_calls(), completed.num_calls(), preferred.num_calls(), listed.num_calls());
        assert_eq!(calls, (1, 1, 1, 1), "the passkey is made an MFA method of the user once kept");
        assert_eq!(deleted.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_passkey_sign_in_is_choice_based_and_answers_the_web_authn_challenge_with_the_credential() {
        use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
        use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthOutput;
        use aws_sdk_cognitoidentityprovider::operation::admin_respond_to_auth_challenge::AdminRespondToAuthChallengeOutput;

        let initiated = mock!(Client::admin_initiate_auth)
            .match_requests(|r| {
                let parameter = |name: &str| r.auth_parameters().and_then(|p| p.get(name)).map(String::as_str);
                r.auth_flow() == Some(&AuthFlowType::UserAuth)
                    && parameter("USERNAME") == Some("owner@example.ca")
                    && parameter("PREFERRED_CHALLENGE") == Some("WEB_AUTHN")
                    && parameter("SECRET_HASH").is_some()
            })
            .then_output(|| {
                AdminInitiateAuthOutput::builder()
                    .challenge_name(ChallengeNameType::WebAuthn)
                    .session("cognito-session")
                    .challenge_parameters(
                        "CREDENTIAL_REQUEST_OPTIONS",
                        r#"{"challenge":"Y2g","userVerification":"required","allowCredentials":[{"id":"cred-1","type":"public-key"}]}"#,
                    )
                    .challenge_parameters("USER_ID_FOR_SRP", "7c1e9a52-user")
                    .build()
            });
        let user = mock!(Client::admin_get_user).then_output(|| {
            AdminGetUserOutput::builder()
                .username("7c1e9a52-user")
                .user_attributes(attribute("sub", "sub-1").expect("attribute"))
                .build()
                .expect("user")
        });
        let answered = mock!(Client::admin_respond_to_auth_challenge)
            .match_requests(|r| {
                let response = |name: &str| r.challenge_responses().and_then(|p| p.get(name)).map(String::as_str);
                r.challenge_name() == Some(&ChallengeNameType::WebAuthn)
                    && r.session() == Some("cognito-session")
                    && response("USERNAME") == Some("7c1e9a52-user")
                    && response("CREDENTIAL") == Some(r#"{"id":"cred-1"}"#)
                    && response("SECRET_HASH").is_some()
            })
            .then_output(|| {
                AdminRespondToAuthChallengeOutput::builder().authentication_result(result(Some("refresh"))).build()
            });
        let client =
            mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&initiated, &user, &answered]);
        let identity = adapter(client);

        let challenge =
            identity.begin_passkey_sign_in(&Email::parse("owner@example.ca").expect("email")).await.expect("challenge");
        assert_eq!(challenge.sub, "sub-1");
        assert_eq!(challenge.options["userVerification"], "required");
        assert!(challenge.options.get("allowCredentials").is_none(), "the account's credential ids stay here (A6)");
        let tokens = identity
            .complete_passkey_sign_in(&challenge.session, &serde_json::json!({"id": "cred-1"}))
            .await
            .expect("tokens");
        assert_eq!((tokens.sub.as_str(), tokens.refresh_token.as_str()), ("user-1", "refresh"));
        assert_eq!((initiated.num_calls(), user.num_calls(), answered.num_calls()), (1, 1, 1));
    }

    #[tokio::test]
    async fn a6_a_passkey_sign_in_for_an_address_without_an_account_gets_a_challenge_all_the_same() {
        use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthError;
        use aws_sdk_cognitoidentityprovider::types::error::NotAuthorizedException;
        use aws_smithy_types::error::ErrorMetadata;

        let refused = mock!(Client::admin_initiate_auth).then_error(|| {
            let meta = ErrorMetadata::builder().code("NotAuthorizedException").build();
            AdminInitiateAuthError::NotAuthorizedException(NotAuthorizedException::builder().meta(meta).build())
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&refused]);
        let identity = adapter(client);

        let challenge = identity.begin_passkey_sign_in(&Email::parse("nobody@example.ca").expect("email")).await;
        let challenge = challenge.expect("answered as for an account");
        assert_eq!(challenge.options["userVerification"], "required");
        assert!(challenge.options["challenge"].as_str().is_some_and(|c| c.len() >= 43));
        assert_eq!(refused.num_calls(), 1);
    }

    #[tokio::test]
    async fn a1_a_sign_in_with_no_second_factor_holds_cognitos_tokens_until_an_authenticator_is_verified() {
        use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
        use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthOutput;
        use aws_sdk_cognitoidentityprovider::operation::admin_set_user_mfa_preference::AdminSetUserMfaPreferenceOutput;
        use aws_sdk_cognitoidentityprovider::operation::associate_software_token::AssociateSoftwareTokenOutput;
        use aws_sdk_cognitoidentityprovider::operation::verify_software_token::VerifySoftwareTokenOutput;

        // An account with no second factor in a pool whose MFA is optional: tokens at once.
        let signed_in = mock!(Client::admin_initiate_auth)
            .match_requests(|r| r.auth_flow() == Some(&AuthFlowType::AdminUserPasswordAuth))
            .then_output(|| AdminInitiateAuthOutput::builder().authentication_result(result(Some("refresh"))).build());
        let user = mock!(Client::admin_get_user).then_output(|| {
            let sub = AttributeType::builder().name("sub").value("user-1").build().expect("attribute");
            AdminGetUserOutput::builder().username("user-1").user_attributes(sub).build().expect("user")
        });
        let associated = mock!(Client::associate_software_token)
            .match_requests(|r| r.access_token() == Some(access_token().as_str()) && r.session().is_none())
            .then_output(|| AssociateSoftwareTokenOutput::builder().secret_code("JBSWY3DPEHPK3PXP").build());
        let wrong =
            mock!(Client::verify_software_token).match_requests(|r| r.user_code() == Some("000000")).then_output(
                || VerifySoftwareTokenOutput::builder().status(VerifySoftwareTokenResponseType::Error).build(),
            );
        let verified = mock!(Client::verify_software_token)
            .match_requests(|r| r.access_token() == Some(access_token().as_str()) && r.user_code() == Some("123456"))
            .then_output(|| {
                VerifySoftwareTokenOutput::builder().status(VerifySoftwareTokenResponseType::Success).build()
            });
        let preferred = mock!(Client::admin_set_user_mfa_preference)
            .match_requests(|r| {
                let totp = r.software_token_mfa_settings();
                r.username() == Some("ana@example.ca")
                    && totp.is_some_and(|totp| totp.enabled() && totp.preferred_mfa())
            })
            .then_output(|| AdminSetUserMfaPreferenceOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            &[&signed_in, &user, &associated, &wrong, &verified, &preferred]
        );
        let identity = adapter(client);
        let email = Email::parse("ana@example.ca").expect("email");

        let challenge = identity.sign_in(&email, "a long passphrase").await.expect("signed in");
        assert_eq!(challenge.kind, ChallengeKind::MfaSetup);
        assert_eq!(challenge.sub, "user-1");
        assert!(!challenge.session.contains("refresh") && !challenge.session.contains(&access_token()));

        let enrolment = identity.begin_mfa_enrolment(&challenge.session).await.expect("begun");
        assert_eq!(enrolment.secret, "JBSWY3DPEHPK3PXP");
        assert!(enrolment.otpauth_uri.contains("ana%40example.ca"), "{}", enrolment.otpauth_uri);
        let refused = identity.complete_mfa_enrolment(&enrolment.session, "000000").await;
        assert!(matches!(refused, Err(IdentityError::CodeMismatch)));
        assert_eq!(preferred.num_calls(), 0, "no second factor until a code verifies");
        let tokens = identity.complete_mfa_enrolment(&enrolment.session, "123456").await.expect("enrolled");

        assert_eq!((tokens.access_token, tokens.refresh_token), (access_token(), "refresh".to_owned()));
        assert_eq!((tokens.sub.as_str(), tokens.session.as_str()), ("user-1", "s-1"));
        assert_eq!(preferred.num_calls(), 1);
        let forged = format!("{}A", enrolment.session);
        assert!(matches!(identity.begin_mfa_enrolment(&forged).await, Err(IdentityError::SessionExpired)));
    }

    #[tokio::test]
    async fn a_recovery_code_s_sign_in_sets_the_authenticator_aside_for_the_password_alone_then_asks_for_it_again() {
        use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthError;
        use aws_sdk_cognitoidentityprovider::operation::admin_set_user_mfa_preference::AdminSetUserMfaPreferenceOutput;
        use aws_sdk_cognitoidentityprovider::types::error::NotAuthorizedException;
        use aws_smithy_types::error::ErrorMetadata;

        let asked = |on: bool| {
            mock!(Client::admin_set_user_mfa_preference)
                .match_requests(move |r| {
                    let totp = r.software_token_mfa_settings();
                    r.user_pool_id() == Some("pool")
                        && r.username() == Some("ana@example.ca")
                        && totp.is_some_and(|totp| totp.enabled() == on && totp.preferred_mfa() == on)
                        // Passkeys are left as they are.
                        && r.web_authn_mfa_settings().is_none()
                })
                .then_output(|| AdminSetUserMfaPreferenceOutput::builder().build())
        };
        let (aside, signed_in, again) = (
            asked(false),
            mock!(Client::admin_initiate_auth)
                .match_requests(|r| {
                    let parameters = r.auth_parameters();
                    r.auth_flow() == Some(&AuthFlowType::AdminUserPasswordAuth)
                        && parameters.and_then(|p| p.get("PASSWORD")).map(String::as_str) == Some("a long passphrase")
                        && parameters.and_then(|p| p.get("SECRET_HASH")).is_some()
                })
                .then_output(|| {
                    AdminInitiateAuthOutput::builder().authentication_result(result(Some("refresh"))).build()
                }),
            asked(true),
        );
        let client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&aside, &signed_in, &again]);
        let email = Email::parse("ana@example.ca").expect("email");

        let tokens = adapter(client).complete_sign_in_without_code("ana/session", &email, "a long passphrase").await;

        let tokens = tokens.expect("signed in");
        assert_eq!((tokens.access_token, tokens.refresh_token), (access_token(), "refresh".to_owned()));
        assert_eq!((aside.num_calls(), signed_in.num_calls(), again.num_calls()), (1, 1, 1));

        // A sign-in that fails still asks for the authenticator again, and says why it failed.
        let (aside, refused, again) = (
            asked(false),
            mock!(Client::admin_initiate_auth).then_error(|| {
                let meta = ErrorMetadata::builder().code("NotAuthorizedException").build();
                AdminInitiateAuthError::NotAuthorizedException(NotAuthorizedException::builder().meta(meta).build())
            }),
            asked(true),
        );
        let client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&aside, &refused, &again]);

        let refused_sign_in =
            adapter(client).complete_sign_in_without_code("ana/session", &email, "changed since").await;

        assert!(matches!(refused_sign_in, Err(IdentityError::NotAuthorized)));
        assert_eq!(again.num_calls(), 1, "the authenticator is asked for again");
    }

    #[tokio::test]
    async fn a_reset_turns_off_the_authenticator_and_passkeys_as_the_users_mfa() {
        use aws_sdk_cognitoidentityprovider::operation::admin_set_user_mfa_preference::AdminSetUserMfaPreferenceOutput;

        let reset = mock!(Client::admin_set_user_mfa_preference)
            .match_requests(|r| {
                let totp = r.software_token_mfa_settings();
                r.user_pool_id() == Some("pool")
                    && r.username() == Some("lost@example.ca")
                    && totp.is_some_and(|totp| !totp.enabled() && !totp.preferred_mfa())
                    && r.web_authn_mfa_settings().is_some_and(|passkeys| !passkeys.enabled())
            })
            .then_output(|| AdminSetUserMfaPreferenceOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::Sequential, &[&reset]);
        let email = Email::parse("lost@example.ca").expect("email");

        adapter(client).reset_mfa(&email).await.expect("reset");

        assert_eq!(reset.num_calls(), 1);
    }

    #[test]
    fn an_access_token_without_a_session_is_an_unavailable_provider_not_a_panic() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"user-1"}"#);
        for token in ["opaque".to_owned(), "a.!!!.c".to_owned(), format!("a.{payload}.c")] {
            assert!(matches!(session_claims(&token), Err(IdentityError::Unavailable(_))), "{token}");
        }
    }

    #[tokio::test]
    async fn refresh_keeps_the_token_when_the_client_does_not_rotate() {
        let (identity, _) = identity_answering(None);

        let tokens = identity.refresh("old").await.expect("refreshed");

        assert_eq!(tokens.refresh_token, "old");
    }

    #[test]
    fn secret_hash_is_base64_hmac_sha256_of_username_and_client_id() {
        // Computed independently: printf 'aliceclient-1' | openssl dgst -sha256 -hmac 'secret' -binary | base64
        assert_eq!(secret_hash("secret", "client-1", "alice"), "9I6K0TIyXXBQ3/Fs79LKEUn1LsL5nGpkAeKrWgMmXjk=");
    }

    #[test]
    fn wrapped_sessions_round_trip_and_garbage_is_an_expired_session() {
        let wrapped = wrap_session("7c1e9a52-user", "AYABeC...session");
        assert_eq!(unwrap_session(&wrapped).expect("valid"), ("7c1e9a52-user".into(), "AYABeC...session".into()));
        assert!(matches!(unwrap_session("no-dot"), Err(IdentityError::SessionExpired)));
        assert!(matches!(unwrap_session("!!.??"), Err(IdentityError::SessionExpired)));
    }
}
