//! The local identity provider: a real implementation of the `Identity` port for local mode,
//! kept in the same table as everything else.
//!
//! - passwords hashed with Argon2id (costs configurable, OWASP minimum by default);
//! - RFC 6238 TOTP with one step of drift, and no code accepted twice;
//! - six-digit email codes, stored as digests, single-use, expiring, five tries each;
//! - RS256 JWTs shaped like Cognito's, signed with the portal's own key (see `signing`);
//! - opaque refresh tokens stored as digests and rotated on every use; presenting a used one
//!   ends its whole family (S1);
//! - five wrong passwords lock the account for fifteen minutes; five wrong codes end a sign-in
//!   session or a code (A3).

pub mod secrets;
pub mod signing;

use std::sync::Arc;

use async_trait::async_trait;
use portal_domain::clock::Clock;
use portal_domain::email::Email;
use portal_domain::identity::{
    Challenge, ChallengeKind, Identity, IdentityError, MfaEnrolment, SignUp, Tokens, otpauth_uri,
};
use portal_domain::keys;
use portal_domain::notify::{AccountMessage, Notifier};
use portal_domain::password::Password;
use portal_domain::profile::Language;
use portal_domain::sessions::Revocations;
use portal_domain::table::{Condition, Item, Key, StoreError, Table, Update, WriteOp};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

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
/// Wrong answers allowed before a code, a sign-in or an account is shut.
pub const MAX_ATTEMPTS: u32 = 5;
/// How long an account stays locked after too many wrong passwords.
pub const LOCKOUT_SECONDS: u64 = 15 * 60;

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
    #[serde(default)]
    failed_sign_ins: u32,
    #[serde(default)]
    locked_until: u64,
    #[serde(default)]
    disabled: bool,
}

/// Which email code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CodePurpose {
    Confirmation,
    Reset,
}

impl CodePurpose {
    fn name(self) -> &'static str {
        match self {
            CodePurpose::Confirmation => "confirm",
            CodePurpose::Reset => "reset",
        }
    }
}

/// An email code, stored as its digest.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailCode {
    digest: String,
    expires_at: u64,
    attempts: u32,
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
    attempts: u32,
}

/// A refresh token, stored under its digest.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshToken {
    email: Email,
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
    hashing: PasswordHashing,
    revocations: Revocations,
}

