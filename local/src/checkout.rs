//! The local test gateway: the payment processor of local mode, so `make run` can pay. It plays
//! Stripe Checkout: a hosted checkout page (`/checkout/{id}`: the web app's `checkout.html`, in
//! the GC Design System and the payer's language) where Stripe's test cards behave as Stripe
//! documents them — `4242 4242 4242 4242` pays, `4000 0000 0000 0002` is declined,
//! `4000 0000 0000 9995` is declined for insufficient funds, `…0069` has expired, `…0127` has a
//! wrong security code, `…0119` meets a processing error. Each refused attempt is reported by a
//! `payment_intent.payment_failed` event, and a paid checkout by `checkout.session.completed`,
//! signed with Stripe's scheme and posted to the portal's own webhook route (retried on failure,
//! as Stripe retries), so one code path handles events in both modes. Refunds are accepted at
//! once and confirmed by an event.
//!
//! Checkouts live in memory: a restart forgets them (the payment's checkout then expires).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use async_trait::async_trait;
use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, get_service};
use portal_domain::clock::Clock;
use portal_domain::payments::signature;
use portal_domain::payments::{
    Checkout, CheckoutRequest, DeclineReason, Payments, ProcessorError, RefundRequest, RefundStarted, checkout_locale,
};
use portal_domain::profile::Language;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

/// Where the webhook goes (the route Stripe is configured to call in AWS).
const WEBHOOK_PATH: &str = "/api/payments/webhook";

/// How often a delivery is tried before the gateway gives up.
const DELIVERY_ATTEMPTS: u32 = 5;

/// One checkout.
#[derive(Clone, Debug)]
struct Session {
    id: String,
    request: CheckoutRequest,
    intent: String,
    paid: bool,
}

impl Session {
    fn total(&self) -> u64 {
        self.request.items.iter().map(|(_, cents)| cents).sum()
    }

    /// The Checkout Session object of Stripe's events.
    fn object(&self, status: &str, payment_status: &str) -> serde_json::Value {
        let request = &self.request;
        json!({
            "id": self.id,
            "object": "checkout.session",
            "amount_subtotal": self.total(),
            "amount_total": self.total(),
            "cancel_url": request.cancel_url,
            "client_reference_id": request.payment_id,
            "currency": "cad",
            "expires_at": request.expires_at,
            "livemode": false,
            "locale": checkout_locale(request.language),
            "metadata": {"paymentId": request.payment_id, "applicationId": request.application_id},
            "mode": "payment",
            "payment_intent": self.intent,
            "payment_method_types": ["card"],
            "payment_status": payment_status,
            "status": status,
            "success_url": request.success_url,
            "url": null,
        })
    }

    /// The PaymentIntent of Stripe's `payment_intent.payment_failed` event, refused for `reason`
    /// (the card error Stripe's matching test card gives).
    fn failed_intent(&self, reason: DeclineReason) -> serde_json::Value {
        let (code, decline_code) = match reason {
            DeclineReason::Declined => ("card_declined", Some("generic_decline")),
            DeclineReason::InsufficientFunds => ("card_declined", Some("insufficient_funds")),
            DeclineReason::ExpiredCard => ("expired_card", None),
            DeclineReason::IncorrectCvc => ("incorrect_cvc", None),
            DeclineReason::ProcessingError => ("processing_error", None),
        };
        json!({
            "id": self.intent,
            "object": "payment_intent",
            "amount": self.total(),
            "currency": "cad",
            "last_payment_error": {"type": "card_error", "code": code, "decline_code": decline_code},
            "livemode": false,
            "metadata": {"paymentId": self.request.payment_id, "applicationId": self.request.application_id},
            "status": "requires_payment_method",
        })
    }
}

/// The local test gateway.
pub struct LocalGateway {
    sessions: Mutex<HashMap<String, Session>>,
    secret: String,
    clock: Arc<dyn Clock>,
    /// The API, held weakly: the API holds this gateway (through the payments area), and a
    /// strong reference back would keep both, and the store under them, alive forever.
    api: OnceLock<Weak<Router>>,
}

impl LocalGateway {
    /// A gateway signing its events with `secret` (the webhook route's secret).
    pub fn new(secret: String, clock: Arc<dyn Clock>) -> Self {
        Self { sessions: Mutex::default(), secret, clock, api: OnceLock::new() }
    }

