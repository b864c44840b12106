//! The `Payments` port on Stripe: the two calls the portal makes (create a Checkout Session,
//! create a Refund), written by hand over the hyper + rustls (aws-lc) stack the AWS SDK already
//! links, so no Stripe SDK and no second TLS stack end up in the function.
//!
//! Both are form-encoded POSTs whose `Idempotency-Key` is our own id (the payment's or the
//! refund's): a retry after a timeout replays Stripe's first answer instead of opening a second
//! checkout or refunding twice.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use portal_domain::payments::{
    CURRENCY, Checkout, CheckoutRequest, Payments, ProcessorError, RefundRequest, RefundStarted, checkout_locale,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The API version every request names. Without it Stripe answers in the account's default
/// version, which anyone with Dashboard access can upgrade; pinned, the shapes we send and read
/// change only when this constant does (the version stripe-node and stripe-go pin today).
pub const STRIPE_VERSION: &str = "2026-07-29.dahlia";

/// Stripe's API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// How long one call may take, connecting included, before Stripe counts as unavailable: well
/// inside the functions' 10 s timeout, so the failure is answered (503) and cleaned up rather
/// than the invocation cut short.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(6);

/// The most of an answer read: Stripe's are a few kB, and a bigger one is not Stripe's.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Where and as whom to call Stripe.
#[derive(Clone)]
pub struct StripeConfig {
    /// The secret API key (`sk_live_…`, or `sk_test_…` in test mode).
    pub secret_key: String,
    /// The API's address: [`DEFAULT_API_BASE`], or `http://127.0.0.1:…` for a test server.
    pub api_base: String,
}

impl StripeConfig {
    /// `secret_key` on Stripe's API.
    pub fn new(secret_key: impl Into<String>) -> Self {
        Self { secret_key: secret_key.into(), api_base: DEFAULT_API_BASE.to_owned() }
    }
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig").field("api_base", &self.api_base).finish_non_exhaustive()
    }
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StripeSetupError {
    /// The API base is neither `https://…` nor a test server on `http://127.0.0.1…`.
    #[error("the Stripe API base must be https:// (or http://127.0.0.1 for a test server): {0}")]
    ApiBase(String),
    /// The secret key is empty or cannot be sent in a header.
    #[error("the Stripe secret key is empty or not a valid header value")]
    SecretKey,
    /// The TLS provider offers none of rustls's safe protocol versions.
    #[error("no safe TLS protocol version for Stripe")]
    Tls(#[source] rustls::Error),
}

/// The `Payments` port on Stripe. Clones share one connection pool.
#[derive(Clone)]
pub struct StripePayments {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    authorization: HeaderValue,
    secret_key: String,
    sessions: Uri,
    refunds: Uri,
}

impl fmt::Debug for StripePayments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripePayments").field("sessions", &self.sessions).field("refunds", &self.refunds).finish()
    }
}

impl StripePayments {
    /// A client of `config.api_base`, built once per process: it keeps connections to Stripe
    /// open between calls.
    pub fn new(config: StripeConfig) -> Result<Self, StripeSetupError> {
        let base = config.api_base.trim_end_matches('/');
        let bad_base = || StripeSetupError::ApiBase(base.to_owned());
        let parsed: Uri = base.parse().map_err(|_| bad_base())?;
        // Plain HTTP only to a test server on this machine: the key never crosses a network in clear.
        let loopback = parsed.scheme_str() == Some("http") && parsed.host() == Some("127.0.0.1");
        if parsed.scheme_str() != Some("https") && !loopback {
            return Err(bad_base());
        }
        let endpoint = |path: &str| format!("{base}{path}").parse::<Uri>().map_err(|_| bad_base());
        let (sessions, refunds) = (endpoint("/v1/checkout/sessions")?, endpoint("/v1/refunds")?);

        if config.secret_key.is_empty() {
            return Err(StripeSetupError::SecretKey);
        }
        let mut authorization =
            HeaderValue::try_from(format!("Bearer {}", config.secret_key)).map_err(|_| StripeSetupError::SecretKey)?;
        authorization.set_sensitive(true);

        // Stripe's certificate chains to a public CA, not to the Amazon roots the AWS clients
        // trust (`aws.rs`), so this one client takes Mozilla's root program (webpki-roots, the
        // set the system bundles derive from), compiled in: reading and parsing the system's
        // bundle took ~2.4 ms of every cold start, and a function's image may have none.
        let tls = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(StripeSetupError::Tls)?;
        let tls = if loopback { tls.https_or_http() } else { tls.https_only() };
        let http = Client::builder(TokioExecutor::new()).build(tls.enable_http1().build());
        Ok(Self { http, authorization, secret_key: config.secret_key, sessions, refunds })
    }

