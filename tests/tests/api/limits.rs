//! The account limits over HTTP against the local portal (embedded store, local identity
//! provider): concurrent guesses, guesses across codes and sessions, per-address and per-client
//! limits, no enumeration and no lockout of others, no pre-hijacking, exact revocation, bounded
//! hashing. Clients on other loopback addresses (127.0.0.x) stand for callers elsewhere.

use std::net::{IpAddr, Ipv4Addr};

use futures::future::join_all;
use portal_store::local_identity::secrets::totp;
use portal_tests::{TestApp, now, spawn_app, spawn_app_in};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{PASSWORD, enrolled, latest_code, login, post, register, registered};

/// A client whose requests come from 127.0.0.`n`.
fn client_from(n: u8) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))).build().expect("client")
}

async fn post_from(app: &TestApp, client: &reqwest::Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.expect("request")
}

/// Sends the same request `n` times at once and returns the answers' statuses and bodies.
async fn at_once(app: &TestApp, n: usize, path: &str, body: Value) -> Vec<(StatusCode, Value)> {
    at_once_from(app, &app.client, n, path, body).await
}

/// `at_once`, from a given client.
async fn at_once_from(
    app: &TestApp,
    client: &reqwest::Client,
    n: usize,
    path: &str,
    body: Value,
) -> Vec<(StatusCode, Value)> {
    let requests = (0..n).map(|_| async {
        let response = post_from(app, client, path, body.clone()).await;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"), "429 says when to come back");
        }
        (status, response.json::<Value>().await.unwrap_or(Value::Null))
    });
    join_all(requests).await
}

