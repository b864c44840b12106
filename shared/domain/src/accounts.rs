//! The account operations as the portal offers them: the `Identity` port (Cognito, or the local
//! identity provider) behind the portal's own limits and checks, so both modes hold them alike.
//!
//! Every guess is reserved before it is evaluated (`limits`), counted per account across codes
//! and sign-in sessions, and per client address:
//!
//! | limit | per | at most |
//! |---|---|---|
//! | sign-in attempts | client address | 30 a minute |
//! | wrong passwords | account and client address | 5 in 15 minutes |
//! | wrong passwords | account, from places it never signed in from | 50 an hour, then a notice |
//! | emails asked for (register, resend, forgot) | email address | 5 an hour |
//! | emails asked for | client address | 50 an hour |
//! | code attempts (confirm, reset, MFA) | client address | 30 a minute |
//! | wrong confirmation or reset codes | account | 5 in 15 minutes, 10 an hour (then a notice) |
//! | wrong authenticator codes | sign-in session | 5 |
//! | wrong authenticator codes | account | 10 an hour, then a notice |
//!
//! Counters are keyed by the address as typed, so an unknown address meets the same limits and
//! answers as a known one (A6, A8); wrong passwords from one place never slow the owner signing
//! in from another, and once an account-wide limit is reached, places the account signed in from
//! before may still try. Requests that send email take the same time whether or not the address
//! has an account (`EMAIL_ANSWER_TIME`).
//!
//! A sign-in waiting for its second factor is recorded here with the time it began; any change
//! to the account after that (sign-out, password reset, disable, an authenticator enrolled)
//! refuses it (S5).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::applications::Applications;
use crate::audit::{Audit, AuditRecord, Outcome};
use crate::clock::Clock;
use crate::digest::digest;
use crate::email::Email;
use crate::identity::{
    Challenge, ChallengeKind, Identity, IdentityError, MfaEnrolment, NewAuthenticator, PasskeyChallenge, PasskeyInfo,
    SignUp, Tokens,
};
use crate::keys;
use crate::limits::{Limit, LimitReached, Limits, Reservation};
use crate::notifier::{AccountMessage, NewSignIn, Notifier};
use crate::password::Password;
use crate::profile::{Profile, Profiles};
use crate::recovery::{RecoveryCodes, is_recovery_code};
use crate::sessions::{Place, Revocations, Sessions};
use crate::table::{Condition, Item, Key, Query, SortKey, StoreError, Table};
use crate::user_agent::Device;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;

/// Sign-in attempts from one client address.
pub const SIGN_INS_PER_CLIENT: Limit = Limit { name: "sign-in-client", max: 30, window_seconds: MINUTE };
/// Wrong passwords for one account from one client address.
pub const WRONG_PASSWORDS_PER_PLACE: Limit = Limit { name: "password-place", max: 5, window_seconds: 15 * MINUTE };
/// Wrong passwords for one account from everywhere; past it only known places may try.
pub const WRONG_PASSWORDS_PER_ACCOUNT: Limit = Limit { name: "password-account", max: 50, window_seconds: HOUR };
/// Emails asked for one address.
pub const EMAILS_PER_ADDRESS: Limit = Limit { name: "emails-address", max: 5, window_seconds: HOUR };
/// Emails asked for from one client address.
pub const EMAILS_PER_CLIENT: Limit = Limit { name: "emails-client", max: 50, window_seconds: HOUR };
/// Code attempts from one client address.
pub const CODES_PER_CLIENT: Limit = Limit { name: "codes-client", max: 30, window_seconds: MINUTE };
/// Wrong confirmation codes for one account, in a burst.
pub const WRONG_CONFIRMATION_CODES_BURST: Limit =
    Limit { name: "confirm-codes-burst", max: 5, window_seconds: 15 * MINUTE };
/// Wrong confirmation codes for one account.
pub const WRONG_CONFIRMATION_CODES: Limit = Limit { name: "confirm-codes", max: 10, window_seconds: HOUR };
/// Wrong reset codes for one account, in a burst.
pub const WRONG_RESET_CODES_BURST: Limit = Limit { name: "reset-codes-burst", max: 5, window_seconds: 15 * MINUTE };
/// Wrong reset codes for one account.
pub const WRONG_RESET_CODES: Limit = Limit { name: "reset-codes", max: 10, window_seconds: HOUR };
/// Wrong authenticator codes for one sign-in session (which lasts 3 minutes).
pub const WRONG_MFA_CODES_PER_SESSION: Limit = Limit { name: "mfa-session", max: 5, window_seconds: CHALLENGE_SECONDS };
/// Wrong authenticator codes for one account, across sign-in sessions.
pub const WRONG_MFA_CODES: Limit = Limit { name: "mfa-account", max: 10, window_seconds: HOUR };

/// A sign-in waiting for its second factor lasts 3 minutes, as Cognito's session does.
pub const CHALLENGE_SECONDS: u64 = 3 * MINUTE;
/// How long a recovery code's sign-in keeps sign-ins from enrolling an authenticator: longer
/// than a request may run (10 seconds), so none that met the provider meanwhile gets through.
const RECOVERING_SECONDS: u64 = MINUTE;
/// How long a place an account signed in from stays known.
const KNOWN_PLACE_SECONDS: u64 = 90 * 24 * HOUR;
/// The least time a request that may send email takes, so the answer for an address with an
/// account cannot be told from one without by its timing (A6). It is above what the slower of
/// the two paths takes (hashing a password, writing and sending a code).
pub const EMAIL_ANSWER_TIME: Duration = Duration::from_millis(250);

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The identity provider's answer.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A limit is reached.
    #[error("a limit is reached")]
    Limited(LimitReached),
    /// The table failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The new sign-in address is the one the account has.
    #[error("the new address is the current one")]
    SameEmail,
    /// The account keeps as many passkeys as it can (`MAX_PASSKEYS`).
    #[error("the account has as many passkeys as it can keep")]
    TooManyPasskeys,
}

impl From<LimitReached> for AccountError {
    fn from(reached: LimitReached) -> Self {
        AccountError::Limited(reached)
    }
}

/// A sign-in waiting for its second factor, as the portal recorded it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingChallenge {
    email: Email,
    sub: String,
    began_at_ms: u64,
    expires_at: u64,
}

/// Where a sign-in's second factor is answered from: the place, and the browser's own id (kept
/// in its cookie) to tell a browser the account never signed in from.
#[derive(Clone, Debug)]
pub struct Arrival {
    /// The client's address and user agent.
    pub place: Place,
    /// The browser's id.
    pub browser: String,
}

