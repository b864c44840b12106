//! What a processor's webhook event says, read from Stripe's event JSON (the local test gateway
//! writes the same shapes): an `event` object whose `data.object` is a Checkout Session for
//! `checkout.session.*` types (a Refund for `refund.*`, a PaymentIntent for
//! `payment_intent.payment_failed`). Only the fields fulfilment needs are read; any other event type
//! is `Other` (acknowledged, ignored), as Stripe sends every type an endpoint subscribes to.

use schemars::JsonSchema;
use serde::Deserialize;

use super::DeclineReason;

/// An event, as far as payments are concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProcessorEvent {
    /// A checkout was paid (`checkout.session.completed` with `payment_status: paid`, or
    /// `checkout.session.async_payment_succeeded`).
    CheckoutPaid {
        /// Our payment id (`client_reference_id`).
        payment_id: String,
        /// `amount_total`, in minor units.
        amount: Option<u64>,
        /// `currency`.
        currency: Option<String>,
        /// The charge (`payment_intent`), what a refund names.
        reference: Option<String>,
    },
    /// A checkout completed but its delayed payment method has not paid yet: nothing to do
    /// until `async_payment_succeeded` or `…_failed`.
    CheckoutAwaitingPayment,
    /// A checkout ended unpaid: `checkout.session.expired`.
    CheckoutExpired {
        /// Our payment id.
        payment_id: String,
    },
    /// A delayed payment failed: `checkout.session.async_payment_failed`.
    CheckoutFailed {
        /// Our payment id.
        payment_id: String,
    },
    /// A card tried on a checkout was refused (`payment_intent.payment_failed`, whose
    /// PaymentIntent carries our payment id in its metadata): the checkout stays open.
    AttemptDeclined {
        /// Our payment id (`metadata.paymentId`).
        payment_id: String,
        /// Why, from the intent's `last_payment_error`.
        reason: DeclineReason,
    },
    /// The processor settled a refund (`refund.created`, `refund.updated`, `refund.failed`
    /// whose refund is `succeeded`, `failed` or `canceled`; a `pending` one says nothing yet).
    RefundSettled {
        /// Our payment id (the refund's `metadata.paymentId`).
        payment_id: String,
        /// Our refund id (`metadata.refundId`).
        refund_id: String,
        /// Whether it went through.
        succeeded: bool,
    },
    /// Any other type, or a checkout or refund that is not ours (no reference of ours).
    Other,
}

/// The body is not an event.
#[derive(Debug, thiserror::Error)]
#[error("not a webhook event: {0}")]
pub struct NotAnEvent(String);

/// A processor's event as far as it is read: Stripe's `event` object (its other fields are
/// Stripe's to add, so none is refused).
#[derive(Deserialize, JsonSchema)]
pub struct Envelope {
    /// Always `event`.
    pub object: String,
    /// Its id (`evt_…`).
    pub id: String,
    /// What happened (`checkout.session.completed`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// What it is about.
    pub data: EventData,
}

/// The object an event is about.
#[derive(Deserialize, JsonSchema)]
pub struct EventData {
    /// A Checkout Session, for the `checkout.session.*` events.
    pub object: serde_json::Value,
}

#[derive(Deserialize)]
struct Session {
    object: String,
    client_reference_id: Option<String>,
    payment_status: Option<String>,
    amount_total: Option<u64>,
    currency: Option<String>,
    payment_intent: Option<serde_json::Value>,
}