    /// Where its events go: the portal's API (set once it is built; whoever serves the API
    /// holds it).
    pub fn deliver_to(&self, api: &Arc<Router>) {
        let _ = self.api.set(Arc::downgrade(api));
    }

    /// The checkout `id` while it may be paid (or was paid). Past its expiry it ends, as
    /// Stripe's do: forgotten, and a `checkout.session.expired` event sent.
    async fn open_session(&self, id: &str) -> Option<Session> {
        let session = self.sessions.lock().expect("sessions").get(id).cloned()?;
        if session.paid || self.clock.now() < session.request.expires_at {
            return Some(session);
        }
        self.sessions.lock().expect("sessions").remove(id);
        self.deliver("checkout.session.expired", session.object("expired", "unpaid")).await;
        None
    }

    /// Posts a signed event to the webhook route until it is accepted (a few tries, backing
    /// off as Stripe does); `false` when it never was.
    async fn deliver(&self, kind: &str, object: serde_json::Value) -> bool {
        let Some(api) = self.api.get().cloned() else { return false };
        deliver(api, &self.secret, self.clock.as_ref(), kind, object).await
    }
}

/// Posts the event `kind` about `object`, signed with `secret`, to the API's webhook route.
async fn deliver(api: Weak<Router>, secret: &str, clock: &dyn Clock, kind: &str, object: serde_json::Value) -> bool {
    let Some(api) = api.upgrade() else { return false };
    let event = json!({
        "id": format!("evt_local_{}", uuid::Uuid::new_v4().simple()),
        "object": "event",
        "api_version": "2026-07-29.dahlia",
        "created": clock.now(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
        "data": {"object": object},
    })
    .to_string();
    for attempt in 0..DELIVERY_ATTEMPTS {
        let signed = signature::sign(event.as_bytes(), secret, clock.now());
        let request = Request::post(WEBHOOK_PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .header(signature::HEADER, signed)
            .body(Body::from(event.clone()))
            .expect("a valid request");
        match Router::clone(&api).oneshot(request).await {
            Ok(response) if response.status().is_success() => return true,
            outcome => {
                let status = outcome.map(|response| response.status().as_u16()).unwrap_or_default();
                tracing::warn!(kind, attempt, status, "webhook delivery refused; retrying");
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
        }
    }
    false
}

#[async_trait]
impl Payments for LocalGateway {
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<Checkout, ProcessorError> {
        let mut sessions = self.sessions.lock().expect("sessions");
        // The payment id is the idempotency key: the same payment gets the same checkout.
        if let Some(session) = sessions.values().find(|s| s.request.payment_id == request.payment_id) {
            return Ok(Checkout { id: session.id.clone(), url: format!("/checkout/{}", session.id) });
        }
        let id = format!("cs_test_local_{}", uuid::Uuid::new_v4().simple());
        let intent = format!("pi_local_{}", uuid::Uuid::new_v4().simple());
        sessions.insert(id.clone(), Session { id: id.clone(), request: request.clone(), intent, paid: false });
        Ok(Checkout { url: format!("/checkout/{id}"), id })
    }

    /// Accepted at once, and confirmed by a `refund.updated` event a moment later (the refund is
    /// recorded by then), as Stripe confirms card refunds.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundStarted, ProcessorError> {
        let id = format!("re_local_{}", request.refund_id.replace('-', ""));
        let object = json!({
            "id": id,
            "object": "refund",
            "amount": request.amount_cents,
            "currency": "cad",
            "payment_intent": request.reference,
            "reason": "requested_by_customer",
            "status": "succeeded",
            "metadata": {"paymentId": request.payment_id, "refundId": request.refund_id},
        });
        if let Some(api) = self.api.get().cloned() {
            let (secret, clock) = (self.secret.clone(), Arc::clone(&self.clock));
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                deliver(api, &secret, clock.as_ref(), "refund.updated", object).await
            });
        }
        Ok(RefundStarted { id })
    }
}

