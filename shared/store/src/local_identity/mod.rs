//! The local identity provider: a real implementation of the `Identity` port for local mode,
//! kept in the same table as everything else.
//!
//! - passwords hashed with Argon2id (costs configurable, OWASP minimum by default);
//! - RFC 6238 TOTP with one step of drift, and no code accepted twice;
//! - hashing on a bounded pool, so a crowd of sign-ins cannot take the memory (see `hash_pool`);
//! - six-digit email codes, stored as digests, single-use, expiring; a confirmation code is
//!   bound to the registration it was sent for, so confirming it keeps that registration's
//!   password and no other (A9);
//! - RS256 JWTs shaped like Cognito's, signed with the portal's own key (see `signing`);
//! - opaque refresh tokens stored as digests and rotated on every use; presenting a used one
//!   ends its whole family (S1). A family is a session: its id is the `origin_jti` of its tokens.
//!
//! Wrong guesses are counted, before they are evaluated, by the portal's `Accounts` in front of
//! this provider (the same limits hold over Cognito), so this provider keeps no counters.

pub mod hash_pool;
pub mod passkeys;
pub mod secrets;
pub mod signing;

use std::sync::Arc;

use async_trait::async_trait;
use portal_domain::clock::Clock;
use portal_domain::email::Email;
use portal_domain::identity::{
    Challenge, ChallengeKind, Identity, IdentityError, MfaEnrolment, NewAuthenticator, PasskeyChallenge, PasskeyInfo,
    Registered, SignUp, Tokens, otpauth_uri,
};
use portal_domain::keys;
use portal_domain::notifier::{AccountMessage, Notifier};
use portal_domain::password::Password;
use portal_domain::profile::Language;
use portal_domain::sessions::Revocations;
use portal_domain::table::{Condition, Item, Key, Query, SortKey, StoreError, Table, Update, WriteOp};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use self::hash_pool::HashPool;
use self::passkeys::{CEREMONY_SECONDS, Ceremony, RelyingParty, StoredPasskey, credential_name};
use self::secrets::{HashCost, PasswordHashing, digest, matches_digest, opaque_token, six_digit_code, totp};
use self::signing::{AccessClaims, CLIENT_ID, ISSUER, Signer};

/// Access and ID tokens live 15 minutes (S1).
pub const ACCESS_TOKEN_SECONDS: u64 = 15 * 60;
/// Refresh tokens live 12 hours (and are rotated on each use).
pub const REFRESH_TOKEN_SECONDS: u64 = 12 * 60 * 60;
/// A sign-in waiting for its second factor lasts 3 minutes, as Cognito's session does.
pub const SIGN_IN_SECONDS: u64 = 3 * 60;
/// Email confirmation codes last 24 hours.
pub const CONFIRMATION_CODE_SECONDS: u64 = 24 * 60 * 60;
/// Password-reset codes last 1 hour.
pub const RESET_CODE_SECONDS: u64 = 60 * 60;
/// Codes confirming a new sign-in address last 24 hours, as confirmation codes do.
pub const EMAIL_CHANGE_CODE_SECONDS: u64 = CONFIRMATION_CODE_SECONDS;

/// A local account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Account {
    sub: String,
    email: Email,
    password_hash: String,
    confirmed: bool,
    given_name: String,
    family_name: String,
    language: Language,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    totp_secret: Option<String>,
    #[serde(default)]
    last_totp_step: u64,
    /// A new authenticator's secret, until a code of it is verified.
    #[serde(default)]
    pending_totp_secret: Option<String>,
    #[serde(default)]
    disabled: bool,
}

/// Which email code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CodePurpose {
    Confirmation,
    Reset,
    EmailChange,
}

impl CodePurpose {
    fn name(self) -> &'static str {
        match self {
            CodePurpose::Confirmation => "confirm",
            CodePurpose::Reset => "reset",
            CodePurpose::EmailChange => "email",
        }
    }
}

/// A password-reset code, stored as its digest.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailCode {
    digest: String,
    expires_at: u64,
}

/// A new sign-in address waiting for the code sent to it, stored as the code's digest.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailChangeCode {
    digest: String,
    new_email: Email,
    expires_at: u64,
}

/// A registration waiting for its confirmation code (stored under the code's digest): what the
/// account becomes if this code confirms it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingRegistration {
    password_hash: String,
    given_name: String,
    family_name: String,
    language: Language,
    expires_at: u64,
}

/// A sign-in waiting for its second factor.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInSession {
    email: Email,
    enrolling: bool,
    #[serde(default)]
    pending_secret: Option<String>,
    expires_at: u64,
}

/// A refresh token, stored under its digest.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshToken {
    email: Email,
    /// The account's id: the address may change while the session lasts (tokens issued before
    /// ids were kept name only the address).
    #[serde(default)]
    sub: Option<String>,
    family: String,
    issued_at: u64,
    expires_at: u64,
    used: bool,
}

