//! Errors at the HTTP edge, as `application/problem+json` (RFC 9457): a stable `type`, a human
//! `title`, the status, the request id, and never an internal message. Server errors log their
//! full cause chain instead.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_domain::accounts::AccountError;
use portal_domain::application_documents::{AddError, ReviewError};
use portal_domain::applications::WriteError;
use portal_domain::appointments::slots::SlotView;
use portal_domain::blobs::BlobError;
use portal_domain::fees::AddFeeError;
use portal_domain::identity::IdentityError;
use portal_domain::limits::LimitReached;
use portal_domain::messages::{ComposeError, SendError};
use portal_domain::payments::refunds::RefundError;
use portal_domain::payments::{ProcessorError, StartError};
use portal_domain::representatives::GrantError;
use portal_domain::representatives::firms::FirmError;
use portal_domain::table::StoreError;
use portal_domain::verification::VerificationError;
use schemars::JsonSchema;
use serde::Serialize;

use crate::{observe, texts};

/// Media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client should wait before retrying after a 503 (store throttling is brief).
const RETRY_AFTER_UNAVAILABLE: &str = "1";
/// Seconds a client should wait before retrying after a 429 (attempt limits last minutes).
const RETRY_AFTER_TOO_MANY: &str = "60";

/// One invalid field of a request body: the field and a stable code the frontend translates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FieldError {
    /// The field, as named in the body (camelCase) or in the application's form.
    pub field: String,
    /// What is wrong, as a stable code (`required`, `too-short`, `common`, `invalid-email`, ...).
    pub code: &'static str,
    /// The code explained in the request's language (filled in when the response is written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
}

impl FieldError {
    /// A problem with one field.
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self { field: field.into(), code, message: None }
    }
}

/// Collects every invalid field of a request, so that one answer names them all (a form is
/// fixed in one round trip, not one field at a time).
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub fn add(&mut self, field: impl Into<String>, code: &'static str) {
        self.0.push(FieldError::new(field, code));
    }

    /// The value of a field that parsed, or `None` with its error recorded.
    pub fn check<T>(&mut self, field: impl Into<String>, parsed: Result<T, &'static str>) -> Option<T> {
        parsed.map_err(|code| self.add(field, code)).ok()
    }

    /// Whether every field so far is valid.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when every field was valid, else a 400 naming each invalid one.
    pub fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() { Ok(value) } else { Err(ApiError::Invalid(self.0)) }
    }

    /// Like `finish`, for values that parsed only when their fields were valid.
    pub fn finish_parsed<T>(self, parsed: Option<T>) -> Result<T, ApiError> {
        match parsed {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ApiError::Invalid(self.0)),
        }
    }

    /// The errors, for a 422 that lists what is missing.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

/// Records the domain's problems with a request's fields, each `(field, code)`.
impl<F: Into<String>> Extend<(F, &'static str)> for FieldErrors {
    fn extend<I: IntoIterator<Item = (F, &'static str)>>(&mut self, problems: I) {
        problems.into_iter().for_each(|(field, code)| self.add(field, code));
    }
}

impl ApiError {
    /// A 400 naming one invalid field.
    pub fn invalid(field: impl Into<String>, code: &'static str) -> Self {
        ApiError::Invalid(vec![FieldError::new(field, code)])
    }
}

