//! Recovery codes over HTTP against the local portal: ten shown once at enrolment, one standing
//! in for the authenticator's code at sign-in (the authenticator stays) and where a change asks
//! for a fresh code, each usable once, a new set voiding the old, and every use told to the owner
//! (issue 16, point 2; A1, A5).

use portal_store::local_identity::secrets::totp;
use portal_tests::{TestApp, now, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{PASSWORD, enrolled, post};

async fn recover(app: &TestApp, email: &str, code: &str) -> reqwest::Response {
    post(app, "/api/auth/mfa/recovery", json!({"email": email, "password": PASSWORD, "code": code})).await
}

async fn remaining(app: &TestApp, token: &str) -> u64 {
    let counted: Value = app.get("/api/me/recovery-codes", Some(token)).await.json().await.expect("json");
    counted["remaining"].as_u64().expect("a count")
}

/// Enrols a new authenticator on an `MFA_SETUP` session; gives the answer (tokens and codes).
async fn enrol_again(app: &TestApp, session: &Value) -> Value {
    let setup: Value = post(app, "/api/auth/mfa/setup", json!({"session": session})).await.json().await.expect("json");
    let code = totp::code_at(setup["secret"].as_str().expect("secret"), now()).expect("code");
    let verified = post(app, "/api/auth/mfa/setup/verify", json!({"session": setup["session"], "code": code})).await;
    assert_eq!(verified.status(), StatusCode::OK);
    verified.json().await.expect("json")
}

async fn told(app: &TestApp, to: &str, subject: &str) -> Vec<String> {
    let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("outbox");
    let messages = outbox.as_array().expect("list").iter().filter(|m| m["to"] == to && m["subject"] == subject);
    messages.map(|m| m["body"].as_str().expect("body").to_owned()).collect()
}

#[tokio::test]
async fn the_first_enrolment_shows_ten_distinct_codes_once() {
    let app = spawn_app().await;
    let session = enrolled(&app, "codes@example.ca").await;

    assert_eq!(session.recovery_codes.len(), 10);
    let mut distinct = session.recovery_codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10);
    assert!(session.recovery_codes.iter().all(|code| code.len() == 14 && code.matches('-').count() == 2));
    assert_eq!(remaining(&app, &session.access_token).await, 10);
}

