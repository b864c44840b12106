//! Appointments over HTTP in local mode: the locations, an officer's day of slots, an applicant
//! asked for biometrics booking, moving and cancelling (B1, B2), a full slot's 409 with what is
//! free instead, the cut-off, the calendar file, the outcome moving the application on, a
//! reminder reaching the applicant once in their language (B3), and the access rule (C1).

use std::sync::Arc;

use portal_domain::appointments::Appointments;
use portal_domain::appointments::locations::Locations;
use portal_domain::appointments::slots::local_text;
use portal_domain::keys;
use portal_domain::profile::Language;
use portal_domain::table::Update;
use portal_tests::{TestApp, now, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::send;
use crate::messages::{email_to, profile};
use crate::officer::submitted_application;

const DAY: u64 = 86_400;

/// The local time in Ottawa `seconds` from now, as an officer types it (`YYYY-MM-DDTHH:MM`).
fn ottawa_in(seconds: u64) -> String {
    let locations = Locations::load().expect("locations");
    local_text(locations.get("ottawa").expect("ottawa").tz(), now() + seconds)[..16].to_owned()
}

/// Ten in the morning in Ottawa `days` from now, so that a run of slots stays on one date
/// whatever the hour the test runs at (a run started late in the evening used to cross midnight).
fn ottawa_morning_in(days: u64) -> String {
    format!("{}T10:00", &ottawa_in(days * DAY)[..10])
}

/// An applicant's submitted application that an officer asked for biometrics.
pub(crate) async fn asked_for_biometrics(app: &TestApp, applicant: &str, officer: &str) -> String {
    let id = submitted_application(app, applicant).await;
    let path = format!("/api/officer/applications/{id}/status");
    for (to, version) in [("received", 3), ("biometrics_requested", 4)] {
        let body = json!({"to": to, "reason": "next step", "version": version});
        let moved = send(app, Method::POST, &path, officer, Some(body)).await;
        assert_eq!(moved.status(), StatusCode::OK, "{to}");
    }
    id
}

/// Publishes `count` biometrics slots at Ottawa from `start` (local), of `capacity` each.
pub(crate) async fn publish(app: &TestApp, officer: &str, start: &str, count: u32, capacity: u32) -> Vec<Value> {
    let body = json!({"location": "ottawa", "service": "biometrics", "start": start, "minutes": 15, "capacity": capacity, "count": count});
    let published = send(app, Method::POST, "/api/officer/appointment-slots", officer, Some(body)).await;
    assert_eq!(published.status(), StatusCode::CREATED);
    published.json::<Vec<Value>>().await.expect("json")
}

pub(crate) async fn book(app: &TestApp, token: &str, id: &str, slot: &Value) -> reqwest::Response {
    let body = json!({"slotId": slot["id"]});
    send(app, Method::POST, &format!("/api/applications/{id}/appointments"), token, Some(body)).await
}

#[tokio::test]
async fn b1_b2_an_applicant_books_moves_and_cancels_and_a_full_slot_suggests_the_next_free_ones() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let (first, second) = (app.access_token("applicant-1", &[]), app.access_token("applicant-2", &[]));
    let id = asked_for_biometrics(&app, &first, &officer).await;
    let other = asked_for_biometrics(&app, &second, &officer).await;

    let locations: Value = app.get("/api/appointment-locations", None).await.json().await.expect("json");
    let ottawa = locations.as_array().expect("list").iter().find(|l| l["code"] == "ottawa").expect("ottawa").clone();
    assert_eq!(
        (ottawa["timeZone"].as_str(), ottawa["name"]["fr"].as_str()),
        (Some("America/Toronto"), Some("Point de service d’Ottawa"))
    );

    let start = ottawa_morning_in(30);
    let slots = publish(&app, &officer, &start, 3, 1).await;
    assert_eq!(slots.len(), 3);
    assert!(slots[0]["startLocal"].as_str().expect("local").starts_with(&start), "{}", slots[0]);
    let date = &start[..10];
    let listed: Value = app
        .get(&format!("/api/appointment-slots?location=ottawa&service=biometrics&from={date}&to={date}"), Some(&first))
        .await
        .json()
        .await
        .expect("json");
    let remaining: Vec<u64> =
        listed["items"].as_array().expect("items").iter().map(|s| s["remaining"].as_u64().expect("n")).collect();
    assert!(remaining.len() >= 3 && remaining.iter().all(|r| *r == 1), "{listed}");

    let booked = book(&app, &first, &id, &slots[0]).await;
    assert_eq!(booked.status(), StatusCode::CREATED);
    let booking: Value = booked.json().await.expect("json");
    assert_eq!((booking["state"].as_str(), booking["sequence"].as_u64()), (Some("booked"), Some(0)));
    // The slot is full now: the second applicant is told which are free instead.
    let full = book(&app, &second, &other, &slots[0]).await;
    assert_eq!(full.status(), StatusCode::CONFLICT);
    let problem: Value = full.json().await.expect("json");
    assert_eq!(problem["type"], "slot-full");
    let suggested: Vec<&str> =
        problem["suggestions"].as_array().expect("suggestions").iter().map(|s| s["id"].as_str().expect("id")).collect();
    assert!(
        suggested.contains(&slots[1]["id"].as_str().expect("id"))
            && !suggested.contains(&slots[0]["id"].as_str().expect("id")),
        "{problem}"
    );
    let twice = book(&app, &first, &id, &slots[2]).await;
    assert_eq!(twice.json::<Value>().await.expect("json")["type"], "already-booked");

    // Moved: the same booking in a new slot, the old place free again.
    let path = format!("/api/applications/{id}/appointments/{}", booking["id"].as_str().expect("id"));
    let moved =
        send(&app, Method::PUT, &path, &first, Some(json!({"slotId": slots[1]["id"], "version": booking["version"]})))
            .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: Value = moved.json().await.expect("json");
    assert_eq!((moved["id"].clone(), moved["sequence"].as_u64()), (booking["id"].clone(), Some(1)));
    let stale =
        send(&app, Method::PUT, &path, &first, Some(json!({"slotId": slots[2]["id"], "version": booking["version"]})))
            .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT, "a move on a stale version");
    assert_eq!(book(&app, &second, &other, &slots[0]).await.status(), StatusCode::CREATED, "the freed place");

    // The calendar file: the same UID, the next SEQUENCE, the place's address.
    let ics = app
        .client
        .get(app.url(&format!("{path}/calendar.ics")))
        .bearer_auth(&first)
        .header("Accept-Language", "fr")
        .send()
        .await
        .expect("ics");
    assert_eq!(ics.headers()["content-type"], "text/calendar");
    let text = ics.text().await.expect("text");
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.contains(&format!("UID:{}@applicant-portal", booking["id"].as_str().expect("id"))), "{text}");
    assert!(unfolded.contains("SEQUENCE:1") && unfolded.contains("200\\, rue Rideau"), "{unfolded}");

    // Cancelled: the place goes back.
    let cancelled = send(&app, Method::DELETE, &path, &first, None).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(cancelled.json::<Value>().await.expect("json")["state"], "cancelled");
    let listed: Value =
        app.get(&format!("/api/applications/{id}/appointments"), Some(&first)).await.json().await.expect("json");
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    assert_eq!(book(&app, &first, &id, &slots[1]).await.status(), StatusCode::CREATED, "booked again");
}

