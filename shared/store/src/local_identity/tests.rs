//! The local identity provider, driven through the `Identity` port over the embedded store.

use std::sync::Arc;

use portal_domain::clock::{Clock, ManualClock};
use portal_domain::email::Email;
use portal_domain::identity::{ChallengeKind, Identity, IdentityError, SignUp, Tokens};
use portal_domain::password::Password;
use portal_domain::profile::Language;

use super::LocalIdentity;
use super::passkeys::RelyingParty;
use super::secrets::{HashCost, totp};
use super::signing::Signer;
use crate::embedded::EmbeddedTable;
use crate::outbox::Outbox;

const START: u64 = 1_800_000_000;
const PASSWORD: &str = "a long and memorable passphrase";

struct Provider {
    identity: LocalIdentity,
    outbox: Outbox,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

fn provider() -> Provider {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store"));
    let clock = Arc::new(ManualClock::at(START));
    let outbox = Outbox::new(table.clone(), clock.clone(), false);
    let signer = Signer::load_or_create(dir.path()).expect("signer");
    // Cheap hashing keeps the tests quick; the costs themselves are tested in `secrets`.
    let cost = HashCost { memory_kib: 1024, iterations: 1, parallelism: 1 };
    let notifier = Arc::new(Outbox::new(table.clone(), clock.clone(), false));
    let relying_party = RelyingParty::new("http://localhost").expect("relying party");
    let identity = LocalIdentity::new(table, notifier, clock.clone(), signer, cost, relying_party).expect("provider");
    Provider { identity, outbox, clock, _dir: dir }
}

fn email(address: &str) -> Email {
    Email::parse(address).expect("email")
}

fn sign_up(address: &str, language: Language) -> SignUp {
    SignUp {
        email: email(address),
        password: Password::parse(PASSWORD).expect("password"),
        given_name: "Marie".into(),
        family_name: "Tremblay".into(),
        language,
    }
}

impl Provider {
    async fn last_code(&self) -> String {
        let latest = self.outbox.latest().await.expect("outbox");
        latest.iter().find_map(|m| m.message.code.clone()).expect("a message with a code")
    }

    async fn registered(&self, address: &str) {
        self.identity.sign_up(&sign_up(address, Language::En)).await.expect("sign up");
        let code = self.last_code().await;
        self.identity.confirm_sign_up(&email(address), &code).await.expect("confirm");
    }

    /// Registers, confirms, signs in and enrols MFA; returns the TOTP secret and the tokens.
    async fn enrolled(&self, address: &str) -> (String, Tokens) {
        self.registered(address).await;
        let challenge = self.identity.sign_in(&email(address), PASSWORD).await.expect("sign in");
        let enrolment = self.identity.begin_mfa_enrolment(&challenge.session).await.expect("enrol");
        let code = totp::code_at(&enrolment.secret, self.clock.now()).expect("code");
        let tokens = self.identity.complete_mfa_enrolment(&enrolment.session, &code).await.expect("verify");
        (enrolment.secret, tokens)
    }