/// Every error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid access token (the authorizer lets only these reach a handler in error).
    #[error("authentication required")]
    Unauthenticated,
    /// A body that is not the expected JSON (malformed, wrong types, unknown fields).
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    /// A body that is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A body larger than the route accepts (or that could not be read).
    #[error("payload too large")]
    PayloadTooLarge,
    /// Fields that do not meet their rules.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// Wrong email or password (never says which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The sign-in step's session is unknown or expired.
    #[error("sign-in session expired")]
    SessionExpired,
    /// The account's email address is not confirmed yet.
    #[error("email not confirmed")]
    EmailNotConfirmed,
    /// Someone changed the resource since the caller read it; reload from `current_version`.
    #[error("stale version")]
    Conflict {
        /// The version to reload.
        current_version: u64,
    },
    /// The resource's state does not allow this (a submitted application is not editable, ...).
    #[error("not possible in the current state")]
    InvalidState,
    /// The resource is not complete enough for this (submission with missing fields).
    #[error("incomplete")]
    Incomplete(Vec<FieldError>),
    /// A document's file was never uploaded (or not yet): upload it again.
    #[error("upload missing")]
    UploadMissing,
    /// A document's file is not verified (pending, or quarantined): it is never served.
    #[error("document not available")]
    DocumentUnavailable,
    /// Too many attempts: throttled or locked out for a while.
    #[error("too many attempts")]
    TooManyAttempts,
    /// A counted limit on attempts is reached (sign-in, codes, emails, linking): try again
    /// after `retry_after` seconds.
    #[error("attempts limited")]
    AttemptsLimited {
        /// Seconds until an attempt can succeed again.
        retry_after: u64,
    },
    /// The application holds as many documents as it may.
    #[error("too many documents")]
    TooManyDocuments,
    /// The fee is on the case already.
    #[error("fee already added")]
    FeeAlreadyAdded,
    /// A request with the same idempotency key is still running.
    #[error("a request with this idempotency key is in progress")]
    RequestInProgress,
    /// The idempotency key was used for a different request.
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    /// Nothing is due.
    #[error("nothing is due")]
    NothingDue,
    /// The fees due are not those the caller was shown.
    #[error("the fees due changed")]
    FeesChanged,
    /// Another payment of other fees is open.
    #[error("another payment is open")]
    PaymentOpen,
    /// The slot has no place left: these may be booked instead.
    #[error("slot full")]
    SlotFull {
        /// Free slots of the same location and service, soonest first.
        suggestions: Vec<SlotView>,
    },
    /// The application already has a booking of this service.
    #[error("already booked")]
    AlreadyBooked,
    /// The application's status does not ask for this service.
    #[error("appointment not requested")]
    AppointmentNotRequested,
    /// The slot is closed, past, or for another service.
    #[error("slot unavailable")]
    SlotUnavailable,
    /// Too close to the appointment to change it online.
    #[error("too late to change")]
    TooLateToChange {
        /// Until when it could have been changed (seconds since the epoch).
        changeable_until: u64,
    },
    /// A counted limit is used up until `retry_after` seconds from now (messages per day).
    #[error("limit reached")]
    LimitReached {
        /// Seconds until it resets.
        retry_after: u64,
    },
    /// Signed in, but not allowed to use this route.
    #[error("forbidden")]
    Forbidden,
    /// A representative with `read` access tried to change something.
    #[error("read-only access")]
    ReadOnlyAccess,
    /// A representative tried what only the applicant does (submit, withdraw, pay, choose
    /// representatives).
    #[error("only the applicant may")]
    ApplicantOnly,
    /// The invitation or grant is not (or no longer) open: settled, expired, or a member
    /// already represents the applicant.
    #[error("representation refused: {0}")]
    Representation(&'static str),
    /// A draft that cannot be deleted as it is: it holds documents (remove them first) or a
    /// payment (kept on record).
    #[error("draft not empty: {0}")]
    DraftNotEmpty(&'static str),
    /// No such resource (also what a caller without access sees).
    #[error("not found")]
    NotFound,
    /// The method is not served on this path.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The store is overloaded; try again shortly.
    #[error("temporarily unavailable")]
    Unavailable,
    /// Anything unexpected: logged with its cause chain, answered as a bare 500.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A concurrent request won a conditional write this one needed; nothing was written.
    /// Answered as a conflict (409): reload and try again.
    #[error("lost a concurrent write")]
    LostRace,
}

/// The answer to a refused application write: a stale version names the one to reload.
impl From<WriteError> for ApiError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Conflict { current_version } => ApiError::Conflict { current_version },
            WriteError::NotAllowed(_) | WriteError::NotADraft | WriteError::Unreachable { .. } => {
                ApiError::InvalidState
            }
            WriteError::DraftHoldsDocuments => ApiError::DraftNotEmpty("draft-has-documents"),
            WriteError::DraftHoldsPayments => ApiError::DraftNotEmpty("draft-has-payments"),
            WriteError::NumberTaken => ApiError::Internal("application numbers kept clashing".into()),
            WriteError::Store(store) => store.into(),
        }
    }
}

/// The document store failing is ours, never the caller's.
impl From<BlobError> for ApiError {
    fn from(error: BlobError) -> Self {
        ApiError::Internal(Box::new(error))
    }
}

impl From<VerificationError> for ApiError {
    fn from(error: VerificationError) -> Self {
        match error {
            VerificationError::Store(store) => store.into(),
            VerificationError::Blobs(blobs) => blobs.into(),
        }
    }
}