/// The checkout page (the web app's `checkout.html`, in `frontend_dir`) and what it asks the
/// gateway: the session it shows and the card it tries.
pub fn router(gateway: Arc<LocalGateway>, frontend_dir: &std::path::Path) -> Router {
    let shell = get_service(ServeFile::new(frontend_dir.join("checkout.html")));
    Router::new()
        .route("/checkout/{id}", shell.post(pay))
        .route("/checkout/{id}/session", get(session))
        .with_state(gateway)
}

/// What the payer types.
#[derive(Deserialize)]
struct Card {
    #[serde(default)]
    number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
}

/// Why a card was refused: as Stripe's test cards are, or the form's own checks.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(untagged)]
enum Refusal {
    Declined(DeclineReason),
    Checked(FormRefusal),
}

#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
enum FormRefusal {
    /// A field is empty.
    Incomplete,
    /// Not one of the test cards.
    UnknownCard,
}

/// Stripe's test cards (their documented numbers and outcomes): `None` pays.
fn outcome(card: &Card) -> Option<Refusal> {
    if card.expiry.trim().is_empty() || card.cvc.trim().is_empty() {
        return Some(Refusal::Checked(FormRefusal::Incomplete));
    }
    let digits: String = card.number.chars().filter(char::is_ascii_digit).collect();
    let declined = |code, decline_code| Some(Refusal::Declined(DeclineReason::from_stripe(Some(code), decline_code)));
    match digits.as_str() {
        "4242424242424242" => None,
        "4000000000000002" => declined("card_declined", Some("generic_decline")),
        "4000000000009995" => declined("card_declined", Some("insufficient_funds")),
        "4000000000000069" => declined("expired_card", None),
        "4000000000000127" => declined("incorrect_cvc", None),
        "4000000000000119" => declined("processing_error", None),
        _ => Some(Refusal::Checked(FormRefusal::UnknownCard)),
    }
}

/// What the page shows of an open checkout.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionView {
    language: Language,
    application_number: Option<String>,
    items: Vec<ItemView>,
    total_cents: u64,
    cancel_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemView {
    name: String,
    amount_cents: u64,
}

/// What the page is told once the card was tried.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Tried {
    /// Paid: where the payer goes now.
    ReturnUrl(String),
    /// Refused.
    Refusal(Refusal),
}

async fn session(State(gateway): State<Arc<LocalGateway>>, Path(id): Path<String>) -> Response {
    let Some(session) = gateway.open_session(&id).await else { return StatusCode::NOT_FOUND.into_response() };
    let request = &session.request;
    Json(SessionView {
        language: request.language,
        application_number: request.application_number.clone(),
        items: request
            .items
            .iter()
            .map(|(name, cents)| ItemView { name: name.clone(), amount_cents: *cents })
            .collect(),
        total_cents: session.total(),
        cancel_url: request.cancel_url.clone(),
    })
    .into_response()
}

async fn pay(State(gateway): State<Arc<LocalGateway>>, Path(id): Path<String>, Json(card): Json<Card>) -> Response {
    let Some(session) = gateway.open_session(&id).await else { return StatusCode::NOT_FOUND.into_response() };
    let paid = Json(Tried::ReturnUrl(session.request.success_url.clone()));
    if session.paid {
        return paid.into_response();
    }
    match outcome(&card) {
        None => {}
        Some(refusal @ Refusal::Declined(reason)) => {
            // Stripe reports each refused attempt; the payment records why, for the payer's return.
            gateway.deliver("payment_intent.payment_failed", session.failed_intent(reason)).await;
            return (StatusCode::PAYMENT_REQUIRED, Json(Tried::Refusal(refusal))).into_response();
        }
        Some(refusal) => return (StatusCode::PAYMENT_REQUIRED, Json(Tried::Refusal(refusal))).into_response(),
    }
    if let Some(held) = gateway.sessions.lock().expect("sessions").get_mut(&id) {
        held.paid = true;
    }
    // Delivered before the payer is sent back, so the application shows the payment at once.
    let object = session.object("complete", "paid");
    if !gateway.deliver("checkout.session.completed", object.clone()).await {
        // Stripe keeps retrying for days; so does this gateway, in the background.
        tokio::spawn(async move {
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_secs(30)).await;
                if gateway.deliver("checkout.session.completed", object.clone()).await {
                    break;
                }
            }
        });
    }
    paid.into_response()
}