#[tokio::test]
async fn a1_a_recovery_code_stands_in_for_the_authenticator_s_code_once_and_the_authenticator_stays() {
    // GIVEN an account whose authenticator is out of reach, with its recovery codes
    let app = spawn_app().await;
    let owner = enrolled(&app, "lost@example.ca").await;
    let code = owner.recovery_codes[3].clone();

    // A code that is not one of them is refused, naming the field; so is a wrong password.
    let wrong = recover(&app, "lost@example.ca", "AAAA-BBBB-CCCC").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json::<Value>().await.expect("json")["errors"][0]["field"], "code");
    let no_password = post(
        &app,
        "/api/auth/mfa/recovery",
        json!({"email": "lost@example.ca", "password": "not the password", "code": code}),
    )
    .await;
    assert_eq!(no_password.status(), StatusCode::UNAUTHORIZED);

    // WHEN one of its codes is given (typed loosely: lowercase, spaces for hyphens)
    let loosely = code.to_lowercase().replace('-', " ");
    let recovered = recover(&app, "lost@example.ca", &loosely).await;

    // THEN the sign-in completes: a session (its refresh cookie set) and the count of codes left
    assert_eq!(recovered.status(), StatusCode::OK);
    assert!(crate::accounts::cookie_set(&recovered, "portal_refresh").contains('='), "a session began");
    let signed_in: Value = recovered.json().await.expect("json");
    assert_eq!(signed_in["recoveryCodesLeft"], 9);
    let token = signed_in["accessToken"].as_str().expect("an access token");
    assert_eq!(app.get("/api/me", Some(token)).await.status(), StatusCode::OK);
    assert_eq!(remaining(&app, token).await, 9);
    // AND the owner is told, in their language, with the count left
    let notices = told(&app, "lost@example.ca", "Un code de récupération a été utilisé").await;
    assert_eq!(notices.len(), 1);
    assert!(notices[0].contains("Il reste 9\u{a0}codes"), "{}", notices[0]);

    // AND the code works once
    let again = recover(&app, "lost@example.ca", &code).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(again.json::<Value>().await.expect("json")["errors"][0]["code"], "mismatch");
    // AND the authenticator is still the account's: the next sign-in asks for its code
    let login: Value = post(&app, "/api/auth/login", json!({"email": "lost@example.ca", "password": PASSWORD}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(login["challenge"], "SOFTWARE_TOKEN_MFA", "no new enrolment (A1)");
    let fresh = totp::code_at(&owner.secret, now() + 30).expect("code");
    let answered = post(&app, "/api/auth/mfa", json!({"session": login["session"], "code": fresh})).await;
    assert_eq!(answered.status(), StatusCode::OK, "the authenticator's code signs in");
}

#[tokio::test]
async fn a_recovery_code_stands_in_for_the_fresh_code_a_change_asks_for_so_a_lost_authenticator_can_be_replaced() {
    // GIVEN someone who lost their phone and signed in with a recovery code
    let app = spawn_app().await;
    let owner = enrolled(&app, "new-phone@example.ca").await;
    let signed_in: Value =
        recover(&app, "new-phone@example.ca", &owner.recovery_codes[0]).await.json().await.expect("json");
    let token = signed_in["accessToken"].as_str().expect("token").to_owned();
    let begin = |code: String| {
        let body = json!({"currentPassword": PASSWORD, "code": code});
        app.client.post(app.url("/api/me/authenticator")).bearer_auth(&token).json(&body).send()
    };

    // A used code does not prove it is them; another of their codes does
    let used = begin(owner.recovery_codes[0].clone()).await.expect("request");
    assert_eq!(used.status(), StatusCode::BAD_REQUEST);
    let begun = begin(owner.recovery_codes[1].clone()).await.expect("request");
    assert_eq!(begun.status(), StatusCode::OK);
    let secret = begun.json::<Value>().await.expect("json")["secret"].as_str().expect("secret").to_owned();

    // WHEN the new phone's code is verified
    let code = totp::code_at(&secret, now()).expect("code");
    let verified = app
        .client
        .post(app.url("/api/me/authenticator/verify"))
        .bearer_auth(&token)
        .json(&json!({"code": code}))
        .send()
        .await
        .expect("request");
    assert_eq!(verified.status(), StatusCode::NO_CONTENT);

    // THEN both codes are spent and told, and the new phone signs in
    assert_eq!(remaining(&app, &token).await, 8);
    assert_eq!(told(&app, "new-phone@example.ca", "Un code de récupération a été utilisé").await.len(), 2);
    let login: Value = post(&app, "/api/auth/login", json!({"email": "new-phone@example.ca", "password": PASSWORD}))
        .await
        .json()
        .await
        .expect("json");
    let next = totp::code_at(&secret, now() + 30).expect("code");
    let answered = post(&app, "/api/auth/mfa", json!({"session": login["session"], "code": next})).await;
    assert_eq!(answered.status(), StatusCode::OK);
}

#[tokio::test]
async fn a5_a_new_set_voids_the_old_one_and_needs_the_password_and_a_fresh_code() {
    let app = spawn_app().await;
    let session = enrolled(&app, "renew@example.ca").await;
    let request = |body: Value| {
        app.client.post(app.url("/api/me/recovery-codes")).bearer_auth(&session.access_token).json(&body).send()
    };

    let refused = request(json!({"currentPassword": "not it", "code": "000000"})).await.expect("request");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refused.json::<Value>().await.expect("json")["errors"][0]["field"], "currentPassword");
    assert_eq!(remaining(&app, &session.access_token).await, 10, "nothing changed");

    let code = totp::code_at(&session.secret, now() + 30).expect("code");
    let renewed = request(json!({"currentPassword": PASSWORD, "code": code})).await.expect("request");
    assert_eq!(renewed.status(), StatusCode::OK);
    let codes: Vec<String> =
        serde_json::from_value(renewed.json::<Value>().await.expect("json")["codes"].clone()).expect("codes");
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|code| !session.recovery_codes.contains(code)));
    assert_eq!(remaining(&app, &session.access_token).await, 10);

    // An old code no longer works; a new one does.
    assert_eq!(recover(&app, "renew@example.ca", &session.recovery_codes[0]).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(recover(&app, "renew@example.ca", &codes[0]).await.status(), StatusCode::OK);
    assert_eq!(told(&app, "renew@example.ca", "Nouveaux codes de récupération").await.len(), 1);
}

/// The acts recorded on an account itself (its audit trail), read from the stopped portal's
/// store: (actor, role, action, subject).
pub(crate) async fn account_trail(app: TestApp, sub: &str) -> Vec<(String, String, String, Option<String>)> {
    use portal_domain::audit::Audit;
    use portal_domain::keys::account_trail;
    use portal_domain::paging::PageRequest;
    let folder = app.stop().await;
    let config = portal_tests::test_config(&portal_tests::data_dir(&folder), folder.path().join("site"));
    let services = portal_local::LocalServices::open(&config).expect("open");
    let trail = Audit::new(services.table.clone()).of(&account_trail(sub), &PageRequest::first()).await.expect("trail");
    trail.items.into_iter().map(|r| (r.actor, r.role, r.action, r.subject)).collect()
}

async fn sub_of(app: &TestApp, token: &str) -> String {
    let me: Value = app.get("/api/me", Some(token)).await.json().await.expect("json");
    me["sub"].as_str().expect("sub").to_owned()
}