fn count(answers: &[(StatusCode, Value)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

fn no_server_error(answers: &[(StatusCode, Value)]) {
    assert!(answers.iter().all(|(status, _)| !status.is_server_error()), "V3: {answers:?}");
}

/// Answers that were a wrong code evaluated (400 naming the code), not refused by a limit.
fn wrong_codes(answers: &[(StatusCode, Value)]) -> usize {
    answers
        .iter()
        .filter(|(status, body)| *status == StatusCode::BAD_REQUEST && body["errors"][0]["field"] == "code")
        .count()
}

async fn outbox(app: &TestApp) -> Vec<Value> {
    app.get("/api/dev/outbox", None).await.json::<Vec<Value>>().await.expect("outbox")
}

fn without_request_id(mut body: Value) -> Value {
    body.as_object_mut().map(|o| o.remove("requestId"));
    body
}

#[tokio::test]
async fn a7_fifty_wrong_passwords_at_once_evaluate_five_and_the_owner_elsewhere_signs_in() {
    // GIVEN an account, and 50 wrong passwords sent at once from one place
    let app = spawn_app().await;
    registered(&app, "a@example.ca").await;
    let answers =
        at_once(&app, 50, "/api/auth/login", json!({"email": "a@example.ca", "password": "a wrong guess!"})).await;

    // THEN five were evaluated, the rest refused before any hashing (A7)
    no_server_error(&answers);
    assert_eq!(count(&answers, StatusCode::UNAUTHORIZED), 5, "{answers:?}");
    assert_eq!(count(&answers, StatusCode::TOO_MANY_REQUESTS), 45);
    // AND the owner, signing in from another place, is not locked out (A8)
    let owner =
        post_from(&app, &client_from(2), "/api/auth/login", json!({"email": "a@example.ca", "password": PASSWORD}))
            .await;
    assert_eq!(owner.status(), StatusCode::OK);
}

#[tokio::test]
async fn a8_an_unknown_address_meets_the_same_answers_and_limits_as_a_known_one() {
    let app = spawn_app().await;
    registered(&app, "known@example.ca").await;
    let mut answers = Vec::new();
    for email in ["known@example.ca", "unknown@example.ca"] {
        let mut statuses = Vec::new();
        for _ in 0..7 {
            let response = login(&app, email, "a wrong guess!").await;
            statuses.push((response.status(), without_request_id(response.json().await.expect("json"))));
        }
        answers.push(statuses);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][4].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[0][5].0, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a8_nobody_can_lock_an_officer_out_from_elsewhere() {
    // GIVEN the demo officer, and an attacker hammering their account from another place
    let app = spawn_app().await;
    let attacker = client_from(3);
    let body = json!({"email": "officer@portal.local", "password": "a wrong guess!"});
    for _ in 0..10 {
        post_from(&app, &attacker, "/api/auth/login", body.clone()).await;
    }
    let refused = post_from(&app, &attacker, "/api/auth/login", body).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    // WHEN the officer signs in from their own place THEN it works
    let officer = login(&app, "officer@portal.local", "demo officer passphrase").await;
    assert_eq!(officer.status(), StatusCode::OK);
}

#[tokio::test]
async fn a7_fifty_wrong_totp_codes_at_once_on_one_sign_in_evaluate_five() {
    let app = spawn_app().await;
    let session = enrolled(&app, "a@example.ca").await;
    let challenge: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");

    let answers = at_once(&app, 50, "/api/auth/mfa", json!({"session": challenge["session"], "code": "000000"})).await;

    no_server_error(&answers);
    assert!((1..=5).contains(&wrong_codes(&answers)), "{answers:?}");
    // The sign-in is over: even the right code, from another client, no longer completes it.
    let code = totp::code_at(&session.secret, now() + 30).expect("code");
    let late =
        post_from(&app, &client_from(6), "/api/auth/mfa", json!({"session": challenge["session"], "code": code})).await;
    assert_eq!(late.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a7_fifty_wrong_reset_and_confirmation_codes_at_once_evaluate_five() {
    let app = spawn_app().await;
    registered(&app, "a@example.ca").await;
    post(&app, "/api/auth/forgot", json!({"email": "a@example.ca"})).await;
    assert_eq!(register(&app, "b@example.ca", "en").await.status(), StatusCode::CREATED);

    let resets = at_once(
        &app,
        50,
        "/api/auth/reset",
        json!({"email": "a@example.ca", "code": "000000", "newPassword": "a brand new passphrase"}),
    )
    .await;
    // From another client: the first 50 used up this one's code attempts for the minute.
    let other = client_from(7);
    let confirmations =
        at_once_from(&app, &other, 50, "/api/auth/confirm", json!({"email": "b@example.ca", "code": "000000"})).await;

    for answers in [&resets, &confirmations] {
        no_server_error(answers);
        assert!((1..=5).contains(&wrong_codes(answers)), "{answers:?}");
        assert!(count(answers, StatusCode::TOO_MANY_REQUESTS) >= 45, "{answers:?}");
    }
}

#[tokio::test]
async fn a7_wrong_totp_codes_count_per_account_across_sign_ins_and_the_owner_is_told() {
    // GIVEN an account whose password an attacker knows
    let app = spawn_app().await;
    enrolled(&app, "a@example.ca").await;

    // WHEN they guess codes over sign-in after sign-in
    let mut evaluated = 0;
    let mut refused = 0;
    for _ in 0..6 {
        let challenge: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
        for _ in 0..5 {
            let answer = post(&app, "/api/auth/mfa", json!({"session": challenge["session"], "code": "000000"})).await;
            match answer.status() {
                StatusCode::BAD_REQUEST => evaluated += 1,
                StatusCode::TOO_MANY_REQUESTS => refused += 1,
                other => panic!("unexpected {other}"),
            }
        }
    }

    // THEN ten were evaluated in all, and the owner got one notice, in their language
    assert_eq!(evaluated, 10);
    assert_eq!(refused, 20);
    let notices: Vec<_> = outbox(&app).await.into_iter().filter(|m| m["to"] == "a@example.ca").collect();
    let paused: Vec<_> =
        notices.iter().filter(|m| m["subject"] == "La connexion à votre compte a été suspendue").collect();
    assert_eq!(paused.len(), 1, "{notices:?}");
    assert!(paused[0]["code"].is_null());
}

#[tokio::test]
async fn a7_wrong_reset_codes_count_across_codes() {
    let app = spawn_app().await;
    registered(&app, "a@example.ca").await;
    let wrong = json!({"email": "a@example.ca", "code": "000000", "newPassword": "a brand new passphrase"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        post(&app, "/api/auth/forgot", json!({"email": "a@example.ca"})).await;
        for _ in 0..3 {
            statuses.push(post(&app, "/api/auth/reset", wrong.clone()).await.status());
        }
    }
    // A fresh code brings no fresh tries: five wrong codes in all, then refusals.
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 4);
}

#[tokio::test]
async fn a10_thirty_forgot_requests_at_once_send_at_most_five_emails_and_unknown_addresses_answer_alike() {
    let app = spawn_app().await;
    registered(&app, "a@example.ca").await;
    let before = outbox(&app).await.len();

    let known = at_once(&app, 30, "/api/auth/forgot", json!({"email": "a@example.ca"})).await;
    let unknown = at_once(&app, 30, "/api/auth/forgot", json!({"email": "nobody@example.ca"})).await;

    // Five emails an hour per address, whether or not it has an account; the known one was
    // already sent its confirmation code.
    assert_eq!(count(&known, StatusCode::ACCEPTED), 4, "{known:?}");
    assert_eq!(count(&unknown, StatusCode::ACCEPTED), 5, "{unknown:?}");
    assert_eq!(count(&known, StatusCode::TOO_MANY_REQUESTS) + count(&unknown, StatusCode::TOO_MANY_REQUESTS), 51);
    let refusal = |answers: &[(StatusCode, Value)]| {
        answers.iter().find(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS).map(|(_, b)| without_request_id(b.clone()))
    };
    assert_eq!(refusal(&known), refusal(&unknown), "the same body for known and unknown addresses");
    assert_eq!(outbox(&app).await.len() - before, 4, "four emails, not thirty");
}

#[tokio::test]
async fn a10_sign_in_attempts_are_limited_per_client_address() {
    let app = spawn_app().await;
    let busy = client_from(4);
    let mut statuses = Vec::new();
    for n in 0..31 {
        let body = json!({"email": format!("guess{n}@example.ca"), "password": "a wrong guess!"});
        statuses.push(post_from(&app, &busy, "/api/auth/login", body).await.status());
    }
    assert!(statuses[..30].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = post_from(
        &app,
        &client_from(5),
        "/api/auth/login",
        json!({"email": "x@example.ca", "password": "a wrong guess!"}),
    )
    .await;
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED, "another client is not slowed");
}

#[tokio::test]
async fn a9_an_attacker_who_registered_the_address_first_gets_nothing() {
    // GIVEN an attacker registered the victim's address with their own password
    let app = spawn_app().await;
    let attacker = post(
        &app,
        "/api/auth/register",
        json!({"email": "victim@example.ca", "password": "the attackers passphrase", "givenName": "Mallory",
               "familyName": "Evil", "preferredLanguage": "en"}),
    )
    .await;
    assert_eq!(attacker.status(), StatusCode::CREATED);

    // WHEN the victim registers and confirms with the code they receive
    assert_eq!(register(&app, "victim@example.ca", "fr").await.status(), StatusCode::CREATED);
    let code = latest_code(&app, "victim@example.ca").await;
    let confirmed = post(&app, "/api/auth/confirm", json!({"email": "victim@example.ca", "code": code})).await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);

    // THEN the attacker's password does not sign in, the victim's does, and the profile is theirs
    let theirs = login(&app, "victim@example.ca", "the attackers passphrase").await;
    assert_eq!(theirs.status(), StatusCode::UNAUTHORIZED);
    let session = crate::accounts::enrolled_after_registration(&app, "victim@example.ca").await;
    let me: Value = app.get("/api/me", Some(&session.access_token)).await.json().await.expect("json");
    let profile = &me["profile"];
    assert_eq!((profile["givenName"].as_str(), profile["preferredLanguage"].as_str()), (Some("Marie"), Some("fr")));
}

#[tokio::test]
async fn s2_a_sign_out_in_the_same_second_as_a_sign_in_ends_that_sign_in_too() {
    // GIVEN a user who signed out, signed in again at once, and signs out again at once
    let app = spawn_app().await;
    let first = enrolled(&app, "a@example.ca").await;
    let out =
        app.client.post(app.url("/api/auth/logout")).bearer_auth(&first.access_token).send().await.expect("logout");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let challenge: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
    let code = totp::code_at(&first.secret, now() + 30).expect("code");
    let again = post(&app, "/api/auth/mfa", json!({"session": challenge["session"], "code": code})).await;
    assert_eq!(again.status(), StatusCode::OK, "signing back in at once works");
    let cookie = crate::accounts::refresh_cookie(&again);
    let token = again.json::<Value>().await.expect("json")["accessToken"].as_str().expect("token").to_owned();
    assert_eq!(app.get("/api/me", Some(&token)).await.status(), StatusCode::OK);

    let out = app.client.post(app.url("/api/auth/logout")).bearer_auth(&token).send().await.expect("logout");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);

    // THEN the second sign-in's token and refresh cookie are refused too
    assert_eq!(app.get("/api/me", Some(&token)).await.status(), StatusCode::UNAUTHORIZED);
    let refreshed =
        app.client.post(app.url("/api/auth/refresh")).header("cookie", cookie).send().await.expect("refresh");
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn s5_a_sign_in_waiting_for_its_code_is_refused_after_a_sign_out_or_a_reset() {
    let app = spawn_app().await;
    let session = enrolled(&app, "a@example.ca").await;
    let code = totp::code_at(&session.secret, now() + 30).expect("code");

    // A sign-out ends the sign-in that was waiting for its code.
    let waiting: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
    app.client.post(app.url("/api/auth/logout")).bearer_auth(&session.access_token).send().await.expect("logout");
    let answered = post(&app, "/api/auth/mfa", json!({"session": waiting["session"], "code": code})).await;
    assert_eq!(answered.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(answered.json::<Value>().await.expect("json")["type"], "session-expired");

    // So does a password reset.
    let waiting: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
    post(&app, "/api/auth/forgot", json!({"email": "a@example.ca"})).await;
    let reset_code = latest_code(&app, "a@example.ca").await;
    let reset = post(
        &app,
        "/api/auth/reset",
        json!({"email": "a@example.ca", "code": reset_code, "newPassword": "a brand new passphrase"}),
    )
    .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let answered = post(&app, "/api/auth/mfa", json!({"session": waiting["session"], "code": code})).await;
    assert_eq!(answered.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn s5_a_sign_in_waiting_for_its_code_is_refused_after_the_account_is_disabled() {
    let app = spawn_app().await;
    let session = enrolled(&app, "a@example.ca").await;
    let waiting: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
    let folder = app.stop().await;
    crate::admin::admin(&folder, portal_admin::Command::DisableUser { email: "a@example.ca".into() }).await;
    let app = spawn_app_in(folder).await;

    let code = totp::code_at(&session.secret, now() + 30).expect("code");
    let answered = post(&app, "/api/auth/mfa", json!({"session": waiting["session"], "code": code})).await;

    assert_eq!(answered.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn s5_an_authenticator_setup_begun_before_an_enrolment_cannot_replace_it() {
    // GIVEN two sign-ins at the setup step; the second enrols an authenticator
    let app = spawn_app().await;
    registered(&app, "a@example.ca").await;
    let stale: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
    let stale: Value =
        post(&app, "/api/auth/mfa/setup", json!({"session": stale["session"]})).await.json().await.expect("json");
    let owner: Value = login(&app, "a@example.ca", PASSWORD).await.json().await.expect("json");
    let owner: Value =
        post(&app, "/api/auth/mfa/setup", json!({"session": owner["session"]})).await.json().await.expect("json");
    let code = totp::code_at(owner["secret"].as_str().expect("secret"), now()).expect("code");
    let enrolled = post(&app, "/api/auth/mfa/setup/verify", json!({"session": owner["session"], "code": code})).await;
    assert_eq!(enrolled.status(), StatusCode::OK);

    // WHEN the earlier setup session tries to finish with its own secret THEN it is refused
    let code = totp::code_at(stale["secret"].as_str().expect("secret"), now()).expect("code");
    let replaced = post(&app, "/api/auth/mfa/setup/verify", json!({"session": stale["session"], "code": code})).await;
    assert_eq!(replaced.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn d5_two_hundred_sign_ins_at_once_are_answered_without_a_server_error() {
    // From ten client addresses, so the per-client limit is not what holds them back.
    let app = spawn_app().await;
    let clients: Vec<_> = (10..20).map(client_from).collect();
    let requests = (0..200).map(|n| {
        let (client, app) = (&clients[n % clients.len()], &app);
        async move {
            let body = json!({"email": format!("nobody{n}@example.ca"), "password": "a wrong guess!"});
            let response = post_from(app, client, "/api/auth/login", body).await;
            (response.status(), response.headers().contains_key("retry-after"))
        }
    });
    let answers = join_all(requests).await;
    for (status, retry_after) in &answers {
        assert!(
            *status == StatusCode::UNAUTHORIZED || (*status == StatusCode::SERVICE_UNAVAILABLE && *retry_after),
            "401, or 503 with Retry-After when the hashing queue is full: {status}"
        );
    }
}
