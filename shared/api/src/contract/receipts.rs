//! Receipts of paid payments, as JSON and as PDF (their own function: the PDF writer is the
//! bulk of its binary, and it needs none of the payment processor's secrets).

use http::Method;
use portal_domain::ids::PaymentId;
use portal_domain::receipts::Receipt;

use super::Contract;
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/payments/{paymentId}/receipt",
        function: "GetReceipt",
        area: Area::Receipts,
        auth: Auth::User,
        summary: "A paid payment's itemized receipt in the reader's language (409 until it is paid)",
        contract: Contract::json::<Receipt>(200).path::<PaymentId>().problems(&[409]),
    },
    Route {
        method: Method::GET,
        path: "/api/payments/{paymentId}/receipt.pdf",
        function: "GetReceiptPdf",
        area: Area::Receipts,
        auth: Auth::User,
        summary: "The same receipt as a tagged PDF, fonts embedded (409 until it is paid)",
        contract: Contract::file(200, "application/pdf").path::<PaymentId>().problems(&[409]),
    },
];
