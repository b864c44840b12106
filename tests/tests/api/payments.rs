//! Fees and payments over HTTP: what a draft owes before submission, the optional fees officers
//! add to a case, the dashboard's "payment required", who may see or add them (C1, C2, C3);
//! paying through the local test gateway's checkout once per idempotency key (P1), the signed
//! webhook (P2), fulfilment in one transaction (P3), mismatches (P4), submission after payment.

use portal_tests::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::{create_draft, send, signed_declaration};
use crate::officer::submitted_application;

async fn fees(app: &TestApp, id: &str, token: &str) -> (StatusCode, Value) {
    let response = send(app, Method::GET, &format!("/api/applications/{id}/fees"), token, None).await;
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

async fn add_fee(app: &TestApp, id: &str, officer: &str, body: Value) -> (StatusCode, Value) {
    let response = send(app, Method::POST, &format!("/api/officer/applications/{id}/fees"), officer, Some(body)).await;
    (response.status(), response.json().await.expect("json"))
}

/// Starts paying every fee due of `id` with the idempotency key `key`.
pub(crate) async fn start_payment(
    app: &TestApp,
    id: &str,
    token: &str,
    key: &str,
    codes: &[&str],
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/applications/{id}/payments")))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({"fees": codes}))
        .send()
        .await
        .expect("request")
}

/// The codes of the fees due.
pub(crate) async fn due_codes(app: &TestApp, id: &str, token: &str) -> Vec<String> {
    let (_, fees) = fees(app, id, token).await;
    let due = fees["items"].as_array().expect("items").iter().filter(|item| item["state"] == "due");
    due.map(|item| item["code"].as_str().expect("code").to_owned()).collect()
}

/// Tries `card` on the local gateway's checkout page, as the page does; answers its status and
/// what it was told (`returnUrl` once paid, or the `refusal`).
pub(crate) async fn pay_on_checkout(app: &TestApp, checkout_url: &str, card: &str) -> (StatusCode, Value) {
    let card = json!({"number": card, "expiry": "12/34", "cvc": "123"});
    let response = app.client.post(app.url(checkout_url)).json(&card).send().await.expect("checkout");
    (response.status(), response.json().await.expect("json"))
}

/// Pays every fee due of `id` with the test card that succeeds; gives the payment.
pub(crate) async fn pay_fees(app: &TestApp, token: &str, id: &str) -> Value {
    let codes = due_codes(app, id, token).await;
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let started = start_payment(app, id, token, &uuid::Uuid::new_v4().to_string(), &codes).await;
    assert_eq!(started.status(), StatusCode::CREATED);
    let payment: Value = started.json().await.expect("json");
    let (status, _) =
        pay_on_checkout(app, payment["checkoutUrl"].as_str().expect("checkout url"), "4242424242424242").await;
    assert_eq!(status, StatusCode::OK, "paid and sent back to the application");
    payment
}

/// The first page of the application's payments (newest first).
async fn payments(app: &TestApp, id: &str, token: &str) -> Vec<Value> {
    let listed: Value =
        app.get(&format!("/api/applications/{id}/payments"), Some(token)).await.json().await.expect("json");
    listed["items"].as_array().expect("payments").clone()
}

async fn version_of(app: &TestApp, id: &str, token: &str) -> u64 {
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(token)).await.json().await.expect("json");
    case["application"]["version"].as_u64().expect("version")
}

