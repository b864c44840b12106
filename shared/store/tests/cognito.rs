//! The Cognito adapter against moto, with the pool and client created from `template.yaml`.
//!
//! What this proves: request shapes, the `SECRET_HASH` (moto checks it on challenge answers),
//! the wrapped challenge session, the held sign-in of an account with no authenticator (moto
//! signs such a user straight in, as a pool whose MFA is optional does), and error mapping. What
//! it cannot: moto accepts any email code and any TOTP code; code checking is proven on the local
//! identity provider instead. Moto does
//! not implement `ResendConfirmationCode` or `GetTokensFromRefreshToken`: those two calls are
//! covered with `aws-smithy-mocks` in the adapter's unit tests.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, SoftwareTokenMfaSettingsType};
use portal_domain::email::Email;
use portal_domain::identity::{ChallengeKind, Identity, IdentityError, SignUp};
use portal_domain::password::Password;
use portal_domain::profile::Language;
use portal_store::cognito::{CognitoConfig, CognitoIdentity, secret_hash};

const PASSWORD: &str = "a long and memorable passphrase";

struct Pool {
    identity: CognitoIdentity,
    admin: Client,
    user_pool_id: String,
    client_id: String,
    client_secret: String,
}

async fn pool() -> Pool {
    let config = portal_emulator::sdk_config().await.expect("moto");
    let admin = Client::new(&config);
    let created = portal_emulator::create_user_pool_from_template(&admin).await.expect("pool");
    let identity = CognitoIdentity::new(
        admin.clone(),
        CognitoConfig {
            user_pool_id: created.user_pool_id.clone(),
            client_id: created.client_id.clone(),
            client_secret: created.client_secret.clone(),
        },
    );
    Pool {
        identity,
        admin,
        user_pool_id: created.user_pool_id,
        client_id: created.client_id,
        client_secret: created.client_secret,
    }
}

fn email(address: &str) -> Email {
    Email::parse(address).expect("email")
}

fn sign_up(address: &str) -> SignUp {
    SignUp {
        email: email(address),
        password: Password::parse(PASSWORD).expect("password"),
        given_name: "Jean".into(),
        family_name: "Roy".into(),
        language: Language::Fr,
    }
}

impl Pool {
    /// Signs a user up and confirms them (moto accepts any confirmation code).
    async fn confirmed(&self, address: &str) {
        self.identity.sign_up(&sign_up(address)).await.expect("sign up");
        self.identity.confirm_sign_up(&email(address), "123456").await.expect("confirm");
    }

    /// Enrols an authenticator for the user the way moto allows: with an access token from a
    /// direct sign-in (moto grants one without MFA), then marks TOTP as preferred.
    async fn with_authenticator(&self, address: &str) {
        let signed_in = self
            .admin
            .admin_initiate_auth()
            .user_pool_id(&self.user_pool_id)
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", address)
            .auth_parameters("PASSWORD", PASSWORD)
            .auth_parameters("SECRET_HASH", secret_hash(&self.client_secret, &self.client_id, address))
            .send()
            .await
            .expect("direct sign-in");
        let access_token = signed_in.authentication_result().and_then(|r| r.access_token()).expect("token").to_owned();
        self.admin.associate_software_token().access_token(&access_token).send().await.expect("associate");
        self.admin
            .verify_software_token()
            .access_token(&access_token)
            .user_code("123456")
            .send()
            .await
            .expect("verify");
        let settings = SoftwareTokenMfaSettingsType::builder().enabled(true).preferred_mfa(true).build();
        self.admin
            .admin_set_user_mfa_preference()
            .user_pool_id(&self.user_pool_id)
            .username(address)
            .software_token_mfa_settings(settings)
            .send()
            .await
            .expect("mfa preference");
    }

    async fn sub_of(&self, address: &str) -> String {
        let user = self.admin.admin_get_user().user_pool_id(&self.user_pool_id).username(address).send().await;
        let user = user.expect("user");
        user.user_attributes().iter().find(|a| a.name() == "sub").and_then(|a| a.value()).expect("sub").to_owned()
    }
}

#[tokio::test]
async fn a9_registering_again_replaces_an_unconfirmed_user_and_never_a_confirmed_one() {
    // GIVEN someone registered an address and never confirmed it
    let p = pool().await;
    let mut first = sign_up("a@example.ca");
    first.given_name = "Mallory".into();
    p.identity.sign_up(&first).await.expect("first");
    let first_sub = p.identity.account_id(&email("a@example.ca")).await.expect("lookup").expect("a user");

    // WHEN the address is registered again THEN the unconfirmed user is replaced by a new one
    p.identity.sign_up(&sign_up("a@example.ca")).await.expect("replaced, not refused");
    let second_sub = p.identity.account_id(&email("a@example.ca")).await.expect("lookup").expect("a user");
    assert_ne!(first_sub, second_sub, "the first registration is gone");

    // AND once confirmed, the account is the confirmed registration's and cannot be replaced
    let registered = p.identity.confirm_sign_up(&email("a@example.ca"), "123456").await.expect("confirm");
    assert_eq!((registered.sub.as_str(), registered.given_name.as_str()), (second_sub.as_str(), "Jean"));
    assert_eq!(registered.language, Language::Fr);
    let again = p.identity.sign_up(&first).await;
    assert!(matches!(again, Err(IdentityError::AccountExists)), "{again:?}");
    assert_eq!(p.identity.account_id(&email("nobody@example.ca")).await.expect("lookup"), None);
}