impl ProcessorEvent {
    /// Reads a (verified) webhook body.
    pub fn parse(body: &[u8]) -> Result<Self, NotAnEvent> {
        let envelope: Envelope = serde_json::from_slice(body).map_err(|e| NotAnEvent(e.to_string()))?;
        if envelope.object != "event" {
            return Err(NotAnEvent(format!("object is {}", envelope.object)));
        }
        if envelope.kind.starts_with("refund.") {
            return refund(envelope.data.object);
        }
        if envelope.kind == "payment_intent.payment_failed" {
            return declined(envelope.data.object);
        }
        if !envelope.kind.starts_with("checkout.session.") {
            return Ok(ProcessorEvent::Other);
        }
        let session: Session =
            serde_json::from_value(envelope.data.object).map_err(|e| NotAnEvent(format!("session: {e}")))?;
        if session.object != "checkout.session" {
            return Err(NotAnEvent(format!("data.object is {}", session.object)));
        }
        let Some(payment_id) = session.client_reference_id else { return Ok(ProcessorEvent::Other) };
        // `payment_intent` is its id, or the object when expanded.
        let reference = match session.payment_intent {
            Some(serde_json::Value::String(id)) => Some(id),
            Some(serde_json::Value::Object(intent)) => intent.get("id").and_then(|id| id.as_str()).map(str::to_owned),
            _ => None,
        };
        let paid = ProcessorEvent::CheckoutPaid {
            payment_id: payment_id.clone(),
            amount: session.amount_total,
            currency: session.currency,
            reference,
        };
        Ok(match envelope.kind.as_str() {
            "checkout.session.completed" if session.payment_status.as_deref() == Some("paid") => paid,
            "checkout.session.completed" => ProcessorEvent::CheckoutAwaitingPayment,
            "checkout.session.async_payment_succeeded" => paid,
            "checkout.session.async_payment_failed" => ProcessorEvent::CheckoutFailed { payment_id },
            "checkout.session.expired" => ProcessorEvent::CheckoutExpired { payment_id },
            _ => ProcessorEvent::Other,
        })
    }
}

#[derive(Deserialize)]
struct IntentObject {
    object: String,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
    last_payment_error: Option<CardError>,
}

#[derive(Deserialize)]
struct CardError {
    code: Option<String>,
    decline_code: Option<String>,
}

/// A PaymentIntent's failed attempt.
fn declined(object: serde_json::Value) -> Result<ProcessorEvent, NotAnEvent> {
    let intent: IntentObject =
        serde_json::from_value(object).map_err(|e| NotAnEvent(format!("payment intent: {e}")))?;
    if intent.object != "payment_intent" {
        return Err(NotAnEvent(format!("data.object is {}", intent.object)));
    }
    let Some(payment_id) = intent.metadata.get("paymentId") else { return Ok(ProcessorEvent::Other) };
    let error = intent.last_payment_error.as_ref();
    let reason = DeclineReason::from_stripe(
        error.and_then(|e| e.code.as_deref()),
        error.and_then(|e| e.decline_code.as_deref()),
    );
    Ok(ProcessorEvent::AttemptDeclined { payment_id: payment_id.clone(), reason })
}

#[derive(Deserialize)]
struct RefundObject {
    object: String,
    status: Option<String>,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
}