/// After an authenticator is removed: the old session is over, the password leads to setting up
/// a new authenticator (no token before), and that enrolment brings a new set of codes (the old
/// set went with the authenticator).
async fn signs_in_only_by_enrolling_anew(app: &TestApp, email: &str, password: &str, old_token: &str) {
    assert_eq!(app.get("/api/me", Some(old_token)).await.status(), StatusCode::UNAUTHORIZED);
    let challenge: Value =
        post(app, "/api/auth/login", json!({"email": email, "password": password})).await.json().await.expect("json");
    assert_eq!(challenge["challenge"], "MFA_SETUP", "a new authenticator before any token (A1)");
    let enrolled = enrol_again(app, &challenge["session"]).await;
    assert_eq!(enrolled["recoveryCodes"].as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn a1_a4_with_neither_authenticator_nor_code_the_reset_code_and_an_application_s_details_get_the_owner_back() {
    // GIVEN an applicant with a linked paper application, who lost their phone and their codes
    let folder = tempfile::tempdir().expect("temp dir");
    crate::admin::admin(
        &folder,
        portal_admin::Command::ImportPaperApplication {
            type_code: "work-permit".into(),
            number: "W123456789".into(),
            family_name: "Nguyen".into(),
            date_of_birth: "1985-03-14".into(),
            status: "in_review".into(),
        },
    )
    .await;
    let app = portal_tests::spawn_app_in(folder).await;
    let session = enrolled(&app, "phone-lost@example.ca").await;
    let linked = app
        .client
        .post(app.url("/api/applications/link"))
        .bearer_auth(&session.access_token)
        .json(&json!({"applicationNumber": "W123456789", "familyName": "Nguyen", "dateOfBirth": "1985-03-14"}))
        .send()
        .await
        .expect("link");
    assert_eq!(linked.status(), StatusCode::OK);
    let sub = sub_of(&app, &session.access_token).await;

    // WHEN they ask for a reset code and give it with details that are not of their application
    assert_eq!(post(&app, "/api/auth/forgot", json!({"email": "phone-lost@example.ca"})).await.status(), 202);
    let code = crate::accounts::latest_code(&app, "phone-lost@example.ca").await;
    let new = "a fresh start passphrase";
    let reset = |number: &str, birth: &str| {
        post(
            &app,
            "/api/auth/reset-authenticator",
            json!({"email": "phone-lost@example.ca", "code": code, "newPassword": new,
                   "applicationNumber": number, "dateOfBirth": birth}),
        )
    };
    let wrong = reset("W123456789", "1985-03-15").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json::<Value>().await.expect("json")["errors"][0]["field"], "applicationNumber");
    // THEN nothing changed: the password and the authenticator are the ones before
    let before: Value = post(&app, "/api/auth/login", json!({"email": "phone-lost@example.ca", "password": PASSWORD}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(before["challenge"], "SOFTWARE_TOKEN_MFA");

    // WHEN the details are their application's
    assert_eq!(reset("w123456789", "1985-03-14").await.status(), StatusCode::NO_CONTENT);

    // THEN only the new password signs in, and only by setting up a new authenticator
    assert_eq!(
        post(&app, "/api/auth/login", json!({"email": "phone-lost@example.ca", "password": PASSWORD})).await.status(),
        401
    );
    signs_in_only_by_enrolling_anew(&app, "phone-lost@example.ca", new, &session.access_token).await;
    assert_eq!(
        told(&app, "phone-lost@example.ca", "Votre application d'authentification a été retirée").await.len(),
        1
    );
    let trail = account_trail(app, &sub).await;
    assert_eq!(trail.len(), 1);
    assert_eq!((trail[0].1.as_str(), trail[0].2.as_str()), ("applicant", "reset-authenticator"));
}

#[tokio::test]
async fn a1_support_removes_an_authenticator_after_checking_identity_and_the_act_is_audited() {
    let app = spawn_app().await;
    let person = enrolled(&app, "needs-help@example.ca").await;
    let sub = sub_of(&app, &person.access_token).await;
    let reset = |token: String, email: &str| {
        let body = json!({"email": email, "reason": "Called in; answered from the file: number and birth date"});
        app.client.post(app.url("/api/officer/accounts/reset-authenticator")).bearer_auth(token).json(&body).send()
    };

    // Only an officer of the support group may.
    let officer = app.access_token("officer-1", &["officers"]);
    assert_eq!(reset(officer, "needs-help@example.ca").await.expect("request").status(), StatusCode::FORBIDDEN);
    assert_eq!(reset(person.access_token.clone(), "needs-help@example.ca").await.expect("request").status(), 403);
    let support = app.access_token("support-1", &["officers", "support"]);
    assert_eq!(reset(support.clone(), "nobody@example.ca").await.expect("request").status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/me", Some(&person.access_token)).await.status(), StatusCode::OK, "nothing yet");

    assert_eq!(reset(support, "needs-help@example.ca").await.expect("request").status(), StatusCode::NO_CONTENT);

    signs_in_only_by_enrolling_anew(&app, "needs-help@example.ca", PASSWORD, &person.access_token).await;
    let trail = account_trail(app, &sub).await;
    assert_eq!(trail.len(), 1);
    let (actor, role, action, reason) = &trail[0];
    assert_eq!((actor.as_str(), role.as_str(), action.as_str()), ("support-1", "support", "reset-authenticator"));
    assert!(reason.as_deref().is_some_and(|r| r.contains("birth date")), "the reason is kept: {reason:?}");
}