impl From<AddError> for ApiError {
    fn from(error: AddError) -> Self {
        match error {
            AddError::CapReached => ApiError::TooManyDocuments,
            AddError::StatusChanged => ApiError::InvalidState,
            AddError::Store(store) => store.into(),
        }
    }
}

impl From<AddFeeError> for ApiError {
    fn from(error: AddFeeError) -> Self {
        match error {
            AddFeeError::UnknownFee => ApiError::invalid("code", "unknown-fee"),
            AddFeeError::AlreadyAdded => ApiError::FeeAlreadyAdded,
            AddFeeError::InvalidState => ApiError::InvalidState,
            AddFeeError::Write(write) => write.into(),
        }
    }
}

impl From<StartError> for ApiError {
    fn from(error: StartError) -> Self {
        match error {
            StartError::NothingDue => ApiError::NothingDue,
            StartError::FeesChanged => ApiError::FeesChanged,
            StartError::AnotherOpen => ApiError::PaymentOpen,
            StartError::Gone => ApiError::NotFound,
            StartError::Processor(processor) => processor.into(),
            StartError::Store(store) => store.into(),
        }
    }
}

impl From<RefundError> for ApiError {
    fn from(error: RefundError) -> Self {
        match error {
            RefundError::NotPaid => ApiError::InvalidState,
            RefundError::Conflict { current_version } => ApiError::Conflict { current_version },
            RefundError::TooMuch => ApiError::invalid("amountCents", "too-large"),
            RefundError::Nothing => ApiError::invalid("amountCents", "too-small"),
            RefundError::TooMany => ApiError::InvalidState,
            RefundError::Processor(processor) => processor.into(),
            RefundError::Store(store) => store.into(),
        }
    }
}

/// The processor being down is a 503 (retry later); its refusing us is our fault.
impl From<ProcessorError> for ApiError {
    fn from(error: ProcessorError) -> Self {
        match error {
            ProcessorError::Unavailable(_) => {
                tracing::warn!(error = %error, "payment processor unavailable");
                ApiError::Unavailable
            }
            ProcessorError::Refused(_) => ApiError::Internal(Box::new(error)),
        }
    }
}

impl From<GrantError> for ApiError {
    fn from(error: GrantError) -> Self {
        match error {
            GrantError::Closed => ApiError::InvalidState,
            GrantError::Yourself => ApiError::invalid("email", "yourself"),
            GrantError::TooManyToday { retry_after } => ApiError::LimitReached { retry_after },
            GrantError::TooMany => ApiError::Representation("too-many-representatives"),
            GrantError::AlreadyRepresenting => ApiError::Representation("already-representing"),
            GrantError::NotOpen => ApiError::Representation("invitation-closed"),
            GrantError::NotFound => ApiError::NotFound,
            GrantError::Busy => ApiError::LostRace,
            GrantError::Store(store) => store.into(),
        }
    }
}

impl From<FirmError> for ApiError {
    fn from(error: FirmError) -> Self {
        match error {
            FirmError::AlreadyInAFirm => ApiError::Representation("already-in-a-firm"),
            FirmError::Full => ApiError::Representation("firm-full"),
            FirmError::NotFound => ApiError::NotFound,
            FirmError::Store(store) => store.into(),
        }
    }
}

impl From<ReviewError> for ApiError {
    fn from(error: ReviewError) -> Self {
        match error {
            ReviewError::NotReviewable => ApiError::InvalidState,
            ReviewError::Store(store) => store.into(),
        }
    }
}

