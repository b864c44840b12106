//! The portal's account limits (`portal_domain::accounts`) on both stores, the embedded one and
//! DynamoDB on moto: 50 guesses arriving at once are never all evaluated (A7). The identity
//! provider here is a stand-in that counts how many guesses reach it, which is the number the
//! limits promise to bound; the real providers are driven through the same code in `tests/`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use portal_domain::accounts::{AccountError, Accounts, Arrival};
use portal_domain::clock::{Clock, SystemClock};
use portal_domain::email::Email;
use portal_domain::identity::{
    Challenge, ChallengeKind, Identity, IdentityError, MfaEnrolment, NewAuthenticator, PasskeyChallenge, PasskeyInfo,
    Registered, SignUp, Tokens,
};
use portal_domain::keys;
use portal_domain::limits::{Limit, Limits};
use portal_domain::notifier::{Message, Notifier, NotifyError};
use portal_domain::password::Password;
use portal_domain::profile::{Language, Profile, Profiles};
use portal_domain::sessions::Place;
use portal_domain::table::{Item, Table};
use portal_store::dynamodb::DynamoTable;
use portal_store::embedded::EmbeddedTable;
use serde_json::{Value, json};

const CONCURRENT: usize = 50;
const RIGHT_PASSWORD: &str = "the right passphrase";

/// An identity provider that counts the guesses it evaluates; every code is wrong.
#[derive(Default)]
struct Counting {
    evaluated: AtomicUsize,
    sessions: AtomicUsize,
    /// Whether a password sign-in is offered to enrol an authenticator (the account has none,
    /// or Cognito's while a recovery code's sign-in sets it aside).
    enrolling: AtomicBool,
}

