//! The admin CLI's commands in local mode, and their effect on a running portal.

use portal_admin::{Backend, Command};
use portal_domain::accounts::Accounts;
use portal_domain::applications::Applications;
use portal_domain::clock::SystemClock;
use portal_domain::profile::Profiles;
use portal_domain::sessions::Revocations;
use portal_local::LocalServices;
use portal_store::local_identity::secrets::totp;
use portal_tests::{data_dir, now, spawn_app_in, test_config};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "an officer's long passphrase";

/// Runs one admin command on the data folder (the portal must be stopped: one process per store).
pub(crate) async fn admin(folder: &tempfile::TempDir, command: Command) -> String {
    let services = LocalServices::open(&test_config(&data_dir(folder), folder.path().join("site"))).expect("open");
    let backend = Backend {
        identity: services.identity.as_ref(),
        accounts: Accounts::new(
            services.identity.clone(),
            services.table.clone(),
            services.outbox.clone(),
            services.clock.clone(),
        ),
        applications: Applications::new(services.table.clone()),
        profiles: Profiles::new(services.table.clone()),
        revocations: Revocations::new(services.table.clone()),
        clock: &SystemClock,
    };
    portal_admin::run(command, || Ok(PASSWORD.to_owned()), &backend).await.expect("command")
}

async fn post(app: &portal_tests::TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).json(&body).send().await.expect("request")
}

/// Signs the officer in for the first time, enrolling an authenticator; returns the access token.
async fn first_sign_in(app: &portal_tests::TestApp) -> String {
    let challenge: Value = post(app, "/api/auth/login", json!({"email": "agent@example.ca", "password": PASSWORD}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(challenge["challenge"], "MFA_SETUP");
    let setup: Value =
        post(app, "/api/auth/mfa/setup", json!({"session": challenge["session"]})).await.json().await.expect("json");
    let code = totp::code_at(setup["secret"].as_str().expect("secret"), now()).expect("code");
    let tokens: Value = post(app, "/api/auth/mfa/setup/verify", json!({"session": setup["session"], "code": code}))
        .await
        .json()
        .await
        .expect("json");
    tokens["accessToken"].as_str().expect("token").to_owned()
}

fn create_officer() -> Command {
    officer_command(false)
}

/// Creates the test officer, in the support group too when `support`.
fn officer_command(support: bool) -> Command {
    Command::CreateOfficer {
        support,
        email: "agent@example.ca".into(),
        given_name: "Alex".into(),
        family_name: "Gagnon".into(),
        language: "fr".into(),
    }
}

#[tokio::test]
async fn an_officer_created_by_the_cli_signs_in_with_mfa_into_the_officers_group() {
    let folder = tempfile::tempdir().expect("temp dir");
    let said = admin(&folder, create_officer()).await;
    assert!(said.starts_with("Created officer agent@example.ca"));
    let app = spawn_app_in(folder).await;

    let token = first_sign_in(&app).await;

    let me: Value = app.get("/api/me", Some(&token)).await.json().await.expect("json");
    assert_eq!(me["groups"], json!(["officers"]));
    assert_eq!(me["profile"]["familyName"], "Gagnon");
}

#[tokio::test]
async fn s2_disabling_an_account_refuses_its_tokens_and_its_sign_in() {
    let folder = tempfile::tempdir().expect("temp dir");
    admin(&folder, create_officer()).await;
    let app = spawn_app_in(folder).await;
    let token = first_sign_in(&app).await;
    let folder = app.stop().await;

    admin(&folder, Command::DisableUser { email: "agent@example.ca".into() }).await;
    let app = spawn_app_in(folder).await;

    assert_eq!(app.get("/api/me", Some(&token)).await.status(), StatusCode::UNAUTHORIZED);
    let login = post(&app, "/api/auth/login", json!({"email": "agent@example.ca", "password": PASSWORD})).await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a1_reset_mfa_ends_every_session_is_audited_and_the_next_sign_in_enrols_a_new_authenticator_first() {
    let folder = tempfile::tempdir().expect("temp dir");
    admin(&folder, officer_command(true)).await;
    let app = spawn_app_in(folder).await;
    let token = first_sign_in(&app).await;
    let me: Value = app.get("/api/me", Some(&token)).await.json().await.expect("json");
    assert_eq!(me["groups"], json!(["officers", "support"]), "--support adds the support group");
    let folder = app.stop().await;

    let said = admin(
        &folder,
        Command::ResetMfa { email: "agent@example.ca".into(), reason: "in person, with a photo ID".into() },
    )
    .await;
    assert!(said.starts_with("Removed the authenticator of agent@example.ca"), "{said}");
    let app = spawn_app_in(folder).await;

    assert_eq!(app.get("/api/me", Some(&token)).await.status(), StatusCode::UNAUTHORIZED);
    let login: Value = post(&app, "/api/auth/login", json!({"email": "agent@example.ca", "password": PASSWORD}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(login["challenge"], "MFA_SETUP", "a new authenticator before any token (A1)");
    // Recorded on the account, with who did it and how they checked (the support desk's own
    // reset is recorded alike: recovery.rs).
    let sub = me["sub"].as_str().expect("sub").to_owned();
    let trail = crate::recovery::account_trail(app, &sub).await;
    let [(actor, role, action, reason)] = trail.as_slice() else { panic!("one act recorded: {trail:?}") };
    assert_eq!(
        (actor.as_str(), role.as_str(), action.as_str()),
        ("portal-admin", "administrator", "reset-authenticator")
    );
    assert_eq!(reason.as_deref(), Some("in person, with a photo ID"));
}

/// `seed-demo` gives every type a processing-time estimate from its decided applications and
/// the officer queue work to do; run again, it changes nothing; a fresh portal has no estimate.
#[tokio::test]
async fn the_demo_data_set_gives_every_type_an_estimate_and_the_officers_a_queue() {
    let fresh = portal_tests::spawn_app().await;
    let times: Value = fresh.get("/api/processing-times", None).await.json().await.expect("json");
    assert!(times.as_array().expect("types").iter().all(|t| t["estimate"].is_null()), "{times}");

    let folder = tempfile::tempdir().expect("temp dir");
    let seeded = admin(&folder, Command::SeedDemo).await;
    assert!(seeded.contains("DEMO data set: 80 applications"), "{seeded}");
    assert!(admin(&folder, Command::SeedDemo).await.contains("nothing changed"));
    let app = spawn_app_in(folder).await;

    let times: Value = app.get("/api/processing-times", None).await.json().await.expect("json");
    let samples: Vec<(String, u64)> = times
        .as_array()
        .expect("types")
        .iter()
        .map(|t| (t["type"].as_str().expect("type").to_owned(), t["estimate"]["sampleSize"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(samples.len(), 6);
    assert!(samples.iter().all(|(_, size)| *size == 12), "{samples:?}");
    let officer = app.access_token("officer-1", &["officers"]);
    let queue: Value = app.get("/api/officer/queue?status=submitted", Some(&officer)).await.json().await.expect("json");
    assert_eq!(queue["items"].as_array().expect("items").len(), 3, "{queue}");
}