#[tokio::test]
async fn b1_fifty_applicants_at_once_for_three_places_get_three_bookings() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let start = ottawa_morning_in(30);
    let slot = publish(&app, &officer, &start, 1, 3).await.remove(0);
    let mut applicants = Vec::new();
    for n in 0..12 {
        let token = app.access_token(&format!("applicant-{n}"), &[]);
        let id = asked_for_biometrics(&app, &token, &officer).await;
        applicants.push((token, id));
    }
    // Each applicant presses Book a few times, all at once: fifty requests in flight.
    let presses = (0..50).map(|n| {
        let (token, id) = &applicants[n % applicants.len()];
        book(&app, token, id, &slot)
    });
    let statuses: Vec<StatusCode> =
        futures::future::join_all(presses).await.iter().map(reqwest::Response::status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 3, "{statuses:?}");
    assert!(statuses.iter().all(|s| [StatusCode::CREATED, StatusCode::CONFLICT].contains(s)), "{statuses:?}");
    let date = &start[..10];
    let listed: Value = app
        .get(
            &format!("/api/appointment-slots?location=ottawa&service=biometrics&from={date}&to={date}"),
            Some(&officer),
        )
        .await
        .json()
        .await
        .expect("json");
    let ours =
        listed["items"].as_array().expect("items").iter().find(|s| s["id"] == slot["id"]).expect("the slot").clone();
    assert_eq!((ours["remaining"].as_u64(), ours["capacity"].as_u64()), (Some(0), Some(3)));
}