impl LocalIdentity {
    /// A provider keeping its accounts in `table` and sending codes through `notifier`.
    pub fn new(
        table: Arc<dyn Table>,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
        signer: Signer,
        cost: HashCost,
    ) -> Result<Self, IdentityError> {
        let revocations = Revocations::new(Arc::clone(&table));
        Ok(Self { table, notifier, clock, signer, hashing: PasswordHashing::new(cost)?, revocations })
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

    async fn update_account(&self, email: &Email, update: Update) -> Result<(), IdentityError> {
        let key = keys::local_account(email.as_str());
        self.table.update(&key, update, Some(Condition::Present)).await.map(drop).map_err(store_error)
    }

    /// Hashing runs on the blocking pool: Argon2id is deliberately slow.
    async fn hash_password(&self, password: &Password) -> Result<String, IdentityError> {
        let (hashing, password) = (self.hashing.clone(), password.expose().to_owned());
        tokio::task::spawn_blocking(move || hashing.hash(&password))
            .await
            .map_err(|e| IdentityError::Unavailable(Box::new(e)))?
    }

    async fn verify_password(&self, password: &str, stored: Option<String>) -> Result<bool, IdentityError> {
        let (hashing, password) = (self.hashing.clone(), password.to_owned());
        tokio::task::spawn_blocking(move || hashing.verify(&password, stored.as_deref()))
            .await
            .map_err(|e| IdentityError::Unavailable(Box::new(e)))
    }

    /// Creates an email code, replacing any earlier one of the same purpose, and sends it.
    async fn send_code(&self, account: &Account, purpose: CodePurpose) -> Result<(), IdentityError> {
        let code = six_digit_code()?;
        let lifetime = match purpose {
            CodePurpose::Confirmation => CONFIRMATION_CODE_SECONDS,
            CodePurpose::Reset => RESET_CODE_SECONDS,
        };
        let record = EmailCode { digest: digest(&code), expires_at: self.clock.now() + lifetime, attempts: 0 };
        self.write(&keys::local_account_code(account.email.as_str(), purpose.name()), &record, None).await?;
        let message = match purpose {
            CodePurpose::Confirmation => AccountMessage::ConfirmationCode(code),
            CodePurpose::Reset => AccountMessage::ResetCode(code),
        };
        self.notify(account, message).await
    }

    async fn notify(&self, account: &Account, message: AccountMessage) -> Result<(), IdentityError> {
        let email = message.email(account.email.as_str(), account.language);
        self.notifier.send(email).await.map_err(|e| IdentityError::Unavailable(Box::new(e)))
    }

    /// Checks an email code; a wrong one counts against it. Consumes nothing.
    async fn check_code(&self, email: &Email, purpose: CodePurpose, code: &str) -> Result<Key, IdentityError> {
        let key = keys::local_account_code(email.as_str(), purpose.name());
        let stored: EmailCode = self.read(&key).await?.ok_or(IdentityError::CodeExpired)?;
        if stored.expires_at <= self.clock.now() {
            return Err(IdentityError::CodeExpired);
        }
        if stored.attempts >= MAX_ATTEMPTS {
            return Err(IdentityError::TooManyAttempts);
        }
        if !matches_digest(code, &stored.digest) {
            let counted = self.table.update(&key, Update::default().add("attempts", 1), Some(Condition::Present)).await;
            counted.map_err(store_error)?;
            return Err(IdentityError::CodeMismatch);
        }
        Ok(key)
    }

    /// Applies `update` to the account and consumes the code, together: a code works once.
    async fn redeem_code(&self, email: &Email, code_key: Key, update: Update) -> Result<(), IdentityError> {
        let account = keys::local_account(email.as_str());
        let redeemed = self
            .table
            .transact_write(vec![
                WriteOp::Update { key: account, update, condition: Some(Condition::Present) },
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

    /// Counts a wrong second-factor code against a sign-in; the fifth ends it.
    async fn wrong_code(&self, key: &Key, session: &SignInSession) -> Result<IdentityError, IdentityError> {
        if session.attempts + 1 >= MAX_ATTEMPTS {
            self.table.delete(key, None).await.map_err(store_error)?;
            return Ok(IdentityError::TooManyAttempts);
        }
        self.table
            .update(key, Update::default().add("attempts", 1), Some(Condition::Present))
            .await
            .map_err(store_error)?;
        Ok(IdentityError::CodeMismatch)
    }

    /// The time new tokens are issued at: never at or before the user's last sign-out, so a
    /// sign-in in the same second as a sign-out is not caught by it.
    async fn issue_time(&self, sub: &str) -> Result<u64, IdentityError> {
        let now = self.clock.now();
        let revoked_until = self.revocations.revoked_until(sub).await.map_err(store_error)?;
        Ok(revoked_until.map_or(now, |until| now.max(until + 1)))
    }

    /// Signs access and ID tokens and stores a new refresh token of `family`.
    async fn issue_tokens(&self, account: &Account, family: Option<String>) -> Result<Tokens, IdentityError> {
        let issued_at = self.issue_time(&account.sub).await?;
        let access = AccessClaims::new(&account.sub, account.groups.clone(), issued_at, ACCESS_TOKEN_SECONDS);
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
        });
        let signing_failed = |e: anyhow::Error| IdentityError::Unavailable(e.into());
        let access_token = self.signer.sign(&access).map_err(signing_failed)?;
        let id_token = self.signer.sign(&id).map_err(signing_failed)?;
        let refresh_token = opaque_token()?;
        let record = RefreshToken {
            email: account.email.clone(),
            family: family.unwrap_or(opaque_token()?),
            issued_at,
            expires_at: issued_at + REFRESH_TOKEN_SECONDS,
            used: false,
        };
        self.write(&keys::local_refresh_token(&digest(&refresh_token)), &record, Some(Condition::Absent)).await?;
        Ok(Tokens { access_token, id_token, refresh_token, expires_in: ACCESS_TOKEN_SECONDS })
    }

    /// Ends a refresh-token family: every token of it stops working.
    async fn end_family(&self, family: &str) -> Result<(), IdentityError> {
        self.write(&keys::local_refresh_family(family), &json!({"revoked": true}), None).await
    }

    async fn family_ended(&self, family: &str) -> Result<bool, IdentityError> {
        Ok(self.table.get(&keys::local_refresh_family(family)).await.map_err(store_error)?.is_some())
    }

    async fn create_account(
        &self,
        request: &SignUp,
        groups: Vec<String>,
        confirmed: bool,
    ) -> Result<Account, IdentityError> {
        let sub = uuid::Uuid::new_v4().to_string();
        let account = Account {
            sub: sub.clone(),
            email: request.email.clone(),
            password_hash: self.hash_password(&request.password).await?,
            confirmed,
            given_name: request.given_name.clone(),
            family_name: request.family_name.clone(),
            language: request.language,
            groups,
            totp_secret: None,
            last_totp_step: 0,
            failed_sign_ins: 0,
            locked_until: 0,
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
}

#[async_trait]
impl Identity for LocalIdentity {
    async fn sign_up(&self, request: &SignUp) -> Result<String, IdentityError> {
        let account = self.create_account(request, Vec::new(), false).await?;
        self.send_code(&account, CodePurpose::Confirmation).await?;
        Ok(account.sub)
    }

    async fn confirm_sign_up(&self, email: &Email, code: &str) -> Result<(), IdentityError> {
        let code_key = self.check_code(email, CodePurpose::Confirmation, code).await?;
        self.redeem_code(email, code_key, Update::default().set("confirmed", true)).await
    }

    async fn resend_confirmation(&self, email: &Email) -> Result<(), IdentityError> {
        match self.account(email).await? {
            Some(account) if !account.confirmed => self.send_code(&account, CodePurpose::Confirmation).await,
            _ => Ok(()),
        }
    }

    async fn sign_in(&self, email: &Email, password: &str) -> Result<Challenge, IdentityError> {
        let account = self.account(email).await?;
        let now = self.clock.now();
        if account.as_ref().is_some_and(|a| a.locked_until > now) {
            return Err(IdentityError::TooManyAttempts);
        }
        let stored_hash = account.as_ref().map(|a| a.password_hash.clone());
        if !self.verify_password(password, stored_hash).await? {
            if let Some(account) = &account {
                let update = if account.failed_sign_ins + 1 >= MAX_ATTEMPTS {
                    Update::default().set("failedSignIns", 0).set("lockedUntil", now + LOCKOUT_SECONDS)
                } else {
                    Update::default().add("failedSignIns", 1)
                };
                self.update_account(email, update).await?;
            }
            return Err(IdentityError::NotAuthorized);
        }
        let account = account.filter(|a| !a.disabled).ok_or(IdentityError::NotAuthorized)?;
        if !account.confirmed {
            return Err(IdentityError::NotConfirmed);
        }
        if account.failed_sign_ins > 0 {
            self.update_account(email, Update::default().set("failedSignIns", 0)).await?;
        }
        let session = opaque_token()?;
        let enrolling = account.totp_secret.is_none();
        let record = SignInSession {
            email: email.clone(),
            enrolling,
            pending_secret: None,
            expires_at: now + SIGN_IN_SECONDS,
            attempts: 0,
        };
        self.write(&keys::local_sign_in(&digest(&session)), &record, Some(Condition::Absent)).await?;
        let kind = if enrolling { ChallengeKind::MfaSetup } else { ChallengeKind::SoftwareTokenMfa };
        Ok(Challenge { kind, session })
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
            return Err(self.wrong_code(&key, &stored).await?);
        };
        let account = self.account(&stored.email).await?.ok_or(IdentityError::SessionExpired)?;
        self.table
            .transact_write(vec![
                WriteOp::Update {
                    key: keys::local_account(stored.email.as_str()),
                    update: Update::default().set("totpSecret", secret).set("lastTotpStep", step),
                    condition: Some(Condition::Present),
                },
                WriteOp::Delete { key, condition: Some(Condition::Present) },
            ])
            .await
            .map_err(|error| match error {
                StoreError::TransactionCanceled { .. } => IdentityError::SessionExpired,
                other => store_error(other),
            })?;
        let tokens = self.issue_tokens(&account, None).await?;
        self.notify(&account, AccountMessage::MfaEnabled).await?;
        Ok(tokens)
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
            return Err(self.wrong_code(&key, &stored).await?);
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

    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, IdentityError> {
        let key = keys::local_refresh_token(&digest(refresh_token));
        let stored: RefreshToken = self.read(&key).await?.ok_or(IdentityError::NotAuthorized)?;
        if stored.used {
            // A rotated token came back: someone holds a copy. End the whole family (S1).
            self.end_family(&stored.family).await?;
            return Err(IdentityError::NotAuthorized);
        }
        let account = self.account(&stored.email).await?.filter(|a| !a.disabled).ok_or(IdentityError::NotAuthorized)?;
        let revoked = self.revocations.is_revoked(&account.sub, stored.issued_at).await.map_err(store_error)?;
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
            Some(account) if account.confirmed => self.send_code(&account, CodePurpose::Reset).await,
            _ => Ok(()),
        }
    }

    async fn confirm_forgot_password(
        &self,
        email: &Email,
        code: &str,
        password: &Password,
    ) -> Result<String, IdentityError> {
        let code_key = self.check_code(email, CodePurpose::Reset, code).await?;
        let account = self.account(email).await?.ok_or(IdentityError::CodeExpired)?;
        let password_hash = self.hash_password(password).await?;
        let update = Update::default().set("passwordHash", password_hash).set("failedSignIns", 0).set("lockedUntil", 0);
        self.redeem_code(email, code_key, update).await?;
        // A reset ends every session (S2); MFA stays enrolled, so the next sign-in asks for it (A4).
        self.revocations.revoke_all(&account.sub, self.clock.now()).await.map_err(store_error)?;
        self.notify(&account, AccountMessage::PasswordChanged).await?;
        Ok(account.sub)
    }

    async fn sign_out_everywhere(&self, sub: &str) -> Result<(), IdentityError> {
        // Refresh tokens issued until now are refused through the same record access tokens are.
        self.revocations.revoke_all(sub, self.clock.now()).await.map_err(store_error)
    }

    async fn admin_create_user(&self, request: &SignUp, group: &str) -> Result<String, IdentityError> {
        Ok(self.create_account(request, vec![group.to_owned()], true).await?.sub)
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
