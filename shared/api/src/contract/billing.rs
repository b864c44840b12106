//! Billing, read-only: what an application owes and paid, its payments with their refunds, and
//! receipts as JSON and PDF. Apart from the payments area, so none of these functions holds the
//! payment processor's secrets (nor depends on them to start), and the PDF writer's weight stays
//! out of the functions that talk to the processor.

use http::Method;
use portal_domain::fees::Fees;
use portal_domain::ids::{ApplicationId, PaymentId};
use portal_domain::payments::refunds::PaymentView;
use portal_domain::receipts::Receipt;

use super::{Contract, Page, PageQuery};
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/fees",
        function: "ListFees",
        area: Area::Billing,
        auth: Auth::User,
        summary: "The application's fees: amounts, what is paid, what is due, and which are due before submission",
        contract: Contract::json::<Fees>(200).path::<ApplicationId>(),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/payments",
        function: "ListPayments",
        area: Area::Billing,
        auth: Auth::User,
        summary: "A page of the application's payments, newest first, each with its refunds",
        contract: Contract::json::<Page<PaymentView>>(200).path::<ApplicationId>().query::<PageQuery>(),
    },
    Route {
        method: Method::GET,
        path: "/api/payments/{paymentId}/receipt",
        function: "GetReceipt",
        area: Area::Billing,
        auth: Auth::User,
        summary: "A paid payment's itemized receipt in the reader's language (409 until it is paid)",
        contract: Contract::json::<Receipt>(200).path::<PaymentId>().problems(&[409]),
    },
    Route {
        method: Method::GET,
        path: "/api/payments/{paymentId}/receipt.pdf",
        function: "GetReceiptPdf",
        area: Area::Billing,
        auth: Auth::User,
        summary: "The same receipt as a tagged PDF, fonts embedded (409 until it is paid)",
        contract: Contract::file(200, "application/pdf").path::<PaymentId>().problems(&[409]),
    },
];
