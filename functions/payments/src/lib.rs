//! The payments area: what an application owes (the type's fees, due before submission, and
//! the optional fees officers add later), paying it through the processor's hosted checkout
//! (idempotent, P1), and the processor's signed events that confirm payments (P2, P3).
//!
//! Access (C1, `portal_api::access`): the owner pays; the owner or an officer reads. The
//! webhook is public and trusts only a valid signature.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Party, type_of};
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
use portal_domain::fees::{self, Fees};
use portal_domain::idempotency::{IdempotencyKeys, request_digest};
use portal_domain::ids::{ApplicationId, PaymentId};
use portal_domain::payments::event::ProcessorEvent;
use portal_domain::payments::refunds::{PaymentView, Refund, RefundAsk};
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
        let ledger = fees::ledger_of(self.table.as_ref(), &application.id).await?;
        Ok(Fees::new(type_of(&self.catalog, application)?, &ledger))
    }
}

/// The area's router.
pub fn router(state: PaymentsState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Payments, state.revocations.clone(), |route| match route.function {
        "ListFees" => Some(route.serve(list_fees)),
        "StartPayment" => Some(route.serve(start_payment)),
        "ListPayments" => Some(route.serve(list_payments)),
        "PaymentWebhook" => Some(route.serve(webhook)),
        "RefundPayment" => Some(route.serve(refund_payment)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// The application's fees with what is paid and due.
async fn list_fees(
    principal: Principal,
    State(state): State<PaymentsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Fees>, ApiError> {
    let allowed = [Party::Owner, Party::Officer];
    let (application, _) = state.access.application_for(&id, &principal, &allowed, "read-fees").await?;
    Ok(Json(state.fees_of(&application).await?))
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
        let (application, _) = state.access.application_for(&id, &principal, &[Party::Owner], "pay").await?;
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

/// The application's payments, newest first.
async fn list_payments(
    principal: Principal,
    State(state): State<PaymentsState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Vec<PaymentView>>, ApiError> {
    let allowed = [Party::Owner, Party::Officer];
    let (_, party) = state.access.application_for(&id, &principal, &allowed, "read-payments").await?;
    let (payments, refunds) = futures::try_join!(state.records.of_application(&id), state.records.refunds_of(&id))?;
    Ok(Json(PaymentView::all_for_party(payments, &refunds, party)))
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