fn store_error(error: StoreError) -> IdentityError {
    IdentityError::Unavailable(Box::new(error))
}

/// The local identity provider.
pub struct LocalIdentity {
    table: Arc<dyn Table>,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    signer: Signer,
    hashing: HashPool,
    revocations: Revocations,
    relying_party: RelyingParty,
}

impl LocalIdentity {
    /// A provider keeping its accounts in `table` and sending codes through `notifier`; its
    /// passkeys are of `relying_party`.
    pub fn new(
        table: Arc<dyn Table>,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
        signer: Signer,
        cost: HashCost,
        relying_party: RelyingParty,
    ) -> Result<Self, IdentityError> {
        let revocations = Revocations::new(Arc::clone(&table));
        let hashing = HashPool::per_core(PasswordHashing::new(cost)?)?;
        Ok(Self { table, notifier, clock, signer, hashing, revocations, relying_party })
    }

    /// The passkeys of a user, as stored.
    async fn stored_passkeys(&self, sub: &str) -> Result<Vec<StoredPasskey>, IdentityError> {
        let query = Query::partition(keys::user_partition(sub)).sort(SortKey::Prefix(keys::PASSKEY_PREFIX.to_owned()));
        let page = self.table.query(query).await.map_err(store_error)?;
        page.items.iter().map(|item| item.to_record().map_err(store_error)).collect()
    }

    /// A ceremony's state, taken up: it works once, and not after it ends.
    async fn take_ceremony<S: DeserializeOwned>(&self, key: &Key) -> Result<Ceremony<S>, IdentityError> {
        let ceremony: Ceremony<S> = self.read(key).await?.ok_or(IdentityError::SessionExpired)?;
        match self.table.delete(key, Some(Condition::Present)).await {
            Ok(()) => {}
            // Taken up by a concurrent request.
            Err(StoreError::ConditionFailed) => return Err(IdentityError::SessionExpired),
            Err(other) => return Err(store_error(other)),
        }
        if ceremony.expires_at <= self.clock.now() {
            return Err(IdentityError::SessionExpired);
        }
        Ok(ceremony)
    }