#[tokio::test]
async fn a_booking_within_the_cut_off_is_not_cancelled_online_and_the_outcome_moves_the_application_on() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let applicant = app.access_token("applicant-1", &[]);
    let id = asked_for_biometrics(&app, &applicant, &officer).await;
    // Two hours from now, rounded to the minute the officer types.
    let slot = publish(&app, &officer, &ottawa_in(2 * 3600), 1, 1).await.remove(0);
    let booking: Value = book(&app, &applicant, &id, &slot).await.json().await.expect("json");
    let path = format!("/api/applications/{id}/appointments/{}", booking["id"].as_str().expect("id"));
    let refused = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&applicant)
        .header("Accept-Language", "fr")
        .send()
        .await
        .expect("cancel");
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["type"], "too-late-to-change");
    assert_eq!(
        problem["title"],
        "Le rendez-vous est trop proche pour être modifié en ligne\u{a0}: communiquez avec l'agence"
    );
    assert_eq!(problem["changeableUntil"].as_u64(), booking["changeableUntil"].as_u64());

    // Before it began, no outcome; the applicant cannot record one.
    let outcome_path =
        format!("/api/officer/applications/{id}/appointments/{}/outcome", booking["id"].as_str().expect("id"));
    let body = json!({"outcome": "attended", "version": booking["version"]});
    assert_eq!(
        send(&app, Method::POST, &outcome_path, &officer, Some(body.clone())).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(send(&app, Method::POST, &outcome_path, &applicant, Some(body)).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn attended_biometrics_complete_that_step() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let applicant = app.access_token("applicant-1", &[]);
    let id = asked_for_biometrics(&app, &applicant, &officer).await;
    let slot = publish(&app, &officer, &ottawa_morning_in(30), 1, 1).await.remove(0);
    let booking: Value = book(&app, &applicant, &id, &slot).await.json().await.expect("json");
    // The day has come: the stored booking began a minute ago (the portal runs on the real clock).
    let key = keys::appointment(&id, booking["id"].as_str().expect("id"));
    let began = Update::default().set("start", json!(now() - 60));
    app.portal.table.update(&key, began, None).await.expect("moved to the past");
    let path = format!("/api/officer/applications/{id}/appointments/{}/outcome", booking["id"].as_str().expect("id"));
    let attended =
        send(&app, Method::POST, &path, &officer, Some(json!({"outcome": "attended", "version": booking["version"]})))
            .await;
    assert_eq!(attended.status(), StatusCode::OK);
    assert_eq!(attended.json::<Value>().await.expect("json")["state"], "attended");
    let application: Value =
        app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    assert_eq!(application["application"]["status"], "biometrics_completed", "{application}");
}

#[tokio::test]
async fn b3_a_reminder_reaches_the_applicant_once_a_day_ahead_in_their_language() {
    let app = spawn_app().await;
    profile(&app, "applicante", Language::Fr).await;
    let officer = app.access_token("officer-1", &["officers"]);
    let applicant = app.access_token("applicante", &[]);
    let id = asked_for_biometrics(&app, &applicant, &officer).await;
    let slot = publish(&app, &officer, &ottawa_morning_in(3), 1, 1).await.remove(0);
    let booking: Value = book(&app, &applicant, &id, &slot).await.json().await.expect("json");
    // The timer's work, run by hand with the clock a day before the appointment (twice).
    let appointments =
        Appointments::new(app.portal.table.clone(), Arc::new(Locations::load().expect("locations")), DAY);
    let at = booking["start"].as_u64().expect("start") - DAY + 60;
    assert_eq!(appointments.send_reminders(at - 2 * DAY).await.expect("run"), 0, "not yet");
    assert_eq!(appointments.send_reminders(at).await.expect("run"), 1);
    assert_eq!(appointments.send_reminders(at + 60).await.expect("run"), 0, "once");
    email_to(&app, "applicante@example.ca", "Rappel\u{a0}: Rendez-vous de biométrie demain").await;
}

#[tokio::test]
async fn c1_another_applicant_reaches_no_booking_and_officers_only_read_and_record() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    let owner = app.access_token("applicant-1", &[]);
    let stranger = app.access_token("applicant-2", &[]);
    let id = asked_for_biometrics(&app, &owner, &officer).await;
    let slots = publish(&app, &officer, &ottawa_morning_in(30), 2, 2).await;
    let booking: Value = book(&app, &owner, &id, &slots[0]).await.json().await.expect("json");
    let path = format!("/api/applications/{id}/appointments/{}", booking["id"].as_str().expect("id"));
    let move_body = json!({"slotId": slots[1]["id"], "version": booking["version"]});
    let attempts: [(Method, String, Option<Value>); 5] = [
        (Method::GET, format!("/api/applications/{id}/appointments"), None),
        (Method::POST, format!("/api/applications/{id}/appointments"), Some(json!({"slotId": slots[1]["id"]}))),
        (Method::PUT, path.clone(), Some(move_body.clone())),
        (Method::DELETE, path.clone(), None),
        (Method::GET, format!("{path}/calendar.ics"), None),
    ];
    for (method, route, body) in &attempts {
        let response = send(&app, method.clone(), route, &stranger, body.clone()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {route}");
    }
    // Officers read the bookings and their calendar file, but book, move and cancel nothing.
    for (method, route, body) in &attempts {
        let expected = if *method == Method::GET { StatusCode::OK } else { StatusCode::NOT_FOUND };
        let response = send(&app, method.clone(), route, &officer, body.clone()).await;
        assert_eq!(response.status(), expected, "officer: {method} {route}");
    }
    // Applicants publish and close no slot.
    let publish_body = json!({"location": "ottawa", "service": "biometrics", "start": ottawa_morning_in(40), "minutes": 15, "capacity": 1});
    let publish = send(&app, Method::POST, "/api/officer/appointment-slots", &owner, Some(publish_body)).await;
    assert_eq!(publish.status(), StatusCode::FORBIDDEN);
    let close = send(
        &app,
        Method::POST,
        &format!("/api/officer/appointment-slots/{}/close", slots[1]["id"].as_str().expect("id")),
        &owner,
        None,
    )
    .await;
    assert_eq!(close.status(), StatusCode::FORBIDDEN);
    let still: Value =
        app.get(&format!("/api/applications/{id}/appointments"), Some(&owner)).await.json().await.expect("json");
    assert_eq!(still["items"][0]["state"], "booked", "nothing changed");
}

#[tokio::test]
async fn bad_slot_requests_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let officer = app.access_token("officer-1", &["officers"]);
    // Each (body, field, code); the dates within the year ahead a schedule may cover.
    let slots = |location: &str, service: &str, start: &str, minutes: u32| json!({"location": location, "service": service, "start": start, "minutes": minutes, "capacity": 1});
    let cases = [
        (slots("atlantis", "biometrics", &ottawa_morning_in(30), 15), "location", "unknown-location"),
        (slots("halifax", "interview", &ottawa_morning_in(30), 15), "service", "not-offered"),
        (slots("ottawa", "biometrics", "2027-03-14T02:30", 15), "start", "nonexistent-local-time"),
        (slots("ottawa", "biometrics", "2020-01-10T09:00", 15), "start", "past"),
        (slots("ottawa", "biometrics", "2099-01-10T09:00", 15), "start", "too-far"),
        (slots("ottawa", "biometrics", &ottawa_morning_in(30), 1), "minutes", "out-of-range"),
    ];
    for (body, field, code) in cases {
        let response = send(&app, Method::POST, "/api/officer/appointment-slots", &officer, Some(body.clone())).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let problem: Value = response.json().await.expect("json");
        assert_eq!(
            (&problem["errors"][0]["field"], &problem["errors"][0]["code"]),
            (&json!(field), &json!(code)),
            "{problem}"
        );
        assert!(problem["errors"][0]["message"].is_string(), "explained: {problem}");
    }
    let applicant = app.access_token("applicant-1", &[]);
    for (query, field) in [
        ("location=ottawa&service=biometrics&from=2030-01-10&to=2030-01-01", "to"),
        ("location=ottawa&service=biometrics&from=2030-01-01&to=2030-03-04", "to"),
        ("location=atlantis&service=biometrics&from=2030-01-10&to=2030-01-11", "location"),
        ("location=ottawa&service=biometrics&from=2030-02-30&to=2030-03-01", "from"),
        ("location=ottawa&service=biometrics&from=%2B262142-12-31&to=%2B262142-12-31", "from"),
    ] {
        let response = app.get(&format!("/api/appointment-slots?{query}"), Some(&applicant)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.json::<Value>().await.expect("json")["errors"][0]["field"], field, "{query}");
    }
}
