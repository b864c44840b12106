//! The payments area, the routes that need the payment processor: paying what an application
//! owes through its hosted checkout (idempotent, P1), its signed events that confirm payments
//! and refunds (P2, P3), and officers' refunds (P4). Reading fees, payments and receipts is the
//! billing area's, which holds no processor secret.
//!
//! Access (C1, `portal_api::access`): the owner pays; officers refund. The webhook is public
//! and trusts only a valid signature.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Needs, type_of};
use portal_api::body::JsonBody;
use portal_api::contract::payments::{NewPayment, RefundBody, WebhookAnswer};
use portal_api::idempotency::{self, IdempotencyKey};
use portal_api::observe;
use portal_api::params::PathParams;
use portal_api::principal::{Officer, Principal};
use portal_api::problem::{ApiError, FieldErrors};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_types::Catalog;
use portal_domain::applications::required_text;
use portal_domain::audit::Outcome;
use portal_domain::clock::Clock;
use portal_domain::fees::Fees;
use portal_domain::idempotency::{IdempotencyKeys, request_digest};
use portal_domain::ids::{ApplicationId, PaymentId};
use portal_domain::payments::event::ProcessorEvent;
use portal_domain::payments::refunds::{Refund, RefundAsk};
use portal_domain::payments::{Fulfilment, Payer, PaymentRecords, PaymentState, Payments, signature};
use portal_domain::sessions::Revocations;
use portal_domain::status::Status;
use portal_domain::table::Table;

/// How the area reaches its processor and is reached back.
#[derive(Clone)]
pub struct PaymentsConfig {
    /// The portal's address the processor sends payers back to (`https://portal.example`;
    /// empty in local mode, where the gateway is the portal itself).
    pub return_base: String,
    /// The webhook's signing secrets (two while one is rolled).
    pub webhook_secrets: Vec<String>,
}

impl std::fmt::Debug for PaymentsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentsConfig").field("return_base", &self.return_base).finish_non_exhaustive()
    }
}

/// The area's secrets, one Secrets Manager secret (JSON) read at init.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentSecrets {
    /// Stripe's secret API key.
    pub stripe_secret_key: String,
    /// The webhook endpoint's signing secrets (`whsec_…`; two while one is rolled).
    pub webhook_secrets: Vec<String>,
}

/// The secret is not what the area needs. Never says what it holds.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// Not the JSON object of [`PaymentSecrets`] (serde's message would quote the value).
    #[error("the payments secret is not {{\"stripeSecretKey\": …, \"webhookSecrets\": [\"whsec_…\"]}}")]
    Shape,
    /// No webhook secret, or one that is not a Stripe endpoint secret: an empty one would let
    /// anyone sign events.
    #[error("the payments secret needs at least one webhook secret, each starting with whsec_")]
    WebhookSecrets,
}

impl PaymentSecrets {
    /// Reads the secret's text, refusing one the area cannot safely run with.
    pub fn parse(text: &str) -> Result<Self, SecretsError> {
        let secrets: Self = serde_json::from_str(text).map_err(|_| SecretsError::Shape)?;
        let valid = |secret: &String| secret.len() > "whsec_".len() && secret.starts_with("whsec_");
        if secrets.webhook_secrets.is_empty() || !secrets.webhook_secrets.iter().all(valid) {
            return Err(SecretsError::WebhookSecrets);
        }
        Ok(secrets)
    }
}

/// What the area's handlers need.
#[derive(Clone)]
pub struct PaymentsState {
    table: Arc<dyn Table>,
    catalog: Arc<Catalog>,
    access: CaseAccess,
    revocations: Revocations,
    records: PaymentRecords,
    keys: IdempotencyKeys,
    processor: Arc<dyn Payments>,
    config: Arc<PaymentsConfig>,
    clock: Arc<dyn Clock>,
}

impl PaymentsState {
    /// State over the table, the type catalog and the processor.
    pub fn new(
        table: Arc<dyn Table>,
        catalog: Arc<Catalog>,
        clock: Arc<dyn Clock>,
        processor: Arc<dyn Payments>,
        config: PaymentsConfig,
    ) -> Self {
        Self {
            access: CaseAccess::new(Arc::clone(&table), Arc::clone(&clock)),
            revocations: Revocations::new(Arc::clone(&table)),
            records: PaymentRecords::new(Arc::clone(&table)),
            keys: IdempotencyKeys::new(Arc::clone(&table)),
            table,
            catalog,
            processor,
            config: Arc::new(config),
            clock,
        }
    }

    /// The application's fees as they stand.
    async fn fees_of(&self, application: &portal_domain::applications::Application) -> Result<Fees, ApiError> {
        Ok(Fees::read(self.table.as_ref(), type_of(&self.catalog, application)?, &application.id).await?)
    }
}