    /// The key that signs this provider's tokens.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    async fn read<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, IdentityError> {
        match self.table.get(key).await.map_err(store_error)? {
            Some(item) => Ok(Some(item.to_record().map_err(store_error)?)),
            None => Ok(None),
        }
    }

    async fn write<T: Serialize>(
        &self,
        key: &Key,
        record: &T,
        condition: Option<Condition>,
    ) -> Result<(), IdentityError> {
        let item = Item::from_record(key, record).map_err(store_error)?;
        self.table.put(item, condition).await.map_err(store_error)
    }

    async fn account(&self, email: &Email) -> Result<Option<Account>, IdentityError> {
        self.read(&keys::local_account(email.as_str())).await
    }

    /// The account of an id, wherever its address is now.
    async fn account_of(&self, sub: &str) -> Result<Option<Account>, IdentityError> {
        #[derive(Deserialize)]
        struct Owner {
            email: Email,
        }
        match self.read::<Owner>(&keys::local_account_owner(sub)).await? {
            Some(owner) => Ok(self.account(&owner.email).await?.filter(|account| account.sub == sub)),
            None => Ok(None),
        }
    }

    async fn update_account(&self, email: &Email, update: Update) -> Result<(), IdentityError> {
        let key = keys::local_account(email.as_str());
        self.table.update(&key, update, Some(Condition::Present)).await.map(drop).map_err(store_error)
    }

    /// Hashing runs on the bounded pool: Argon2id is deliberately slow and memory-hard.
    async fn hash_password(&self, password: &Password) -> Result<String, IdentityError> {
        let password = password.expose().to_owned();
        self.hashing.run(move |hashing, memory| hashing.hash_in(&password, memory)).await?
    }

    async fn verify_password(&self, password: &str, stored: Option<String>) -> Result<bool, IdentityError> {
        let password = password.to_owned();
        self.hashing.run(move |hashing, memory| hashing.verify_in(&password, stored.as_deref(), memory)).await
    }

    /// Creates a reset code, replacing any earlier one, and sends it.
    async fn send_reset_code(&self, account: &Account) -> Result<(), IdentityError> {
        let code = six_digit_code()?;
        let record = EmailCode { digest: digest(&code), expires_at: self.clock.now() + RESET_CODE_SECONDS };
        self.write(&keys::local_account_code(account.email.as_str(), CodePurpose::Reset.name()), &record, None).await?;
        self.notify(account, AccountMessage::ResetCode(code)).await
    }

    /// Sends a confirmation code bound to the account's registration as it stands: confirming
    /// with it makes that registration the account's.
    async fn send_confirmation_code(&self, account: &Account) -> Result<(), IdentityError> {
        let code = six_digit_code()?;
        let pending = PendingRegistration {
            password_hash: account.password_hash.clone(),
            given_name: account.given_name.clone(),
            family_name: account.family_name.clone(),
            language: account.language,
            expires_at: self.clock.now() + CONFIRMATION_CODE_SECONDS,
        };
        self.write(&self.registration_key(&account.email, &code), &pending, None).await?;
        self.notify(account, AccountMessage::ConfirmationCode(code)).await
    }

    fn registration_key(&self, email: &Email, code: &str) -> Key {
        let purpose = format!("{}#{}", CodePurpose::Confirmation.name(), digest(code));
        keys::local_account_code(email.as_str(), &purpose)
    }

    async fn notify(&self, account: &Account, message: AccountMessage) -> Result<(), IdentityError> {
        let email = message.email(account.email.as_str(), account.language);
        self.notifier.send(email).await.map_err(|e| IdentityError::Unavailable(Box::new(e)))
    }

    /// Checks the reset code. Consumes nothing.
    async fn check_reset_code(&self, email: &Email, code: &str) -> Result<Key, IdentityError> {
        let key = keys::local_account_code(email.as_str(), CodePurpose::Reset.name());
        // No code at all (an unknown address, or none asked for) answers as a wrong one: the
        // answer must not tell which addresses have an account (A6).
        let stored: EmailCode = self.read(&key).await?.ok_or(IdentityError::CodeMismatch)?;
        if !matches_digest(code, &stored.digest) {
            return Err(IdentityError::CodeMismatch);
        }
        if stored.expires_at <= self.clock.now() {
            return Err(IdentityError::CodeExpired);
        }
        Ok(key)
    }

    /// Applies `update` to the account if `condition` holds, and consumes the code, together: a
    /// code works once.
    async fn redeem_code(
        &self,
        email: &Email,
        code_key: Key,
        update: Update,
        condition: Condition,
    ) -> Result<(), IdentityError> {
        let account = keys::local_account(email.as_str());
        let redeemed = self
            .table
            .transact_write(vec![
                WriteOp::Update { key: account, update, condition: Some(condition) },
                WriteOp::Delete { key: code_key, condition: Some(Condition::Present) },
            ])
            .await;
        redeemed.map_err(|error| match error {
            // Redeemed by a concurrent request in the meantime.
            StoreError::TransactionCanceled { .. } => IdentityError::CodeExpired,
            other => store_error(other),
        })
    }

    async fn sign_in_session(&self, session: &str) -> Result<(Key, SignInSession), IdentityError> {
        let key = keys::local_sign_in(&digest(session));
        let stored: SignInSession = self.read(&key).await?.ok_or(IdentityError::SessionExpired)?;
        if stored.expires_at <= self.clock.now() {
            return Err(IdentityError::SessionExpired);
        }
        Ok((key, stored))
    }

    /// Signs access and ID tokens and stores a new refresh token of `family` (a new one: a
    /// sign-in, a new session).
    async fn issue_tokens(&self, account: &Account, family: Option<String>) -> Result<Tokens, IdentityError> {
        let issued_at = self.clock.now();
        let family = family.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let access = AccessClaims::new(&account.sub, &family, account.groups.clone(), issued_at, ACCESS_TOKEN_SECONDS);
        let id = json!({
            "sub": account.sub,
            "aud": CLIENT_ID,
            "iss": ISSUER,
            "token_use": "id",
            "email": account.email,
            "email_verified": true,
            "given_name": account.given_name,
            "family_name": account.family_name,
            "cognito:groups": account.groups,
            "iat": issued_at,
            "exp": issued_at + ACCESS_TOKEN_SECONDS,
            "origin_jti": family,
        });
        let signing_failed = |e: anyhow::Error| IdentityError::Unavailable(e.into());
        let access_token = self.signer.sign(&access).map_err(signing_failed)?;
        let id_token = self.signer.sign(&id).map_err(signing_failed)?;
        let refresh_token = opaque_token()?;
        let record = RefreshToken {
            email: account.email.clone(),
            sub: Some(account.sub.clone()),
            family: family.clone(),
            issued_at,
            expires_at: issued_at + REFRESH_TOKEN_SECONDS,
            used: false,
        };
        self.write(&keys::local_refresh_token(&digest(&refresh_token)), &record, Some(Condition::Absent)).await?;
        Ok(Tokens {
            access_token,
            id_token,
            refresh_token,
            expires_in: ACCESS_TOKEN_SECONDS,
            sub: account.sub.clone(),
            session: family,
        })
    }

    /// Ends a refresh-token family: every token of it stops working.
    async fn end_family(&self, family: &str) -> Result<(), IdentityError> {
        self.write(&keys::local_refresh_family(family), &json!({"revoked": true}), None).await
    }

    async fn family_ended(&self, family: &str) -> Result<bool, IdentityError> {
        Ok(self.table.get(&keys::local_refresh_family(family)).await.map_err(store_error)?.is_some())
    }

    /// Creates an account with an already hashed password; `AccountExists` if the address has one.
    async fn create_account(
        &self,
        request: &SignUp,
        password_hash: String,
        groups: Vec<String>,
        confirmed: bool,
    ) -> Result<Account, IdentityError> {
        let sub = uuid::Uuid::new_v4().to_string();
        let account = Account {
            sub: sub.clone(),
            email: request.email.clone(),
            password_hash,
            confirmed,
            given_name: request.given_name.clone(),
            family_name: request.family_name.clone(),
            language: request.language,
            groups,
            totp_secret: None,
            last_totp_step: 0,
            pending_totp_secret: None,
            disabled: false,
        };
        let account_item =
            Item::from_record(&keys::local_account(request.email.as_str()), &account).map_err(store_error)?;
        let owner = Item::from_record(&keys::local_account_owner(&sub), &json!({"email": request.email}))
            .map_err(store_error)?;
        let created = self
            .table
            .transact_write(vec![
                WriteOp::Put { item: account_item, condition: Some(Condition::Absent) },
                WriteOp::Put { item: owner, condition: Some(Condition::Absent) },
            ])
            .await;
        match created {
            Ok(()) => Ok(account),
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                Err(IdentityError::AccountExists)
            }
            Err(other) => Err(store_error(other)),
        }
    }

    /// Replaces an unconfirmed account's registration (same id); `AccountExists` once confirmed.
    async fn replace_registration(
        &self,
        existing: Account,
        request: &SignUp,
        password_hash: String,
    ) -> Result<Account, IdentityError> {
        if existing.confirmed {
            return Err(IdentityError::AccountExists);
        }
        let account = Account {
            password_hash,
            given_name: request.given_name.clone(),
            family_name: request.family_name.clone(),
            language: request.language,
            ..existing
        };
        let unconfirmed = Condition::Equals("confirmed".into(), json!(false));
        let item = Item::from_record(&keys::local_account(request.email.as_str()), &account).map_err(store_error)?;
        match self.table.put(item, Some(unconfirmed)).await {
            Ok(()) => Ok(account),
            // Confirmed in the meantime: it is now someone's account.
            Err(StoreError::ConditionFailed) => Err(IdentityError::AccountExists),
            Err(other) => Err(store_error(other)),
        }
    }
}

