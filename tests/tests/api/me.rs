//! `GET /api/me`: the caller from the verified claims, and their profile item.

use portal_domain::profile::{Language, Profile, Profiles};
use portal_tests::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn me_returns_the_caller_from_the_token() {
    let app = spawn_app().await;
    let token = app.access_token("user-1", &["officers"]);

    let response = app.get("/api/me", Some(&token)).await;

    assert_eq!(response.status(), 200);
    let me: Value = response.json().await.expect("json");
    let reference = portal_domain::site::account_reference("user-1");
    assert_eq!(me, json!({"sub": "user-1", "reference": reference, "groups": ["officers"], "profile": null}));
}

#[tokio::test]
async fn me_returns_the_saved_profile() {
    let app = spawn_app().await;
    let profile = Profile {
        email: "marie@example.ca".into(),
        given_name: "Marie".into(),
        family_name: "Tremblay".into(),
        preferred_language: Language::Fr,
        notifications: Default::default(),
    };
    Profiles::new(app.portal.table.clone()).put("user-2", &profile).await.expect("save profile");

    let me: Value = app.get("/api/me", Some(&app.access_token("user-2", &[]))).await.json().await.expect("json");

    assert_eq!(me["sub"], "user-2");
    assert_eq!(me["groups"], json!([]));
    assert_eq!(
        me["profile"],
        json!({"email": "marie@example.ca", "givenName": "Marie", "familyName": "Tremblay", "preferredLanguage": "fr",
               "notifications": {"email": true, "sms": false}})
    );
}

#[tokio::test]
async fn one_user_never_sees_another_users_profile() {
    let app = spawn_app().await;
    let profile = Profile {
        email: "a@example.ca".into(),
        given_name: "A".into(),
        family_name: "B".into(),
        preferred_language: Language::En,
        notifications: Default::default(),
    };
    Profiles::new(app.portal.table.clone()).put("owner", &profile).await.expect("save profile");

    let me: Value = app.get("/api/me", Some(&app.access_token("someone-else", &[]))).await.json().await.expect("json");

    assert_eq!(me["profile"], Value::Null);
}

#[tokio::test]
async fn profile_survives_a_restart_of_the_store() {
    // The embedded store is on disk: a second portal over the same data folder sees the data.
    let data = tempfile::tempdir().expect("temp dir");
    let config = portal_tests::test_config(data.path(), data.path().join("site"));
    let profile = Profile {
        email: "c@example.ca".into(),
        given_name: "C".into(),
        family_name: "D".into(),
        preferred_language: Language::En,
        notifications: Default::default(),
    };
    {
        let portal = portal_local::Portal::build(&config).await.expect("first start");
        Profiles::new(portal.table.clone()).put("user-3", &profile).await.expect("save");
    }

    let portal = portal_local::Portal::build(&config).await.expect("second start");

    assert_eq!(Profiles::new(portal.table).get("user-3").await.expect("read"), Some(profile));
}
