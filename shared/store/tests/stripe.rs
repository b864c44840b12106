//! The Stripe adapter against a local server playing Stripe: the exact requests it sends (form
//! pairs, headers, idempotency keys), and how Stripe's answers and failures map to the port's
//! errors. The answers are Stripe's own fixtures (stripe/openapi `fixtures3.json`) and error
//! bodies as Stripe sent them.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use portal_domain::payments::{CheckoutRequest, Payments, ProcessorError, RefundRequest};
use portal_domain::profile::Language;
use portal_store::stripe::{STRIPE_VERSION, StripeConfig, StripePayments};
use serde_json::Value;

const SECRET: &str = "sk_test_51PortalNotARealKey000000000000";
const PAYMENT_ID: &str = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

/// `resources["checkout.session"]` of stripe/openapi `fixtures3.json` (the fields we may read).
const SESSION: &str = r#"{
  "id": "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY",
  "object": "checkout.session",
  "amount_subtotal": null,
  "amount_total": null,
  "cancel_url": "https://example.com/cancel",
  "client_reference_id": null,
  "created": 1234567890,
  "currency": null,
  "customer": null,
  "customer_email": null,
  "expires_at": 1234567890,
  "livemode": false,
  "locale": null,
  "metadata": {},
  "mode": "payment",
  "payment_intent": "pi_1PgafyB7WZ01zgkWSjxsAJo3",
  "payment_method_types": ["card"],
  "payment_status": "unpaid",
  "status": "open",
  "success_url": "https://example.com/success",
  "url": "https://checkout.stripe.com/pay/c/cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY"
}"#;

/// `resources.refund` of stripe/openapi `fixtures3.json`.
const REFUND: &str = r#"{
  "amount": 100, "balance_transaction": null, "charge": "ch_1PgafuB7WZ01zgkWXYmPNZs8",
  "created": 1234567890, "currency": "usd",
  "destination_details": { "card": { "type": "reversal" }, "type": "card" },
  "id": "re_1Pgc72B7WZ01zgkWqPvrRrPE", "metadata": {}, "object": "refund",
  "payment_intent": null, "reason": null, "receipt_number": null,
  "source_transfer_reversal": null, "status": "succeeded", "transfer_reversal": null,
  "customer": null, "customer_account": null, "payment_method": null
}"#;

/// A card decline as Stripe answered it (HTTP 402, invoiceninja/invoiceninja#2054).
const CARD_DECLINED: &str = r#"{"error":{"code":"card_declined","decline_code":"generic_decline","doc_url":"https://stripe.com/docs/error-codes/card-declined","message":"Your card was declined.","param":"","type":"card_error"}}"#;

/// A key reused with other parameters (HTTP 400, stripe/stripe-ruby#503).
const KEY_REUSED: &str = r#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' if you meant to execute a different request."}}"#;

/// A key still in use by a concurrent request (HTTP 409, stripe/stripe-ruby#431).
const KEY_IN_USE: &str = r#"{"error":{"type":"invalid_request_error","code":"idempotency_key_in_use","message":"There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b. Please try again later."}}"#;

/// One request the fake Stripe received.
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    form: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
    }

    fn sorted_form(&self) -> Vec<(String, String)> {
        let mut form = self.form.clone();
        form.sort();
        form
    }
}