#[async_trait]
impl Identity for LocalIdentity {
    async fn sign_up(&self, request: &SignUp) -> Result<(), IdentityError> {
        // Hashed first, whether or not the address is taken: both answers cost the same (A6).
        let password_hash = self.hash_password(&request.password).await?;
        let account = match self.account(&request.email).await? {
            Some(existing) => self.replace_registration(existing, request, password_hash).await?,
            None => match self.create_account(request, password_hash.clone(), Vec::new(), false).await {
                Ok(account) => account,
                // Registered by a concurrent request in the meantime: replace that one.
                Err(IdentityError::AccountExists) => {
                    let existing = self.account(&request.email).await?.ok_or(IdentityError::AccountExists)?;
                    self.replace_registration(existing, request, password_hash).await?
                }
                Err(other) => return Err(other),
            },
        };
        self.send_confirmation_code(&account).await
    }

    async fn confirm_sign_up(&self, email: &Email, code: &str) -> Result<Registered, IdentityError> {
        let key = self.registration_key(email, code);
        let pending: PendingRegistration = self.read(&key).await?.ok_or(IdentityError::CodeMismatch)?;
        if pending.expires_at <= self.clock.now() {
            return Err(IdentityError::CodeExpired);
        }
        // The account becomes the registration this code was sent for, and nothing else.
        let update = Update::default()
            .set("confirmed", true)
            .set("passwordHash", pending.password_hash.clone())
            .set("givenName", pending.given_name.clone())
            .set("familyName", pending.family_name.clone())
            .set("language", json!(pending.language));
        self.redeem_code(email, key, update, Condition::Equals("confirmed".into(), json!(false))).await?;
        let account = self.account(email).await?.ok_or(IdentityError::CodeExpired)?;
        Ok(Registered {
            sub: account.sub,
            given_name: pending.given_name,
            family_name: pending.family_name,
            language: pending.language,
        })
    }

    async fn account_id(&self, email: &Email) -> Result<Option<String>, IdentityError> {
        Ok(self.account(email).await?.map(|account| account.sub))
    }

    async fn resend_confirmation(&self, email: &Email) -> Result<(), IdentityError> {
        match self.account(email).await? {
            Some(account) if !account.confirmed => self.send_confirmation_code(&account).await,
            _ => Ok(()),
        }
    }

