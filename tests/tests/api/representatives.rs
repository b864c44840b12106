//! Representatives over HTTP: the whole journey (invite with consent → accept → read → edit
//! with `full` → refused with `read` → revoke → 404 on the next request), the audit trail with
//! both identities, labelled messages, officers seeing the grant, firms and handovers with the
//! applicant's consent, and the BOLA matrix on every application route (C1, C2, C4, L1).

use std::sync::Arc;

use portal_api::contract::Body;
use portal_api::routes::{self, Auth};
use portal_domain::applications::Applications;
use portal_domain::audit::{Audit, Outcome};
use portal_domain::paging::PageRequest;
use portal_domain::profile::Language;
use portal_domain::representatives::consent::STATEMENT;
use portal_domain::representatives::{Ask, Invitee, Representatives, Scope, Standing};
use portal_tests::{TestApp, now, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::{complete_visitor_form, create_draft, send, signed_declaration};
use crate::messages::{email_to, profile};

/// A user id as Cognito and the local identity provider give them.
fn user() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn email_of(sub: &str) -> String {
    format!("{sub}@example.ca")
}

/// An invitation body for `sub`'s address.
fn invitation(sub: &str, scope: &str) -> Value {
    json!({
        "email": email_of(sub), "kind": "paid", "licenceNumber": "R705123", "scope": scope,
        "consent": {"version": STATEMENT.version, "language": "en", "agreed": true}
    })
}

async fn invite(app: &TestApp, owner: &str, id: &str, rep: &str, scope: &str) -> Value {
    let path = format!("/api/applications/{id}/representatives");
    let response = send(app, Method::POST, &path, &app.access_token(owner, &[]), Some(invitation(rep, scope))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.expect("json")
}

async fn accept(app: &TestApp, rep: &str, invitation: &Value) -> reqwest::Response {
    let path = format!("/api/representative/invitations/{}/accept", invitation["id"].as_str().expect("id"));
    send(app, Method::POST, &path, &app.access_token(rep, &[]), None).await
}

/// Waits for the first in-app notification of the holder of `token`.
async fn notified(app: &TestApp, token: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let page: Value = app.get("/api/notifications", Some(token)).await.json().await.expect("json");
        if let Some(first) = page["items"].get(0) {
            return first.clone();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "no notification: {page}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// An owner with a draft and a representative of `scope` on it.
async fn represented(app: &TestApp, scope: &str) -> (String, String, String) {
    let (owner, rep) = (user(), user());
    profile(app, &owner, Language::En).await;
    profile(app, &rep, Language::En).await;
    let id = create_draft(app, &app.access_token(&owner, &[])).await["id"].as_str().expect("id").to_owned();
    let invitation = invite(app, &owner, &id, &rep, scope).await;
    assert_eq!(accept(app, &rep, &invitation).await.status(), StatusCode::OK);
    (owner, rep, id)
}

#[tokio::test]
async fn the_whole_journey_invite_accept_read_edit_then_revoked_and_gone_on_the_next_request() {
    let app = spawn_app().await;
    let (owner, rep) = (user(), user());
    profile(&app, &owner, Language::En).await;
    profile(&app, &rep, Language::Fr).await;
    let owner_token = app.access_token(&owner, &[]);
    let rep_token = app.access_token(&rep, &[]);
    let id = create_draft(&app, &owner_token).await["id"].as_str().expect("id").to_owned();

    let statement: Value = app.get("/api/representatives/consent-statement", None).await.json().await.expect("json");
    assert_eq!(statement["version"], STATEMENT.version);
    let invitation = invite(&app, &owner, &id, &rep, "full").await;
    assert_eq!(invitation["state"], "pending");
    assert_eq!(invitation["consent"]["text"], statement["en"], "the very text confirmed is recorded");
    assert_eq!(invitation["consent"]["language"], "en");
    email_to(&app, &email_of(&rep), "Marie Tremblay invites you to represent them").await;

    let waiting: Value = app.get("/api/representative/invitations", Some(&rep_token)).await.json().await.expect("json");
    assert_eq!(waiting["items"][0]["id"], invitation["id"]);
    assert_eq!(waiting["items"][0]["clientName"], "Marie Tremblay");
    let others: Value = app
        .get("/api/representative/invitations", Some(&app.access_token(&owner, &[])))
        .await
        .json()
        .await
        .expect("json");
    assert!(others["items"].as_array().expect("items").is_empty(), "nobody else sees it");

    let grant: Value = accept(&app, &rep, &invitation).await.json().await.expect("json");
    assert_eq!((grant["scope"].as_str(), grant["kind"].as_str()), (Some("full"), Some("paid")));
    assert_eq!(grant["licence"]["number"], "R705123");

    let mut dashboard: Value =
        app.get("/api/applications", Some(&rep_token)).await.json::<Value>().await.expect("json");
    let dashboard = dashboard["items"].take();
    assert_eq!(dashboard[0]["id"], id.as_str());
    assert_eq!(dashboard[0]["client"]["name"], "Marie Tremblay");
    assert_eq!(app.get(&format!("/api/applications/{id}"), Some(&rep_token)).await.status(), StatusCode::OK);
    let form = json!({"data": complete_visitor_form(), "version": 2});
    let edited = send(&app, Method::PUT, &format!("/api/applications/{id}/form"), &rep_token, Some(form)).await;
    assert_eq!(edited.status(), StatusCode::OK, "full scope edits the draft");
    let message = json!({"body": "Bonjour, je représente la demandeuse."});
    let sent = send(&app, Method::POST, &format!("/api/applications/{id}/messages"), &rep_token, Some(message)).await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    for (path, what, body) in [("submit", "submits", Some(signed_declaration())), ("withdraw", "withdraws", None)] {
        let refused = send(&app, Method::POST, &format!("/api/applications/{id}/{path}"), &rep_token, body).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "only the applicant {what}");
        assert_eq!(refused.json::<Value>().await.expect("json")["type"], "applicant-only");
    }

    // Both sides see who wrote the message; the applicant's activity names the representative.
    let officer = app.access_token("officer-1", &["officers"]);
    for token in [&owner_token, &officer] {
        let thread: Value =
            app.get(&format!("/api/applications/{id}/messages"), Some(token)).await.json().await.expect("json");
        assert_eq!(thread["items"][0]["representative"]["name"], "Marie Tremblay");
    }
    let activity: Value = app.get("/api/me/activity", Some(&owner_token)).await.json().await.expect("json");
    let by_rep: Vec<&Value> =
        activity["items"].as_array().expect("items").iter().filter(|line| line["role"] == "representative").collect();
    assert!(
        by_rep.iter().any(|line| line["action"] == "save-form" && line["representative"]["name"] == "Marie Tremblay")
    );
    assert!(by_rep.iter().any(|line| line["action"] == "submit" && line["outcome"] == "denied"));
    let rep_activity: Value = app.get("/api/me/activity", Some(&rep_token)).await.json().await.expect("json");
    assert!(rep_activity["items"].as_array().expect("items").is_empty(), "a client's trail is the client's");
    let case: Value =
        app.get(&format!("/api/officer/applications/{id}"), Some(&officer)).await.json().await.expect("json");
    let seen = &case["application"]["representatives"][0];
    assert_eq!((seen["kind"].as_str(), seen["scope"].as_str()), (Some("paid"), Some("full")));
    assert_eq!(seen["licence"]["number"], "R705123");
    assert!(seen["since"].is_u64());
    let acted = case["activity"]["items"].as_array().expect("activity");
    assert!(
        acted.iter().any(|r| r["actor"] == rep.as_str() && r["representative"]["name"] == "Marie Tremblay"),
        "officers see who acted: {acted:?}"
    );

    // An officer's message reaches the applicant and, for the case they hold, the representative.
    let note = json!({"body": "Merci, nous avons bien reçu le formulaire."});
    let path = format!("/api/officer/applications/{id}/messages");
    assert_eq!(send(&app, Method::POST, &path, &officer, Some(note)).await.status(), StatusCode::CREATED);
    let told = notified(&app, &rep_token).await;
    assert!(told["title"]["fr"].as_str().expect("title").starts_with("Pour votre client"), "in their language: {told}");

    let listed: Value = app
        .get(&format!("/api/applications/{id}/representatives"), Some(&owner_token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["grants"][0]["userId"], rep.as_str());
    let revoked =
        send(&app, Method::DELETE, &format!("/api/applications/{id}/representatives/{rep}"), &owner_token, None).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);

    // C4: the very next request.
    assert_eq!(app.get(&format!("/api/applications/{id}"), Some(&rep_token)).await.status(), StatusCode::NOT_FOUND);
    let mut dashboard: Value =
        app.get("/api/applications", Some(&rep_token)).await.json::<Value>().await.expect("json");
    let dashboard = dashboard["items"].take();
    assert!(dashboard.as_array().expect("lines").is_empty());
}

#[tokio::test]
async fn a_read_representative_sees_everything_and_changes_nothing_told_why_in_their_language() {
    let app = spawn_app().await;
    let (_, rep, id) = represented(&app, "read").await;
    let token = app.access_token(&rep, &[]);

    assert_eq!(app.get(&format!("/api/applications/{id}"), Some(&token)).await.status(), StatusCode::OK);
    assert_eq!(app.get(&format!("/api/applications/{id}/documents"), Some(&token)).await.status(), StatusCode::OK);
    let edit = app
        .client
        .put(app.url(&format!("/api/applications/{id}/form")))
        .bearer_auth(&token)
        .header("Accept-Language", "fr-CA")
        .json(&json!({"data": {}, "version": 2}))
        .send()
        .await
        .expect("request");
    assert_eq!(edit.status(), StatusCode::FORBIDDEN);
    let problem: Value = edit.json().await.expect("json");
    assert_eq!(problem["type"], "read-only-access");
    assert!(problem["title"].as_str().expect("title").contains("lecture seule"), "{problem}");
}

#[tokio::test]
async fn c4_a_revoked_representative_cannot_come_back_through_another_invitation_and_a_withdrawn_one_is_closed() {
    let app = spawn_app().await;
    let (owner, rep) = (user(), user());
    profile(&app, &owner, Language::En).await;
    profile(&app, &rep, Language::En).await;
    let owner_token = app.access_token(&owner, &[]);
    let id = create_draft(&app, &owner_token).await["id"].as_str().expect("id").to_owned();
    let first = invite(&app, &owner, &id, &rep, "full").await;
    let second = invite(&app, &owner, &id, &rep, "read").await;
    assert_eq!(accept(&app, &rep, &first).await.status(), StatusCode::OK);

    let path = format!("/api/applications/{id}/representatives/{rep}");
    assert_eq!(send(&app, Method::DELETE, &path, &owner_token, None).await.status(), StatusCode::NO_CONTENT);

    let back = accept(&app, &rep, &second).await;
    assert_eq!(back.status(), StatusCode::NOT_FOUND, "withdrawn with the grant: no longer in their list");
    assert_eq!(app.get(&format!("/api/applications/{id}"), Some(&app.access_token(&rep, &[]))).await.status(), 404);
    let listed: Value = app
        .get(&format!("/api/applications/{id}/representatives"), Some(&owner_token))
        .await
        .json()
        .await
        .expect("json");
    let states: Vec<&str> =
        listed["invitations"].as_array().expect("list").iter().map(|i| i["state"].as_str().expect("state")).collect();
    assert_eq!(states, ["withdrawn", "accepted"], "newest first");

    // The owner withdraws an invitation before it is taken up.
    let third = invite(&app, &owner, &id, &rep, "read").await;
    let withdraw = format!("/api/applications/{id}/representatives/invitations/{}", third["id"].as_str().expect("id"));
    assert_eq!(send(&app, Method::DELETE, &withdraw, &owner_token, None).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(accept(&app, &rep, &third).await.status(), StatusCode::NOT_FOUND);
    let again = send(&app, Method::DELETE, &withdraw, &owner_token, None).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(again.json::<Value>().await.expect("json")["type"], "invitation-closed");
}

#[tokio::test]
async fn bad_invitations_name_every_field_and_change_nothing() {
    let app = spawn_app().await;
    let owner = user();
    profile(&app, &owner, Language::En).await;
    let token = app.access_token(&owner, &[]);
    let id = create_draft(&app, &token).await["id"].as_str().expect("id").to_owned();
    let path = format!("/api/applications/{id}/representatives");
    let body = json!({
        "email": "not an address", "kind": "paid", "licenceNumber": "705123", "scope": "full",
        "endsOn": "2001-01-01", "consent": {"version": "1999-01", "language": "en", "agreed": true}
    });

    let refused = send(&app, Method::POST, &path, &token, Some(body)).await;

    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let problem: Value = refused.json().await.expect("json");
    let fields: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["field"].as_str().expect("field"), e["code"].as_str().expect("code")))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("email", "invalid-email"),
            ("licenceNumber", "not-cicc-licence"),
            ("endsOn", "in-the-past"),
            ("consent.version", "stale-statement")
        ]
    );
    let unpaid_with_licence = json!({
        "email": "helper@example.ca", "kind": "unpaid", "licenceNumber": "R705123", "scope": "read",
        "consent": {"version": STATEMENT.version, "language": "fr", "agreed": false}
    });
    let refused = send(&app, Method::POST, &path, &token, Some(unpaid_with_licence)).await;
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["errors"][0]["code"], "not-for-unpaid");
    assert_eq!(problem["errors"][1]["code"], "must-agree");
    let lawyer = json!({
        "email": "avocate@example.ca", "kind": "paid", "licenceNumber": "123456-7", "province": "QC", "scope": "read",
        "consent": {"version": STATEMENT.version, "language": "fr", "agreed": true}
    });
    assert_eq!(send(&app, Method::POST, &path, &token, Some(lawyer)).await.status(), StatusCode::CREATED);
    let listed: Value = app.get(&path, Some(&token)).await.json().await.expect("json");
    assert_eq!(listed["invitations"].as_array().expect("list").len(), 1, "only the valid one was sent");
}