#[tokio::test]
async fn a_draft_owes_its_type_s_fees_before_submission_and_the_dashboard_says_payment_is_required() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();

    let (status, fees) = fees(&app, &id, &applicant).await;

    assert_eq!(status, StatusCode::OK);
    let items: Vec<(&str, u64, bool, &str)> = fees["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            let amount = item["amountCents"].as_u64().expect("integer cents");
            let before = item["dueBeforeSubmission"].as_bool().expect("flag");
            (item["code"].as_str().expect("code"), amount, before, item["state"].as_str().expect("state"))
        })
        .collect();
    assert_eq!(items, [("processing", 10_000, true, "due"), ("biometrics", 8_500, true, "due")]);
    assert_eq!((fees["dueCents"].as_u64(), fees["dueBeforeSubmissionCents"].as_u64()), (Some(18_500), Some(18_500)));
    assert_eq!(fees["paidCents"], 0);
    assert_eq!(fees["items"][0]["label"]["fr"], "Frais de traitement");
    let mut dashboard: Value =
        app.get("/api/applications", Some(&applicant)).await.json::<Value>().await.expect("json");
    let dashboard = dashboard["items"].take();
    assert_eq!(dashboard[0]["paymentRequired"], true, "{dashboard}");
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    assert_eq!(case["fees"], fees, "the case shows the same fees");
}

#[tokio::test]
async fn an_officer_adds_an_optional_fee_of_the_type_once_and_the_applicant_owes_it() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let version = version_of(&app, &id, &applicant).await;

    let (status, added) =
        add_fee(&app, &id, &officer, json!({"code": "restoration-of-status", "version": version})).await;

    assert_eq!(status, StatusCode::CREATED, "{added}");
    let line = &added["items"][2];
    assert_eq!((line["code"].as_str(), line["amountCents"].as_u64()), (Some("restoration-of-status"), Some(24_625)));
    assert_eq!((line["dueBeforeSubmission"].as_bool(), line["state"].as_str()), (Some(false), Some("due")));
    assert!(line["addedAt"].is_u64());
    assert_eq!(added["dueCents"].as_u64(), Some(24_625), "the type's fees were paid before submission");
    let (_, seen) = fees(&app, &id, &applicant).await;
    assert_eq!(seen, added, "the applicant sees what the officer added");

    // Once only, whatever the version.
    let (again, problem) =
        add_fee(&app, &id, &officer, json!({"code": "restoration-of-status", "version": version})).await;
    assert_eq!((again, problem["type"].as_str()), (StatusCode::CONFLICT, Some("fee-already-added")));
    let (_, after) = fees(&app, &id, &applicant).await;
    assert_eq!(after["items"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn c3_a_fee_outside_the_type_s_list_a_stale_version_or_a_draft_is_refused_with_nothing_added() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let version = version_of(&app, &id, &applicant).await;

    // A fee of another type (the PR fee) and a made-up one: 400 naming the field.
    for code in ["right-of-permanent-residence", "discount"] {
        let (status, problem) = add_fee(&app, &id, &officer, json!({"code": code, "version": version})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{code}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "code", "{problem}");
    }
    // The amount is never the caller's to say.
    let (status, _) =
        add_fee(&app, &id, &officer, json!({"code": "restoration-of-status", "version": version, "amountCents": 1}))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, problem) =
        add_fee(&app, &id, &officer, json!({"code": "restoration-of-status", "version": version - 1})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["currentVersion"].as_u64(), Some(version), "{problem}");
    let draft = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let (status, _) = add_fee(&app, &draft, &officer, json!({"code": "restoration-of-status", "version": 1})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a draft owes only its type's fees");

    for case in [&id, &draft] {
        let (_, fees) = fees(&app, case, &applicant).await;
        assert_eq!(fees["items"].as_array().map(Vec::len), Some(2), "nothing was added to {case}");
    }
}

#[tokio::test]
async fn c1_c2_fees_are_the_owner_s_and_officers_to_read_and_only_officers_add_them() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let other = app.access_token("applicant-2", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let version = version_of(&app, &id, &applicant).await;

    assert_eq!(fees(&app, &id, &other).await.0, StatusCode::NOT_FOUND, "another applicant");
    assert_eq!(fees(&app, &id, &officer).await.0, StatusCode::OK, "an officer");
    let body = json!({"code": "restoration-of-status", "version": version});
    assert_eq!(add_fee(&app, &id, &applicant, body.clone()).await.0, StatusCode::FORBIDDEN, "the applicant");
    let (_, fees) = fees(&app, &id, &applicant).await;
    assert_eq!(fees["dueCents"].as_u64(), Some(0), "nothing was added");
}

#[tokio::test]
async fn officers_adding_the_same_fee_at_once_add_it_once() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = submitted_application(&app, &applicant).await;
    let version = version_of(&app, &id, &applicant).await;

    let body = json!({"code": "restoration-of-status", "version": version});
    let attempts = (0..20).map(|_| add_fee(&app, &id, &officer, body.clone()));
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts).await.into_iter().map(|(s, _)| s).collect();

    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(*s, StatusCode::CREATED | StatusCode::CONFLICT)), "{statuses:?}");
    let (_, fees) = fees(&app, &id, &applicant).await;
    assert_eq!(fees["dueCents"].as_u64(), Some(24_625), "owed once");
}