/// A Refund object's event.
fn refund(object: serde_json::Value) -> Result<ProcessorEvent, NotAnEvent> {
    let refund: RefundObject = serde_json::from_value(object).map_err(|e| NotAnEvent(format!("refund: {e}")))?;
    if refund.object != "refund" {
        return Err(NotAnEvent(format!("data.object is {}", refund.object)));
    }
    let (Some(payment_id), Some(refund_id)) = (refund.metadata.get("paymentId"), refund.metadata.get("refundId"))
    else {
        return Ok(ProcessorEvent::Other);
    };
    let succeeded = match refund.status.as_deref() {
        Some("succeeded") => true,
        Some("failed" | "canceled") => false,
        _ => return Ok(ProcessorEvent::Other),
    };
    Ok(ProcessorEvent::RefundSettled { payment_id: payment_id.clone(), refund_id: refund_id.clone(), succeeded })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// Stripe's Checkout Session fixture (stripe/openapi `fixtures3.json`, the fields it has
    /// that fulfilment reads or that sit beside them), completed and paid.
    fn session(payment_status: &str) -> Value {
        json!({
            "id": "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY",
            "object": "checkout.session",
            "amount_subtotal": 18500,
            "amount_total": 18500,
            "cancel_url": "https://example.com/cancel",
            "client_reference_id": "01938f4e-7c1a-7b3e-9d5e-6f1a2b3c4d5e",
            "created": 1234567890,
            "currency": "cad",
            "customer": null,
            "customer_email": null,
            "expires_at": 1234567890,
            "livemode": false,
            "locale": "fr",
            "metadata": {"applicationId": "0b0e5f0e-5c1a-4c3e-9d5e-6f1a2b3c4d5e"},
            "mode": "payment",
            "payment_intent": "pi_1PgafyB7WZ01zgkWSjxsAJo3",
            "payment_method_types": ["card"],
            "payment_status": payment_status,
            "status": "complete",
            "success_url": "https://example.com/success",
            "url": null
        })
    }

    /// Stripe's event envelope (fixtures3.json `event`) around `object`.
    fn event(kind: &str, object: Value) -> Vec<u8> {
        json!({
            "api_version": "2026-07-29.dahlia",
            "created": 1234567890,
            "data": {"object": object},
            "id": "evt_1Pgc76B7WZ01zgkWwyRHS12y",
            "livemode": false,
            "object": "event",
            "pending_webhooks": 1,
            "request": {"id": null, "idempotency_key": null},
            "type": kind
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_paid_checkout_names_our_payment_its_amount_currency_and_charge() {
        let paid = ProcessorEvent::CheckoutPaid {
            payment_id: "01938f4e-7c1a-7b3e-9d5e-6f1a2b3c4d5e".into(),
            amount: Some(18_500),
            currency: Some("cad".into()),
            reference: Some("pi_1PgafyB7WZ01zgkWSjxsAJo3".into()),
        };
        assert_eq!(
            ProcessorEvent::parse(&event("checkout.session.completed", session("paid"))).ok(),
            Some(paid.clone())
        );
        let later = event("checkout.session.async_payment_succeeded", session("paid"));
        assert_eq!(ProcessorEvent::parse(&later).ok(), Some(paid));
        let mut expanded = session("paid");
        expanded["payment_intent"] = json!({"id": "pi_x", "object": "payment_intent"});
        let parsed = ProcessorEvent::parse(&event("checkout.session.completed", expanded)).expect("event");
        assert!(matches!(parsed, ProcessorEvent::CheckoutPaid { reference: Some(r), .. } if r == "pi_x"));
    }

    #[test]
    fn unpaid_expired_failed_foreign_and_other_events_apply_no_payment() {
        let parse = |kind: &str, object: Value| ProcessorEvent::parse(&event(kind, object)).expect("event");
        assert_eq!(parse("checkout.session.completed", session("unpaid")), ProcessorEvent::CheckoutAwaitingPayment);
        let id = "01938f4e-7c1a-7b3e-9d5e-6f1a2b3c4d5e".to_owned();
        assert_eq!(
            parse("checkout.session.expired", session("unpaid")),
            ProcessorEvent::CheckoutExpired { payment_id: id.clone() }
        );
        assert_eq!(
            parse("checkout.session.async_payment_failed", session("unpaid")),
            ProcessorEvent::CheckoutFailed { payment_id: id }
        );
        let mut foreign = session("paid");
        foreign["client_reference_id"] = Value::Null;
        assert_eq!(parse("checkout.session.completed", foreign), ProcessorEvent::Other);
        let customer = json!({"id": "cus_123", "object": "customer"});
        assert_eq!(parse("customer.created", customer), ProcessorEvent::Other);
    }

    /// Stripe's Refund fixture (fixtures3.json `refund`) with our metadata.
    fn stripe_refund(status: &str) -> Value {
        json!({
            "amount": 100, "balance_transaction": null, "charge": "ch_1PgafuB7WZ01zgkWXYmPNZs8",
            "created": 1234567890, "currency": "cad",
            "destination_details": {"card": {"type": "reversal"}, "type": "card"},
            "id": "re_1Pgc72B7WZ01zgkWqPvrRrPE",
            "metadata": {"paymentId": "p1", "refundId": "r1"},
            "object": "refund", "payment_intent": "pi_1", "reason": "requested_by_customer",
            "receipt_number": null, "source_transfer_reversal": null, "status": status, "transfer_reversal": null
        })
    }

    #[test]
    fn a_settled_refund_names_ours_and_a_pending_one_says_nothing_yet() {
        let parse = |kind: &str, object: Value| ProcessorEvent::parse(&event(kind, object)).expect("event");
        let settled =
            |succeeded| ProcessorEvent::RefundSettled { payment_id: "p1".into(), refund_id: "r1".into(), succeeded };
        assert_eq!(parse("refund.created", stripe_refund("succeeded")), settled(true));
        assert_eq!(parse("refund.updated", stripe_refund("succeeded")), settled(true));
        assert_eq!(parse("refund.failed", stripe_refund("failed")), settled(false));
        assert_eq!(parse("refund.updated", stripe_refund("canceled")), settled(false));
        assert_eq!(parse("refund.created", stripe_refund("pending")), ProcessorEvent::Other);
        let mut foreign = stripe_refund("succeeded");
        foreign["metadata"] = json!({});
        assert_eq!(parse("refund.created", foreign), ProcessorEvent::Other);
    }

    /// Stripe's PaymentIntent fixture (fixtures3.json `payment_intent`, the fields beside those
    /// read) after a failed attempt, with the card error Stripe documents for a decline.
    fn failed_intent(code: &str, decline_code: Option<&str>) -> Value {
        json!({
            "id": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "object": "payment_intent", "amount": 18500,
            "amount_received": 0, "capture_method": "automatic", "client_secret": "pi_3Mt_secret_YrKJ",
            "confirmation_method": "automatic", "created": 1680800504, "currency": "cad",
            "last_payment_error": {
                "charge": "ch_3MtwBwLkdIwHu7ix2Xn0B5Lq", "code": code, "decline_code": decline_code,
                "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                "message": "Your card was declined.", "type": "card_error"
            },
            "livemode": false,
            "metadata": {"paymentId": "p1", "applicationId": "a1"},
            "payment_method_types": ["card"], "status": "requires_payment_method"
        })
    }

    #[test]
    fn a_declined_attempt_names_our_payment_and_a_reason_the_payer_may_be_told() {
        let parse =
            |object: Value| ProcessorEvent::parse(&event("payment_intent.payment_failed", object)).expect("event");
        let declined = |reason| ProcessorEvent::AttemptDeclined { payment_id: "p1".into(), reason };
        assert_eq!(parse(failed_intent("card_declined", Some("generic_decline"))), declined(DeclineReason::Declined));
        assert_eq!(
            parse(failed_intent("card_declined", Some("insufficient_funds"))),
            declined(DeclineReason::InsufficientFunds)
        );
        assert_eq!(parse(failed_intent("expired_card", None)), declined(DeclineReason::ExpiredCard));
        assert_eq!(parse(failed_intent("incorrect_cvc", None)), declined(DeclineReason::IncorrectCvc));
        assert_eq!(parse(failed_intent("processing_error", None)), declined(DeclineReason::ProcessingError));
        // A stolen card is a plain decline to the payer.
        assert_eq!(parse(failed_intent("card_declined", Some("stolen_card"))), declined(DeclineReason::Declined));
        let mut foreign = failed_intent("card_declined", None);
        foreign["metadata"] = json!({});
        assert_eq!(parse(foreign), ProcessorEvent::Other);
    }

    #[test]
    fn bodies_that_are_not_events_are_refused() {
        for body in [&b"[]"[..], b"{}", b"not json", br#"{"object":"charge","type":"x","data":{"object":{}}}"#] {
            assert!(ProcessorEvent::parse(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
        let wrong = event("checkout.session.completed", json!({"object": "charge"}));
        assert!(ProcessorEvent::parse(&wrong).is_err());
    }
}