impl From<LimitReached> for ApiError {
    fn from(reached: LimitReached) -> Self {
        ApiError::AttemptsLimited { retry_after: reached.retry_after }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Throttled => ApiError::Unavailable,
            // A handler expecting the race maps it more precisely before this; any other lost
            // condition is someone else's concurrent change, never a server fault.
            StoreError::ConditionFailed | StoreError::TransactionCanceled { .. } => ApiError::LostRace,
            // Only cursors come from callers; every other store request is the server's own.
            StoreError::InvalidCursor => crate::paging::invalid_cursor(),
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

/// An opaque cause from another port (an identity provider, say) keeps its meaning when it is
/// a store error: a lost race stays a 409 and throttling a 503; anything else is internal.
impl From<Box<dyn std::error::Error + Send + Sync>> for ApiError {
    fn from(cause: Box<dyn std::error::Error + Send + Sync>) -> Self {
        match cause.downcast::<StoreError>() {
            Ok(store) => (*store).into(),
            Err(other) => ApiError::Internal(other),
        }
    }
}

/// An identity provider's answer, as the caller may hear it: an existing account answers as
/// wrong credentials (A6), wrong or expired codes and a refused password name their field.
impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::NotAuthorized | IdentityError::AccountExists => ApiError::InvalidCredentials,
            IdentityError::NotConfirmed => ApiError::EmailNotConfirmed,
            IdentityError::CodeMismatch => ApiError::invalid("code", "mismatch"),
            IdentityError::CodeExpired => ApiError::invalid("code", "expired"),
            IdentityError::SessionExpired => ApiError::SessionExpired,
            IdentityError::TooManyAttempts => ApiError::TooManyAttempts,
            IdentityError::InvalidPassword => ApiError::invalid("password", "policy"),
            IdentityError::Busy => ApiError::Unavailable,
            IdentityError::Unavailable(cause) => cause.into(),
        }
    }
}

/// An account operation's failure: the provider's answer, a limit (429 with `Retry-After`) or
/// the store's.
impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Identity(error) => error.into(),
            AccountError::Limited(reached) => reached.into(),
            AccountError::Store(error) => error.into(),
            AccountError::SameEmail => ApiError::invalid("newEmail", "same-address"),
            AccountError::TooManyPasskeys => ApiError::invalid("passkeys", "too-many-passkeys"),
        }
    }
}

/// A message that was not sent: the day's limit (429 until the next day) or the store's failure.
impl From<SendError> for ApiError {
    fn from(error: SendError) -> Self {
        match error {
            SendError::DailyLimit { retry_after } => ApiError::LimitReached { retry_after },
            SendError::Store(store) => store.into(),
        }
    }
}

/// A message that could not be written: a 400 naming each field at fault, or the store's failure.
impl From<ComposeError> for ApiError {
    fn from(error: ComposeError) -> Self {
        match error {
            ComposeError::Invalid(problems) => {
                let mut errors = FieldErrors::new();
                problems.into_iter().for_each(|(field, code)| errors.add(field, code));
                ApiError::Invalid(errors.into_vec())
            }
            ComposeError::Store(store) => store.into(),
        }
    }
}

/// The body of a problem response (RFC 9457).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// What went wrong, as a stable code (`invalid-fields`, `conflict`, `too-many-attempts`, ...).
    #[serde(rename = "type")]
    kind: &'static str,
    /// The problem in the request's language.
    title: &'static str,
    /// The HTTP status.
    status: u16,
    /// More about a malformed body: where parsing stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// Each invalid or missing field (400 `invalid-fields`, 422 `incomplete`).
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<FieldError>>,
    /// The version to reload (409 `conflict` after a stale write).
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<u64>,
    /// Free slots to book instead (409 `slot-full`).
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestions: Option<Vec<SlotView>>,
    /// Until when the booking could have been changed online (409 `too-late-to-change`).
    #[serde(skip_serializing_if = "Option::is_none")]
    changeable_until: Option<u64>,
    /// The request's id, to quote to support.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl ApiError {
    fn status_and_kind(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ApiError::MalformedBody(_) => (StatusCode::BAD_REQUEST, "malformed-body"),
            ApiError::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large"),
            ApiError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid-fields"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid-credentials"),
            ApiError::SessionExpired => (StatusCode::UNAUTHORIZED, "session-expired"),
            ApiError::EmailNotConfirmed => (StatusCode::FORBIDDEN, "email-not-confirmed"),
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            ApiError::InvalidState => (StatusCode::CONFLICT, "invalid-state"),
            ApiError::Incomplete(_) => (StatusCode::UNPROCESSABLE_ENTITY, "incomplete"),
            ApiError::UploadMissing => (StatusCode::CONFLICT, "upload-missing"),
            ApiError::DocumentUnavailable => (StatusCode::CONFLICT, "document-unavailable"),
            ApiError::TooManyAttempts | ApiError::AttemptsLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too-many-attempts")
            }
            ApiError::TooManyDocuments => (StatusCode::CONFLICT, "too-many-documents"),
            ApiError::FeeAlreadyAdded => (StatusCode::CONFLICT, "fee-already-added"),
            ApiError::RequestInProgress => (StatusCode::CONFLICT, "request-in-progress"),
            ApiError::IdempotencyKeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused"),
            ApiError::NothingDue => (StatusCode::CONFLICT, "nothing-due"),
            ApiError::FeesChanged => (StatusCode::CONFLICT, "fees-changed"),
            ApiError::PaymentOpen => (StatusCode::CONFLICT, "payment-open"),
            ApiError::LimitReached { .. } => (StatusCode::TOO_MANY_REQUESTS, "limit-reached"),
            ApiError::SlotFull { .. } => (StatusCode::CONFLICT, "slot-full"),
            ApiError::AlreadyBooked => (StatusCode::CONFLICT, "already-booked"),
            ApiError::AppointmentNotRequested => (StatusCode::CONFLICT, "appointment-not-requested"),
            ApiError::SlotUnavailable => (StatusCode::CONFLICT, "slot-unavailable"),
            ApiError::TooLateToChange { .. } => (StatusCode::CONFLICT, "too-late-to-change"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::ReadOnlyAccess => (StatusCode::FORBIDDEN, "read-only-access"),
            ApiError::ApplicantOnly => (StatusCode::FORBIDDEN, "applicant-only"),
            ApiError::Representation(kind) | ApiError::DraftNotEmpty(kind) => (StatusCode::CONFLICT, kind),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not-found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::LostRace => (StatusCode::CONFLICT, "conflict"),
        }
    }
}