#[tokio::test]
async fn p3_paying_marks_the_payment_the_fees_the_history_and_the_dashboard_together_and_then_submission_passes() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = crate::documents::draft_with_form(&app, &applicant).await;
    crate::documents::attach_required_documents(&app, &applicant, &id).await;
    let submit = format!("/api/applications/{id}/submit");

    // Unpaid fees block submission, named.
    let blocked = send(&app, Method::POST, &submit, &applicant, Some(signed_declaration())).await;
    assert_eq!(blocked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = blocked.json().await.expect("json");
    assert_eq!(problem["errors"], json!([{"field": "fees", "code": "unpaid", "message": "Pay the fees due first."}]));

    let payment = pay_fees(&app, &applicant, &id).await;

    let (_, fees) = fees(&app, &id, &applicant).await;
    assert_eq!((fees["paidCents"].as_u64(), fees["dueCents"].as_u64()), (Some(18_500), Some(0)));
    assert!(fees["items"].as_array().expect("items").iter().all(|item| item["paymentId"] == payment["id"]));
    let listed = payments(&app, &id, &applicant).await;
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0]["state"].as_str(), listed[0]["totalCents"].as_u64()), (Some("paid"), Some(18_500)));
    assert!(listed[0]["processorReference"].as_str().is_some_and(|r| r.starts_with("pi_")));
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    let history = case["history"]["items"].as_array().expect("history");
    assert!(history.iter().any(|entry| entry["noteToApplicant"] == "Payment received: $185.00 CAD"), "{history:?}");
    let mut dashboard: Value =
        app.get("/api/applications", Some(&applicant)).await.json::<Value>().await.expect("json");
    let dashboard = dashboard["items"].take();
    assert_eq!(dashboard[0]["paymentRequired"], false);
    assert_eq!(
        send(&app, Method::POST, &submit, &applicant, Some(signed_declaration())).await.status(),
        StatusCode::OK
    );

    // Nothing is due any more: a new payment is refused.
    let again = start_payment(&app, &id, &applicant, "another-key", &["processing"]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(again.json::<Value>().await.expect("json")["type"], "nothing-due");
}

#[tokio::test]
async fn p1_the_same_key_answers_the_first_answer_another_body_is_422_and_a_missing_key_is_400() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let due = ["processing", "biometrics"];

    let first = start_payment(&app, &id, &applicant, "key-1", &due).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");
    let again = start_payment(&app, &id, &applicant, "key-1", &due).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.expect("json"), first, "the first answer again");
    assert_eq!(payments(&app, &id, &applicant).await.len(), 1, "one payment");

    let other_body = start_payment(&app, &id, &applicant, "key-1", &["processing"]).await;
    assert_eq!(other_body.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other_body.json::<Value>().await.expect("json")["type"], "idempotency-key-reused");

    let no_key =
        send(&app, Method::POST, &format!("/api/applications/{id}/payments"), &applicant, Some(json!({"fees": due})))
            .await;
    assert_eq!(no_key.status(), StatusCode::BAD_REQUEST);
    assert_eq!(no_key.json::<Value>().await.expect("json")["errors"][0]["field"], "Idempotency-Key");

    // The amount is the portal's: a body naming one is refused, and fees that are not those due
    // are a conflict, never a payment of something else.
    let with_amount = app
        .client
        .post(app.url(&format!("/api/applications/{id}/payments")))
        .bearer_auth(&applicant)
        .header("Idempotency-Key", "key-2")
        .json(&json!({"fees": due, "amountCents": 1}))
        .send()
        .await
        .expect("request");
    assert_eq!(with_amount.status(), StatusCode::BAD_REQUEST);
    let changed = start_payment(&app, &id, &applicant, "key-3", &["processing"]).await;
    assert_eq!(changed.status(), StatusCode::CONFLICT);
    assert_eq!(changed.json::<Value>().await.expect("json")["type"], "fees-changed");

    // Pay pressed again with a fresh key while the checkout is open: the same payment.
    let resumed = start_payment(&app, &id, &applicant, "key-4", &due).await;
    assert_eq!(resumed.status(), StatusCode::CREATED);
    assert_eq!(resumed.json::<Value>().await.expect("json")["id"], first["id"]);
    assert_eq!(payments(&app, &id, &applicant).await.len(), 1);
}