#[tokio::test]
async fn a_firm_hands_a_client_over_only_once_the_applicant_consents() {
    let app = spawn_app().await;
    let (owner, admin, id) = represented(&app, "full").await;
    let member = user();
    profile(&app, &member, Language::En).await;
    let admin_token = app.access_token(&admin, &[]);
    let member_token = app.access_token(&member, &[]);

    // The grant was accepted before the firm existed: the admin's firm reaches it through a
    // fresh grant, so the admin creates the firm first and is invited again.
    let created = send(
        &app,
        Method::POST,
        "/api/firms",
        &admin_token,
        Some(json!({"name": "Cabinet Nord", "licence": {"number": "R705123"}})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let firm_id = created.json::<Value>().await.expect("json")["firm"]["id"].as_str().expect("id").to_owned();
    let owner_token = app.access_token(&owner, &[]);
    send(&app, Method::DELETE, &format!("/api/applications/{id}/representatives/{admin}"), &owner_token, None).await;
    let again = invite(&app, &owner, &id, &admin, "full").await;
    let grant: Value = accept(&app, &admin, &again).await.json().await.expect("json");
    assert_eq!(grant["firm"]["name"], "Cabinet Nord", "the firm's name is on the grant");

    let invited = send(
        &app,
        Method::POST,
        &format!("/api/firms/{firm_id}/members"),
        &admin_token,
        Some(json!({"email": email_of(&member)})),
    )
    .await;
    assert_eq!(invited.status(), StatusCode::CREATED);
    let page: Value = app.get("/api/firm", Some(&member_token)).await.json().await.expect("json");
    assert_eq!(page["invitations"][0]["firm"]["id"], firm_id.as_str());
    let joined = send(
        &app,
        Method::POST,
        &format!("/api/firms/{firm_id}/join"),
        &member_token,
        Some(json!({"licence": {"number": "R700001"}})),
    )
    .await;
    assert_eq!(joined.status(), StatusCode::OK);
    // A member without the client reaches nothing of it.
    assert_eq!(app.get(&format!("/api/applications/{id}"), Some(&member_token)).await.status(), StatusCode::NOT_FOUND);
    let page: Value = app.get("/api/firm", Some(&admin_token)).await.json().await.expect("json");
    let admin_line =
        page["members"].as_array().expect("members").iter().find(|m| m["userId"] == admin.as_str()).cloned();
    assert_eq!(admin_line.expect("admin")["clients"][0]["id"], id.as_str());
    let (handovers, handover) = (
        format!("/api/firms/{firm_id}/handovers"),
        json!({"applicationId": id, "fromUserId": admin, "toUserId": member}),
    );
    let not_admin = send(&app, Method::POST, &handovers, &member_token, Some(handover.clone())).await;
    assert_eq!(not_admin.status(), StatusCode::FORBIDDEN);

    let proposed = send(&app, Method::POST, &handovers, &admin_token, Some(handover)).await;
    assert_eq!(proposed.status(), StatusCode::CREATED);
    let handover: Value = proposed.json().await.expect("json");
    assert_eq!(handover["state"], "awaiting-applicant");
    // Not acceptable before the applicant consents.
    assert_eq!(accept(&app, &member, &handover).await.status(), StatusCode::CONFLICT);

    let consent = json!({"version": STATEMENT.version, "language": "en", "agreed": true});
    let path =
        format!("/api/applications/{id}/representatives/invitations/{}/consent", handover["id"].as_str().expect("id"));
    let confirmed = send(&app, Method::POST, &path, &owner_token, Some(consent)).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let taken: Value = accept(&app, &member, &handover).await.json().await.expect("json");
    assert_eq!(taken["licence"]["number"], "R700001", "a paid client goes to a licensed member, under their licence");

    assert_eq!(app.get(&format!("/api/applications/{id}"), Some(&member_token)).await.status(), StatusCode::OK);
    assert_eq!(app.get(&format!("/api/applications/{id}"), Some(&admin_token)).await.status(), StatusCode::NOT_FOUND);
}

/// How a caller stands in the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing2 {
    /// No part in the application: 404 everywhere, as for a missing one.
    Stranger,
    /// A `read` representative: reads pass, every change is 403.
    Reader,
}

/// A body that gets each application route with one past its parsing, so the access check is
/// what answers.
fn body_for(route_function: &str) -> Value {
    let some = uuid::Uuid::new_v4().to_string();
    match route_function {
        "SaveApplicationForm" => json!({"data": {}, "version": 1}),
        "RequestUpload" => {
            json!({"kind": "passport", "fileName": "passport.pdf", "contentType": "application/pdf", "size": 1000})
        }
        "SendMessage" => json!({"body": "Hello"}),
        "StartPayment" => json!({"fees": ["processing"]}),
        "BookAppointment" => json!({"slotId": some}),
        "RescheduleAppointment" => json!({"slotId": some, "version": 1}),
        "InviteRepresentative" => invitation(&some, "read"),
        "ConsentToHandover" => json!({"version": STATEMENT.version, "language": "en", "agreed": true}),
        "SubmitApplication" => signed_declaration(),
        other => panic!("the matrix has no body for {other}: add one"),
    }
}

/// Whether a route only reads (a read-scope representative may call it: marking a message read
/// reads it without the mark).
fn reads(method: &Method, function: &str) -> bool {
    *method == Method::GET || function == "MarkMessageRead"
}

#[tokio::test]
async fn c1_c4_the_matrix_every_application_route_against_each_kind_of_outsider_and_the_read_scope() {
    let app = spawn_app().await;
    let (owner, reader, id) = represented(&app, "read").await;
    let table = Arc::clone(&app.portal.table);

    // The representative of another applicant.
    let (_, elsewhere, _) = represented(&app, "full").await;
    // A revoked representative.
    let revoked = user();
    profile(&app, &revoked, Language::En).await;
    let invitation = invite(&app, &owner, &id, &revoked, "full").await;
    assert_eq!(accept(&app, &revoked, &invitation).await.status(), StatusCode::OK);
    let path = format!("/api/applications/{id}/representatives/{revoked}");
    assert_eq!(send(&app, Method::DELETE, &path, &app.access_token(&owner, &[]), None).await.status(), 204);
    // A representative whose grant ended (accepted three days ago, ending the day before
    // yesterday: the API refuses such a date, the store holds what time makes of it).
    let ended = user();
    let day = 86_400;
    let application = Applications::new(Arc::clone(&table)).get(&id).await.expect("read").expect("app");
    let representatives = Representatives::new(Arc::clone(&table));
    let ends_on = chrono::DateTime::from_timestamp(i64::try_from(now() - 2 * day).expect("now"), 0)
        .expect("date")
        .format("%Y-%m-%d")
        .to_string();
    let ask = Ask {
        email: email_of(&ended),
        standing: Standing::Unpaid,
        scope: Scope::Full,
        ends_on: Some(ends_on),
        consent: STATEMENT.confirmed(Language::En, now() - 3 * day),
    };
    let sent = representatives
        .invite(&application, "x@example.ca", "Marie Tremblay", ask, now() - 3 * day)
        .await
        .expect("sent");
    let invitee = Invitee { user_id: ended.clone(), name: "Ended".into(), email: email_of(&ended), firm: None };
    representatives.accept(&sent, &invitee, now() - 3 * day).await.expect("accepted then");
    // Someone invited who has not accepted yet.
    let pending = user();
    profile(&app, &pending, Language::En).await;
    invite(&app, &owner, &id, &pending, "full").await;
    // A member of a firm whose other member holds the client.
    let (firm_admin, colleague) = (user(), user());
    profile(&app, &firm_admin, Language::En).await;
    profile(&app, &colleague, Language::En).await;
    let created =
        send(&app, Method::POST, "/api/firms", &app.access_token(&firm_admin, &[]), Some(json!({"name": "Firme"})))
            .await;
    let firm_id = created.json::<Value>().await.expect("json")["firm"]["id"].as_str().expect("id").to_owned();
    let invitation = invite(&app, &owner, &id, &firm_admin, "full").await;
    assert_eq!(accept(&app, &firm_admin, &invitation).await.status(), StatusCode::OK);
    let member_path = format!("/api/firms/{firm_id}/members");
    let body = Some(json!({"email": email_of(&colleague)}));
    send(&app, Method::POST, &member_path, &app.access_token(&firm_admin, &[]), body).await;
    let joined = send(
        &app,
        Method::POST,
        &format!("/api/firms/{firm_id}/join"),
        &app.access_token(&colleague, &[]),
        Some(json!({})),
    )
    .await;
    assert_eq!(joined.status(), StatusCode::OK);

    let callers = [
        ("representative of another applicant", elsewhere.as_str(), Standing2::Stranger),
        ("revoked", revoked.as_str(), Standing2::Stranger),
        ("ended grant", ended.as_str(), Standing2::Stranger),
        ("pending invitation", pending.as_str(), Standing2::Stranger),
        ("firm member without the client", colleague.as_str(), Standing2::Stranger),
        ("read scope", reader.as_str(), Standing2::Reader),
    ];
    let application_routes: Vec<_> = routes::all()
        .filter(|route| route.auth == Auth::User && route.path.starts_with("/api/applications/{id}"))
        .collect();
    assert!(application_routes.len() >= 24, "every area's application routes: {}", application_routes.len());
    let mut checked = 0;
    for (who, sub, standing) in callers {
        let token = app.access_token(sub, &[]);
        for route in &application_routes {
            let path = route
                .path
                .replace("{id}", &id)
                .split('/')
                .map(
                    |segment| {
                        if segment.starts_with('{') { uuid::Uuid::new_v4().to_string() } else { segment.to_owned() }
                    },
                )
                .collect::<Vec<_>>()
                .join("/");
            let mut request = app.client.request(route.method.clone(), app.url(&path)).bearer_auth(&token);
            request = request.header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
            if let Body::Json(_) = route.contract.body {
                request = request.json(&body_for(route.function));
            }
            let response = request.send().await.expect("request");
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            match standing {
                Standing2::Stranger => {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {} {}: {body}", route.method, route.path);
                    assert_eq!(body["type"], "not-found", "{who}: {}", route.path);
                    assert!(!body.to_string().contains("Tremblay"), "{who}: no data");
                }
                Standing2::Reader if reads(&route.method, route.function) => {
                    assert_ne!(status, StatusCode::FORBIDDEN, "{who} reads {} {}", route.method, route.path);
                }
                Standing2::Reader => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {} {}: {body}", route.method, route.path);
                    let kind = body["type"].as_str().unwrap_or_default();
                    assert!(["read-only-access", "applicant-only"].contains(&kind), "{who}: {}: {body}", route.path);
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6 * application_routes.len());

    // C2: officer routes stay closed to representatives.
    let officer_case = app.get(&format!("/api/officer/applications/{id}"), Some(&app.access_token(&reader, &[]))).await;
    assert_eq!(officer_case.status(), StatusCode::FORBIDDEN);
    // L1: each refusal is on the applicant's trail (newest first: the last two callers'), as a
    // representative's or an outsider's.
    let trail = Audit::new(table).of(&id, &PageRequest::first()).await.expect("trail").items;
    assert!(trail.iter().any(|r| r.actor == reader && r.role == "representative" && r.outcome == Outcome::Denied));
    assert!(trail.iter().any(|r| r.actor == colleague && r.role == "other" && r.outcome == Outcome::Denied));
}