    /// A full second-factor sign-in, a step after the previous one.
    async fn signed_in(&self, address: &str, secret: &str) -> Result<Tokens, IdentityError> {
        self.clock.advance(30);
        let challenge = self.identity.sign_in(&email(address), PASSWORD).await?;
        assert_eq!(challenge.kind, ChallengeKind::SoftwareTokenMfa);
        let code = totp::code_at(secret, self.clock.now()).expect("code");
        self.identity.answer_mfa(&challenge.session, &code).await
    }
}

/// The claims of a JWT (signature not checked: the authorizer tests do that).
fn claims_of(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64");
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test]
async fn a1_first_sign_in_asks_to_enrol_an_authenticator_and_gives_no_tokens() {
    let p = provider();
    p.registered("a@example.ca").await;

    let challenge = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("sign in");

    assert_eq!(challenge.kind, ChallengeKind::MfaSetup);
    let enrolment = p.identity.begin_mfa_enrolment(&challenge.session).await.expect("enrol");
    assert!(enrolment.otpauth_uri.starts_with("otpauth://totp/"));
    assert!(enrolment.otpauth_uri.contains(&enrolment.secret));
    // The enrolment session cannot be used to skip the second factor.
    let skipped = p.identity.answer_mfa(&challenge.session, "000000").await;
    assert!(matches!(skipped, Err(IdentityError::SessionExpired)), "{skipped:?}");
}

#[tokio::test]
async fn the_whole_account_journey_ends_in_cognito_shaped_tokens() {
    let p = provider();
    let (secret, tokens) = p.enrolled("a@example.ca").await;

    let again = p.signed_in("a@example.ca", &secret).await.expect("second sign-in");

    assert_eq!(tokens.expires_in, 900, "S1: access tokens live 15 minutes");
    let claims = claims_of(&again.access_token);
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["exp"].as_u64().expect("exp") - claims["iat"].as_u64().expect("iat"), 900);
    assert!(claims["jti"].is_string());
    let id = claims_of(&again.id_token);
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["email"], "a@example.ca");
}