/// A first sign-in completed: its tokens, and the recovery codes issued with it (to be shown this
/// once; none when the account still holds some). No `Debug`: the codes must not reach a log.
pub struct Enrolled {
    /// The session's tokens.
    pub tokens: Tokens,
    /// The new recovery codes.
    pub recovery_codes: Vec<String>,
}

/// A sign-in completed with a recovery code: its tokens, and how many codes are left. No
/// `Debug`: it holds the tokens.
pub struct Recovered {
    /// The session's tokens.
    pub tokens: Tokens,
    /// The account's recovery codes not used yet.
    pub codes_left: usize,
}

/// Who removes an authenticator, as the account's audit trail records it.
#[derive(Clone, Debug)]
pub struct ResetBy {
    /// Their id (an officer's `sub`, the administrator's name; empty for the owner).
    pub actor: String,
    /// As whom (`support`, `administrator`, `applicant`).
    pub role: String,
    /// Why, and how identity was checked.
    pub reason: String,
}

/// What someone who lost their authenticator and recovery codes gives to have it removed. No
/// `Debug`: it holds the reset code and the new password.
#[derive(Clone, Copy)]
pub struct LostAuthenticator<'a> {
    /// The account's address.
    pub email: &'a Email,
    /// The code a password reset emailed to it.
    pub code: &'a str,
    /// The new password (already checked against the rules).
    pub new_password: &'a Password,
    /// The number of one of the account's applications, as typed.
    pub application_number: &'a str,
    /// The applicant's date of birth on that application, `YYYY-MM-DD`.
    pub date_of_birth: &'a str,
}

/// A password change, as the signed-in user asks for it. No `Debug`: it holds the password.
#[derive(Clone, Copy)]
pub struct PasswordChange<'a> {
    /// The password they sign in with now.
    pub current: &'a str,
    /// A code from their authenticator, fresh, or one of their recovery codes.
    pub code: &'a str,
    /// The new password (already checked against the rules).
    pub new: &'a Password,
}

/// A change of sign-in address, as the signed-in user asks for it. No `Debug`: it holds the
/// password.
#[derive(Clone, Copy)]
pub struct EmailChange<'a> {
    /// The address to sign in with from now on.
    pub new: &'a Email,
    /// The password they sign in with now.
    pub current: &'a str,
    /// A code from their authenticator, fresh, or one of their recovery codes.
    pub code: &'a str,
}

/// A new sign-in address waiting for the code sent to it, as the portal recorded it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingEmailChange {
    new_email: Email,
    expires_at: u64,
    /// The address belongs to another account: no code was sent, and any code is wrong (it is
    /// counted as one, so the answer cannot tell a taken address from a free one, A6).
    #[serde(default)]
    taken: bool,
}

/// A passkey of a user, as they see it: the provider's record and the name they gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passkey {
    /// The credential's id (base64url).
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// When it was registered (seconds since the epoch).
    pub created_at: u64,
}

/// The most passkeys one account keeps (Cognito keeps as many per user).
pub const MAX_PASSKEYS: u32 = 20;

/// How long the code sent to a new sign-in address works (as a confirmation code does).
pub const EMAIL_CHANGE_SECONDS: u64 = 24 * HOUR;

/// A signed-in caller as its access token names it: whose, when issued, and which session.
#[derive(Clone, Copy, Debug)]
pub struct Caller<'a> {
    /// The account (`sub`).
    pub sub: &'a str,
    /// When the token was issued (seconds since the epoch).
    pub issued_at: u64,
    /// The session the token belongs to.
    pub session: Option<&'a str>,
}

/// Which second-factor step a sign-in completes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SecondFactor {
    /// The first authenticator is enrolled.
    Enrolment,
    /// An enrolled authenticator's code is answered.
    Answer,
    /// A passkey's assertion is answered.
    Passkey,
    /// A recovery code is given in place of the authenticator's code.
    RecoveryCode,
}

/// A wrong code or password: an attempt that counts.
fn is_guess(error: &IdentityError) -> bool {
    matches!(error, IdentityError::NotAuthorized | IdentityError::CodeMismatch | IdentityError::CodeExpired)
}

/// The account operations, guarded.
#[derive(Clone)]
pub struct Accounts {
    identity: Arc<dyn Identity>,
    table: Arc<dyn Table>,
    limits: Limits,
    revocations: Revocations,
    sessions: Sessions,
    recovery: RecoveryCodes,
    profiles: Profiles,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
}