/// Logs a server error once, with every cause.
fn log_cause_chain(error: &(dyn std::error::Error + 'static)) {
    let mut chain = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    tracing::error!(cause = chain.join(": "), "request failed");
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = self.status_and_kind();
        let limited_for = match &self {
            ApiError::AttemptsLimited { retry_after } | ApiError::LimitReached { retry_after } => Some(*retry_after),
            _ => None,
        };
        let language = observe::current_language();
        let title = texts::problem_title(kind, language);
        if status.is_server_error() {
            log_cause_chain(&self);
        }
        let mut problem = Problem {
            kind,
            title,
            status: status.as_u16(),
            detail: None,
            errors: None,
            current_version: None,
            suggestions: None,
            changeable_until: None,
            request_id: observe::current_request_id(),
        };
        match self {
            ApiError::MalformedBody(detail) => problem.detail = Some(detail),
            ApiError::Invalid(errors) | ApiError::Incomplete(errors) => {
                let errors = errors
                    .into_iter()
                    .map(|error| FieldError { message: texts::field_message(error.code, language), ..error })
                    .collect();
                problem.errors = Some(errors);
            }
            ApiError::Conflict { current_version } => problem.current_version = Some(current_version),
            ApiError::SlotFull { suggestions } => problem.suggestions = Some(suggestions),
            ApiError::TooLateToChange { changeable_until } => problem.changeable_until = Some(changeable_until),
            _ => {}
        }
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        let retry_after = match (status, limited_for) {
            (_, Some(seconds)) => Some(HeaderValue::from(seconds)),
            (StatusCode::SERVICE_UNAVAILABLE, None) => Some(HeaderValue::from_static(RETRY_AFTER_UNAVAILABLE)),
            (StatusCode::TOO_MANY_REQUESTS, None) => Some(HeaderValue::from_static(RETRY_AFTER_TOO_MANY)),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_and_kind(error: impl Into<ApiError>) -> (u16, &'static str) {
        let (status, kind) = error.into().status_and_kind();
        (status.as_u16(), kind)
    }

    #[test]
    fn v3_a_lost_conditional_write_is_a_409_conflict_not_a_500() {
        let canceled = || StoreError::TransactionCanceled { failed_conditions: vec![1] };
        assert_eq!(status_and_kind(StoreError::ConditionFailed), (409, "conflict"));
        assert_eq!(status_and_kind(canceled()), (409, "conflict"));
        let boxed = |error: StoreError| -> Box<dyn std::error::Error + Send + Sync> { Box::new(error) };
        assert_eq!(status_and_kind(boxed(StoreError::ConditionFailed)), (409, "conflict"));
        assert_eq!(status_and_kind(boxed(canceled())), (409, "conflict"));
        assert_eq!(status_and_kind(boxed(StoreError::Throttled)), (503, "unavailable"));
        assert_eq!(status_and_kind(boxed(StoreError::InvalidRequest("x".into()))), (500, "internal"));
        let other: Box<dyn std::error::Error + Send + Sync> = "identity provider down".into();
        assert_eq!(status_and_kind(other), (500, "internal"));
    }
}