    /// Posts `form` to `uri` under `idempotency_key` and reads Stripe's answer as `T`.
    async fn post<T: DeserializeOwned>(
        &self,
        uri: &Uri,
        idempotency_key: &str,
        form: String,
    ) -> Result<T, ProcessorError> {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri.clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("Idempotency-Key", idempotency_key)
            .header("Stripe-Version", STRIPE_VERSION)
            .body(Full::new(Bytes::from(form)))
            .map_err(|error| ProcessorError::Refused(format!("the request could not be built: {error}")))?;
        let exchange = async {
            let answer = self.http.request(request).await.map_err(|error| unavailable("no answer", &error))?;
            let status = answer.status();
            let body = Limited::new(answer.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|error| unavailable("the answer could not be read", &*error))?;
            Ok((status, body.to_bytes()))
        };
        let (status, body) = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| ProcessorError::Unavailable(format!("no answer within {} s", REQUEST_TIMEOUT.as_secs())))??;

        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|error| ProcessorError::Refused(format!("unexpected answer ({status}): {error}")));
        }
        let detail = self.describe(status, &body);
        // 409 is another request still running under the same key, 429 Stripe's rate limit: both
        // pass, like server errors, and a retry under the same key is safe.
        if status == StatusCode::CONFLICT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Err(ProcessorError::Unavailable(detail))
        } else {
            Err(ProcessorError::Refused(detail))
        }
    }

    /// Stripe's error answer as one line: status, `type`/`code` and message.
    fn describe(&self, status: StatusCode, body: &[u8]) -> String {
        let text = match serde_json::from_slice::<ErrorAnswer>(body) {
            Ok(ErrorAnswer { error }) => format!(
                "{status} {}/{}: {}",
                error.kind.as_deref().unwrap_or("-"),
                error.code.as_deref().unwrap_or("-"),
                error.message.as_deref().unwrap_or("-"),
            ),
            Err(_) => format!("{status} without a Stripe error"),
        };
        // Stripe masks the keys it quotes; this makes sure ours never reaches a log either way.
        text.replace(&self.secret_key, "[redacted]")
    }
}

#[async_trait]
impl Payments for StripePayments {
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<Checkout, ProcessorError> {
        let session: Session = self.post(&self.sessions, &request.payment_id, checkout_form(request)).await?;
        let url = session
            .url
            .ok_or_else(|| ProcessorError::Refused(format!("checkout session {} has no url", session.id)))?;
        Ok(Checkout { id: session.id, url })
    }

    async fn refund(&self, request: &RefundRequest) -> Result<RefundStarted, ProcessorError> {
        let refund: Refund = self.post(&self.refunds, &request.refund_id, refund_form(request)).await?;
        Ok(RefundStarted { id: refund.id })
    }
}

/// The Checkout Session's parameters: one line per fee at exactly its amount (C3), card only.
fn checkout_form(request: &CheckoutRequest) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("mode", "payment");
    for (i, (name, cents)) in request.items.iter().enumerate() {
        form.append_pair(&format!("line_items[{i}][price_data][currency]"), CURRENCY);
        form.append_pair(&format!("line_items[{i}][price_data][unit_amount]"), &cents.to_string());
        form.append_pair(&format!("line_items[{i}][price_data][product_data][name]"), name);
        form.append_pair(&format!("line_items[{i}][quantity]"), "1");
    }
    let locale = checkout_locale(request.language);
    let expires_at = request.expires_at.to_string();
    form.extend_pairs([
        ("success_url", request.success_url.as_str()),
        ("cancel_url", &request.cancel_url),
        ("client_reference_id", &request.payment_id),
        ("metadata[paymentId]", &request.payment_id),
        ("metadata[applicationId]", &request.application_id),
        // Refunds and charge events name the PaymentIntent, not the Session: it carries our ids too.
        ("payment_intent_data[metadata][paymentId]", &request.payment_id),
        ("payment_intent_data[metadata][applicationId]", &request.application_id),
        ("locale", locale),
        ("expires_at", &expires_at),
        ("payment_method_types[0]", "card"),
    ]);
    form.finish()
}

/// The Refund's parameters: part or all of the PaymentIntent, tagged with our ids.
fn refund_form(request: &RefundRequest) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("payment_intent", request.reference.as_str()),
            ("amount", &request.amount_cents.to_string()),
            ("reason", "requested_by_customer"),
            ("metadata[refundId]", &request.refund_id),
            ("metadata[paymentId]", &request.payment_id),
        ])
        .finish()
}

/// Stripe could not be reached: `what` failed, then `error` and its causes, which hyper keeps out
/// of its own message ("client error (Connect)").
fn unavailable(what: &str, error: &(dyn Error + 'static)) -> ProcessorError {
    let mut text = format!("{what}: {error}");
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(&format!(": {next}"));
        cause = next.source();
    }
    ProcessorError::Unavailable(text)
}

/// The fields of a Checkout Session we use.
#[derive(Deserialize)]
struct Session {
    id: String,
    /// Present while the session is open, which a new one is.
    url: Option<String>,
}

/// The field of a Refund we use.
#[derive(Deserialize)]
struct Refund {
    id: String,
}

/// Stripe's error answer: `{"error": {...}}`.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: StripeError,
}

#[derive(Deserialize)]
struct StripeError {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    message: Option<String>,
}