/// The area's router.
pub fn router(state: PaymentsState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Payments, state.revocations.clone(), |route| match route.function {
        "StartPayment" => Some(route.serve(start_payment)),
        "PaymentWebhook" => Some(route.serve(webhook)),
        "RefundPayment" => Some(route.serve(refund_payment)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// Starts paying the fees due (or resumes the open payment of them), once per idempotency key.
async fn start_payment(
    principal: Principal,
    State(state): State<PaymentsState>,
    PathParams(id): PathParams<ApplicationId>,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<NewPayment>,
) -> Result<Response, ApiError> {
    let body_bytes = serde_json::to_vec(&body).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let request = request_digest(&[b"StartPayment", id.as_bytes(), &body_bytes]);
    let now = state.clock.now();
    idempotency::once(&state.keys, &principal.sub, &key, &request, now, async {
        let (application, _) = state.access.application_for(&id, &principal, Needs::Owner, "pay").await?;
        if matches!(application.status, Status::Withdrawn | Status::Closed) {
            return Err(ApiError::InvalidState);
        }
        let fees = state.fees_of(&application).await?;
        let payer = Payer {
            sub: &principal.sub,
            language: observe::current_language(),
            return_base: &state.config.return_base,
        };
        let processor = state.processor.as_ref();
        let payment = state.records.start(processor, &application, &fees, &body.fees, &payer, now).await?;
        Ok((StatusCode::CREATED, Json(payment)))
    })
    .await
}

/// An officer refunds part or all of a paid payment; the processor confirms it later.
async fn refund_payment(
    officer: Officer,
    State(state): State<PaymentsState>,
    PathParams(id): PathParams<PaymentId>,
    JsonBody(body): JsonBody<RefundBody>,
) -> Result<(StatusCode, Json<Refund>), ApiError> {
    let mut errors = FieldErrors::new();
    let reason = errors.check("reason", required_text(&body.reason));
    let reason = errors.finish_parsed(reason)?;
    let payment = state.records.get(&id).await?.ok_or(ApiError::NotFound)?;
    state.access.audit(&payment.application_id, &officer, "officer", "refund", Outcome::Allowed).await?;
    let ask = RefundAsk {
        amount_cents: body.amount_cents,
        reason: &reason,
        expected_version: body.version,
        officer: &officer.sub,
    };
    let refund = state.records.refund(state.processor.as_ref(), &payment, &ask, state.clock.now()).await?;
    Ok((StatusCode::ACCEPTED, Json(refund)))
}

/// A processor's event: verified by its signature before anything is read (400 and no change
/// otherwise), then applied at most once.
async fn webhook(
    State(state): State<PaymentsState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookAnswer>, ApiError> {
    let now = state.clock.now();
    let header = headers.get(signature::HEADER).and_then(|value| value.to_str().ok());
    let secrets: Vec<&str> = state.config.webhook_secrets.iter().map(String::as_str).collect();
    if let Err(refused) = signature::verify(header, &body, &secrets, now) {
        tracing::warn!(reason = %refused, "webhook refused");
        return Err(ApiError::invalid(signature::HEADER, "invalid-signature"));
    }
    let event = ProcessorEvent::parse(&body).map_err(|e| ApiError::MalformedBody(e.to_string()))?;
    let records = &state.records;
    let outcome = match event {
        ProcessorEvent::CheckoutPaid { payment_id, amount, currency, reference } => {
            records.fulfil(&payment_id, amount, currency.as_deref(), reference.as_deref(), now).await?
        }
        ProcessorEvent::CheckoutExpired { payment_id } => records.close(&payment_id, PaymentState::Expired).await?,
        ProcessorEvent::CheckoutFailed { payment_id } => records.close(&payment_id, PaymentState::Failed).await?,
        ProcessorEvent::AttemptDeclined { payment_id, reason } => {
            let recorded = records.record_decline(&payment_id, reason).await?;
            return Ok(Json(WebhookAnswer { applied: recorded }));
        }
        ProcessorEvent::RefundSettled { payment_id, refund_id, succeeded } => {
            let changed = records.settle(&payment_id, &refund_id, succeeded, Some(now)).await?;
            return Ok(Json(WebhookAnswer { applied: changed }));
        }
        ProcessorEvent::CheckoutAwaitingPayment | ProcessorEvent::Other => Fulfilment::Unknown,
    };
    if let Fulfilment::Mismatch(payment) = &outcome {
        tracing::warn!(payment = %payment.id, application = %payment.application_id, "payment confirmation mismatch");
    }
    Ok(Json(WebhookAnswer { applied: matches!(outcome, Fulfilment::Paid(_) | Fulfilment::Closed) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_that_would_let_anyone_sign_events_or_would_be_logged_is_refused_without_its_value() {
        let ok = r#"{"stripeSecretKey": "sk_test_1", "webhookSecrets": ["whsec_a", "whsec_b"]}"#;
        assert_eq!(PaymentSecrets::parse(ok).map(|s| s.webhook_secrets.len()).ok(), Some(2));
        for bad in [
            r#"{"stripeSecretKey": "sk_test_1", "webhookSecrets": []}"#,
            r#"{"stripeSecretKey": "sk_test_1", "webhookSecrets": [""]}"#,
            r#"{"stripeSecretKey": "sk_test_1", "webhookSecrets": ["whsec_"]}"#,
            r#"{"stripeSecretKey": "sk_test_1", "webhookSecrets": ["secret"]}"#,
        ] {
            assert!(matches!(PaymentSecrets::parse(bad), Err(SecretsError::WebhookSecrets)), "{bad}");
        }
        let shaped_wrong = r#"{"stripeSecretKey": "sk_live_secret", "webhookSecrets": "whsec_secret"}"#;
        let refused = PaymentSecrets::parse(shaped_wrong).err().expect("refused").to_string();
        assert!(!refused.contains("sk_live_secret") && !refused.contains("whsec_secret"), "{refused}");
    }
}
