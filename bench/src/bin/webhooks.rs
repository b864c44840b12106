//! The payment webhook's two costs per event: verifying its signature (Stripe's scheme, over a
//! Checkout Session event of Stripe's size), and applying a payment on the embedded store (the
//! fulfilment transaction: payment, fees, history entry, dashboard, event), against applying a
//! redelivery of it (which reads and changes nothing). Medians of 15 runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use async_trait::async_trait;
use portal_domain::application_types::Catalog;
use portal_domain::applications::Applications;
use portal_domain::fees::Fees;
use portal_domain::payments::{
    Checkout, CheckoutRequest, Fulfilment, Payer, PaymentRecords, Payments, ProcessorError, RefundRequest,
    RefundStarted, signature,
};
use portal_domain::profile::Language;
use portal_domain::table::Table;
use portal_store::embedded::EmbeddedTable;
use serde_json::json;

const RUNS: usize = 15;
const VERIFICATIONS: u32 = 2_000;
const FULFILMENTS: usize = 20;

/// A processor that opens checkouts and nothing else (no network).
struct Offline;

#[async_trait]
impl Payments for Offline {
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<Checkout, ProcessorError> {
        Ok(Checkout { id: format!("cs_{}", request.payment_id), url: "/checkout".into() })
    }
    async fn refund(&self, request: &RefundRequest) -> Result<RefundStarted, ProcessorError> {
        Ok(RefundStarted { id: format!("re_{}", request.refund_id) })
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    // A checkout.session.completed of Stripe's shape and size (about 1 kB).
    let body = json!({
        "id": "evt_1Pgc76B7WZ01zgkWwyRHS12y", "object": "event", "api_version": "2026-07-29.dahlia",
        "created": 1_796_000_000, "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null}, "type": "checkout.session.completed",
        "data": {"object": {
            "id": "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY", "object": "checkout.session",
            "amount_subtotal": 18_500, "amount_total": 18_500, "cancel_url": "https://portal.example/applications/x?cancelled=1",
            "client_reference_id": "01938f4e-7c1a-7b3e-9d5e-6f1a2b3c4d5e", "created": 1_796_000_000, "currency": "cad",
            "customer": null, "customer_email": "marie@example.ca", "expires_at": 1_796_001_800, "livemode": false,
            "locale": "fr-CA", "metadata": {"paymentId": "01938f4e-7c1a-7b3e-9d5e-6f1a2b3c4d5e", "applicationId": "0b0e5f0e-5c1a-4c3e-9d5e-6f1a2b3c4d5e"},
            "mode": "payment", "payment_intent": "pi_1PgafyB7WZ01zgkWSjxsAJo3", "payment_method_types": ["card"],
            "payment_status": "paid", "status": "complete", "success_url": "https://portal.example/applications/x?payment=y", "url": null
        }}
    })
    .to_string();
    let (secret, at) = ("whsec_bench_secret_of_the_endpoint", 1_796_000_000);
    let header = signature::sign(body.as_bytes(), secret, at);
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        for _ in 0..VERIFICATIONS {
            std::hint::black_box(signature::verify(Some(&header), body.as_bytes(), &[secret], at))?;
        }
        runs.push(started.elapsed() / VERIFICATIONS);
    }
    println!(
        "webhook signature verification ({} bytes): median {:.2} µs per event",
        body.len(),
        median(runs).as_secs_f64() * 1e6
    );

    let dir = tempfile::tempdir()?;
    let table: Arc<dyn Table> = Arc::new(EmbeddedTable::open(&dir.path().join("bench.redb"))?);
    let catalog = Catalog::load()?;
    let visitor = catalog.get("visitor-visa").ok_or_else(|| anyhow::anyhow!("no visitor visa"))?;
    let (applications, records) = (Applications::new(Arc::clone(&table)), PaymentRecords::new(Arc::clone(&table)));
    let payer = Payer { sub: "bench-owner", language: Language::Fr, return_base: "https://portal.example" };
    let codes = vec!["processing".to_owned(), "biometrics".to_owned()];
    let (mut applying, mut redelivering) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let mut payments = Vec::new();
        for n in 0..FULFILMENTS {
            let id = format!("{run:04}{n:04}-0000-4000-8000-000000000000");
            let draft = applications.create_draft("bench-owner", visitor, id.clone(), at).await?;
            let fees = Fees::read(table.as_ref(), visitor, &id).await?;
            payments.push(records.start(&Offline, &draft, &fees, &codes, &payer, at).await?.id);
        }
        let started = Instant::now();
        for payment in &payments {
            let applied = records.fulfil(payment, Some(18_500), Some("cad"), Some("pi_bench"), at + 60).await?;
            assert!(matches!(applied, Fulfilment::Paid(_)));
        }
        applying.push(started.elapsed() / u32::try_from(FULFILMENTS)?);
        let started = Instant::now();
        for payment in &payments {
            let again = records.fulfil(payment, Some(18_500), Some("cad"), Some("pi_bench"), at + 61).await?;
            assert_eq!(again, Fulfilment::AlreadyApplied);
        }
        redelivering.push(started.elapsed() / u32::try_from(FULFILMENTS)?);
    }
    let (applying, redelivering) = (median(applying), median(redelivering));
    println!(
        "fulfilment on the embedded store: median {:.2} ms per event applied (one durable transaction), {:.3} ms per redelivery (reads only)",
        applying.as_secs_f64() * 1e3,
        redelivering.as_secs_f64() * 1e3,
    );
    Ok(())
}