impl Accounts {
    /// Accounts of `identity`, with their limits and records in `table`; notices to owners go
    /// through `notifier`.
    pub fn new(
        identity: Arc<dyn Identity>,
        table: Arc<dyn Table>,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            identity,
            limits: Limits::new(Arc::clone(&table)),
            revocations: Revocations::new(Arc::clone(&table)),
            sessions: Sessions::new(Arc::clone(&table), Arc::clone(&clock)),
            recovery: RecoveryCodes::new(Arc::clone(&table), Arc::clone(&clock)),
            profiles: Profiles::new(Arc::clone(&table)),
            table,
            notifier,
            clock,
        }
    }

    /// Reserves a place under every limit, or none: places taken before a refusal are given back.
    async fn reserve_all(&self, limits: &[(Limit, &str)]) -> Result<Vec<Reservation>, AccountError> {
        let now = self.clock.now();
        let mut taken = Vec::with_capacity(limits.len());
        for (limit, subject) in limits {
            match self.limits.reserve(*limit, subject, now).await? {
                Ok(reservation) => taken.push(reservation),
                Err(reached) => {
                    self.release_all(taken).await?;
                    return Err(self.refused(*limit, subject, reached).await?);
                }
            }
        }
        Ok(taken)
    }

    async fn release_all(&self, reservations: Vec<Reservation>) -> Result<(), StoreError> {
        for reservation in reservations {
            self.limits.release(reservation).await?;
        }
        Ok(())
    }

    /// The refusal of a limit; the first refusal of an account-wide limit tells the owner.
    async fn refused(&self, limit: Limit, subject: &str, reached: LimitReached) -> Result<AccountError, AccountError> {
        let notice = match limit {
            WRONG_MFA_CODES | WRONG_PASSWORDS_PER_ACCOUNT => Some(AccountMessage::SignInPaused),
            WRONG_RESET_CODES => Some(AccountMessage::ResetPaused),
            _ => None,
        };
        if let Some(notice) = notice
            && let Ok(email) = Email::parse(subject)
            && self.limits.first_refusal(limit, subject, self.clock.now()).await?
        {
            self.tell_owner(&email, notice).await?;
        }
        Ok(AccountError::Limited(reached))
    }

    /// Sends a notice to the owner of an address, if it has an account. A notice that cannot be
    /// sent is logged, not answered: the caller must not learn whether the address has one.
    async fn tell_owner(&self, email: &Email, notice: AccountMessage) -> Result<(), AccountError> {
        let sent = async {
            let Some(sub) = self.identity.account_id(email).await? else { return Ok(()) };
            let language = self.profiles.get(&sub).await?.map(|p| p.preferred_language).unwrap_or_default();
            self.notifier
                .send(notice.email(email.as_str(), language))
                .await
                .map_err(|e| StoreError::Unavailable(e.into()))?;
            Ok::<_, AccountError>(())
        };
        if let Err(error) = sent.await {
            tracing::warn!(error = %error, "an account notice could not be sent");
        }
        Ok(())
    }

    /// Runs a request that may send email, answering no sooner than `EMAIL_ANSWER_TIME`.
    async fn paced<T>(&self, work: impl Future<Output = Result<T, AccountError>>) -> Result<T, AccountError> {
        let deadline = tokio::time::Instant::now() + EMAIL_ANSWER_TIME;
        let result = work.await;
        tokio::time::sleep_until(deadline).await;
        result
    }

    /// Registers an account (A9: an unconfirmed registration holds nothing). The caller is
    /// answered alike whether or not the address has an account; its owner hears of the attempt.
    pub async fn register(&self, request: &SignUp, client: &str) -> Result<(), AccountError> {
        self.paced(async {
            self.reserve_all(&[(EMAILS_PER_CLIENT, client), (EMAILS_PER_ADDRESS, request.email.as_str())]).await?;
            match self.identity.sign_up(request).await {
                Ok(()) => Ok(()),
                Err(IdentityError::AccountExists) => {
                    self.tell_owner(&request.email, AccountMessage::AlreadyRegistered).await
                }
                Err(other) => Err(other.into()),
            }
        })
        .await
    }

    /// Sends a new confirmation code (to unconfirmed accounts only; answered alike for all).
    pub async fn resend_confirmation(&self, email: &Email, client: &str) -> Result<(), AccountError> {
        self.paced(async {
            self.reserve_all(&[(EMAILS_PER_CLIENT, client), (EMAILS_PER_ADDRESS, email.as_str())]).await?;
            Ok(self.identity.resend_confirmation(email).await?)
        })
        .await
    }

    /// Sends a password-reset code (to confirmed accounts only; answered alike for all).
    pub async fn forgot_password(&self, email: &Email, client: &str) -> Result<(), AccountError> {
        self.paced(async {
            self.reserve_all(&[(EMAILS_PER_CLIENT, client), (EMAILS_PER_ADDRESS, email.as_str())]).await?;
            Ok(self.identity.forgot_password(email).await?)
        })
        .await
    }

    /// Runs an attempt under reserved places: a guess keeps them, anything else gives them back.
    async fn guarded<T>(
        &self,
        reservations: Vec<Reservation>,
        attempt: impl Future<Output = Result<T, IdentityError>>,
    ) -> Result<T, AccountError> {
        match attempt.await {
            Err(error) if is_guess(&error) => Err(error.into()),
            outcome => {
                self.release_all(reservations).await?;
                Ok(outcome?)
            }
        }
    }

    /// Confirms an email with its code, and saves the profile of the registration confirmed.
    pub async fn confirm(&self, email: &Email, code: &str, client: &str) -> Result<(), AccountError> {
        let address = email.as_str();
        self.reserve_all(&[(CODES_PER_CLIENT, client)]).await?;
        let guesses =
            self.reserve_all(&[(WRONG_CONFIRMATION_CODES_BURST, address), (WRONG_CONFIRMATION_CODES, address)]).await?;
        let registered = self.guarded(guesses, self.identity.confirm_sign_up(email, code)).await?;
        let profile = Profile::new(email, registered.given_name, registered.family_name, registered.language);
        Ok(self.profiles.put(&registered.sub, &profile).await?)
    }

    /// Sets a new password with a reset code; every session of the account ends (S2).
    pub async fn reset_password(
        &self,
        email: &Email,
        code: &str,
        password: &Password,
        client: &str,
    ) -> Result<(), AccountError> {
        let address = email.as_str();
        self.reserve_all(&[(CODES_PER_CLIENT, client)]).await?;
        let guesses = self.reserve_all(&[(WRONG_RESET_CODES_BURST, address), (WRONG_RESET_CODES, address)]).await?;
        let sub = self.guarded(guesses, self.identity.confirm_forgot_password(email, code, password)).await?;
        // Every session ends (S2): access tokens through the portal's record (Cognito leaves them
        // valid until they expire), refresh tokens through the provider.
        self.sign_out(&sub).await?;
        // Told in both modes (A5): Cognito sends nothing of its own.
        self.tell_owner(email, AccountMessage::PasswordChanged).await
    }

    /// Whether the account signed in from this client address before.
    async fn known_place(&self, email: &Email, client: &str) -> Result<bool, StoreError> {
        let place = self.table.get(&keys::known_place(email.as_str(), client)).await?;
        let expires_at = place.and_then(|item| item.get("expiresAt").and_then(serde_json::Value::as_u64));
        Ok(expires_at.is_some_and(|expires_at| expires_at > self.clock.now()))
    }

    /// Checks email and password; always ends in a second-factor challenge (A1).
    pub async fn sign_in(&self, email: &Email, password: &str, client: &str) -> Result<Challenge, AccountError> {
        let place = format!("{email}|{client}");
        self.reserve_all(&[(SIGN_INS_PER_CLIENT, client)]).await?;
        // The sign-in begins now: a change to the account while the password is checked ends it.
        let began_at_ms = self.clock.now_ms();
        let mut guesses = self.reserve_all(&[(WRONG_PASSWORDS_PER_PLACE, &place)]).await?;
        match self.limits.reserve(WRONG_PASSWORDS_PER_ACCOUNT, email.as_str(), self.clock.now()).await? {
            Ok(reservation) => guesses.push(reservation),
            Err(_) if self.known_place(email, client).await? => {}
            Err(reached) => {
                self.release_all(guesses).await?;
                return Err(self.refused(WRONG_PASSWORDS_PER_ACCOUNT, email.as_str(), reached).await?);
            }
        }
        let challenge = self.guarded(guesses, self.identity.sign_in(email, password)).await?;
        if challenge.kind == ChallengeKind::MfaSetup && self.recovering(&challenge.sub).await? {
            // A recovery code is completing another sign-in of this account, for which the
            // provider may have set the authenticator aside: this one must not enrol a new one.
            return Err(IdentityError::Busy.into());
        }
        let now = self.clock.now();
        let pending = PendingChallenge {
            email: email.clone(),
            sub: challenge.sub.clone(),
            began_at_ms,
            expires_at: now + CHALLENGE_SECONDS,
        };
        self.write_pending(&challenge.session, &pending).await?;
        Ok(challenge)
    }

    /// Whether a recovery code is completing a sign-in of the account (`answer_with_recovery_code`).
    async fn recovering(&self, sub: &str) -> Result<bool, StoreError> {
        let window = self.table.get(&keys::recovering(sub)).await?;
        let until = window.and_then(|item| item.get("expiresAt").and_then(serde_json::Value::as_u64));
        Ok(until.is_some_and(|until| until > self.clock.now()))
    }

    async fn write_pending(&self, session: &str, pending: &PendingChallenge) -> Result<(), StoreError> {
        let item = Item::from_record(&keys::pending_challenge(&digest(session)), pending)?;
        self.table.put(item, Some(Condition::Absent)).await
    }

    /// The pending sign-in of a session, unless it expired or the account changed since (S5).
    async fn pending(&self, session: &str) -> Result<(Key, PendingChallenge), AccountError> {
        let key = keys::pending_challenge(&digest(session));
        let expired = || AccountError::Identity(IdentityError::SessionExpired);
        let pending: PendingChallenge = self.table.get(&key).await?.ok_or_else(expired)?.to_record()?;
        if pending.expires_at <= self.clock.now() {
            return Err(expired());
        }
        if self.revocations.changed_since(&pending.sub, pending.began_at_ms).await? {
            self.table.delete(&key, None).await?;
            return Err(expired());
        }
        Ok((key, pending))
    }

    /// Starts enrolling an authenticator app for a sign-in at the `MfaSetup` step.
    pub async fn begin_mfa_enrolment(&self, session: &str) -> Result<MfaEnrolment, AccountError> {
        let (key, pending) = self.pending(session).await?;
        let enrolment = self.identity.begin_mfa_enrolment(session).await?;
        if enrolment.session != session {
            // Cognito hands out a new session for the next step: the record follows it.
            self.write_pending(&enrolment.session, &pending).await?;
            self.table.delete(&key, None).await?;
        }
        Ok(enrolment)
    }

    /// Verifies the first authenticator code, enables MFA and completes the sign-in. An account
    /// with no recovery codes left (its first enrolment) gets a set, to be shown this once; one
    /// enrolling again after using a code keeps the codes it has.
    pub async fn complete_mfa_enrolment(
        &self,
        session: &str,
        code: &str,
        arrival: &Arrival,
    ) -> Result<Enrolled, AccountError> {
        let enrolled = async |_: &PendingChallenge| self.identity.complete_mfa_enrolment(session, code).await;
        let tokens = self.second_factor(session, arrival, SecondFactor::Enrolment, enrolled).await?;
        self.remove_voided_passkeys(&tokens.sub, &tokens.access_token).await;
        let recovery_codes = match self.recovery.remaining(&tokens.sub).await? {
            0 => self.recovery.issue(&tokens.sub).await?,
            _ => Vec::new(),
        };
        Ok(Enrolled { tokens, recovery_codes })
    }

    /// Signs in with a recovery code in place of the authenticator's code (lost, or out of
    /// reach): the password first, then the code, under the limits of a sign-in and of
    /// authenticator codes. The code works once; the authenticator and passkeys stay the
    /// account's (a lost authenticator is replaced from the signed-in account, where a recovery
    /// code stands in for its code too). The owner is told, with the codes left.
    pub async fn recover(
        &self,
        email: &Email,
        password: &str,
        code: &str,
        arrival: &Arrival,
    ) -> Result<Recovered, AccountError> {
        let challenge = self.sign_in(email, password, &arrival.place.address).await?;
        let answer =
            async |_: &PendingChallenge| self.answer_with_recovery_code(&challenge, email, password, code).await;
        let tokens = self.second_factor(&challenge.session, arrival, SecondFactor::RecoveryCode, answer).await?;
        let codes_left = self.recovery.remaining(&tokens.sub).await?;
        self.tell_owner(email, AccountMessage::RecoveryCodeUsed(codes_left)).await?;
        Ok(Recovered { tokens, codes_left })
    }

    /// Answers the sign-in in progress `challenge` (begun with `email` and `password`) with a
    /// recovery code: redeemed once, then the provider completes the sign-in without the
    /// authenticator's code. A code whose sign-in cannot complete is the person's again.
    async fn answer_with_recovery_code(
        &self,
        challenge: &Challenge,
        email: &Email,
        password: &str,
        code: &str,
    ) -> Result<Tokens, IdentityError> {
        if challenge.kind != ChallengeKind::SoftwareTokenMfa {
            // No authenticator for a code to stand in for (its codes went with it).
            return Err(IdentityError::CodeMismatch);
        }
        let unavailable = |error: StoreError| IdentityError::Unavailable(Box::new(error));
        if !self.recovery.redeem(&challenge.sub, code).await.map_err(unavailable)? {
            return Err(IdentityError::CodeMismatch);
        }
        // Written before the provider is asked, kept until it expires: a sign-in that meets
        // the provider while it sets the authenticator aside is refused (`sign_in`).
        let until = serde_json::json!({"expiresAt": self.clock.now() + RECOVERING_SECONDS});
        let window = Item::from_record(&keys::recovering(&challenge.sub), &until).map_err(unavailable)?;
        self.table.put(window, None).await.map_err(unavailable)?;
        match self.identity.complete_sign_in_without_code(&challenge.session, email, password).await {
            Ok(tokens) => Ok(tokens),
            Err(error) => {
                self.recovery.give_back(&challenge.sub, code).await.map_err(unavailable)?;
                Err(error)
            }
        }
    }

    /// Issues the user a new set of recovery codes, once they proved it is them again (their
    /// password and a fresh authenticator code); the old set stops working, the owner is told.
    pub async fn new_recovery_codes(
        &self,
        sub: &str,
        password: &str,
        code: &str,
        client: &str,
    ) -> Result<Vec<String>, AccountError> {
        let email = self.email_of(sub).await?;
        self.reauthenticate(&email, password, code, client).await?;
        let codes = self.recovery.issue(sub).await?;
        self.tell_owner(&email, AccountMessage::RecoveryCodesIssued).await?;
        Ok(codes)
    }

    /// The recovery codes of every user.
    pub fn recovery_codes(&self) -> &RecoveryCodes {
        &self.recovery
    }

    /// Removes the authenticator of the account of `email`, for someone who lost it and every
    /// recovery code: its recovery codes go too, every session and sign-in in progress ends, the
    /// act is recorded in the account's audit trail, and the owner is told. The next sign-in must
    /// enrol a new authenticator before any token is issued (A1). Gives the account's id.
    pub async fn reset_authenticator(&self, email: &Email, by: &ResetBy) -> Result<String, AccountError> {
        let sub = self.identity.account_id(email).await?.ok_or(IdentityError::NotAuthorized)?;
        self.identity.reset_mfa(email).await?;
        // Every session ends first: a passkey one of them is adding meanwhile is voided too.
        self.sign_out(&sub).await?;
        self.void_passkeys(&sub).await?;
        self.recovery.void(&sub).await?;
        let mut record =
            AuditRecord::new(self.clock.now(), &by.actor, &by.role, "reset-authenticator", Outcome::Allowed);
        record.subject = Some(by.reason.clone());
        Audit::new(Arc::clone(&self.table)).record_on_account(&sub, &record).await?;
        self.tell_owner(email, AccountMessage::AuthenticatorReset).await?;
        Ok(sub)
    }

    /// The way back for someone with neither their authenticator nor a recovery code, that keeps
    /// two factors: the code a password reset emailed them (control of the address), and the
    /// number and date of birth of one of their applications on file (what only they should
    /// know). Both are guesses under the reset-code limits; the details are checked first, so a
    /// wrong answer changes nothing. Then the password is set anew and the authenticator reset.
    pub async fn reset_lost_authenticator(
        &self,
        lost: &LostAuthenticator<'_>,
        client: &str,
    ) -> Result<(), AccountError> {
        let address = lost.email.as_str();
        self.reserve_all(&[(CODES_PER_CLIENT, client)]).await?;
        let guesses = self.reserve_all(&[(WRONG_RESET_CODES_BURST, address), (WRONG_RESET_CODES, address)]).await?;
        let knows = async {
            let owner = self.identity.account_id(lost.email).await?.ok_or(IdentityError::NotAuthorized)?;
            let matched = Applications::new(Arc::clone(&self.table))
                .owned_with_birth_date(&owner, lost.application_number, lost.date_of_birth)
                .await
                .map_err(|error| IdentityError::Unavailable(Box::new(error)))?;
            if matched { Ok(()) } else { Err(IdentityError::NotAuthorized) }
        };
        self.guarded(guesses, knows).await?;
        self.reset_password(lost.email, lost.code, lost.new_password, client).await?;
        let by = ResetBy {
            actor: String::new(),
            role: crate::audit::APPLICANT_ROLE.into(),
            reason: "email and application details".into(),
        };
        self.reset_authenticator(lost.email, &by).await.map(drop)
    }

    /// Answers a `SoftwareTokenMfa` challenge and completes the sign-in.
    pub async fn answer_mfa(&self, session: &str, code: &str, arrival: &Arrival) -> Result<Tokens, AccountError> {
        let answer = async |_: &PendingChallenge| self.identity.answer_mfa(session, code).await;
        self.second_factor(session, arrival, SecondFactor::Answer, answer).await
    }

    /// A second-factor answer to the sign-in in progress `session` (given the sign-in's record),
    /// under the per-client, per-session and per-account limits; once it is right, the sign-in's
    /// record is taken up.
    /// A passkey's answer is not counted against the account: a sign-in with one needs no
    /// password, so anyone could spend the account's budget of codes with forged answers, and a
    /// signature cannot be guessed anyway.
    async fn answered(
        &self,
        session: &str,
        client: &str,
        step: SecondFactor,
        answer: impl AsyncFnOnce(&PendingChallenge) -> Result<Tokens, IdentityError>,
    ) -> Result<(PendingChallenge, Tokens), AccountError> {
        self.reserve_all(&[(CODES_PER_CLIENT, client)]).await?;
        let (key, pending) = self.pending(session).await?;
        let session_digest = digest(session);
        // A session's window is as long as the session: five wrong codes end it for good.
        let per_session = (WRONG_MFA_CODES_PER_SESSION, session_digest.as_str());
        let per_account = (WRONG_MFA_CODES, pending.email.as_str());
        let limits = if step == SecondFactor::Passkey { vec![per_session] } else { vec![per_session, per_account] };
        let guesses = self.reserve_all(&limits).await?;
        // Tokens issued in the second of a sign-out would be refused with the old ones.
        self.revocations.wait_for_fresh_tokens(&pending.sub, self.clock.as_ref()).await?;
        let tokens = self.guarded(guesses, answer(&pending)).await?;
        // Once: of two answers at the same time, only one completes the sign-in.
        match self.table.delete(&key, Some(Condition::Present)).await {
            Ok(()) => Ok((pending, tokens)),
            Err(StoreError::ConditionFailed) => Err(IdentityError::SessionExpired.into()),
            Err(other) => Err(other.into()),
        }
    }

    /// A sign-in completed by its second factor, from `arrival`.
    async fn second_factor(
        &self,
        session: &str,
        arrival: &Arrival,
        step: SecondFactor,
        answer: impl AsyncFnOnce(&PendingChallenge) -> Result<Tokens, IdentityError>,
    ) -> Result<Tokens, AccountError> {
        let client = arrival.place.address.as_str();
        let (pending, tokens) = self.answered(session, client, step, answer).await?;
        // Recorded before the check below: a change to the account (a password change ending
        // every other session) either finds this session in the list, or is seen by the check.
        self.sessions.used(&tokens.sub, &tokens.session, &arrival.place).await?;
        if self.revocations.changed_since(&pending.sub, pending.began_at_ms).await? {
            // The account changed while the code was checked: these tokens must not work.
            self.revocations.revoke_all(&pending.sub, self.clock.as_ref()).await?;
            return Err(IdentityError::SessionExpired.into());
        }
        if step == SecondFactor::Enrolment {
            // Every other sign-in in progress began before this enrolment: it ends them, so a
            // setup session started earlier cannot replace the authenticator (S5).
            self.revocations.account_changed(&pending.sub, self.clock.as_ref()).await?;
        }
        let place = Item::from_record(
            &keys::known_place(pending.email.as_str(), client),
            &serde_json::json!({"expiresAt": self.clock.now() + KNOWN_PLACE_SECONDS}),
        )?;
        self.table.put(place, None).await?;
        let seen = self.sessions.browser_seen(&tokens.sub, &arrival.browser).await?;
        if step == SecondFactor::Enrolment {
            // Told in both modes (A5): Cognito sends nothing of its own.
            self.tell_owner(&pending.email, AccountMessage::MfaEnabled).await?;
        } else if !seen {
            // The first sign-in enrols the authenticator, which has its own notice.
            let notice = NewSignIn {
                at: self.clock.now(),
                device: Device::of(&arrival.place.user_agent),
                address: client.to_owned(),
            };
            self.tell_owner(&pending.email, AccountMessage::NewSignIn(notice)).await?;
        }
        Ok(tokens)
    }

    /// New tokens for a refresh token, from `place`; refused when its session was ended.
    pub async fn refresh(&self, refresh_token: &str, place: &Place) -> Result<Tokens, AccountError> {
        let tokens = self.identity.refresh(refresh_token).await?;
        if self.sessions.ended(&tokens.sub, &tokens.session).await? {
            // Ended while this refresh ran, or presented after: the provider forgets it too.
            self.identity.revoke_refresh_token(&tokens.refresh_token).await?;
            return Err(IdentityError::NotAuthorized.into());
        }
        self.sessions.used(&tokens.sub, &tokens.session, place).await?;
        Ok(tokens)
    }

    /// Proves the caller again, as a sign-in would and under the same limits: the password, then
    /// a fresh code from the authenticator, or one of their recovery codes in its place (its use
    /// told to the owner). The sign-in this opens at the provider ends at once.
    async fn reauthenticate(
        &self,
        email: &Email,
        password: &str,
        code: &str,
        client: &str,
    ) -> Result<(), AccountError> {
        let challenge = self.sign_in(email, password, client).await?;
        let tokens = if is_recovery_code(code) {
            let answer =
                async |_: &PendingChallenge| self.answer_with_recovery_code(&challenge, email, password, code).await;
            let (_, tokens) = self.answered(&challenge.session, client, SecondFactor::RecoveryCode, answer).await?;
            let left = self.recovery.remaining(&tokens.sub).await?;
            self.tell_owner(email, AccountMessage::RecoveryCodeUsed(left)).await?;
            tokens
        } else {
            let answer = async |_: &PendingChallenge| self.identity.answer_mfa(&challenge.session, code).await;
            self.answered(&challenge.session, client, SecondFactor::Answer, answer).await?.1
        };
        self.revocations.end_session(&tokens.sub, &tokens.session, self.clock.as_ref()).await?;
        Ok(self.identity.revoke_refresh_token(&tokens.refresh_token).await?)
    }

    /// The sign-in address of a user.
    async fn email_of(&self, sub: &str) -> Result<Email, AccountError> {
        let profile = self.profiles.get(sub).await?.ok_or(IdentityError::NotAuthorized)?;
        Email::parse(&profile.email).map_err(|_| IdentityError::NotAuthorized.into())
    }

    /// Changes a signed-in user's password once they proved it is them (their current password
    /// and a fresh authenticator code, `reauthenticate`). Every other session of theirs ends, and
    /// every sign-in in progress; the owner is told (A5).
    pub async fn change_password(
        &self,
        sub: &str,
        keep: Option<&str>,
        change: &PasswordChange<'_>,
        client: &str,
    ) -> Result<(), AccountError> {
        let email = self.email_of(sub).await?;
        self.reauthenticate(&email, change.current, change.code, client).await?;
        self.identity.set_password(&email, change.new).await?;
        self.revocations.account_changed(sub, self.clock.as_ref()).await?;
        self.sessions.end_others(sub, keep).await?;
        self.tell_owner(&email, AccountMessage::PasswordChanged).await
    }

    /// Starts replacing a signed-in user's authenticator once they proved it is them again (the
    /// password and a code of the authenticator they have now); `access_token` is their own.
    pub async fn begin_authenticator_change(
        &self,
        sub: &str,
        access_token: &str,
        password: &str,
        code: &str,
        client: &str,
    ) -> Result<NewAuthenticator, AccountError> {
        let email = self.email_of(sub).await?;
        self.reauthenticate(&email, password, code, client).await?;
        Ok(self.identity.begin_authenticator_change(access_token, &email).await?)
    }

    /// Verifies a code of the new authenticator (a guess under the authenticator-code limits), which
    /// then replaces the old one; sign-ins waiting for the old one's code end, the owner is told.
    pub async fn complete_authenticator_change(
        &self,
        sub: &str,
        access_token: &str,
        code: &str,
        client: &str,
    ) -> Result<(), AccountError> {
        let email = self.email_of(sub).await?;
        self.reserve_all(&[(CODES_PER_CLIENT, client)]).await?;
        let guesses = self.reserve_all(&[(WRONG_MFA_CODES, email.as_str())]).await?;
        self.guarded(guesses, self.identity.complete_authenticator_change(access_token, &email, code)).await?;
        self.revocations.account_changed(sub, self.clock.as_ref()).await?;
        self.tell_owner(&email, AccountMessage::MfaEnabled).await
    }

    /// Starts moving a signed-in user to a new sign-in address, once they proved it is them
    /// again: a code goes to the new address, which takes over only once the code is verified.
    /// An address that belongs to another account is answered alike (A6), its owner told
    /// instead, and no code is sent; `access_token` is the caller's own.
    pub async fn begin_email_change(
        &self,
        sub: &str,
        access_token: &str,
        change: &EmailChange<'_>,
        client: &str,
    ) -> Result<(), AccountError> {
        let email = self.email_of(sub).await?;
        if email == *change.new {
            return Err(AccountError::SameEmail);
        }
        self.reauthenticate(&email, change.current, change.code, client).await?;
        self.paced(async {
            self.reserve_all(&[(EMAILS_PER_CLIENT, client), (EMAILS_PER_ADDRESS, change.new.as_str())]).await?;
            let taken = match self.identity.begin_email_change(access_token, &email, change.new).await {
                Ok(()) => false,
                Err(IdentityError::AccountExists) => {
                    self.tell_owner(change.new, AccountMessage::EmailInUse).await?;
                    true
                }
                Err(other) => return Err(other.into()),
            };
            let pending = PendingEmailChange {
                new_email: change.new.clone(),
                expires_at: self.clock.now() + EMAIL_CHANGE_SECONDS,
                taken,
            };
            Ok(self.table.put(Item::from_record(&keys::email_change(sub), &pending)?, None).await?)
        })
        .await
    }

    /// Verifies the code sent to the new sign-in address (a guess under the confirmation-code
    /// limits), which then becomes the account's; sign-ins in progress at the old address end, and
    /// the old address is told (A5). Gives the new address.
    pub async fn complete_email_change(
        &self,
        sub: &str,
        access_token: &str,
        code: &str,
        client: &str,
    ) -> Result<Email, AccountError> {
        let email = self.email_of(sub).await?;
        let key = keys::email_change(sub);
        let expired = || AccountError::Identity(IdentityError::SessionExpired);
        let pending: PendingEmailChange = self.table.get(&key).await?.ok_or_else(expired)?.to_record()?;
        if pending.expires_at <= self.clock.now() {
            return Err(expired());
        }
        let address = email.as_str();
        self.reserve_all(&[(CODES_PER_CLIENT, client)]).await?;
        let guesses =
            self.reserve_all(&[(WRONG_CONFIRMATION_CODES_BURST, address), (WRONG_CONFIRMATION_CODES, address)]).await?;
        let new = pending.new_email;
        // A change the provider made before a failure here is finished, not asked for again.
        let moved = !pending.taken && self.identity.account_id(&new).await?.as_deref() == Some(sub);
        let verified = async {
            match (pending.taken, moved) {
                (true, _) => Err(IdentityError::CodeMismatch),
                (false, true) => Ok(()),
                (false, false) => self.identity.complete_email_change(access_token, &email, &new, code).await,
            }
        };
        self.guarded(guesses, verified).await?;
        self.profiles.set_email(sub, &new).await?;
        self.table.delete(&key, None).await?;
        self.revocations.account_changed(sub, self.clock.as_ref()).await?;
        // The old address has no account any more: it is told directly, in the owner's language.
        let language = self.profiles.get(sub).await?.map(|p| p.preferred_language).unwrap_or_default();
        let notice = AccountMessage::EmailChanged(new.to_string()).email(address, language);
        if let Err(error) = self.notifier.send(notice).await {
            tracing::warn!(error = %error, "the old address could not be told of the change");
        }
        Ok(new)
    }

    /// Starts registering a passkey for a signed-in user once they proved it is them again (the
    /// password and a fresh authenticator code): the options for the browser's
    /// `navigator.credentials.create`. `access_token` is their own.
    pub async fn begin_passkey_registration(
        &self,
        sub: &str,
        access_token: &str,
        password: &str,
        code: &str,
        client: &str,
    ) -> Result<serde_json::Value, AccountError> {
        let email = self.email_of(sub).await?;
        self.room_for_a_passkey(sub).await?;
        self.reauthenticate(&email, password, code, client).await?;
        Ok(self.identity.begin_passkey_registration(access_token, sub, &email).await?)
    }

    async fn room_for_a_passkey(&self, sub: &str) -> Result<(), AccountError> {
        if self.passkey_names(sub).await?.len() >= MAX_PASSKEYS as usize {
            return Err(AccountError::TooManyPasskeys);
        }
        Ok(())
    }

    /// Keeps the browser's new passkey under `name` once its provider verified it; the owner is
    /// told (A5).
    pub async fn complete_passkey_registration(
        &self,
        caller: &Caller<'_>,
        access_token: &str,
        name: &str,
        credential: &serde_json::Value,
    ) -> Result<Passkey, AccountError> {
        let sub = caller.sub;
        let email = self.email_of(sub).await?;
        self.room_for_a_passkey(sub).await?;
        let id = self.identity.complete_passkey_registration(access_token, sub, credential).await?;
        self.name_passkey(sub, &id, name, None).await?;
        // Checked after the record is written: a reset voids every record of its time, so one
        // written meanwhile by a session it ended is found here, and goes.
        if self.revocations.is_revoked(sub, caller.issued_at, caller.session).await? {
            self.table.delete(&keys::passkey_name(sub, &id), None).await?;
            return Err(IdentityError::NotAuthorized.into());
        }
        self.tell_owner(&email, AccountMessage::PasskeyAdded(name.to_owned())).await?;
        Ok(Passkey { id, name: name.to_owned(), created_at: self.clock.now() })
    }

    async fn name_passkey(
        &self,
        sub: &str,
        id: &str,
        name: &str,
        condition: Option<Condition>,
    ) -> Result<(), StoreError> {
        let record = Item::from_record(&keys::passkey_name(sub, id), &serde_json::json!({"name": name}))?;
        self.table.put(record, condition).await
    }

    /// The user's passkeys as their provider holds them, and the portal's records of them (read
    /// together).
    async fn held_and_named(
        &self,
        sub: &str,
        access_token: &str,
    ) -> Result<(Vec<PasskeyInfo>, HashMap<String, String>), AccountError> {
        futures::try_join!(async { Ok::<_, AccountError>(self.identity.passkeys(access_token, sub).await?) }, async {
            Ok(self.passkey_names(sub).await?)
        },)
    }

    /// The portal's records of the user's passkeys: id and name.
    async fn passkey_names(&self, sub: &str) -> Result<HashMap<String, String>, StoreError> {
        let named = |item: &Item| {
            let id = item.key().sk.strip_prefix(keys::PASSKEY_NAME_PREFIX)?.to_owned();
            Some((id, item.get("name")?.as_str()?.to_owned()))
        };
        let mut names = HashMap::new();
        let mut after = None;
        // Every page: a record left by a removal that failed half-way may go past the most kept.
        loop {
            let query = Query::partition(keys::user_partition(sub))
                .sort(SortKey::Prefix(keys::PASSKEY_NAME_PREFIX.to_owned()))
                .limit(MAX_PASSKEYS)
                .after(after);
            let page = self.table.query(query).await?;
            names.extend(page.items.iter().filter_map(named));
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(names),
            }
        }
    }

    /// The user's passkeys, oldest first, with their names: those the provider holds and the
    /// portal has a record of (a passkey voided by a reset, or added around the portal, has none).
    pub async fn passkeys(&self, sub: &str, access_token: &str) -> Result<Vec<Passkey>, AccountError> {
        let (held, mut names) = self.held_and_named(sub, access_token).await?;
        let mut passkeys: Vec<Passkey> = held
            .into_iter()
            .filter_map(|info| {
                let name = names.remove(&info.id)?;
                Some(Passkey { id: info.id, name, created_at: info.created_at })
            })
            .collect();
        passkeys.sort_by_key(|passkey| passkey.created_at);
        Ok(passkeys)
    }

    /// One of the user's passkeys; `NotAuthorized` when it is not one of theirs.
    pub async fn passkey(&self, sub: &str, access_token: &str, id: &str) -> Result<Passkey, AccountError> {
        let passkeys = self.passkeys(sub, access_token).await?;
        passkeys.into_iter().find(|passkey| passkey.id == id).ok_or(IdentityError::NotAuthorized.into())
    }

    /// Removes, with the user's own token, the passkeys their provider still holds that the
    /// portal has no record of: those a reset voided (Cognito has no administrator's way to
    /// delete them), at the enrolment that follows it.
    ///
    /// A tidy-up, never a failure of the enrolment: a voided passkey no longer signs in (it has
    /// no record), and one left behind is removed at the next enrolment.
    async fn remove_voided_passkeys(&self, sub: &str, access_token: &str) {
        let removed = async {
            let (held, names) = self.held_and_named(sub, access_token).await?;
            for info in held {
                if !names.contains_key(&info.id) {
                    match self.identity.delete_passkey(access_token, sub, &info.id).await {
                        Ok(()) | Err(IdentityError::NotAuthorized) => {}
                        Err(other) => return Err(AccountError::from(other)),
                    }
                }
            }
            Ok(())
        };
        if let Err(error) = removed.await {
            tracing::warn!(%error, "voided passkeys left with the identity provider");
        }
    }

    /// Voids every passkey of the user, as their authenticator is removed: none signs in again.
    async fn void_passkeys(&self, sub: &str) -> Result<(), StoreError> {
        for id in self.passkey_names(sub).await?.into_keys() {
            self.table.delete(&keys::passkey_name(sub, &id), None).await?;
        }
        Ok(())
    }

    /// Names one of the user's passkeys (as found by `passkey`) anew; `NotAuthorized` when it was
    /// removed meanwhile.
    pub async fn rename_passkey(&self, sub: &str, passkey: Passkey, name: &str) -> Result<Passkey, AccountError> {
        match self.name_passkey(sub, &passkey.id, name, Some(Condition::Present)).await {
            Ok(()) => Ok(Passkey { name: name.to_owned(), ..passkey }),
            Err(StoreError::ConditionFailed) => Err(IdentityError::NotAuthorized.into()),
            Err(other) => Err(other.into()),
        }
    }

    /// Removes one of the user's passkeys: it no longer signs in, and the owner is told (A5).
    pub async fn remove_passkey(&self, sub: &str, access_token: &str, id: &str) -> Result<(), AccountError> {
        let email = self.email_of(sub).await?;
        let passkey = self.passkey(sub, access_token, id).await?;
        self.identity.delete_passkey(access_token, sub, id).await?;
        self.table.delete(&keys::passkey_name(sub, id), None).await?;
        self.tell_owner(&email, AccountMessage::PasskeyRemoved(passkey.name)).await
    }

    /// Starts a sign-in with a passkey alone, under the per-client sign-in limit; answered alike
    /// for an address with no account (A6). The sign-in is recorded as a password's is, so any
    /// change to the account meanwhile ends it (S5).
    pub async fn begin_passkey_sign_in(&self, email: &Email, client: &str) -> Result<PasskeyChallenge, AccountError> {
        self.reserve_all(&[(SIGN_INS_PER_CLIENT, client)]).await?;
        let began_at_ms = self.clock.now_ms();
        let challenge = self.identity.begin_passkey_sign_in(email).await?;
        let pending = PendingChallenge {
            email: email.clone(),
            sub: challenge.sub.clone(),
            began_at_ms,
            expires_at: self.clock.now() + CHALLENGE_SECONDS,
        };
        self.write_pending(&challenge.session, &pending).await?;
        Ok(challenge)
    }

    /// Completes a passkey sign-in with the browser's assertion, under the limits of a second
    /// factor's answer (a passkey stands for both factors). Only a passkey the portal has a
    /// record of is put to the provider: one voided by a reset, or added around the portal,
    /// is a wrong answer.
    pub async fn complete_passkey_sign_in(
        &self,
        session: &str,
        credential: &serde_json::Value,
        arrival: &Arrival,
    ) -> Result<Tokens, AccountError> {
        // The verifier finds the credential by its raw id: the two must be the one recorded.
        let text = |name: &str| credential.get(name).and_then(serde_json::Value::as_str).unwrap_or_default();
        let id = text("id");
        let named = !id.is_empty() && id == text("rawId");
        let answer = async |pending: &PendingChallenge| {
            let record = self.table.get(&keys::passkey_name(&pending.sub, id)).await;
            if !named || record.map_err(|error| IdentityError::Unavailable(Box::new(error)))?.is_none() {
                return Err(IdentityError::CodeMismatch);
            }
            self.identity.complete_passkey_sign_in(session, credential).await
        };
        self.second_factor(session, arrival, SecondFactor::Passkey, answer).await
    }

    /// The sessions of the user.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// Ends one session of the user (the caller's own, signing out of this browser): its tokens
    /// are refused, and its refresh token, when the browser sent it, is revoked at the provider.
    pub async fn end_session(&self, sub: &str, session: &str, refresh_token: Option<&str>) -> Result<(), AccountError> {
        // The caller's own session ends whether or not it has a record (one signed in before
        // sessions were recorded has none).
        if !self.sessions.end(sub, session).await? {
            self.revocations.end_session(sub, session, self.clock.as_ref()).await?;
        }
        if let Some(token) = refresh_token {
            self.identity.revoke_refresh_token(token).await?;
        }
        Ok(())
    }

    /// Ends every session of the user: tokens, refresh tokens and pending sign-ins (S2).
    pub async fn sign_out(&self, sub: &str) -> Result<(), AccountError> {
        // The portal's record first: it holds even if the provider cannot be reached.
        self.revocations.revoke_all(sub, self.clock.as_ref()).await?;
        Ok(self.identity.sign_out_everywhere(sub).await?)
    }
}