    async fn sign_in(&self, email: &Email, password: &str) -> Result<Challenge, IdentityError> {
        let account = self.account(email).await?;
        let stored_hash = account.as_ref().map(|a| a.password_hash.clone());
        // An unknown address is checked against a decoy hash: the same work, the same answer.
        if !self.verify_password(password, stored_hash).await? {
            return Err(IdentityError::NotAuthorized);
        }
        let account = account.filter(|a| !a.disabled).ok_or(IdentityError::NotAuthorized)?;
        if !account.confirmed {
            return Err(IdentityError::NotConfirmed);
        }
        let session = opaque_token()?;
        let enrolling = account.totp_secret.is_none();
        let record = SignInSession {
            email: email.clone(),
            enrolling,
            pending_secret: None,
            expires_at: self.clock.now() + SIGN_IN_SECONDS,
        };
        self.write(&keys::local_sign_in(&digest(&session)), &record, Some(Condition::Absent)).await?;
        let kind = if enrolling { ChallengeKind::MfaSetup } else { ChallengeKind::SoftwareTokenMfa };
        Ok(Challenge { kind, session, sub: account.sub })
    }

    async fn begin_mfa_enrolment(&self, session: &str) -> Result<MfaEnrolment, IdentityError> {
        let (key, stored) = self.sign_in_session(session).await?;
        if !stored.enrolling {
            return Err(IdentityError::SessionExpired);
        }
        let secret = totp::new_secret()?;
        self.table
            .update(&key, Update::default().set("pendingSecret", secret.clone()), Some(Condition::Present))
            .await
            .map_err(store_error)?;
        Ok(MfaEnrolment {
            otpauth_uri: otpauth_uri(&secret, stored.email.as_str()),
            secret,
            session: session.to_owned(),
        })
    }

    async fn complete_mfa_enrolment(&self, session: &str, code: &str) -> Result<Tokens, IdentityError> {
        let (key, stored) = self.sign_in_session(session).await?;
        let Some(secret) = stored.pending_secret.clone().filter(|_| stored.enrolling) else {
            return Err(IdentityError::SessionExpired);
        };
        let Some(step) = totp::matching_step(&secret, code, self.clock.now())? else {
            return Err(IdentityError::CodeMismatch);
        };
        let account = self.account(&stored.email).await?.ok_or(IdentityError::SessionExpired)?;
        // Only an account without an authenticator enrols one: a setup session begun before
        // another enrolment cannot replace it (S5).
        let not_enrolled =
            Condition::All(vec![Condition::Present, Condition::Equals("totpSecret".into(), json!(null))]);
        self.table
            .transact_write(vec![
                WriteOp::Update {
                    key: keys::local_account(stored.email.as_str()),
                    update: Update::default().set("totpSecret", secret).set("lastTotpStep", step),
                    condition: Some(not_enrolled),
                },
                WriteOp::Delete { key, condition: Some(Condition::Present) },
            ])
            .await
            .map_err(|error| match error {
                StoreError::TransactionCanceled { .. } => IdentityError::SessionExpired,
                other => store_error(other),
            })?;
        // The owner is told by the portal's `Accounts`, as over Cognito.
        self.issue_tokens(&account, None).await
    }

    async fn answer_mfa(&self, session: &str, code: &str) -> Result<Tokens, IdentityError> {
        let (key, stored) = self.sign_in_session(session).await?;
        if stored.enrolling {
            return Err(IdentityError::SessionExpired);
        }
        let account = self.account(&stored.email).await?.ok_or(IdentityError::SessionExpired)?;
        let secret = account.totp_secret.as_deref().ok_or(IdentityError::SessionExpired)?;
        let step = totp::matching_step(secret, code, self.clock.now())?;
        // A code is good once: its step must come after the last one accepted (A3).
        let Some(step) = step.filter(|step| *step > account.last_totp_step) else {
            return Err(IdentityError::CodeMismatch);
        };
        let accepted = self
            .table
            .transact_write(vec![
                WriteOp::Update {
                    key: keys::local_account(account.email.as_str()),
                    update: Update::default().set("lastTotpStep", step),
                    condition: Some(Condition::Equals("lastTotpStep".into(), json!(account.last_totp_step))),
                },
                WriteOp::Delete { key, condition: Some(Condition::Present) },
            ])
            .await;
        match accepted {
            Ok(()) => self.issue_tokens(&account, None).await,
            // Another request used a code first.
            Err(StoreError::TransactionCanceled { .. }) => Err(IdentityError::CodeMismatch),
            Err(other) => Err(store_error(other)),
        }
    }