impl Counting {
    async fn evaluate(&self) {
        self.evaluated.fetch_add(1, Ordering::SeqCst);
        // Evaluating takes a while (Argon2id, a call to Cognito): races have room to happen.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[async_trait]
impl Identity for Counting {
    async fn sign_up(&self, _: &SignUp) -> Result<(), IdentityError> {
        Ok(())
    }
    async fn confirm_sign_up(&self, _: &Email, _: &str) -> Result<Registered, IdentityError> {
        self.evaluate().await;
        Err(IdentityError::CodeMismatch)
    }
    async fn account_id(&self, _: &Email) -> Result<Option<String>, IdentityError> {
        Ok(None)
    }
    async fn resend_confirmation(&self, _: &Email) -> Result<(), IdentityError> {
        Ok(())
    }
    async fn sign_in(&self, _: &Email, password: &str) -> Result<Challenge, IdentityError> {
        self.evaluate().await;
        if password != RIGHT_PASSWORD {
            return Err(IdentityError::NotAuthorized);
        }
        let session = format!("session-{}", self.sessions.fetch_add(1, Ordering::SeqCst));
        let kind = if self.enrolling.load(Ordering::SeqCst) {
            ChallengeKind::MfaSetup
        } else {
            ChallengeKind::SoftwareTokenMfa
        };
        Ok(Challenge { kind, session, sub: "sub-1".into() })
    }
    async fn begin_mfa_enrolment(&self, _: &str) -> Result<MfaEnrolment, IdentityError> {
        Err(IdentityError::SessionExpired)
    }
    async fn complete_mfa_enrolment(&self, _: &str, _: &str) -> Result<Tokens, IdentityError> {
        Err(IdentityError::SessionExpired)
    }
    async fn answer_mfa(&self, _: &str, _: &str) -> Result<Tokens, IdentityError> {
        self.evaluate().await;
        Err(IdentityError::CodeMismatch)
    }
    async fn complete_sign_in_without_code(&self, _: &str, _: &Email, _: &str) -> Result<Tokens, IdentityError> {
        // As a provider that cannot be reached answers.
        Err(IdentityError::Unavailable("cannot complete the sign-in".into()))
    }
    async fn refresh(&self, _: &str) -> Result<Tokens, IdentityError> {
        Err(IdentityError::NotAuthorized)
    }
    async fn forgot_password(&self, _: &Email) -> Result<(), IdentityError> {
        Ok(())
    }
    async fn confirm_forgot_password(&self, _: &Email, _: &str, _: &Password) -> Result<String, IdentityError> {
        self.evaluate().await;
        Err(IdentityError::CodeMismatch)
    }
    async fn revoke_refresh_token(&self, _: &str) -> Result<(), IdentityError> {
        Ok(())
    }
    async fn set_password(&self, _: &Email, _: &Password) -> Result<(), IdentityError> {
        Ok(())
    }
    async fn reset_mfa(&self, _: &Email) -> Result<(), IdentityError> {
        // As a provider that cannot be reached answers.
        Err(IdentityError::Unavailable("cannot remove the authenticator".into()))
    }
    async fn begin_authenticator_change(&self, _: &str, _: &Email) -> Result<NewAuthenticator, IdentityError> {
        Err(IdentityError::SessionExpired)
    }
    async fn complete_authenticator_change(&self, _: &str, _: &Email, _: &str) -> Result<(), IdentityError> {
        Err(IdentityError::SessionExpired)
    }
    async fn begin_email_change(&self, _: &str, _: &Email, _: &Email) -> Result<(), IdentityError> {
        Ok(())
    }
    async fn complete_email_change(&self, _: &str, _: &Email, _: &Email, _: &str) -> Result<(), IdentityError> {
        self.evaluate().await;
        Err(IdentityError::CodeMismatch)
    }
    async fn begin_passkey_registration(&self, _: &str, _: &str, _: &Email) -> Result<Value, IdentityError> {
        Err(IdentityError::SessionExpired)
    }
    async fn complete_passkey_registration(&self, _: &str, _: &str, _: &Value) -> Result<String, IdentityError> {
        Err(IdentityError::SessionExpired)
    }
    async fn passkeys(&self, _: &str, _: &str) -> Result<Vec<PasskeyInfo>, IdentityError> {
        Ok(Vec::new())
    }
    async fn delete_passkey(&self, _: &str, _: &str, _: &str) -> Result<(), IdentityError> {
        Err(IdentityError::NotAuthorized)
    }
    async fn begin_passkey_sign_in(&self, _: &Email) -> Result<PasskeyChallenge, IdentityError> {
        let session = format!("passkey-{}", self.sessions.fetch_add(1, Ordering::SeqCst));
        Ok(PasskeyChallenge { session, sub: "sub-1".into(), options: json!({"challenge": "AAAA"}) })
    }
    async fn complete_passkey_sign_in(&self, _: &str, _: &Value) -> Result<Tokens, IdentityError> {
        self.evaluate().await;
        Err(IdentityError::CodeMismatch)
    }
    async fn sign_out_everywhere(&self, _: &str) -> Result<(), IdentityError> {
        Ok(())
    }
    async fn admin_create_user(&self, _: &SignUp, _: &[&str]) -> Result<String, IdentityError> {
        Err(IdentityError::AccountExists)
    }
    async fn admin_disable_user(&self, _: &Email) -> Result<String, IdentityError> {
        Err(IdentityError::NotAuthorized)
    }
}

/// A browser answering its second factor from `client`.
fn arrival(client: String) -> Arrival {
    let place = Place { address: client, user_agent: "test".into() };
    Arrival { place, browser: "9a1f4c3e-0000-4000-8000-000000000001".into() }
}

struct Silent;

#[async_trait]
impl Notifier for Silent {
    async fn send(&self, _: Message) -> Result<(), NotifyError> {
        Ok(())
    }
}

struct Fixture {
    table: Arc<dyn Table>,
    identity: Arc<Counting>,
    accounts: Accounts,
    _dir: Option<tempfile::TempDir>,
}

fn over(table: Arc<dyn Table>, dir: Option<tempfile::TempDir>) -> Fixture {
    let identity = Arc::new(Counting::default());
    let accounts = Accounts::new(identity.clone(), Arc::clone(&table), Arc::new(Silent), Arc::new(SystemClock));
    Fixture { table, identity, accounts, _dir: dir }
}

async fn embedded() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    over(Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")), Some(dir))
}

async fn dynamodb() -> Fixture {
    let config = portal_emulator::sdk_config().await.expect("moto emulator");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = portal_emulator::unique_name("accounts");
    portal_emulator::create_table_from_template(&client, &name).await.expect("create table");
    over(Arc::new(DynamoTable::new(client, name)), None)
}

fn email() -> Email {
    Email::parse("owner@example.ca").expect("email")
}

/// Runs `attempt` 50 times at once (each from its own client address, so only the per-account
/// limits apply) and returns how many were refused by a limit.
async fn fifty_at_once<F, Fut>(attempt: F) -> usize
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<(), AccountError>> + Send + 'static,
{
    let tasks: Vec<_> = (0..CONCURRENT).map(|n| tokio::spawn(attempt(format!("192.0.2.{n}")))).collect();
    let mut limited = 0;
    for task in tasks {
        match task.await.expect("task") {
            Err(AccountError::Limited(reached)) => {
                assert!(reached.retry_after > 0);
                limited += 1;
            }
            Err(AccountError::Identity(_)) => {}
            other => panic!("a guess is refused or evaluated, never anything else: {other:?}"),
        }
    }
    limited
}

async fn a7_wrong_passwords_from_one_place(f: Fixture) {
    let accounts = f.accounts.clone();
    let limited = fifty_at_once(move |_| {
        let accounts = accounts.clone();
        async move { accounts.sign_in(&email(), "a wrong guess", "198.51.100.1").await.map(drop) }
    })
    .await;
    let evaluated = f.identity.evaluated.load(Ordering::SeqCst);
    assert_eq!(evaluated, 5, "five wrong passwords from one place, however many arrive at once");
    assert_eq!(limited, CONCURRENT - evaluated);
}

async fn a7_wrong_totp_codes_on_one_session(f: Fixture) {
    let challenge = f.accounts.sign_in(&email(), RIGHT_PASSWORD, "198.51.100.1").await.expect("password accepted");
    f.identity.evaluated.store(0, Ordering::SeqCst);
    let accounts = f.accounts.clone();
    let session = challenge.session;
    fifty_at_once(move |client| {
        let (accounts, session) = (accounts.clone(), session.clone());
        async move { accounts.answer_mfa(&session, "000000", &arrival(client)).await.map(drop) }
    })
    .await;
    assert_eq!(f.identity.evaluated.load(Ordering::SeqCst), 5, "five codes per sign-in session");
}

async fn a7_wrong_totp_codes_across_sessions(f: Fixture) {
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(f.accounts.sign_in(&email(), RIGHT_PASSWORD, "198.51.100.1").await.expect("password").session);
    }
    f.identity.evaluated.store(0, Ordering::SeqCst);
    let accounts = f.accounts.clone();
    let sessions = Arc::new(sessions);
    fifty_at_once(move |client| {
        let (accounts, sessions) = (accounts.clone(), Arc::clone(&sessions));
        async move {
            let n: usize = client.rsplit('.').next().and_then(|n| n.parse().ok()).expect("numbered client");
            let session = &sessions[n % sessions.len()];
            accounts.answer_mfa(session, "000000", &arrival(client)).await.map(drop)
        }
    })
    .await;
    assert_eq!(f.identity.evaluated.load(Ordering::SeqCst), 10, "ten codes per account an hour, across sessions");
}

async fn a7_wrong_reset_codes(f: Fixture) {
    let accounts = f.accounts.clone();
    let password = Password::parse("a brand new passphrase").expect("password");
    fifty_at_once(move |client| {
        let (accounts, password) = (accounts.clone(), password.clone());
        async move { accounts.reset_password(&email(), "000000", &password, &client).await }
    })
    .await;
    assert_eq!(f.identity.evaluated.load(Ordering::SeqCst), 5, "five wrong reset codes in a burst");
}

async fn a7_wrong_confirmation_codes(f: Fixture) {
    let accounts = f.accounts.clone();
    fifty_at_once(move |client| {
        let accounts = accounts.clone();
        async move { accounts.confirm(&email(), "000000", &client).await }
    })
    .await;
    assert_eq!(f.identity.evaluated.load(Ordering::SeqCst), 5, "five wrong confirmation codes in a burst");
}

async fn a7_wrong_codes_for_a_new_sign_in_email(f: Fixture) {
    let profile = Profile::new(&email(), "Kim".into(), "Lee".into(), Language::En);
    Profiles::new(Arc::clone(&f.table)).put("sub-1", &profile).await.expect("profile");
    // The record a begun change leaves (begun through the provider, which this fake is not).
    let pending = json!({"newEmail": "moved@example.ca", "expiresAt": SystemClock.now() + 3600});
    f.table.put(Item::from_record(&keys::email_change("sub-1"), &pending).expect("item"), None).await.expect("put");
    let accounts = f.accounts.clone();
    fifty_at_once(move |client| {
        let accounts = accounts.clone();
        async move { accounts.complete_email_change("sub-1", "token", "000000", &client).await.map(drop) }
    })
    .await;
    assert_eq!(f.identity.evaluated.load(Ordering::SeqCst), 5, "five wrong codes in a burst, as for a confirmation");
}

async fn a7_wrong_passkey_answers_on_one_sign_in(f: Fixture) {
    // A passkey of the account's (one the portal has no record of is refused before the provider).
    let record = Item::from_record(&keys::passkey_name("sub-1", "cred-1"), &json!({"name": "Phone"})).expect("item");
    f.table.put(record, None).await.expect("recorded");
    let challenge = f.accounts.begin_passkey_sign_in(&email(), "198.51.100.1").await.expect("challenge");
    let accounts = f.accounts.clone();
    let session = challenge.session;
    fifty_at_once(move |client| {
        let (accounts, session) = (accounts.clone(), session.clone());
        let credential = json!({"id": "cred-1", "rawId": "cred-1"});
        async move { accounts.complete_passkey_sign_in(&session, &credential, &arrival(client)).await.map(drop) }
    })
    .await;
    assert_eq!(f.identity.evaluated.load(Ordering::SeqCst), 5, "five answers per sign-in, as for codes");
}

/// A passkey the portal has no record of (voided by a reset of the authenticator, or added
/// around the portal) is a wrong answer without being put to the provider, which would sign it in.
async fn a_passkey_the_portal_has_no_record_of_is_refused_before_the_provider(f: Fixture) {
    let challenge = f.accounts.begin_passkey_sign_in(&email(), "198.51.100.1").await.expect("challenge");

    let refused = f
        .accounts
        .complete_passkey_sign_in(&challenge.session, &json!({"id": "voided"}), &arrival("198.51.100.1".into()))
        .await;

    assert!(matches!(refused, Err(AccountError::Identity(IdentityError::CodeMismatch))), "{refused:?}");
    assert_eq!(f.identity.evaluated.load(Ordering::SeqCst), 0);
}

async fn a7_a_limit_reserves_exactly_its_places(f: Fixture) {
    const LIMIT: Limit = Limit { name: "test", max: 7, window_seconds: 3600 };
    let limits = Limits::new(Arc::clone(&f.table));
    let tasks: Vec<_> = (0..CONCURRENT)
        .map(|_| {
            let limits = limits.clone();
            tokio::spawn(async move { limits.reserve(LIMIT, "subject", 1_800_000_000).await.expect("store") })
        })
        .collect();
    let mut granted = Vec::new();
    for task in tasks {
        if let Ok(reservation) = task.await.expect("task") {
            granted.push(reservation);
        }
    }
    assert_eq!(granted.len(), 7);
    // A released place can be taken again; the next window counts the previous one too.
    limits.release(granted.pop().expect("one")).await.expect("release");
    assert!(limits.reserve(LIMIT, "subject", 1_800_000_001).await.expect("store").is_ok());
    assert!(limits.reserve(LIMIT, "subject", 1_800_003_600).await.expect("store").is_err());
    assert!(limits.first_refusal(LIMIT, "subject", 1_800_000_000).await.expect("store"));
    assert!(!limits.first_refusal(LIMIT, "subject", 1_800_000_000).await.expect("store"), "only once a window");
}

/// Attempts on both sides of a window's end at once (requests of the window before still
/// landing while the next one counts them): no stretch of the window holds more than the limit.
async fn a7_a_limit_holds_across_the_end_of_a_window(f: Fixture) {
    const LIMIT: Limit = Limit { name: "edge", max: 5, window_seconds: 900 };
    const END: u64 = 1_800_000_000 / 900 * 900 + 900;
    let limits = Limits::new(Arc::clone(&f.table));
    let tasks: Vec<_> = (0..CONCURRENT)
        .map(|task| {
            let limits = limits.clone();
            let now = if task % 2 == 0 { END - 1 } else { END };
            tokio::spawn(async move { limits.reserve(LIMIT, "subject", now).await.expect("store").is_ok() })
        })
        .collect();
    let mut granted = 0;
    for task in tasks {
        granted += usize::from(task.await.expect("task"));
    }
    assert!((1..=5).contains(&granted), "{granted} places taken around the end of a window of 5");
}

/// A recovery code whose use cannot go through (the provider cannot complete the sign-in) is
/// the person's again: never spent for nothing.
async fn a_recovery_code_is_given_back_when_the_sign_in_cannot_complete(f: Fixture) {
    let codes = portal_domain::recovery::RecoveryCodes::new(Arc::clone(&f.table), Arc::new(SystemClock));
    let set = codes.issue("sub-1").await.expect("issued");
    let recovered = f.accounts.recover(&email(), RIGHT_PASSWORD, &set[0], &arrival("198.51.100.1".into())).await;
    assert!(matches!(recovered, Err(AccountError::Identity(IdentityError::Unavailable(_)))), "{:?}", recovered.err());
    assert_eq!(codes.remaining("sub-1").await.expect("count"), 10, "the code was given back");
    assert!(codes.redeem("sub-1", &set[0]).await.expect("redeemed"), "and still works");
}

/// While a recovery code completes a sign-in (for which Cognito sets the authenticator aside), a
/// sign-in offered to enrol an authenticator is refused: a password alone must not put another
/// authenticator in place (A1).
async fn a1_no_sign_in_enrols_an_authenticator_while_a_recovery_code_completes_another(f: Fixture) {
    let codes = portal_domain::recovery::RecoveryCodes::new(Arc::clone(&f.table), Arc::new(SystemClock));
    let set = codes.issue("sub-1").await.expect("issued");
    // The provider fails to complete it, as one cut off mid-way would: the window stays open.
    let recovered = f.accounts.recover(&email(), RIGHT_PASSWORD, &set[0], &arrival("198.51.100.1".into())).await;
    assert!(recovered.is_err());
    f.identity.enrolling.store(true, Ordering::SeqCst);

    let meanwhile = f.accounts.sign_in(&email(), RIGHT_PASSWORD, "203.0.113.9").await;

    assert!(matches!(meanwhile, Err(AccountError::Identity(IdentityError::Busy))), "{meanwhile:?}");
    // Once the window is over (a minute, past any request's run), enrolment is offered again.
    f.table.delete(&keys::recovering("sub-1"), None).await.expect("window over");
    let later = f.accounts.sign_in(&email(), RIGHT_PASSWORD, "203.0.113.9").await.expect("a challenge");
    assert_eq!(later.kind, ChallengeKind::MfaSetup);
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod embedded_store {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::embedded().await).await })*
        }
        mod dynamodb_on_moto {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::dynamodb().await).await })*
        }
    };
}

on_both_stores!(
    a7_wrong_passwords_from_one_place,
    a7_wrong_totp_codes_on_one_session,
    a7_wrong_totp_codes_across_sessions,
    a7_wrong_reset_codes,
    a7_wrong_confirmation_codes,
    a7_wrong_codes_for_a_new_sign_in_email,
    a7_wrong_passkey_answers_on_one_sign_in,
    a_passkey_the_portal_has_no_record_of_is_refused_before_the_provider,
    a7_a_limit_reserves_exactly_its_places,
    a7_a_limit_holds_across_the_end_of_a_window,
    a_recovery_code_is_given_back_when_the_sign_in_cannot_complete,
    a1_no_sign_in_enrols_an_authenticator_while_a_recovery_code_completes_another,
);
