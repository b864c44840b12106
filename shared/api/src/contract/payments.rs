//! Payments: paying what an application owes through the processor's hosted checkout, the
//! processor's signed confirmations, and refunds (the routes that need the processor).

use http::Method;
use portal_domain::ids::{ApplicationId, PaymentId};
use portal_domain::payments::Payment;
use portal_domain::payments::event::Envelope;
use portal_domain::payments::refunds::Refund;
use portal_domain::payments::signature;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Contract;
use crate::body::{MAX_SAFE_INTEGER, whole_number};
use crate::idempotency::{self, IdempotencyKey};
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/payments",
        function: "StartPayment",
        area: Area::Payments,
        auth: Auth::User,
        summary: "Pay the fees due through the processor's hosted checkout (idempotent: the same key answers the \
                  first answer; 409 while it runs or when nothing is due, 422 for another body)",
        contract: Contract::json::<Payment>(201)
            .path::<ApplicationId>()
            .body::<NewPayment>()
            .header::<IdempotencyKey>(idempotency::HEADER)
            .problems(&[409, 422]),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/payments/{paymentId}/refund",
        function: "RefundPayment",
        area: Area::Payments,
        auth: Auth::Officer,
        summary: "Refund part or all of a paid payment (up to what remains), on the payment's version; the \
                  processor confirms it by an event",
        contract: Contract::json::<Refund>(202).path::<PaymentId>().body::<RefundBody>().problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/payments/webhook",
        function: "PaymentWebhook",
        area: Area::Payments,
        auth: Auth::Public,
        summary: "The processor's signed events (Stripe's scheme): 400 and no change for a bad signature, a \
                  tampered body or a stale timestamp; an event applied once however often it comes",
        contract: Contract::json::<WebhookAnswer>(200).body::<Envelope>().header::<SignatureHeader>(signature::HEADER),
    },
];

/// The body of `POST /api/applications/{id}/payments`: the fees the payer was shown as due
/// (the amounts are the portal's own; 409 `fees-changed` when these are no longer what is due).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPayment {
    /// The codes of the fees due.
    #[schemars(length(min = 1, max = 20), inner(length(min = 1, max = 64), regex(pattern = "^[a-z0-9-]+$")))]
    pub fees: Vec<String>,
}

/// The `Stripe-Signature` header: `t=<seconds>,v1=<hex>[,v1=…]`.
#[derive(Debug, JsonSchema)]
pub struct SignatureHeader(#[schemars(length(min = 1, max = 4096))] pub String);

/// What a webhook delivery did.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAnswer {
    /// The event changed a payment (false for a redelivery, a mismatch, or an event of no
    /// payment of ours).
    pub applied: bool,
}

/// The body of `POST /api/officer/payments/{paymentId}/refund`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundBody {
    /// How much, in cents of CAD: at least 1, at most what remains to refund.
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(min = 1, max = MAX_SAFE_INTEGER))]
    pub amount_cents: u64,
    /// Why (kept internal to the agency); not blank.
    #[schemars(length(max = portal_domain::applications::MAX_TEXT_CHARS), regex(pattern = r"\S"))]
    pub reason: String,
    /// The payment's version this was decided on.
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(max = MAX_SAFE_INTEGER))]
    pub version: u64,
}
