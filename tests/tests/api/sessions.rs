//! Your sessions over HTTP against the local portal: where you are signed in, signing out one
//! session, every other one, or this browser alone (the inactivity timer's way out), and the
//! notice of a sign-in from a browser the account never used (S2, A5).

use portal_store::local_identity::secrets::totp;
use portal_tests::{TestApp, now, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{PASSWORD, Session, cookie_set, enrolled, login, post, refresh_cookie};

const FIREFOX_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                                (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// Signs `email` in again with a code one step ahead (the enrolment used the current one),
/// from a browser with `user_agent` and, if given, the browser cookie it kept.
async fn sign_in_from(app: &TestApp, email: &str, secret: &str, user_agent: &str, cookie: Option<&str>) -> Session {
    let challenge: Value = login(app, email, PASSWORD).await.json().await.expect("json");
    let code = totp::code_at(secret, now() + 30).expect("code");
    let mut request = app
        .client
        .post(app.url("/api/auth/mfa"))
        .header("user-agent", user_agent)
        .json(&json!({"session": challenge["session"], "code": code}));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let answered = request.send().await.expect("mfa");
    assert_eq!(answered.status(), StatusCode::OK);
    let (refresh_cookie, browser_cookie) = (refresh_cookie(&answered), cookie_set(&answered, "portal_browser"));
    let tokens: Value = answered.json().await.expect("json");
    let access_token = tokens["accessToken"].as_str().expect("token").to_owned();
    Session { access_token, refresh_cookie, browser_cookie, secret: secret.to_owned(), recovery_codes: Vec::new() }
}

async fn sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let listed = app.get("/api/me/sessions", Some(token)).await;
    assert_eq!(listed.status(), StatusCode::OK);
    listed.json::<Value>().await.expect("json")["sessions"].as_array().expect("list").clone()
}

async fn refreshes(app: &TestApp, cookie: &str) -> StatusCode {
    app.client.post(app.url("/api/auth/refresh")).header("cookie", cookie).send().await.expect("refresh").status()
}

async fn new_sign_in_notices(app: &TestApp, to: &str) -> Vec<Value> {
    let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("outbox");
    outbox
        .as_array()
        .expect("list")
        .iter()
        .filter(|m| m["to"] == to && m["subject"] == "Nouvelle connexion à votre compte")
        .cloned()
        .collect()
}

#[tokio::test]
async fn s2_the_list_says_where_you_are_signed_in_and_a_session_ended_from_it_stops_at_once() {
    // GIVEN an account signed in on a laptop (at enrolment) and on a phone
    let app = spawn_app().await;
    let laptop = enrolled(&app, "two-places@example.ca").await;
    let phone = sign_in_from(&app, "two-places@example.ca", &laptop.secret, SAFARI_ON_IPHONE, None).await;

    // THEN both are listed, the phone's named by its browser and system, the caller's marked
    let listed = sessions(&app, &laptop.access_token).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let phone_entry = listed.iter().find(|s| s["browser"] == "Safari").expect("the phone's session");
    assert_eq!((phone_entry["os"].as_str(), phone_entry["current"].as_bool()), (Some("iOS"), Some(false)));
    assert_eq!(phone_entry["address"], "127.0.0.1");
    assert!(phone_entry["startedAt"].as_u64().is_some_and(|at| at + 60 > now()));
    assert!(phone_entry["lastUsedAt"].as_u64() >= phone_entry["startedAt"].as_u64());
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    let last_used: Vec<u64> = listed.iter().map(|s| s["lastUsedAt"].as_u64().expect("time")).collect();
    assert!(last_used.windows(2).all(|pair| pair[0] >= pair[1]), "the most recently used first: {last_used:?}");

    // WHEN the laptop signs the phone out
    let id = phone_entry["id"].as_str().expect("id");
    let ended = app.client.delete(app.url(&format!("/api/me/sessions/{id}"))).bearer_auth(&laptop.access_token);
    assert_eq!(ended.send().await.expect("delete").status(), StatusCode::NO_CONTENT);

    // THEN the phone's token and refresh cookie are refused; the laptop goes on
    assert_eq!(app.get("/api/me", Some(&phone.access_token)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/applications", Some(&phone.access_token)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refreshes(&app, &phone.refresh_cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/me", Some(&laptop.access_token)).await.status(), StatusCode::OK);
    assert_eq!(refreshes(&app, &laptop.refresh_cookie).await, StatusCode::OK);
    let left = sessions(&app, &laptop.access_token).await;
    assert_eq!((left.len(), left[0]["current"].as_bool()), (1, Some(true)));

    // AND a second delete of it names nothing
    let again = app.client.delete(app.url(&format!("/api/me/sessions/{id}"))).bearer_auth(&laptop.access_token);
    assert_eq!(again.send().await.expect("delete").status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn s2_signing_out_every_other_session_keeps_this_one() {
    let app = spawn_app().await;
    let laptop = enrolled(&app, "others@example.ca").await;
    let phone = sign_in_from(&app, "others@example.ca", &laptop.secret, SAFARI_ON_IPHONE, None).await;

    let ended = app.client.post(app.url("/api/me/sessions/end-others")).bearer_auth(&phone.access_token);
    let ended = ended.send().await.expect("end others");
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(ended.json::<Value>().await.expect("json"), json!({"ended": 1}));

    assert_eq!(app.get("/api/me", Some(&laptop.access_token)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refreshes(&app, &laptop.refresh_cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/me", Some(&phone.access_token)).await.status(), StatusCode::OK);
    let left = sessions(&app, &phone.access_token).await;
    assert_eq!((left.len(), left[0]["browser"].as_str()), (1, Some("Safari")));
}

#[tokio::test]
async fn signing_out_of_this_browser_revokes_its_refresh_token_on_the_server_and_no_other_session() {
    // GIVEN an account signed in on two browsers
    let app = spawn_app().await;
    let laptop = enrolled(&app, "idle@example.ca").await;
    let phone = sign_in_from(&app, "idle@example.ca", &laptop.secret, SAFARI_ON_IPHONE, None).await;

    // WHEN the laptop's inactivity timer ends its session (the web app calls end-session)
    let out = app
        .client
        .post(app.url("/api/auth/end-session"))
        .bearer_auth(&laptop.access_token)
        .header("cookie", &laptop.refresh_cookie)
        .send()
        .await
        .expect("end session");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let cleared = out.headers().get("set-cookie").expect("set-cookie").to_str().expect("ascii").to_owned();
    assert!(cleared.starts_with("portal_refresh=;") && cleared.ends_with("Max-Age=0"), "{cleared}");

    // THEN its refresh cookie no longer revives it, nor does its access token work
    assert_eq!(refreshes(&app, &laptop.refresh_cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/me", Some(&laptop.access_token)).await.status(), StatusCode::UNAUTHORIZED);
    // AND the phone is still signed in
    assert_eq!(app.get("/api/me", Some(&phone.access_token)).await.status(), StatusCode::OK);
    assert_eq!(refreshes(&app, &phone.refresh_cookie).await, StatusCode::OK);
}

#[tokio::test]
async fn a_session_refreshed_after_it_was_ended_gets_no_tokens() {
    // A refresh that rotated the token before the session ended: the rotated token is refused too.
    let app = spawn_app().await;
    let laptop = enrolled(&app, "rotated@example.ca").await;
    let refreshed =
        app.client.post(app.url("/api/auth/refresh")).header("cookie", &laptop.refresh_cookie).send().await.expect("r");
    assert_eq!(refreshed.status(), StatusCode::OK);
    let rotated = refresh_cookie(&refreshed);
    let listed = sessions(&app, &laptop.access_token).await;
    assert_eq!(listed.len(), 1, "a refresh is the same session: {listed:?}");

    let id = listed[0]["id"].as_str().expect("id");
    let ended = app.client.delete(app.url(&format!("/api/me/sessions/{id}"))).bearer_auth(&laptop.access_token);
    let ended = ended.send().await.expect("delete");
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    let cleared = ended.headers().get("set-cookie").expect("own session: cookie cleared").to_str().expect("ascii");
    assert!(cleared.starts_with("portal_refresh=;"), "{cleared}");

    assert_eq!(refreshes(&app, &rotated).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a5_a_sign_in_from_a_new_browser_is_told_by_email_and_a_known_browser_is_not() {
    let app = spawn_app().await;
    // The first sign-in enrols the authenticator: its own notice, not this one.
    let laptop = enrolled(&app, "notices@example.ca").await;
    assert!(new_sign_in_notices(&app, "notices@example.ca").await.is_empty());

    // A browser the account never used: told, in the account's language, with time and browser.
    sign_in_from(&app, "notices@example.ca", &laptop.secret, FIREFOX_ON_WINDOWS, None).await;
    let notices = new_sign_in_notices(&app, "notices@example.ca").await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    let body = notices[0]["body"].as_str().expect("body");
    assert!(body.contains("depuis Firefox sur Windows (adresse 127.0.0.1)"), "{body}");
    assert!(body.contains(&portal_domain::clock::utc_date(now())), "the date: {body}");

    // The laptop again, with the cookie it kept since the enrolment: nothing new to tell.
    let known = enrolled(&app, "known@example.ca").await;
    sign_in_from(&app, "known@example.ca", &known.secret, FIREFOX_ON_WINDOWS, Some(&known.browser_cookie)).await;
    assert!(new_sign_in_notices(&app, "known@example.ca").await.is_empty(), "a known browser is not told");
}

#[tokio::test]
async fn c1_nobody_lists_or_ends_another_person_s_sessions() {
    let app = spawn_app().await;
    let alice = enrolled(&app, "alice@example.ca").await;
    let bob = enrolled(&app, "bob@example.ca").await;
    let alices = sessions(&app, &alice.access_token).await;
    let id = alices[0]["id"].as_str().expect("id");

    // Bob's list holds only his own, and Alice's id names nothing of his.
    let bobs = sessions(&app, &bob.access_token).await;
    assert!(bobs.iter().all(|s| s["id"] != id));
    let ended = app.client.delete(app.url(&format!("/api/me/sessions/{id}"))).bearer_auth(&bob.access_token);
    assert_eq!(ended.send().await.expect("delete").status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/me", Some(&alice.access_token)).await.status(), StatusCode::OK);

    // A session id is a UUID: anything else names nothing.
    let bad = app.client.delete(app.url("/api/me/sessions/not-a-session")).bearer_auth(&bob.access_token);
    assert_eq!(bad.send().await.expect("delete").status(), StatusCode::NOT_FOUND);

    // Without a token, nothing.
    assert_eq!(app.get("/api/me/sessions", None).await.status(), StatusCode::UNAUTHORIZED);
    let anonymous = post(&app, "/api/auth/end-session", json!({})).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

/// Waits for the authenticator's next 30-second step, so a code one step ahead is fresh again.
async fn next_totp_step() {
    let into_step = now() % 30;
    tokio::time::sleep(std::time::Duration::from_secs(30 - into_step + 1)).await;
}

async fn change_password(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    let request = app.client.post(app.url("/api/me/password")).bearer_auth(token).header("accept-language", "fr");
    request.json(&body).send().await.expect("change password")
}

#[tokio::test]
async fn a5_s2_a_password_change_needs_the_current_password_and_a_fresh_code_and_ends_every_other_session() {
    // GIVEN an account signed in on a laptop and on a phone
    let app = spawn_app().await;
    let laptop = enrolled(&app, "changing@example.ca").await;
    let phone = sign_in_from(&app, "changing@example.ca", &laptop.secret, SAFARI_ON_IPHONE, None).await;
    let new = "a brand new and longer passphrase";

    // WHEN the phone asks without its current password, or with a code that is not the one now
    let wrong_password = change_password(
        &app,
        &phone.access_token,
        json!({"currentPassword": "not the password", "code": "000000", "newPassword": new}),
    )
    .await;
    assert_eq!(wrong_password.status(), StatusCode::BAD_REQUEST, "a 400, not a 401 that would renew the token");
    let problem: Value = wrong_password.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "currentPassword", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "incorrect-password", "{problem}");
    assert!(problem["errors"][0]["message"].as_str().is_some_and(|m| m.contains("mot de passe")), "{problem}");
    let wrong_code = change_password(
        &app,
        &phone.access_token,
        json!({"currentPassword": PASSWORD, "code": "000000", "newPassword": new}),
    )
    .await;
    assert_eq!(wrong_code.status(), StatusCode::BAD_REQUEST);
    assert_eq!(wrong_code.json::<Value>().await.expect("json")["errors"][0]["field"], "code");
    let weak = change_password(
        &app,
        &phone.access_token,
        json!({"currentPassword": PASSWORD, "code": "000000", "newPassword": "short"}),
    )
    .await;
    assert_eq!(weak.json::<Value>().await.expect("json")["errors"][0]["field"], "newPassword");
    // Nothing changed so far: the laptop is still signed in, the old password still works.
    assert_eq!(app.get("/api/me", Some(&laptop.access_token)).await.status(), StatusCode::OK);

    // WHEN it proves itself with a fresh code
    next_totp_step().await;
    let code = totp::code_at(&laptop.secret, now() + 30).expect("code");
    let changed = change_password(
        &app,
        &phone.access_token,
        json!({"currentPassword": PASSWORD, "code": code, "newPassword": new}),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);

    // THEN the laptop's session is over, the phone's goes on, only the new password signs in
    assert_eq!(app.get("/api/me", Some(&laptop.access_token)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refreshes(&app, &laptop.refresh_cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/me", Some(&phone.access_token)).await.status(), StatusCode::OK);
    let listed = sessions(&app, &phone.access_token).await;
    assert_eq!(
        (listed.len(), listed[0]["current"].as_bool()),
        (1, Some(true)),
        "the proof opened no session: {listed:?}"
    );
    assert_eq!(login(&app, "changing@example.ca", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "changing@example.ca", new).await.status(), StatusCode::OK);
    // AND the owner is told, in their language
    let outbox: Value = app.get("/api/dev/outbox", None).await.json().await.expect("outbox");
    let told = outbox
        .as_array()
        .expect("list")
        .iter()
        .any(|m| m["to"] == "changing@example.ca" && m["subject"] == "Votre mot de passe a été modifié");
    assert!(told, "a notice of the change");
}