#[tokio::test]
async fn p1_fifty_presses_at_once_with_one_key_or_with_fifty_keys_open_one_payment() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let due = ["processing", "biometrics"];

    let same_key =
        futures::future::join_all((0..50).map(|_| start_payment(&app, &id, &applicant, "one-key", &due))).await;
    let mut statuses: Vec<u16> = same_key.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert!(statuses.iter().all(|s| [201, 409].contains(s)), "{statuses:?}");
    assert!(statuses.contains(&201));
    let keys = (0..50).map(|n| format!("key-{n}")).collect::<Vec<_>>();
    let many = futures::future::join_all(keys.iter().map(|key| start_payment(&app, &id, &applicant, key, &due))).await;
    for response in many {
        assert!([201, 409].contains(&response.status().as_u16()), "{}", response.status());
    }

    let listed = payments(&app, &id, &applicant).await;
    assert_eq!(listed.len(), 1, "one payment, one checkout: {listed:?}");
}

#[tokio::test]
async fn the_checkout_page_shows_exactly_the_fees_due_in_the_payers_language() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let started = app
        .client
        .post(app.url(&format!("/api/applications/{id}/payments")))
        .bearer_auth(&applicant)
        .header("Idempotency-Key", "fr")
        .header("Accept-Language", "fr-CA,fr;q=0.9")
        .json(&json!({"fees": ["processing", "biometrics"]}))
        .send()
        .await
        .expect("request");
    let payment: Value = started.json().await.expect("json");
    let checkout = payment["checkoutUrl"].as_str().expect("url");
    let session: Value = app
        .client
        .get(app.url(&format!("{checkout}/session")))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    assert_eq!(session["language"], "fr");
    assert_eq!(session["totalCents"], 18_500);
    let items: Vec<(&str, u64)> = session["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| (item["name"].as_str().expect("name"), item["amountCents"].as_u64().expect("cents")))
        .collect();
    assert_eq!(items, [("Frais de traitement", 10_000), ("Frais de biométrie", 8_500)]);
    assert!(session["cancelUrl"].as_str().expect("cancel").ends_with("&cancelled=1"));
    let unknown = app.client.get(app.url("/checkout/cs_unknown/session")).send().await.expect("unknown");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_declined_card_pays_nothing_and_the_payer_can_try_another() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let started = start_payment(&app, &id, &applicant, "key", &["processing", "biometrics"]).await;
    let payment: Value = started.json().await.expect("json");
    let checkout = payment["checkoutUrl"].as_str().expect("url");

    // Each refused card says why, on the page and (through the processor's event) on the payment
    // the application page reads when the payer comes back.
    for (card, reason) in [
        ("4000 0000 0000 0002", "declined"),
        ("4000000000009995", "insufficient-funds"),
        ("4000000000000069", "expired-card"),
        ("4000000000000127", "incorrect-cvc"),
        ("4000000000000119", "processing-error"),
    ] {
        let (status, answer) = pay_on_checkout(&app, checkout, card).await;
        assert_eq!((status, &answer["refusal"]), (StatusCode::PAYMENT_REQUIRED, &json!(reason)), "{card}");
        let listed = &payments(&app, &id, &applicant).await[0];
        assert_eq!((&listed["state"], &listed["lastDecline"]), (&json!("open"), &json!(reason)), "{card}");
    }
    let (status, answer) = pay_on_checkout(&app, checkout, "4111 1111 1111 1111").await;
    assert_eq!((status, &answer["refusal"]), (StatusCode::PAYMENT_REQUIRED, &json!("unknown-card")));
    assert_eq!(fees(&app, &id, &applicant).await.1["paidCents"], 0);

    let (status, answer) = pay_on_checkout(&app, checkout, "4242 4242 4242 4242").await;
    assert_eq!(status, StatusCode::OK);
    let back = answer["returnUrl"].as_str().expect("return url");
    assert!(back.ends_with(&format!("/applications/{id}?payment={}", payment["id"].as_str().expect("id"))), "{back}");
    // A decline reported late (after the payment went through) changes nothing.
    let late = json!({
        "id": "evt_late", "object": "event", "type": "payment_intent.payment_failed", "created": 1,
        "data": {"object": {"id": "pi_1", "object": "payment_intent", "metadata": {"paymentId": payment["id"]},
            "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds"}}}
    })
    .to_string();
    let signature = stripe_signature(&late, portal_tests::now());
    assert_eq!(post_webhook(&app, &late, Some(&signature)).await, StatusCode::OK);
    let listed = &payments(&app, &id, &applicant).await[0];
    assert_eq!((&listed["state"], &listed["lastDecline"]), (&json!("paid"), &json!("processing-error")));
}