#[tokio::test]
async fn a1_a_sign_in_with_no_second_factor_is_held_until_an_authenticator_is_enrolled() {
    // Moto signs a user without an authenticator straight in, as a pool whose MFA is optional
    // does (template.yaml): the adapter holds those tokens until an authenticator is verified.
    let p = pool().await;
    p.confirmed("a@example.ca").await;

    let challenge = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("held");
    assert_eq!(challenge.kind, ChallengeKind::MfaSetup);
    assert_eq!(challenge.sub, p.sub_of("a@example.ca").await);
    let enrolment = p.identity.begin_mfa_enrolment(&challenge.session).await.expect("associate");
    assert!(enrolment.otpauth_uri.starts_with("otpauth://totp/Applicant%20portal:a%40example.ca"));
    assert!(enrolment.otpauth_uri.contains(&format!("secret={}", enrolment.secret)));
    let malformed = p.identity.complete_mfa_enrolment(&enrolment.session, "12 34").await;
    assert!(matches!(malformed, Err(IdentityError::CodeMismatch)), "{malformed:?}");
    let tokens = p.identity.complete_mfa_enrolment(&enrolment.session, "123456").await.expect("verify");

    assert!(!tokens.access_token.is_empty() && !tokens.refresh_token.is_empty());
    assert!(!challenge.session.contains(&tokens.access_token) && !challenge.session.contains(&tokens.refresh_token));
    // From now on a password sign-in asks for the authenticator's code.
    let next = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("challenge");
    assert_eq!(next.kind, ChallengeKind::SoftwareTokenMfa);
}

#[tokio::test]
async fn a_reset_authenticator_is_no_longer_asked_for_and_the_next_sign_in_enrols_first() {
    let p = pool().await;
    p.confirmed("a@example.ca").await;
    p.with_authenticator("a@example.ca").await;

    p.identity.reset_mfa(&email("a@example.ca")).await.expect("reset");

    let next = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("held");
    assert_eq!(next.kind, ChallengeKind::MfaSetup);
}

#[tokio::test]
async fn a_wrong_password_is_not_authorized() {
    let p = pool().await;
    p.confirmed("a@example.ca").await;

    let result = p.identity.sign_in(&email("a@example.ca"), "not the passphrase").await;
    let unknown = p.identity.sign_in(&email("nobody@example.ca"), PASSWORD).await;

    assert!(matches!(result, Err(IdentityError::NotAuthorized)), "{result:?}");
    assert!(matches!(unknown, Err(IdentityError::NotAuthorized)), "{unknown:?}");
}

#[tokio::test]
async fn the_software_token_challenge_is_answered_with_a_valid_secret_hash() {
    let p = pool().await;
    p.confirmed("a@example.ca").await;
    p.with_authenticator("a@example.ca").await;

    let challenge = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await.expect("challenge");
    assert_eq!(challenge.kind, ChallengeKind::SoftwareTokenMfa);
    let tokens = p.identity.answer_mfa(&challenge.session, "123456").await.expect("tokens");

    assert!(!tokens.access_token.is_empty() && !tokens.id_token.is_empty() && !tokens.refresh_token.is_empty());
}

#[tokio::test]
async fn a_tampered_session_is_an_expired_session() {
    let p = pool().await;

    let result = p.identity.answer_mfa("garbage", "123456").await;

    assert!(matches!(result, Err(IdentityError::SessionExpired)), "{result:?}");
}

#[tokio::test]
async fn a6_forgot_password_answers_the_same_for_unknown_emails() {
    let p = pool().await;
    p.confirmed("a@example.ca").await;

    p.identity.forgot_password(&email("a@example.ca")).await.expect("known");
    p.identity.forgot_password(&email("nobody@example.ca")).await.expect("unknown");
}

#[tokio::test]
async fn a_password_reset_returns_the_account_id() {
    let p = pool().await;
    p.confirmed("a@example.ca").await;
    p.identity.forgot_password(&email("a@example.ca")).await.expect("forgot");
    let new_password = Password::parse("another long passphrase").expect("password");

    let sub = p.identity.confirm_forgot_password(&email("a@example.ca"), "123456", &new_password).await.expect("reset");

    assert_eq!(sub, p.sub_of("a@example.ca").await);
}

#[tokio::test]
async fn signing_out_everywhere_reaches_the_user() {
    let p = pool().await;
    p.confirmed("a@example.ca").await;
    let sub = p.sub_of("a@example.ca").await;

    p.identity.sign_out_everywhere(&sub).await.expect("global sign-out");
}

#[tokio::test]
async fn an_officer_is_created_in_the_officers_group_with_a_chosen_password() {
    let p = pool().await;

    let sub = p.identity.admin_create_user(&sign_up("officer@example.ca"), &["officers"]).await.expect("created");

    assert_eq!(sub, p.sub_of("officer@example.ca").await);
    let groups = p.admin.admin_list_groups_for_user().user_pool_id(&p.user_pool_id).username("officer@example.ca");
    let groups = groups.send().await.expect("groups");
    assert_eq!(groups.groups().iter().filter_map(|g| g.group_name()).collect::<Vec<_>>(), ["officers"]);
    // The chosen password is permanent: the sign-in is not sent to NEW_PASSWORD_REQUIRED.
    let signed_in = p.identity.sign_in(&email("officer@example.ca"), PASSWORD).await;
    assert!(!matches!(signed_in, Err(IdentityError::NotAuthorized)), "{signed_in:?}");
}

#[tokio::test]
async fn s2_a_disabled_user_cannot_sign_in() {
    let p = pool().await;
    p.confirmed("a@example.ca").await;

    let sub = p.identity.admin_disable_user(&email("a@example.ca")).await.expect("disabled");
    let result = p.identity.sign_in(&email("a@example.ca"), PASSWORD).await;

    assert_eq!(sub, p.sub_of("a@example.ca").await);
    assert!(matches!(result, Err(IdentityError::NotAuthorized)), "{result:?}");
}