/// A server on a free loopback port that records every request and answers `status` and `body`.
struct FakeStripe {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeStripe {
    async fn answering(status: StatusCode, body: &str) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let body = body.to_owned();
        let app = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, form: Bytes| {
            let (record, body) = (record.clone(), body.clone());
            async move {
                let form = form_urlencoded::parse(&form).into_owned().collect();
                record.lock().expect("lock").push(Seen { method, path: uri.path().to_owned(), headers, form });
                (status, [("content-type", "application/json")], body)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Self { base, seen }
    }

    fn client(&self) -> StripePayments {
        client_of(&self.base)
    }

    fn requests(&self) -> std::sync::MutexGuard<'_, Vec<Seen>> {
        self.seen.lock().expect("lock")
    }
}

fn client_of(base: &str) -> StripePayments {
    StripePayments::new(StripeConfig { secret_key: SECRET.into(), api_base: base.into() }).expect("client")
}

fn checkout(language: Language, items: &[(&str, u64)]) -> CheckoutRequest {
    CheckoutRequest {
        payment_id: PAYMENT_ID.into(),
        application_id: "app-7".into(),
        application_number: Some("A-2026-000123".into()),
        items: items.iter().map(|(name, cents)| ((*name).to_owned(), *cents)).collect(),
        language,
        success_url: format!("https://portal.example/applications/app-7?payment={PAYMENT_ID}"),
        cancel_url: format!("https://portal.example/applications/app-7?payment={PAYMENT_ID}&cancelled=1"),
        expires_at: 1_800_001_800,
    }
}

fn refund() -> RefundRequest {
    RefundRequest {
        refund_id: "0199a1b3-0000-7000-8000-000000000001".into(),
        payment_id: PAYMENT_ID.into(),
        reference: "pi_1PgafyB7WZ01zgkWSjxsAJo3".into(),
        amount_cents: 8500,
    }
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    pairs.sort();
    pairs
}

#[tokio::test]
async fn a_checkout_posts_every_field_under_the_payment_id_and_returns_the_session() {
    // GIVEN Stripe answering its Checkout Session fixture
    let stripe = FakeStripe::answering(StatusCode::OK, SESSION).await;

    // WHEN two fees are sent for checkout in English
    let request = checkout(Language::En, &[("Application fee", 8500), ("Biometrics fee", 8500)]);
    let opened = stripe.client().create_checkout(&request).await.expect("checkout");

    // THEN the session's id and url come back
    let fixture: Value = serde_json::from_str(SESSION).expect("fixture");
    assert_eq!(opened.id, fixture["id"].as_str().expect("id"));
    assert_eq!(opened.url, fixture["url"].as_str().expect("url"));
    // AND exactly one form-encoded POST carried the key, the version and the payment id as key
    let requests = stripe.requests();
    let [seen] = requests.as_slice() else { panic!("one request, got {}", requests.len()) };
    assert_eq!(seen.method, Method::POST);
    assert_eq!(seen.path, "/v1/checkout/sessions");
    assert_eq!(seen.header("content-type"), "application/x-www-form-urlencoded");
    assert_eq!(seen.header("authorization"), format!("Bearer {SECRET}"));
    assert_eq!(seen.header("idempotency-key"), PAYMENT_ID);
    assert_eq!(seen.header("stripe-version"), STRIPE_VERSION);
    // AND the form holds these pairs and nothing else
    let success_url = request.success_url.as_str();
    let cancel_url = request.cancel_url.as_str();
    assert_eq!(
        seen.sorted_form(),
        pairs(&[
            ("mode", "payment"),
            ("line_items[0][price_data][currency]", "cad"),
            ("line_items[0][price_data][unit_amount]", "8500"),
            ("line_items[0][price_data][product_data][name]", "Application fee"),
            ("line_items[0][quantity]", "1"),
            ("line_items[1][price_data][currency]", "cad"),
            ("line_items[1][price_data][unit_amount]", "8500"),
            ("line_items[1][price_data][product_data][name]", "Biometrics fee"),
            ("line_items[1][quantity]", "1"),
            ("success_url", success_url),
            ("cancel_url", cancel_url),
            ("client_reference_id", PAYMENT_ID),
            ("metadata[paymentId]", PAYMENT_ID),
            ("metadata[applicationId]", "app-7"),
            ("payment_intent_data[metadata][paymentId]", PAYMENT_ID),
            ("payment_intent_data[metadata][applicationId]", "app-7"),
            ("locale", "en"),
            ("expires_at", "1800001800"),
            ("payment_method_types[0]", "card"),
        ])
    );
}

#[tokio::test]
async fn the_same_payment_sent_twice_carries_the_same_idempotency_key() {
    let stripe = FakeStripe::answering(StatusCode::OK, SESSION).await;
    let client = stripe.client();
    let request = checkout(Language::En, &[("Application fee", 8500)]);

    client.create_checkout(&request).await.expect("first");
    client.create_checkout(&request).await.expect("second");

    let requests = stripe.requests();
    let keys: Vec<&str> = requests.iter().map(|seen| seen.header("idempotency-key")).collect();
    assert_eq!(keys, [PAYMENT_ID, PAYMENT_ID]);
    assert_eq!(requests[0].form, requests[1].form, "a replay must carry the same parameters");
}

#[tokio::test]
async fn a_french_payer_gets_canadian_french_checkout() {
    let stripe = FakeStripe::answering(StatusCode::OK, SESSION).await;

    stripe.client().create_checkout(&checkout(Language::Fr, &[("Frais de demande", 8500)])).await.expect("checkout");

    let requests = stripe.requests();
    let locales: Vec<&str> =
        requests[0].form.iter().filter(|(key, _)| key == "locale").map(|(_, value)| value.as_str()).collect();
    assert_eq!(locales, ["fr-CA"]);
}

#[tokio::test]
async fn names_with_accents_and_form_delimiters_arrive_exactly() {
    let stripe = FakeStripe::answering(StatusCode::OK, SESSION).await;
    let name = "Frais d'étude & de traitement = 100 % + « biométrie »?";

    stripe.client().create_checkout(&checkout(Language::Fr, &[(name, 8500)])).await.expect("checkout");

    let requests = stripe.requests();
    let names: Vec<&str> = requests[0]
        .form
        .iter()
        .filter(|(key, _)| key == "line_items[0][price_data][product_data][name]")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(names, [name]);
    assert_eq!(requests[0].form.len(), 15, "no pair split at `&` or `=`");
}

#[tokio::test]
async fn a_refund_posts_the_payment_intent_amount_and_reason_under_the_refund_id() {
    // GIVEN Stripe answering its Refund fixture
    let stripe = FakeStripe::answering(StatusCode::OK, REFUND).await;
    let request = refund();

    // WHEN part of a payment is refunded
    let started = stripe.client().refund(&request).await.expect("refund");

    // THEN the refund's id comes back, from one POST under the refund id
    assert_eq!(started.id, "re_1Pgc72B7WZ01zgkWqPvrRrPE");
    let requests = stripe.requests();
    let [seen] = requests.as_slice() else { panic!("one request, got {}", requests.len()) };
    assert_eq!(seen.method, Method::POST);
    assert_eq!(seen.path, "/v1/refunds");
    assert_eq!(seen.header("content-type"), "application/x-www-form-urlencoded");
    assert_eq!(seen.header("authorization"), format!("Bearer {SECRET}"));
    assert_eq!(seen.header("idempotency-key"), request.refund_id);
    assert_eq!(seen.header("stripe-version"), STRIPE_VERSION);
    assert_eq!(
        seen.sorted_form(),
        pairs(&[
            ("payment_intent", "pi_1PgafyB7WZ01zgkWSjxsAJo3"),
            ("amount", "8500"),
            ("reason", "requested_by_customer"),
            ("metadata[refundId]", &request.refund_id),
            ("metadata[paymentId]", PAYMENT_ID),
        ])
    );
}

#[tokio::test]
async fn a_card_error_is_refused_with_stripes_type_code_and_message() {
    let stripe = FakeStripe::answering(StatusCode::PAYMENT_REQUIRED, CARD_DECLINED).await;

    let error = stripe.client().refund(&refund()).await.expect_err("declined");

    let ProcessorError::Refused(detail) = error else { panic!("refused, got {error:?}") };
    assert!(detail.contains("402"), "{detail}");
    assert!(detail.contains("card_error/card_declined: Your card was declined."), "{detail}");
}

#[tokio::test]
async fn a_key_reused_with_other_parameters_is_refused() {
    let stripe = FakeStripe::answering(StatusCode::BAD_REQUEST, KEY_REUSED).await;

    let error = stripe.client().create_checkout(&checkout(Language::En, &[("Fee", 100)])).await.expect_err("reused");

    let ProcessorError::Refused(detail) = error else { panic!("refused, got {error:?}") };
    assert!(detail.contains("400 Bad Request idempotency_error/-: Keys for idempotent requests"), "{detail}");
}

#[tokio::test]
async fn answers_worth_retrying_are_unavailable() {
    let answers = [
        (StatusCode::CONFLICT, KEY_IN_USE),
        (StatusCode::TOO_MANY_REQUESTS, r#"{"error":{"type":"invalid_request_error","code":"rate_limit"}}"#),
        (StatusCode::INTERNAL_SERVER_ERROR, r#"{"error":{"type":"api_error","message":"Internal error"}}"#),
        (StatusCode::BAD_GATEWAY, "<html>Bad gateway</html>"),
    ];
    for (status, body) in answers {
        let stripe = FakeStripe::answering(status, body).await;

        let error = stripe.client().create_checkout(&checkout(Language::En, &[("Fee", 100)])).await.expect_err("fails");

        let ProcessorError::Unavailable(detail) = error else { panic!("{status}: unavailable, got {error:?}") };
        assert!(detail.contains(status.as_str()), "{detail}");
    }
}

#[tokio::test]
async fn an_answer_over_a_mebibyte_is_not_read() {
    let stripe = FakeStripe::answering(StatusCode::OK, &" ".repeat(2 << 20)).await;

    let error = stripe.client().refund(&refund()).await.expect_err("too long");

    let ProcessorError::Unavailable(detail) = error else { panic!("unavailable, got {error:?}") };
    assert!(detail.contains("the answer could not be read"), "{detail}");
}

#[tokio::test]
async fn an_unreachable_stripe_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);

    let error = client_of(&base).refund(&refund()).await.expect_err("no server");

    assert!(matches!(error, ProcessorError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn the_secret_key_is_in_no_error_and_no_debug_text() {
    // Stripe masks a key it quotes; this answer does not, to show ours is masked anyway.
    let quoting =
        format!(r#"{{"error":{{"type":"invalid_request_error","message":"Invalid API Key provided: {SECRET}"}}}}"#);
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("address"))
    };
    let mut errors = Vec::new();
    for (status, body) in [
        (StatusCode::UNAUTHORIZED, quoting.as_str()),
        (StatusCode::PAYMENT_REQUIRED, CARD_DECLINED),
        (StatusCode::CONFLICT, KEY_IN_USE),
        (StatusCode::INTERNAL_SERVER_ERROR, "{}"),
        (StatusCode::OK, "{}"),
    ] {
        let stripe = FakeStripe::answering(status, body).await;
        errors.push(stripe.client().refund(&refund()).await.expect_err("fails"));
    }
    errors.push(client_of(&unreachable).refund(&refund()).await.expect_err("no server"));

    for error in &errors {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(SECRET), "{text}");
        }
    }
    assert!(errors[0].to_string().contains("Invalid API Key provided: [redacted]"), "{}", errors[0]);
    let config = StripeConfig { secret_key: SECRET.into(), api_base: unreachable.clone() };
    assert!(!format!("{config:?}").contains(SECRET));
    assert!(!format!("{:?}", client_of(&unreachable)).contains(SECRET));
}

#[test]
fn plain_http_is_refused_except_to_a_test_server_on_this_machine() {
    for base in ["http://api.stripe.com", "http://10.0.0.1:8080", "api.stripe.com"] {
        let config = StripeConfig { secret_key: SECRET.into(), api_base: base.into() };
        assert!(StripePayments::new(config).is_err(), "{base}");
    }
}
