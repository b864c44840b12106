//! The fuzz targets: each `#[test]` hands `bolero::check!` one harness, which `cargo test` runs on
//! random inputs and `cargo bolero test` under libFuzzer.

use std::cell::RefCell;
use std::sync::Once;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::response::IntoResponse;
use portal_api::body::JsonBody;
use portal_domain::files::{self, FileKind, MAX_NAME_CHARS, QuarantineReason};
use portal_domain::payments::event::ProcessorEvent;
use portal_domain::payments::signature;
use portal_domain::pdf;
use serde::de::DeserializeOwned;
use tokio::runtime::Runtime;

/// Every accepted kind.
const KINDS: [FileKind; 3] = [FileKind::Pdf, FileKind::Jpeg, FileKind::Png];

/// One target per request body type, from the list below: `target name => type`, each seeded
/// with a few valid bodies in `src/__fuzz__/targets__<name>/corpus/seed-*`.
macro_rules! body_targets {
    ($($name:ident => $body:ty,)*) => {$(
        #[test]
        fn $name() {
            let runtime = runtime();
            bolero::check!().for_each(|bytes: &[u8]| json_body::<$body>(&runtime, bytes));
        }
    )*};
}

// Every request body type of the contract, one a line.
body_targets! {
    v2_body_register => portal_api::contract::auth::Registration,
    v2_body_confirm => portal_api::contract::auth::Confirmation,
    v2_body_email_address => portal_api::contract::auth::EmailAddress,
    v2_body_credentials => portal_api::contract::auth::Credentials,
    v2_body_sign_in_session => portal_api::contract::auth::SignInSession,
    v2_body_mfa_code => portal_api::contract::auth::MfaCode,
    v2_body_password_reset => portal_api::contract::auth::PasswordReset,
    v2_body_new_password => portal_api::contract::auth::NewPassword,
    v2_body_reauthentication => portal_api::contract::auth::Reauthentication,
    v2_body_authenticator_code => portal_api::contract::auth::AuthenticatorCode,
    v2_body_new_email => portal_api::contract::auth::NewEmail,
    v2_body_email_code => portal_api::contract::auth::EmailCode,
    v2_body_new_passkey => portal_api::contract::auth::NewPasskey,
    v2_body_passkey_name => portal_api::contract::auth::PasskeyName,
    v2_body_passkey_assertion => portal_api::contract::auth::PasskeyAssertion,
    v2_body_recovery => portal_api::contract::auth::Recovery,
    v2_body_lost_authenticator_reset => portal_api::contract::auth::LostAuthenticatorReset,
    v2_body_support_reset => portal_api::contract::auth::SupportReset,
    v2_body_me_patch => portal_api::contract::profile::MePatch,
    v2_body_new_application => portal_api::contract::applications::NewApplication,
    v2_body_form_save => portal_api::contract::applications::FormSave,
    v2_body_link_request => portal_api::contract::applications::LinkRequest,
    v2_body_submission => portal_api::contract::applications::Submission,
    v2_body_upload_declaration => portal_api::contract::documents::UploadDeclaration,
    v2_body_new_message => portal_api::contract::messages::NewMessage,
    v2_body_status_change => portal_api::contract::officer::StatusChange,
    v2_body_document_requests => portal_api::contract::officer::DocumentRequests,
    v2_body_review => portal_api::contract::officer::Review,
    v2_body_new_fee => portal_api::contract::officer::NewFee,
    v2_body_new_payment => portal_api::contract::payments::NewPayment,
    v2_body_refund => portal_api::contract::payments::RefundBody,
    v2_body_new_booking => portal_api::contract::appointments::NewBooking,
    v2_body_reschedule => portal_api::contract::appointments::Reschedule,
    v2_body_new_slots => portal_api::contract::appointments::NewSlots,
    v2_body_outcome => portal_api::contract::appointments::OutcomeBody,
    v2_body_new_invitation => portal_api::contract::representatives::NewInvitation,
    v2_body_consent_given => portal_api::contract::statements::ConsentGiven,
    v2_body_new_firm => portal_api::contract::representatives::NewFirm,
    v2_body_new_member => portal_api::contract::representatives::NewMember,
    v2_body_join_firm => portal_api::contract::representatives::JoinFirm,
    v2_body_new_handover => portal_api::contract::representatives::NewHandover,
}

/// An invitation's fields, whatever they hold, make what the owner asks or a 400 naming them,
/// never a panic (the licence, the end date and the consent are read beyond their JSON types).
#[test]
fn v2_invitation_fields() {
    let today = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).expect("a date");
    bolero::check!().for_each(|bytes: &[u8]| {
        let body = serde_json::from_slice::<portal_api::contract::representatives::NewInvitation>(bytes);
        if let Ok(body) = body
            && let Err(refusal) = without_panics(|| body.ask(today, 1_800_000_000))
        {
            assert_eq!(refusal.into_response().status(), axum::http::StatusCode::BAD_REQUEST);
        }
    });
}