    async fn complete_sign_in_without_code(
        &self,
        session: &str,
        email: &Email,
        _password: &str,
    ) -> Result<Tokens, IdentityError> {
        // The password was checked when the session began; the session is the sign-in's, once.
        let (key, stored) = self.sign_in_session(session).await?;
        if stored.enrolling || stored.email != *email {
            return Err(IdentityError::SessionExpired);
        }
        let account = self.account(&stored.email).await?.ok_or(IdentityError::SessionExpired)?;
        match self.table.delete(&key, Some(Condition::Present)).await {
            Ok(()) => self.issue_tokens(&account, None).await,
            Err(StoreError::ConditionFailed) => Err(IdentityError::SessionExpired),
            Err(other) => Err(store_error(other)),
        }
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, IdentityError> {
        let key = keys::local_refresh_token(&digest(refresh_token));
        let stored: RefreshToken = self.read(&key).await?.ok_or(IdentityError::NotAuthorized)?;
        if stored.used {
            // A rotated token came back: someone holds a copy. End the whole family (S1).
            self.end_family(&stored.family).await?;
            return Err(IdentityError::NotAuthorized);
        }
        let account = match &stored.sub {
            Some(sub) => self.account_of(sub).await?,
            None => self.account(&stored.email).await?,
        };
        let account = account.filter(|a| !a.disabled).ok_or(IdentityError::NotAuthorized)?;
        let revoked = self
            .revocations
            .is_revoked(&account.sub, stored.issued_at, Some(&stored.family))
            .await
            .map_err(store_error)?;
        if stored.expires_at <= self.clock.now() || revoked || self.family_ended(&stored.family).await? {
            return Err(IdentityError::NotAuthorized);
        }
        let marked = self
            .table
            .update(&key, Update::default().set("used", true), Some(Condition::Equals("used".into(), json!(false))))
            .await;
        match marked {
            Ok(_) => self.issue_tokens(&account, Some(stored.family)).await,
            Err(StoreError::ConditionFailed) => {
                self.end_family(&stored.family).await?;
                Err(IdentityError::NotAuthorized)
            }
            Err(other) => Err(store_error(other)),
        }
    }

    async fn forgot_password(&self, email: &Email) -> Result<(), IdentityError> {
        match self.account(email).await? {
            Some(account) if account.confirmed => self.send_reset_code(&account).await,
            _ => Ok(()),
        }
    }

    async fn confirm_forgot_password(
        &self,
        email: &Email,
        code: &str,
        password: &Password,
    ) -> Result<String, IdentityError> {
        let code_key = self.check_reset_code(email, code).await?;
        let account = self.account(email).await?.ok_or(IdentityError::CodeExpired)?;
        let password_hash = self.hash_password(password).await?;
        let update = Update::default().set("passwordHash", password_hash);
        self.redeem_code(email, code_key, update, Condition::Present).await?;
        // MFA stays enrolled, so the next sign-in asks for it (A4). Sessions are ended, and the
        // owner told, by the caller (the portal's `Accounts`), as over Cognito.
        Ok(account.sub)
    }

    async fn revoke_refresh_token(&self, refresh_token: &str) -> Result<(), IdentityError> {
        let key = keys::local_refresh_token(&digest(refresh_token));
        match self.read::<RefreshToken>(&key).await? {
            Some(stored) => self.end_family(&stored.family).await,
            None => Ok(()),
        }
    }

    async fn begin_authenticator_change(
        &self,
        _access_token: &str,
        email: &Email,
    ) -> Result<NewAuthenticator, IdentityError> {
        // The gateway verified the access token; the account is the caller's.
        let secret = totp::new_secret()?;
        self.update_account(email, Update::default().set("pendingTotpSecret", secret.clone())).await?;
        Ok(NewAuthenticator { otpauth_uri: otpauth_uri(&secret, email.as_str()), secret })
    }

    async fn complete_authenticator_change(
        &self,
        _access_token: &str,
        email: &Email,
        code: &str,
    ) -> Result<(), IdentityError> {
        let account = self.account(email).await?.ok_or(IdentityError::NotAuthorized)?;
        let pending = account.pending_totp_secret.ok_or(IdentityError::SessionExpired)?;
        let step = totp::matching_step(&pending, code, self.clock.now())?.ok_or(IdentityError::CodeMismatch)?;
        let update =
            Update::default().set("totpSecret", pending.clone()).set("lastTotpStep", step).remove("pendingTotpSecret");
        // Only the secret this code was checked against takes over (not one begun meanwhile).
        let still_pending = Condition::Equals("pendingTotpSecret".into(), json!(pending));
        match self.table.update(&keys::local_account(email.as_str()), update, Some(still_pending)).await {
            Ok(_) => Ok(()),
            Err(StoreError::ConditionFailed) => Err(IdentityError::SessionExpired),
            Err(other) => Err(store_error(other)),
        }
    }

    async fn begin_email_change(&self, _access_token: &str, email: &Email, new: &Email) -> Result<(), IdentityError> {
        // The gateway verified the access token; the account is the caller's.
        let account = self.account(email).await?.ok_or(IdentityError::NotAuthorized)?;
        if self.account(new).await?.is_some() {
            return Err(IdentityError::AccountExists);
        }
        let code = six_digit_code()?;
        let record = EmailChangeCode {
            digest: digest(&code),
            new_email: new.clone(),
            expires_at: self.clock.now() + EMAIL_CHANGE_CODE_SECONDS,
        };
        let key = keys::local_account_code(email.as_str(), CodePurpose::EmailChange.name());
        // A new request replaces the one before: only the latest code works.
        self.write(&key, &record, None).await?;
        let message = AccountMessage::EmailChangeCode(code).email(new.as_str(), account.language);
        self.notifier.send(message).await.map_err(|e| IdentityError::Unavailable(Box::new(e)))
    }

    async fn complete_email_change(
        &self,
        _access_token: &str,
        email: &Email,
        new: &Email,
        code: &str,
    ) -> Result<(), IdentityError> {
        let code_key = keys::local_account_code(email.as_str(), CodePurpose::EmailChange.name());
        let stored: EmailChangeCode = self.read(&code_key).await?.ok_or(IdentityError::SessionExpired)?;
        if stored.new_email != *new {
            // The code was sent for another address, asked for since.
            return Err(IdentityError::SessionExpired);
        }
        if !matches_digest(code, &stored.digest) {
            return Err(IdentityError::CodeMismatch);
        }
        if stored.expires_at <= self.clock.now() {
            return Err(IdentityError::CodeExpired);
        }
        let account = self.account(email).await?.ok_or(IdentityError::NotAuthorized)?;
        let moved = Account { email: new.clone(), ..account.clone() };
        let owner =
            Item::from_record(&keys::local_account_owner(&account.sub), &json!({"email": new})).map_err(store_error)?;
        // The account moves to its new address whole, in one transaction: the address must still
        // be free, the code still there, and the account as it was read (a code accepted, a
        // password changed or the account disabled meanwhile is not undone by the copy).
        let unchanged = Condition::All(vec![
            Condition::Equals("passwordHash".into(), json!(account.password_hash)),
            Condition::Equals("lastTotpStep".into(), json!(account.last_totp_step)),
            Condition::Equals("totpSecret".into(), json!(account.totp_secret)),
            Condition::Equals("disabled".into(), json!(account.disabled)),
        ]);
        let changed = self
            .table
            .transact_write(vec![
                WriteOp::Put {
                    item: Item::from_record(&keys::local_account(new.as_str()), &moved).map_err(store_error)?,
                    condition: Some(Condition::Absent),
                },
                WriteOp::Delete { key: keys::local_account(email.as_str()), condition: Some(unchanged) },
                WriteOp::Put { item: owner, condition: None },
                WriteOp::Delete { key: code_key, condition: Some(Condition::Present) },
            ])
            .await;
        match changed {
            Ok(()) => Ok(()),
            // Registered by someone else meanwhile.
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                Err(IdentityError::AccountExists)
            }
            // Used by a concurrent request, or the account changed meanwhile: ask again.
            Err(StoreError::TransactionCanceled { .. }) => Err(IdentityError::CodeExpired),
            Err(other) => Err(store_error(other)),
        }
    }

