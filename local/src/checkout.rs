//! The local test gateway: the payment processor of local mode, so `make run` can pay. It plays
//! Stripe Checkout: a hosted checkout page (`/checkout/{id}`, in the payer's language) where
//! Stripe's test cards behave as Stripe documents them — `4242 4242 4242 4242` pays,
//! `4000 0000 0000 0002` is declined, `4000 0000 0000 9995` is declined for insufficient funds —
//! and, once paid, a `checkout.session.completed` event signed with Stripe's scheme, posted to
//! the portal's own webhook route (retried on failure, as Stripe retries), so one code path
//! fulfils payments in both modes. Refunds are accepted at once and confirmed by an event.
//!
//! Checkouts live in memory: a restart forgets them (the payment's checkout then expires).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Path, State};
use axum::http::{Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use portal_domain::clock::Clock;
use portal_domain::payments::signature;
use portal_domain::payments::{
    Checkout, CheckoutRequest, Payments, ProcessorError, RefundRequest, RefundStarted, checkout_locale,
};
use portal_domain::profile::Language;
use portal_domain::receipts::money;
use serde::Deserialize;
use serde_json::json;
use tower::ServiceExt as _;

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

/// The checkout pages.
pub fn router(gateway: Arc<LocalGateway>) -> Router {
    Router::new().route("/checkout/{id}", get(page).post(pay)).with_state(gateway)
}

/// What the payer types.
#[derive(Deserialize)]
struct Card {
    number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
}

/// Why a card was refused, as Stripe's test cards are.
#[derive(Clone, Copy)]
enum Refusal {
    Declined,
    InsufficientFunds,
    Incomplete,
    UnknownCard,
}

async fn page(State(gateway): State<Arc<LocalGateway>>, Path(id): Path<String>) -> Response {
    match gateway.open_session(&id).await {
        Some(session) => Html(render(&session, None)).into_response(),
        None => (StatusCode::NOT_FOUND, Html(expired_page())).into_response(),
    }
}

async fn pay(State(gateway): State<Arc<LocalGateway>>, Path(id): Path<String>, Form(card): Form<Card>) -> Response {
    let Some(session) = gateway.open_session(&id).await else {
        return (StatusCode::NOT_FOUND, Html(expired_page())).into_response();
    };
    if session.paid {
        return Redirect::to(&session.request.success_url).into_response();
    }
    let digits: String = card.number.chars().filter(char::is_ascii_digit).collect();
    let refusal = match digits.as_str() {
        _ if card.expiry.trim().is_empty() || card.cvc.trim().is_empty() => Some(Refusal::Incomplete),
        "4242424242424242" => None,
        "4000000000000002" => Some(Refusal::Declined),
        "4000000000009995" => Some(Refusal::InsufficientFunds),
        _ => Some(Refusal::UnknownCard),
    };
    if let Some(refusal) = refusal {
        return (StatusCode::PAYMENT_REQUIRED, Html(render(&session, Some(refusal)))).into_response();
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
    Redirect::to(&session.request.success_url).into_response()
}

/// The page's texts in `language`.
struct Texts {
    lang: &'static str,
    title: &'static str,
    intro: &'static str,
    application: &'static str,
    total: &'static str,
    number: &'static str,
    expiry: &'static str,
    cvc: &'static str,
    pay: &'static str,
    cancel: &'static str,
    test_cards: &'static str,
}

fn texts(language: Language) -> Texts {
    match language {
        Language::En => Texts {
            lang: "en",
            title: "Pay your fees",
            intro: "Test payment page of the local portal: no real card is charged.",
            application: "Application",
            total: "Total",
            number: "Card number",
            expiry: "Expiry (MM/YY)",
            cvc: "Security code (CVC)",
            pay: "Pay",
            cancel: "Cancel and return to your application",
            test_cards: "Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; \
                         4000 0000 0000 9995 is declined for insufficient funds.",
        },
        Language::Fr => Texts {
            lang: "fr",
            title: "Payer vos frais",
            intro: "Page de paiement d’essai du portail local : aucune vraie carte n’est débitée.",
            application: "Demande",
            total: "Total",
            number: "Numéro de carte",
            expiry: "Date d’expiration (MM/AA)",
            cvc: "Code de sécurité (CVC)",
            pay: "Payer",
            cancel: "Annuler et revenir à votre demande",
            test_cards: "Cartes d’essai : 4242 4242 4242 4242 paie; 4000 0000 0000 0002 est refusée; \
                         4000 0000 0000 9995 est refusée pour fonds insuffisants.",
        },
    }
}

fn refusal_text(refusal: Refusal, language: Language) -> &'static str {
    match (refusal, language) {
        (Refusal::Declined, Language::En) => "Your card was declined. Try another card.",
        (Refusal::Declined, Language::Fr) => "Votre carte a été refusée. Essayez une autre carte.",
        (Refusal::InsufficientFunds, Language::En) => "Your card has insufficient funds. Try another card.",
        (Refusal::InsufficientFunds, Language::Fr) => {
            "Votre carte n’a pas les fonds suffisants. Essayez une autre carte."
        }
        (Refusal::Incomplete, Language::En) => "Enter the card number, its expiry date and its security code.",
        (Refusal::Incomplete, Language::Fr) => {
            "Entrez le numéro de carte, sa date d’expiration et son code de sécurité."
        }
        (Refusal::UnknownCard, Language::En) => "This test page accepts only the test cards listed below.",
        (Refusal::UnknownCard, Language::Fr) => "Cette page d’essai n’accepte que les cartes d’essai ci-dessous.",
    }
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn render(session: &Session, refusal: Option<Refusal>) -> String {
    let language = session.request.language;
    let t = texts(language);
    let rows: String = session
        .request
        .items
        .iter()
        .map(|(name, cents)| {
            format!("<tr><th scope=\"row\">{}</th><td>{}</td></tr>", escape(name), money(*cents, language))
        })
        .collect();
    let number = session
        .request
        .application_number
        .as_deref()
        .map_or(String::new(), |number| format!("<p>{} {}</p>", t.application, escape(number)));
    let error = refusal.map_or(String::new(), |refusal| {
        format!("<div class=\"error\" role=\"alert\" id=\"error\"><p>{}</p></div>", refusal_text(refusal, language))
    });
    let described = if refusal.is_some() { " aria-describedby=\"error\" aria-invalid=\"true\"" } else { "" };
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "Noto Sans", Arial, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #333; line-height: 1.5; }}
h1 {{ font-family: Lato, Arial, sans-serif; border-bottom: 3px solid #af3c43; padding-bottom: .25rem; }}
table {{ width: 100%; border-collapse: collapse; }} th, td {{ text-align: left; padding: .25rem 0; border-bottom: 1px solid #ccc; }}
td {{ text-align: right; }} label {{ display: block; font-weight: bold; margin-top: 1rem; }}
input {{ font-size: 1.1rem; padding: .4rem; width: 100%; box-sizing: border-box; border: 2px solid #333; }}
input:focus, button:focus, a:focus {{ outline: 3px solid #0535d2; outline-offset: 2px; }}
button {{ margin-top: 1.5rem; font-size: 1.1rem; padding: .6rem 1.5rem; background: #26374a; color: #fff; border: 0; cursor: pointer; }}
.error {{ border-left: 6px solid #d3080c; padding: .25rem 1rem; background: #f3e9e8; }}
.note {{ font-size: .9rem; color: #555; }}
</style></head>
<body><main>
<h1>{title}</h1>
<p class="note">{intro}</p>
{number}
{error}
<table><tbody>{rows}</tbody><tfoot><tr><th scope="row">{total_label}</th><td><strong>{total}</strong></td></tr></tfoot></table>
<form method="post" action="/checkout/{id}">
<label for="number">{number_label}</label>
<input id="number" name="number" inputmode="numeric" autocomplete="cc-number" required{described}>
<label for="expiry">{expiry}</label>
<input id="expiry" name="expiry" autocomplete="cc-exp" required>
<label for="cvc">{cvc}</label>
<input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" required>
<button type="submit">{pay} {total}</button>
</form>
<p><a href="{cancel_url}">{cancel}</a></p>
<p class="note">{test_cards}</p>
</main></body></html>"#,
        lang = t.lang,
        title = t.title,
        intro = t.intro,
        total_label = t.total,
        total = money(session.total(), language),
        id = escape(&session.id),
        number_label = t.number,
        expiry = t.expiry,
        cvc = t.cvc,
        pay = t.pay,
        cancel_url = escape(&session.request.cancel_url),
        cancel = t.cancel,
        test_cards = t.test_cards,
    )
}

fn expired_page() -> String {
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Checkout ended / Paiement terminé</title>\
     </head><body><main><h1>This checkout has ended</h1><p><a href=\"/\">Return to your account</a></p>\
     <h1 lang=\"fr\">Ce paiement est terminé</h1><p lang=\"fr\"><a href=\"/\">Revenir à votre compte</a></p>\
     </main></body></html>"
        .to_owned()
}