/// A payment processor's webhook: whatever the body and the signature header, verification
/// and the event's reading answer without a panic; a body signed with the right secret is read
/// as an event or refused as none, and one byte changed after signing is always refused (P2).
#[test]
fn v2_webhook() {
    const SECRET: &str = "whsec_fuzz";
    const AT: u64 = 1_800_000_000;
    bolero::check!().for_each(|bytes: &[u8]| {
        let (header, body) = bytes.split_at(bytes.len().min(usize::from(bytes.first().copied().unwrap_or(0))));
        let header = String::from_utf8_lossy(header);
        let _ = without_panics(|| signature::verify(Some(&header), body, &[SECRET], AT));
        let signed = signature::sign(body, SECRET, AT);
        assert_eq!(signature::verify(Some(&signed), body, &[SECRET], AT), Ok(()));
        let _ = without_panics(|| ProcessorEvent::parse(body));
        if let Some((&first, rest)) = body.split_first() {
            let changed = [&[first ^ 1][..], rest].concat();
            assert!(signature::verify(Some(&signed), &changed, &[SECRET], AT).is_err(), "a changed body verifies");
        }
    });
}

/// A file name as a browser may send it (any text: a lossy reading of the bytes) is kept as
/// `files.rs` promises, and downloads under a kept name with the verified kind's extension.
#[test]
fn v2_file_names() {
    bolero::check!().for_each(|bytes: &[u8]| {
        let sent = String::from_utf8_lossy(bytes);
        let kept = files::sanitize_file_name(&sent);
        assert_kept(&kept);
        assert_eq!(files::sanitize_file_name(&kept), kept, "sanitizing twice changes nothing");
        for kind in KINDS {
            let name = files::download_name(&sent, kind);
            assert_kept(&name);
            let extension = name.rsplit_once('.').map(|(_, extension)| extension.to_ascii_lowercase());
            assert!(extension.is_some_and(|e| kind.extensions().contains(&e.as_str())), "{name:?} for {kind:?}");
        }
    });
}

/// What `files.rs` promises of a kept name.
fn assert_kept(name: &str) {
    assert!(!name.is_empty(), "empty name");
    assert!(name.chars().count() <= MAX_NAME_CHARS, "{name:?} is too long");
    assert!(!name.starts_with('.'), "{name:?} starts with a dot");
    assert!(name.trim() == name, "{name:?} has surrounding spaces");
    assert!(
        name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')')),
        "{name:?} holds a separator, control or quoting character"
    );
}

/// A file's first bytes name its kind exactly as the formats define their signatures, and
/// verification, fed what the verifier reads of a file, accepts it only as the kind its bytes
/// show (a PDF only when the PDF check passes too).
#[test]
fn v2_magic_bytes() {
    bolero::check!().for_each(|bytes: &[u8]| {
        let sniffed = FileKind::sniff(bytes);
        assert_eq!(sniffed, KINDS.into_iter().find(|kind| bytes.starts_with(signature(*kind))));
        let size = bytes.len() as u64;
        for declared in KINDS {
            let read = &bytes[..bytes.len().min(declared.bytes_to_verify())];
            let outcome = without_panics(|| files::verify(declared, size, size, read));
            if bytes.is_empty() {
                assert_eq!(outcome, Err(QuarantineReason::Empty));
                continue;
            }
            let is_declared_kind =
                sniffed == Some(declared) && (declared != FileKind::Pdf || without_panics(|| pdf::check(read)).is_ok());
            assert_eq!(outcome.is_ok(), is_declared_kind, "declared {declared:?}: {outcome:?}");
            assert_eq!(files::verify(declared, size + 1, size, read), Err(QuarantineReason::SizeMismatch));
        }
    });
}

/// The published signatures of the accepted kinds.
fn signature(kind: FileKind) -> &'static [u8] {
    match kind {
        FileKind::Pdf => b"%PDF-",
        FileKind::Jpeg => &[0xFF, 0xD8, 0xFF],
        FileKind::Png => b"\x89PNG\r\n\x1a\n",
    }
}

/// Any bytes, not only those that start like a PDF, go through the whole-file PDF check.
#[test]
fn v2_pdf_check() {
    bolero::check!().for_each(|bytes: &[u8]| {
        let _ = without_panics(|| pdf::check(bytes));
    });
}

thread_local! {
    /// The last panic on this thread, as the panic hook saw it.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` and fails if anything panicked in it, even a panic `pdf::check` catches: release
/// builds abort on panic, so there a caught panic would end the invocation all the same.
fn without_panics<R>(f: impl FnOnce() -> R) -> R {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANIC.set(Some(info.to_string()));
            previous(info);
        }));
    });
    PANIC.take();
    let result = f();
    if let Some(panic) = PANIC.take() {
        panic!("a caught panic: {panic}");
    }
    result
}

/// Feeds `bytes` as the JSON body of a request through [`JsonBody<T>`], the extractor every
/// handler takes its body with (so its size limit and its mapping of refusals run too), and
/// panics unless the answer is a `T` or a 4xx problem: a body never makes a 5xx.
fn json_body<T: DeserializeOwned>(runtime: &Runtime, bytes: &[u8]) {
    let request = Request::post("/")
        .header("content-type", "application/json")
        .body(Body::from(bytes.to_vec()))
        .expect("a request with a static method, path and header");
    if let Err(refusal) = runtime.block_on(JsonBody::<T>::from_request(request, &())) {
        let status = refusal.into_response().status();
        assert!(status.is_client_error(), "a body answered {status}");
    }
}

/// The runtime the body targets drive the extractor on: one thread, like a Lambda invocation.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime")
}