    async fn begin_passkey_registration(
        &self,
        _access_token: &str,
        sub: &str,
        email: &Email,
    ) -> Result<serde_json::Value, IdentityError> {
        let existing = self.stored_passkeys(sub).await?.into_iter().map(|p| p.passkey.cred_id().clone()).collect();
        let (options, state) = self.relying_party.begin_registration(sub, email.as_str(), existing)?;
        let ceremony = Ceremony { state, email: None, expires_at: self.clock.now() + CEREMONY_SECONDS };
        self.write(&keys::local_passkey_registration(sub), &ceremony, None).await?;
        serde_json::to_value(options.public_key).map_err(|e| IdentityError::Unavailable(Box::new(e)))
    }

    async fn complete_passkey_registration(
        &self,
        _access_token: &str,
        sub: &str,
        credential: &serde_json::Value,
    ) -> Result<String, IdentityError> {
        let ceremony: Ceremony<webauthn_rs::prelude::PasskeyRegistration> =
            self.take_ceremony(&keys::local_passkey_registration(sub)).await?;
        let passkey = self.relying_party.finish_registration(credential, &ceremony.state)?;
        let id = credential_name(passkey.cred_id());
        let stored = StoredPasskey { passkey, created_at: self.clock.now() };
        let item = Item::from_record(&keys::local_passkey(sub, &id), &stored).map_err(store_error)?;
        match self.table.put(item, Some(Condition::Absent)).await {
            Ok(()) => Ok(id),
            // A credential the account has already (excluded at the start, so a replay).
            Err(StoreError::ConditionFailed) => Err(IdentityError::CodeMismatch),
            Err(other) => Err(store_error(other)),
        }
    }