/// The notices of an enrolment and of a reset are the portal's `Accounts`' to send, in both
/// modes alike (Cognito sends neither): the provider sends only the codes (tested over HTTP in
/// `tests/tests/api`, `a5_…`).
#[tokio::test]
async fn a5_the_provider_leaves_the_notices_of_an_enrolment_and_a_reset_to_the_portal() {
    let p = provider();
    p.enrolled("a@example.ca").await;
    p.identity.forgot_password(&email("a@example.ca")).await.expect("forgot");
    let code = p.last_code().await;
    let new_password = Password::parse("another long passphrase").expect("password");
    p.identity.confirm_forgot_password(&email("a@example.ca"), &code, &new_password).await.expect("reset");

    let sent = p.outbox.latest().await.expect("outbox");
    assert!(
        sent.iter().all(|m| m.message.code.is_some()),
        "only codes: {:?}",
        sent.iter().map(|m| &m.message.subject).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a3_a_totp_code_cannot_be_used_twice() {
    let p = provider();
    let (secret, _) = p.enrolled("a@example.ca").await;
    p.clock.advance(30);
    let code = totp::code_at(&secret, p.clock.now()).expect("code");
    let first = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("sign in");
    p.identity.answer_mfa(&first.session, &code).await.expect("first use");

    let second = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("sign in");
    let replay = p.identity.answer_mfa(&second.session, &code).await;

    assert!(matches!(replay, Err(IdentityError::CodeMismatch)), "{replay:?}");
}

#[tokio::test]
async fn a4_after_a_reset_the_next_sign_in_still_asks_for_the_second_factor() {
    let p = provider();
    let (_, _) = p.enrolled("a@example.ca").await;
    p.identity.forgot_password(&email("a@example.ca")).await.expect("forgot");
    let code = p.last_code().await;
    let new_password = Password::parse("another long passphrase").expect("password");

    p.identity.confirm_forgot_password(&email("a@example.ca"), &code, &new_password).await.expect("reset");
    let challenge = p.identity.sign_in(&email("a@example.ca"), "another long passphrase").await.expect("sign in");

    assert_eq!(challenge.kind, ChallengeKind::SoftwareTokenMfa);
}

#[tokio::test]
async fn s1_refresh_tokens_rotate_and_a_reused_one_ends_the_family() {
    let p = provider();
    let (_, tokens) = p.enrolled("a@example.ca").await;

    let rotated = p.identity.refresh(&tokens.refresh_token).await.expect("refresh");
    assert_ne!(rotated.refresh_token, tokens.refresh_token);
    let reused = p.identity.refresh(&tokens.refresh_token).await;
    let newest = p.identity.refresh(&rotated.refresh_token).await;

    assert!(matches!(reused, Err(IdentityError::NotAuthorized)), "{reused:?}");
    assert!(matches!(newest, Err(IdentityError::NotAuthorized)), "the family ended: {newest:?}");
}

#[tokio::test]
async fn s2_signing_out_everywhere_ends_refresh_tokens_but_not_future_sign_ins() {
    let p = provider();
    let (secret, tokens) = p.enrolled("a@example.ca").await;
    let sub = claims_of(&tokens.access_token)["sub"].as_str().expect("sub").to_owned();

    p.identity.sign_out_everywhere(&sub).await.expect("sign out");

    assert!(matches!(p.identity.refresh(&tokens.refresh_token).await, Err(IdentityError::NotAuthorized)));
    let fresh = p.signed_in("a@example.ca", &secret).await.expect("sign in again");
    p.identity.refresh(&fresh.refresh_token).await.expect("the new session refreshes");
}

#[tokio::test]
async fn a6_signing_up_twice_is_detected_for_the_route_to_hide() {
    let p = provider();
    p.registered("a@example.ca").await;

    let again = p.identity.sign_up(&sign_up("A@Example.ca", Language::En)).await;

    assert!(matches!(again, Err(IdentityError::AccountExists)), "{again:?}");
}

#[tokio::test]
async fn a9_registering_again_replaces_an_unconfirmed_registration_and_its_code_keeps_only_its_password() {
    // GIVEN an attacker registered the victim's address with a password of theirs
    let p = provider();
    let mut attacker = sign_up("victim@example.ca", Language::En);
    attacker.password = Password::parse("the attackers own passphrase").expect("password");
    attacker.given_name = "Mallory".into();
    p.identity.sign_up(&attacker).await.expect("attacker signs up");
    let attackers_code = p.last_code().await;

    // WHEN the victim registers the address and confirms it with the code sent for that
    let victim = sign_up("victim@example.ca", Language::Fr);
    p.identity.sign_up(&victim).await.expect("the victim signs up: no error, a new code");
    let victims_code = p.last_code().await;
    assert_ne!(victims_code, attackers_code);
    let registered = p.identity.confirm_sign_up(&email("victim@example.ca"), &victims_code).await.expect("confirm");

    // THEN only the victim's password works, the account is the victim's, and the attacker's
    // code confirms nothing any more
    assert_eq!((registered.given_name.as_str(), registered.language), ("Marie", Language::Fr));
    let theirs = p.identity.sign_in(&email("victim@example.ca"), "the attackers own passphrase").await;
    assert!(matches!(theirs, Err(IdentityError::NotAuthorized)), "{theirs:?}");
    p.identity.sign_in(&email("victim@example.ca"), PASSWORD).await.expect("the victim signs in");
    let late = p.identity.confirm_sign_up(&email("victim@example.ca"), &attackers_code).await;
    assert!(matches!(late, Err(IdentityError::CodeExpired)), "{late:?}");
    let again = p.identity.sign_up(&attacker).await;
    assert!(matches!(again, Err(IdentityError::AccountExists)), "a confirmed account is not replaced: {again:?}");
}

#[tokio::test]
async fn a9_a_code_confirms_the_registration_it_was_sent_for() {
    // GIVEN the owner registered, then someone else registered the same address
    let p = provider();
    p.identity.sign_up(&sign_up("a@example.ca", Language::En)).await.expect("owner signs up");
    let owners_code = p.last_code().await;
    let mut other = sign_up("a@example.ca", Language::En);
    other.password = Password::parse("somebody elses passphrase").expect("password");
    p.identity.sign_up(&other).await.expect("other signs up");

    // WHEN the owner confirms with the code of their own registration
    p.identity.confirm_sign_up(&email("a@example.ca"), &owners_code).await.expect("confirm");

    // THEN the owner's password is the account's, not the later one
    p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("owner signs in");
    let later = p.identity.sign_in(&email("a@example.ca"), "somebody elses passphrase").await;
    assert!(matches!(later, Err(IdentityError::NotAuthorized)), "{later:?}");
}

#[tokio::test]
async fn s5_a_setup_session_begun_before_an_enrolment_cannot_replace_the_authenticator() {
    // GIVEN two sign-ins at the MFA-setup step, the first enrolled
    let p = provider();
    p.registered("a@example.ca").await;
    let stale = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("sign in");
    let stale = p.identity.begin_mfa_enrolment(&stale.session).await.expect("enrol");
    let first = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("sign in");
    let first = p.identity.begin_mfa_enrolment(&first.session).await.expect("enrol");
    let code = totp::code_at(&first.secret, p.clock.now()).expect("code");
    p.identity.complete_mfa_enrolment(&first.session, &code).await.expect("enrolled");

    // WHEN the stale session completes with its own secret
    let code = totp::code_at(&stale.secret, p.clock.now()).expect("code");
    let replaced = p.identity.complete_mfa_enrolment(&stale.session, &code).await;

    // THEN it is refused and the first authenticator still works
    assert!(matches!(replaced, Err(IdentityError::SessionExpired)), "{replaced:?}");
    p.signed_in("a@example.ca", &first.secret).await.expect("the enrolled authenticator signs in");
}

#[tokio::test]
async fn a6_forgot_password_for_an_unknown_email_sends_nothing() {
    let p = provider();

    p.identity.forgot_password(&email("nobody@example.ca")).await.expect("same answer");

    assert!(p.outbox.latest().await.expect("outbox").is_empty());
}

#[tokio::test]
async fn codes_go_out_in_the_users_language_and_expire() {
    let p = provider();
    p.identity.sign_up(&sign_up("f@example.ca", Language::Fr)).await.expect("sign up");
    let message = p.outbox.latest().await.expect("outbox")[0].message.clone();
    assert_eq!(message.subject, "Confirmez votre adresse courriel");

    p.clock.advance(24 * 60 * 60);
    let late = p.identity.confirm_sign_up(&email("f@example.ca"), message.code.as_deref().expect("code")).await;

    assert!(matches!(late, Err(IdentityError::CodeExpired)), "{late:?}");
}

#[tokio::test]
async fn an_unconfirmed_account_cannot_sign_in() {
    let p = provider();
    p.identity.sign_up(&sign_up("a@example.ca", Language::En)).await.expect("sign up");

    let result = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await;

    assert!(matches!(result, Err(IdentityError::NotConfirmed)), "{result:?}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_look_the_same() {
    let p = provider();
    p.registered("a@example.ca").await;

    let wrong_password = p.identity.sign_in(&email("a@example.ca"), "not the passphrase").await;
    let unknown = p.identity.sign_in(&email("b@example.ca"), PASSWORD).await;

    assert!(matches!(wrong_password, Err(IdentityError::NotAuthorized)));
    assert!(matches!(unknown, Err(IdentityError::NotAuthorized)));
}

#[tokio::test]
async fn officers_are_created_confirmed_in_their_group_and_still_enrol_mfa() {
    let p = provider();

    p.identity.admin_create_user(&sign_up("o@example.ca", Language::En), &["officers"]).await.expect("created");
    let challenge = p.identity.sign_in(&email("o@example.ca"), PASSWORD).await.expect("sign in");
    let enrolment = p.identity.begin_mfa_enrolment(&challenge.session).await.expect("enrol");
    let code = totp::code_at(&enrolment.secret, p.clock.now()).expect("code");
    let tokens = p.identity.complete_mfa_enrolment(&enrolment.session, &code).await.expect("verify");

    assert_eq!(claims_of(&tokens.access_token)["cognito:groups"], serde_json::json!(["officers"]));
}

#[tokio::test]
async fn s2_a_disabled_account_can_neither_sign_in_nor_refresh() {
    let p = provider();
    let (_, tokens) = p.enrolled("a@example.ca").await;

    p.identity.admin_disable_user(&email("a@example.ca")).await.expect("disabled");

    let sign_in = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await;
    assert!(matches!(sign_in, Err(IdentityError::NotAuthorized)), "{sign_in:?}");
    assert!(matches!(p.identity.refresh(&tokens.refresh_token).await, Err(IdentityError::NotAuthorized)));
}