/// Stripe's signature of `body` at `t` under the test portal's secret, computed here with
/// another HMAC implementation (aws-lc) than the portal's own (RustCrypto).
fn stripe_signature(body: &str, t: u64) -> String {
    use aws_lc_rs::hmac;
    let key = hmac::Key::new(hmac::HMAC_SHA256, portal_tests::TEST_WEBHOOK_SECRET.as_bytes());
    let tag = hmac::sign(&key, format!("{t}.{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// Posts a webhook body signed by `signature` (a header value).
async fn post_webhook(app: &TestApp, body: &str, signature: Option<&str>) -> StatusCode {
    let mut request = app.client.post(app.url("/api/payments/webhook")).header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("Stripe-Signature", signature);
    }
    request.body(body.to_owned()).send().await.expect("webhook").status()
}

fn paid_event(payment_id: &str, amount: u64, currency: &str) -> String {
    json!({
        "id": "evt_test", "object": "event", "type": "checkout.session.completed", "created": 1,
        "data": {"object": {
            "id": "cs_test_1", "object": "checkout.session", "client_reference_id": payment_id,
            "payment_status": "paid", "status": "complete", "amount_total": amount, "currency": currency,
            "payment_intent": "pi_test_1"
        }}
    })
    .to_string()
}

#[tokio::test]
async fn p2_an_unsigned_wrongly_signed_or_stale_event_is_400_and_changes_nothing() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let payment: Value =
        start_payment(&app, &id, &applicant, "key", &["processing", "biometrics"]).await.json().await.expect("json");
    let body = paid_event(payment["id"].as_str().expect("id"), 18_500, "cad");
    let now = portal_tests::now();

    // The portal's secret is its own; anything signed otherwise is refused, as is a body
    // changed after signing and a signature older (or newer) than five minutes.
    let wrong = portal_domain::payments::signature::sign(body.as_bytes(), "whsec_guessed", now);
    let stale = stripe_signature(&body, now - 301);
    let early = stripe_signature(&body, now + 301);
    for signature in [None, Some("t=1,v1=00"), Some(wrong.as_str()), Some("garbage"), Some(&stale), Some(&early)] {
        assert_eq!(post_webhook(&app, &body, signature).await, StatusCode::BAD_REQUEST, "{signature:?}");
    }
    let tampered = body.replace("18500", "18501");
    assert_eq!(post_webhook(&app, &tampered, Some(&stripe_signature(&body, now))).await, StatusCode::BAD_REQUEST);
    assert_eq!(payments(&app, &id, &applicant).await[0]["state"], "open", "nothing applied");
    assert_eq!(fees(&app, &id, &applicant).await.1["paidCents"], 0);

    // Signed right, it pays; delivered again, it changes nothing.
    assert_eq!(post_webhook(&app, &body, Some(&stripe_signature(&body, now))).await, StatusCode::OK);
    assert_eq!(fees(&app, &id, &applicant).await.1["paidCents"], 18_500);
    let once = payments(&app, &id, &applicant).await;
    assert_eq!(post_webhook(&app, &body, Some(&stripe_signature(&body, now + 1))).await, StatusCode::OK);
    assert_eq!(payments(&app, &id, &applicant).await, once);
}

#[tokio::test]
async fn p2_p4_a_redelivered_event_changes_nothing_twice_and_a_wrong_amount_is_flagged_not_applied() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let payment = pay_fees(&app, &applicant, &id).await;
    let before = fees(&app, &id, &applicant).await.1;
    let case = |token: String| {
        let (app, id) = (&app, &id);
        async move { app.get(&format!("/api/applications/{id}"), Some(&token)).await.json::<Value>().await.expect("json") }
    };
    let history_before = case(applicant.clone()).await["history"].clone();

    // The paid checkout tried again: the payer is sent back, nothing is charged or applied twice.
    let (status, _) = pay_on_checkout(&app, payment["checkoutUrl"].as_str().expect("url"), "4242424242424242").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fees(&app, &id, &applicant).await.1, before, "paid once");
    assert_eq!(case(applicant.clone()).await["history"], history_before, "one history entry");

    // A second application whose confirmation reports another amount.
    let other = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let started: Value = start_payment(&app, &other, &applicant, "key-2", &["processing", "biometrics"])
        .await
        .json()
        .await
        .expect("json");
    let pay_id = started["id"].as_str().expect("id");
    let wrong_amount = paid_event(pay_id, 100, "cad");
    let forged = post_webhook(&app, &wrong_amount, Some(&stripe_signature(&wrong_amount, portal_tests::now()))).await;
    assert_eq!(forged, StatusCode::OK, "acknowledged, so the processor stops resending");
    let listed = payments(&app, &other, &officer).await;
    assert_eq!(listed[0]["state"], "mismatch");
    assert_eq!(listed[0]["mismatch"], json!({"amount": 100, "currency": "cad", "reason": "amount-or-currency"}));
    assert_eq!(fees(&app, &other, &applicant).await.1["paidCents"], 0, "nothing applied");
    // The money taken is an officer's to give back, up to what the processor reported.
    let version = listed[0]["version"].as_u64().expect("version");
    assert_eq!(refund(&app, pay_id, &officer, 101, version).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(refund(&app, pay_id, &officer, 0, version).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(refund(&app, pay_id, &officer, 100, version).await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn c1_payments_are_the_owner_s_to_start_and_an_officer_s_to_read() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let other = app.access_token("applicant-2", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let due = ["processing", "biometrics"];

    assert_eq!(start_payment(&app, &id, &other, "k", &due).await.status(), StatusCode::NOT_FOUND);
    // An officer is no party to paying: 404, as for anyone who is not.
    assert_eq!(start_payment(&app, &id, &officer, "k", &due).await.status(), StatusCode::NOT_FOUND);
    let listed = app.get(&format!("/api/applications/{id}/payments"), Some(&other)).await;
    assert_eq!(listed.status(), StatusCode::NOT_FOUND);
    let listed = app.get(&format!("/api/applications/{id}/payments"), Some(&officer)).await;
    assert_eq!(listed.status(), StatusCode::OK);
}

async fn refund(app: &TestApp, payment_id: &str, token: &str, amount: u64, version: u64) -> (StatusCode, Value) {
    let body = json!({"amountCents": amount, "reason": "Biometrics already on file", "version": version});
    let response =
        send(app, Method::POST, &format!("/api/officer/payments/{payment_id}/refund"), token, Some(body)).await;
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

/// The application's payments once every refund asked for is settled by the gateway's event.
async fn settled_payments(app: &TestApp, id: &str, token: &str) -> Vec<Value> {
    for _ in 0..200 {
        let listed = payments(app, id, token).await;
        let pending = listed
            .iter()
            .flat_map(|p| p["refunds"].as_array().cloned().unwrap_or_default())
            .any(|r| r["state"] == "pending");
        if !pending {
            return listed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("a refund was never settled");
}

#[tokio::test]
async fn p4_an_officer_refunds_part_of_a_payment_confirmed_by_the_processor_never_more_than_was_paid() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let payment = pay_fees(&app, &applicant, &id).await;
    let payment_id = payment["id"].as_str().expect("id");
    let version = payments(&app, &id, &officer).await[0]["version"].as_u64().expect("version");

    // More than was paid, a stale version, an applicant: refused, nothing reserved.
    assert_eq!(refund(&app, payment_id, &officer, 18_501, version).await.0, StatusCode::BAD_REQUEST);
    let (status, problem) = refund(&app, payment_id, &officer, 100, version - 1).await;
    assert_eq!((status, problem["currentVersion"].as_u64()), (StatusCode::CONFLICT, Some(version)));
    assert_eq!(refund(&app, payment_id, &applicant, 100, version).await.0, StatusCode::FORBIDDEN);

    let (status, asked) = refund(&app, payment_id, &officer, 8_500, version).await;
    assert_eq!((status, asked["state"].as_str()), (StatusCode::ACCEPTED, Some("pending")), "{asked}");
    let listed = settled_payments(&app, &id, &applicant).await;
    assert_eq!(listed[0]["refundedCents"], 8_500);
    let refunds = listed[0]["refunds"].as_array().expect("refunds");
    assert_eq!((refunds.len(), refunds[0]["state"].as_str()), (1, Some("succeeded")));
    assert!(refunds[0].get("reason").is_none(), "the officer's reason stays internal");
    assert_eq!(settled_payments(&app, &id, &officer).await[0]["refunds"][0]["reason"], "Biometrics already on file");
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    let history = case["history"]["items"].as_array().expect("history");
    assert!(history.iter().any(|entry| entry["noteToApplicant"] == "Refund issued: $85.00 CAD"), "{history:?}");

    // What remains is 100.00: more is refused.
    let version = listed[0]["version"].as_u64().expect("version");
    assert_eq!(refund(&app, payment_id, &officer, 10_001, version).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn p4_refunds_asked_at_once_never_add_up_to_more_than_was_paid() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let payment_id = pay_fees(&app, &applicant, &id).await["id"].as_str().expect("id").to_owned();
    let version = payments(&app, &id, &officer).await[0]["version"].as_u64().expect("version");

    let attempts = (0..20).map(|_| refund(&app, &payment_id, &officer, 10_000, version));
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts).await.into_iter().map(|(s, _)| s).collect();

    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::ACCEPTED).count(), 1, "{statuses:?}");
    let listed = settled_payments(&app, &id, &officer).await;
    assert_eq!(
        (listed[0]["refundedCents"].as_u64(), listed[0]["refundReservedCents"].as_u64()),
        (Some(10_000), Some(10_000))
    );
}

/// The text of a PDF, as Debian's `pdftotext` reads it (spaces of every kind made plain).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("receipt.pdf");
    std::fs::write(&path, pdf).expect("written");
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().expect("path"), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils) is installed");
    assert!(output.status.success(), "pdftotext read the receipt");
    String::from_utf8(output.stdout).expect("text").replace('\u{a0}', " ")
}

#[tokio::test]
async fn c1_a_paid_payment_has_an_itemized_receipt_in_the_reader_s_language_as_json_and_pdf() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-1", &[]);
    let other = app.access_token("applicant-2", &[]);
    let officer = app.access_token("officer-1", &["officers"]);
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let open: Value =
        start_payment(&app, &id, &applicant, "k", &["processing", "biometrics"]).await.json().await.expect("json");
    let unpaid =
        app.get(&format!("/api/payments/{}/receipt", open["id"].as_str().expect("id")), Some(&applicant)).await;
    assert_eq!(unpaid.status(), StatusCode::CONFLICT, "no receipt before payment");
    let (status, _) = pay_on_checkout(&app, open["checkoutUrl"].as_str().expect("url"), "4242424242424242").await;
    assert_eq!(status, StatusCode::OK);
    let payment_id = open["id"].as_str().expect("id");

    let receipt: Value =
        app.get(&format!("/api/payments/{payment_id}/receipt"), Some(&applicant)).await.json().await.expect("json");
    assert_eq!(receipt["totalCents"], 18_500);
    assert_eq!(
        receipt["lines"],
        json!([{"label": "Processing fee", "amountCents": 10_000}, {"label": "Biometrics fee", "amountCents": 8_500}])
    );
    assert_eq!(receipt["texts"]["noTax"], "These fees are not subject to GST, HST or any other tax.");

    let pdf = app
        .client
        .get(app.url(&format!("/api/payments/{payment_id}/receipt.pdf")))
        .bearer_auth(&applicant)
        .header("Accept-Language", "fr-CA,fr;q=0.9")
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(
        pdf.headers()["content-disposition"].to_str().expect("ascii").starts_with("attachment; filename=\"receipt-")
    );
    let text = pdf_text(&pdf.bytes().await.expect("bytes"));
    for expected in [
        "Reçu de paiement",
        "Frais de traitement",
        "100,00 $",
        "Frais de biométrie",
        "85,00 $",
        "185,00 $",
        payment_id,
        "assujettis",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    for receipt in ["receipt", "receipt.pdf"] {
        let path = format!("/api/payments/{payment_id}/{receipt}");
        assert_eq!(app.get(&path, Some(&other)).await.status(), StatusCode::NOT_FOUND, "another applicant: {path}");
        assert_eq!(app.get(&path, Some(&officer)).await.status(), StatusCode::OK, "an officer: {path}");
    }
    let refund = json!({"amountCents": 1, "reason": "x", "version": 1});
    let refunding =
        send(&app, Method::POST, &format!("/api/officer/payments/{payment_id}/refund"), &other, Some(refund)).await;
    assert_eq!(refunding.status(), StatusCode::FORBIDDEN, "an applicant refunding");
}

#[tokio::test]
async fn a_receipt_names_a_payer_whose_name_its_fonts_cannot_write_by_their_email() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-wang", &[]);
    let profile = portal_domain::profile::Profile {
        email: "wang.fang@example.cn".into(),
        given_name: "芳".into(),
        family_name: "王".into(),
        preferred_language: portal_domain::profile::Language::En,
        notifications: Default::default(),
    };
    portal_domain::profile::Profiles::new(app.portal.table.clone())
        .put("applicant-wang", &profile)
        .await
        .expect("profile");
    let id = create_draft(&app, &applicant).await["id"].as_str().expect("id").to_owned();
    let payment_id = pay_fees(&app, &applicant, &id).await["id"].as_str().expect("id").to_owned();

    let receipt: Value =
        app.get(&format!("/api/payments/{payment_id}/receipt"), Some(&applicant)).await.json().await.expect("json");
    assert_eq!(receipt["payer"], "芳 王", "the JSON receipt has the name as written");
    let pdf = app.get(&format!("/api/payments/{payment_id}/receipt.pdf"), Some(&applicant)).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let text = pdf_text(&pdf.bytes().await.expect("bytes"));
    assert!(text.contains("wang.fang@example.cn") && text.contains("$185.00"), "{text}");
}