    async fn passkeys(&self, _access_token: &str, sub: &str) -> Result<Vec<PasskeyInfo>, IdentityError> {
        let stored = self.stored_passkeys(sub).await?;
        Ok(stored
            .iter()
            .map(|p| PasskeyInfo { id: credential_name(p.passkey.cred_id()), created_at: p.created_at })
            .collect())
    }

    async fn delete_passkey(&self, _access_token: &str, sub: &str, id: &str) -> Result<(), IdentityError> {
        match self.table.delete(&keys::local_passkey(sub, id), Some(Condition::Present)).await {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed) => Err(IdentityError::NotAuthorized),
            Err(other) => Err(store_error(other)),
        }
    }

    async fn begin_passkey_sign_in(&self, email: &Email) -> Result<PasskeyChallenge, IdentityError> {
        let account = self.account(email).await?.filter(|a| a.confirmed && !a.disabled);
        // An address with no account gets a challenge like any other, for a stand-in id (A6).
        let sub = account.map_or_else(|| uuid::Uuid::new_v4().to_string(), |a| a.sub);
        let (options, state) = self.relying_party.begin_sign_in()?;
        let session = opaque_token()?;
        let ceremony = Ceremony { state, email: Some(email.clone()), expires_at: self.clock.now() + SIGN_IN_SECONDS };
        self.write(&keys::local_passkey_sign_in(&digest(&session)), &ceremony, Some(Condition::Absent)).await?;
        let options = serde_json::to_value(options.public_key).map_err(|e| IdentityError::Unavailable(Box::new(e)))?;
        Ok(PasskeyChallenge { session, sub, options })
    }

    async fn complete_passkey_sign_in(
        &self,
        session: &str,
        credential: &serde_json::Value,
    ) -> Result<Tokens, IdentityError> {
        let ceremony: Ceremony<webauthn_rs::prelude::DiscoverableAuthentication> =
            self.take_ceremony(&keys::local_passkey_sign_in(&digest(session))).await?;
        let email = ceremony.email.ok_or(IdentityError::SessionExpired)?;
        let (assertion, user, id) = self.relying_party.identify(credential)?;
        // The passkey must be the account's, and the account one with an authenticator: one
        // whose authenticator was removed enrols a new one first (A1), as Cognito asks.
        let account = self
            .account(&email)
            .await?
            .filter(|a| a.confirmed && !a.disabled && a.totp_secret.is_some() && user.to_string() == a.sub)
            .ok_or(IdentityError::CodeMismatch)?;
        let key = keys::local_passkey(&account.sub, &id);
        let mut stored: StoredPasskey = self.read(&key).await?.ok_or(IdentityError::CodeMismatch)?;
        if self.relying_party.finish_sign_in(&assertion, ceremony.state, &mut stored.passkey)? {
            match self.table.put(Item::from_record(&key, &stored).map_err(store_error)?, Some(Condition::Present)).await
            {
                Ok(()) => {}
                // Removed while it signed in: it no longer does.
                Err(StoreError::ConditionFailed) => return Err(IdentityError::CodeMismatch),
                Err(other) => return Err(store_error(other)),
            }
        }
        self.issue_tokens(&account, None).await
    }

    async fn reset_mfa(&self, email: &Email) -> Result<(), IdentityError> {
        // The passkeys stay, as Cognito's do (it has no administrator's way to delete them): the
        // portal voids them, and removes them with the user's token at the enrolment that follows.
        self.update_account(email, Update::default().set("totpSecret", json!(null)).set("lastTotpStep", 0)).await
    }

    async fn set_password(&self, email: &Email, password: &Password) -> Result<(), IdentityError> {
        let password_hash = self.hash_password(password).await?;
        self.update_account(email, Update::default().set("passwordHash", password_hash)).await
    }

    async fn sign_out_everywhere(&self, sub: &str) -> Result<(), IdentityError> {
        // Refresh tokens issued until now are refused through the same record access tokens are.
        self.revocations.revoke_all(sub, self.clock.as_ref()).await.map_err(store_error)
    }

    async fn admin_create_user(&self, request: &SignUp, groups: &[&str]) -> Result<String, IdentityError> {
        let password_hash = self.hash_password(&request.password).await?;
        let groups = groups.iter().map(|group| (*group).to_owned()).collect();
        Ok(self.create_account(request, password_hash, groups, true).await?.sub)
    }

    async fn admin_disable_user(&self, email: &Email) -> Result<String, IdentityError> {
        let account = self.account(email).await?.ok_or(IdentityError::NotAuthorized)?;
        self.update_account(email, Update::default().set("disabled", true)).await?;
        self.sign_out_everywhere(&account.sub).await?;
        Ok(account.sub)
    }
}

#[cfg(test)]
mod tests;
