//! The billing area, read-only: what an application owes (the type's fees, due before
//! submission, and the optional fees officers add later) and paid, its payments with their
//! refunds, and a paid payment's itemized receipt in the reader's language, as JSON and as a
//! tagged PDF download. It holds none of the payment processor's secrets.
//!
//! Access (C1, `portal_api::access`): the application's owner, or an officer.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use portal_api::access::{CaseAccess, Needs, type_of};
use portal_api::contract::Page;
use portal_api::observe;
use portal_api::paging::Paging;
use portal_api::params::PathParams;
use portal_api::principal::Principal;
use portal_api::problem::ApiError;
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_types::Catalog;
use portal_domain::clock::Clock;
use portal_domain::fees::{self, Fees};
use portal_domain::ids::{ApplicationId, PaymentId};
use portal_domain::paging::Paged;
use portal_domain::payments::PaymentRecords;
use portal_domain::payments::refunds::PaymentView;
use portal_domain::profile::Profiles;
use portal_domain::receipts::Receipt;
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;
use portal_receipt_pdf::RenderError;

/// What the area's handlers need.
#[derive(Clone)]
pub struct BillingState {
    table: Arc<dyn Table>,
    catalog: Arc<Catalog>,
    access: CaseAccess,
    records: PaymentRecords,
    profiles: Profiles,
    revocations: Revocations,
}

impl BillingState {
    /// State over the table and the type catalog.
    pub fn new(table: Arc<dyn Table>, catalog: Arc<Catalog>, clock: Arc<dyn Clock>) -> Self {
        Self {
            access: CaseAccess::new(Arc::clone(&table), clock),
            records: PaymentRecords::new(Arc::clone(&table)),
            profiles: Profiles::new(Arc::clone(&table)),
            revocations: Revocations::new(Arc::clone(&table)),
            table,
            catalog,
        }
    }

    /// The receipt of a paid payment in the reader's language (409 until it is paid), and the
    /// payer's email address.
    async fn receipt_of(&self, principal: &Principal, id: &PaymentId) -> Result<(Receipt, String), ApiError> {
        let payment = self.records.get(id).await?.ok_or(ApiError::NotFound)?;
        let (application, _) =
            self.access.application_for(&payment.application_id, principal, Needs::Read, "read-receipt").await?;
        let (refunds, payer) =
            futures::try_join!(self.records.refunds_of(&payment), self.profiles.get(&payment.payer))?;
        let (name, email) = payer.map(|p| (format!("{} {}", p.given_name, p.family_name), p.email)).unwrap_or_default();
        let application_type = type_of(&self.catalog, &application)?;
        let language = observe::current_language();
        let receipt = Receipt::new(&payment, &application, application_type, name, &refunds, language);
        Ok((receipt.ok_or(ApiError::InvalidState)?, email))
    }
}

/// The area's router.
pub fn router(state: BillingState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Billing, state.revocations.clone(), |route| match route.function {
        "ListFees" => Some(route.serve(list_fees)),
        "ListPayments" => Some(route.serve(list_payments)),
        "GetReceipt" => Some(route.serve(receipt)),
        "GetReceiptPdf" => Some(route.serve(receipt_pdf)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

/// The application's fees with what is paid and due.
async fn list_fees(
    principal: Principal,
    State(state): State<BillingState>,
    PathParams(id): PathParams<ApplicationId>,
) -> Result<Json<Fees>, ApiError> {
    let ledger = async { Ok(fees::ledger_of(state.table.as_ref(), &id).await?) };
    let (application, _, ledger) = state.access.read(&id, &principal, "read-fees", ledger).await?;
    Ok(Json(Fees::new(type_of(&state.catalog, &application)?, &ledger)))
}

/// A page of the application's payments, newest first, each with its refunds.
async fn list_payments(
    principal: Principal,
    State(state): State<BillingState>,
    PathParams(id): PathParams<ApplicationId>,
    Paging(page): Paging,
) -> Result<Json<Page<PaymentView>>, ApiError> {
    let (_, party) = state.access.application_for(&id, &principal, Needs::Read, "read-payments").await?;
    let payments = state.records.of_application(&id, &page).await?;
    let views = state.records.views(payments.items, party).await?;
    Ok(Json(Page::from(Paged { items: views, next: payments.next })))
}

async fn receipt(
    principal: Principal,
    State(state): State<BillingState>,
    PathParams(id): PathParams<PaymentId>,
) -> Result<Json<Receipt>, ApiError> {
    Ok(Json(state.receipt_of(&principal, &id).await?.0))
}

/// The receipt as a PDF download, named for the application's number (or the payment).
async fn receipt_pdf(
    principal: Principal,
    State(state): State<BillingState>,
    PathParams(id): PathParams<PaymentId>,
) -> Result<Response, ApiError> {
    let (mut receipt, email) = state.receipt_of(&principal, &id).await?;
    let pdf = match portal_receipt_pdf::render(&receipt) {
        // A name in a script the embedded fonts do not cover (the JSON receipt has it as
        // written): the PDF names the payer by their account's email address instead.
        Err(RenderError::UnsupportedCharacter(_)) => {
            receipt.payer = email;
            portal_receipt_pdf::render(&receipt)
        }
        rendered => rendered,
    };
    let pdf = pdf.map_err(|e| ApiError::Internal(Box::new(e)))?;
    let name = format!("receipt-{}.pdf", receipt.application_number.as_deref().unwrap_or(&receipt.payment_id));
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ];
    Ok((headers, pdf).into_response())
}
