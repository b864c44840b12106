//! The applications and messages repositories on both stores (the embedded one and DynamoDB on
//! moto): drafts, optimistic saves, status changes with their history in one transaction, the
//! dashboard in one query, unique numbers, processing times, threads with their inbox.

use std::sync::Arc;

use portal_domain::application_documents::{AddError, Document, Documents, MAX_DOCUMENTS};
use portal_domain::applications::{Application, Applications, Change, WriteError};
use portal_domain::case_view::Party;
use portal_domain::fees::{self, AddFeeError, Fees};
use portal_domain::files::FileKind;
use portal_domain::idempotency::{self, Claim, IdempotencyKeys};
use portal_domain::keys;
use portal_domain::messages::{MAX_APPLICANT_MESSAGES_PER_DAY, Message, Messages, SendError, Side};
use portal_domain::paging::{PageRequest, Paged};
use portal_domain::payments::refunds::RefundAsk;
use portal_domain::payments::{
    self as payments, Checkout, CheckoutRequest, DeclineReason, Fulfilment, Payer, Payment, PaymentRecords, Payments,
    ProcessorError, RefundRequest, RefundStarted, StartError,
};
use portal_domain::profile::Language;
use portal_domain::status::{Command, Status};
use portal_domain::table::Table;
use portal_store::dynamodb::DynamoTable;
use portal_store::embedded::EmbeddedTable;
use serde_json::{Map, Value, json};

const T0: u64 = 1_800_000_000;

struct Fixture {
    table: Arc<dyn Table>,
    applications: Applications,
    messages: Messages,
    documents: Documents,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    /// Runs the requests at once, on either store (the emulator harness serves DynamoDB
    /// requests one at a time, as DynamoDB applies each write atomically).
    async fn race<T>(&self, requests: Vec<impl std::future::Future<Output = T>>) -> Vec<T> {
        futures::future::join_all(requests).await
    }
}

impl Fixture {
    fn over(table: Arc<dyn Table>, dir: Option<tempfile::TempDir>) -> Self {
        Self {
            applications: Applications::new(Arc::clone(&table)),
            messages: Messages::new(Arc::clone(&table)),
            documents: Documents::new(Arc::clone(&table)),
            table,
            _dir: dir,
        }
    }
}

async fn embedded() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    Fixture::over(Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")), Some(dir))
}

async fn dynamodb() -> Fixture {
    let config = portal_emulator::sdk_config().await.expect("moto emulator");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = portal_emulator::unique_name("applications");
    portal_emulator::create_table_from_template(&client, &name).await.expect("create table");
    Fixture::over(Arc::new(DynamoTable::new(client, name)), None)
}

fn data(pairs: Value) -> Map<String, Value> {
    pairs.as_object().expect("object").clone()
}

fn change(command: Command, actor: &str, expected_version: u64, at: u64) -> Change<'_> {
    Change::new(command, actor, expected_version, at)
}

async fn submitted(f: &Fixture, id: &str, number: &str) -> Application {
    let draft = f.applications.create_draft("owner", &visitor_visa(), id.into(), T0).await.expect("draft");
    let submit = Change { number: Some(number.into()), ..change(Command::Submit, "owner", draft.version, T0 + 1) };
    f.applications.change_status(&draft, submit).await.expect("submitted")
}

async fn a_draft_appears_on_its_owners_dashboard_needing_action(f: &Fixture) {
    f.applications.create_draft("owner", &visitor_visa(), "a1".into(), T0).await.expect("draft");

    let case = f.applications.case("a1").await.expect("read").expect("exists");
    assert_eq!((case.application.status, case.application.version), (Status::Draft, 1));
    assert!(case.history.items.is_empty());
    let dashboard = f.applications.dashboard("owner", 0, &PageRequest::first()).await.expect("dashboard").items;
    assert_eq!(dashboard.len(), 1);
    assert!(dashboard[0].action_required);
    assert!(
        f.applications.dashboard("someone-else", 0, &PageRequest::first()).await.expect("dashboard").items.is_empty()
    );
}

/// Issue 17, point 4 (D6): the dashboard is read a page of at most 50 lines at a time, action
/// required first, then newest change first, so its cost does not grow with the applications
/// someone holds; the cursor reaches every line once, and a change moves its line (keeping what
/// is owed on it).
async fn d6_the_dashboard_is_paged_action_required_first(f: &Fixture) {
    let visitor = visitor_visa();
    for n in 0..30 {
        let id = format!("s{n:02}");
        let draft = f.applications.create_draft("owner", &visitor, id.clone(), T0 + n).await.expect("draft");
        let number = Some(format!("V{:09}", n + 1));
        let submit = Change { number, ..change(Command::Submit, "owner", draft.version, T0 + 100 + n) };
        f.applications.change_status(&draft, submit).await.expect("submitted");
    }
    let mut drafts = Vec::new();
    for n in 0..30 {
        drafts.push(
            f.applications.create_draft("owner", &visitor, format!("d{n:02}"), T0 + 200 + n).await.expect("draft"),
        );
    }
    // The oldest draft is submitted last: it is the newest change, with nothing left to do.
    let submit = Change { number: Some("V000000099".into()), ..change(Command::Submit, "owner", 1, T0 + 300) };
    f.applications.change_status(&drafts[0], submit).await.expect("submitted");

    let first = f.applications.dashboard("owner", T0, &PageRequest::first()).await.expect("first page");
    let cursor = first.next.clone().expect("a second page");
    let second = f.applications.dashboard("owner", T0, &PageRequest::new(100, Some(cursor))).await.expect("second");
    let ids = |page: &Paged<portal_domain::applications::Summary>| -> Vec<String> {
        page.items.iter().map(|line| line.id.clone()).collect()
    };
    let mut expected: Vec<String> = (1..30).rev().map(|n| format!("d{n:02}")).collect();
    expected.push("d00".into());
    expected.extend((0..30).rev().map(|n| format!("s{n:02}")));
    assert_eq!(first.items.len(), 50, "a page holds at most 50 lines, whatever the limit asked");
    assert_eq!([ids(&first), ids(&second)].concat(), expected, "action required first, then newest first");
    assert!(first.items[..29].iter().all(|line| line.action_required));
    assert!(first.items[29..].iter().chain(&second.items).all(|line| !line.action_required));
    assert!(second.next.is_none(), "the last page says so");
    let moved = &first.items[29];
    assert_eq!((moved.id.as_str(), moved.status), ("d00", Status::Submitted));
    assert!(moved.payment_required, "what is owed stays on a line a change moves");
}

async fn a_stale_save_is_a_conflict_and_loses_nothing(f: &Fixture) {
    let draft = f.applications.create_draft("owner", &visitor_visa(), "a1".into(), T0).await.expect("draft");
    let saved = f.applications.save_form(&draft, data(json!({"familyName": "Roy"})), 1, T0 + 5).await.expect("save");
    assert_eq!(saved.version, 2);

    let stale = f.applications.save_form(&draft, data(json!({"familyName": "Other"})), 1, T0 + 6).await;

    assert!(matches!(stale, Err(WriteError::Conflict { current_version: 2 })), "{stale:?}");
    let case = f.applications.case("a1").await.expect("read").expect("exists");
    assert_eq!(case.application.data["familyName"], "Roy");
}

async fn submission_records_history_number_and_dashboard_together(f: &Fixture) {
    let application = submitted(f, "a1", "V000000001").await;

    assert_eq!((application.status, application.number.as_deref()), (Status::Submitted, Some("V000000001")));
    let case = f.applications.case("a1").await.expect("read").expect("exists");
    assert_eq!(case.history.items.len(), 1);
    assert_eq!((case.history.items[0].from, case.history.items[0].to), (Status::Draft, Status::Submitted));
    assert_eq!(case.history.items[0].role, "applicant");
    let dashboard = f.applications.dashboard("owner", 0, &PageRequest::first()).await.expect("dashboard").items;
    assert_eq!(dashboard[0].number.as_deref(), Some("V000000001"));
    assert!(!dashboard[0].action_required);
}

async fn an_application_number_is_never_given_twice(f: &Fixture) {
    submitted(f, "a1", "V000000001").await;
    let second = f.applications.create_draft("owner", &visitor_visa(), "a2".into(), T0).await.expect("draft");

    let clash = Change { number: Some("V000000001".into()), ..change(Command::Submit, "owner", 1, T0 + 2) };
    let result = f.applications.change_status(&second, clash).await;

    assert!(matches!(result, Err(WriteError::NumberTaken)), "{result:?}");
    let case = f.applications.case("a2").await.expect("read").expect("exists");
    assert_eq!((case.application.status, case.history.items.len()), (Status::Draft, 0), "nothing half-written");
}

async fn d2_two_officers_racing_one_wins_and_history_has_no_gap(f: &Fixture) {
    let application = submitted(f, "a1", "V000000001").await;

    let (first, second) = tokio::join!(
        f.applications.change_status(&application, change(Command::Receive, "officer-1", application.version, T0 + 10)),
        f.applications.change_status(&application, change(Command::Receive, "officer-2", application.version, T0 + 10)),
    );

    let outcomes = [first.is_ok(), second.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "exactly one wins");
    let loser = if outcomes[0] { second } else { first };
    assert!(matches!(loser, Err(WriteError::Conflict { .. })), "{loser:?}");
    let case = f.applications.case("a1").await.expect("read").expect("exists");
    let statuses: Vec<_> = case.history.items.iter().map(|h| (h.from, h.to)).collect();
    assert_eq!(statuses, [(Status::Draft, Status::Submitted), (Status::Submitted, Status::Received)]);
}

async fn a_submitted_application_is_no_longer_editable_and_steps_cannot_be_skipped(f: &Fixture) {
    let application = submitted(f, "a1", "V000000001").await;

    let edit = f.applications.save_form(&application, Map::new(), application.version, T0 + 3).await;
    let skip = f
        .applications
        .change_status(&application, change(Command::Approve, "officer", application.version, T0 + 3))
        .await;

    assert!(matches!(edit, Err(WriteError::NotADraft)), "{edit:?}");
    assert!(matches!(skip, Err(WriteError::NotAllowed(_))), "{skip:?}");
}

async fn decisions_feed_the_processing_time_of_their_type(f: &Fixture) {
    const DAY: u64 = 86_400;
    for (id, days) in [("a1", 10), ("a2", 20), ("a3", 30)] {
        let application = submitted(f, id, &format!("V00000000{}", &id[1..])).await;
        let mut current = application;
        for (command, at) in [(Command::Receive, 1), (Command::StartReview, 2), (Command::Approve, days * DAY)] {
            let step = change(command, "officer", current.version, T0 + 1 + at);
            current = f.applications.change_status(&current, step).await.expect("step");
        }
    }

    let estimate = f.applications.processing_time("visitor-visa").await.expect("read").expect("an estimate");

    assert_eq!(estimate.sample_size, 3);
    assert!((estimate.median_days - 20.0).abs() < 0.01, "{estimate:?}");
    assert!((estimate.p80_days - 30.0).abs() < 0.01, "{estimate:?}");
    assert_eq!(f.applications.processing_time("study-permit").await.expect("read"), None);
}

async fn threads_keep_the_inbox_in_step_and_receipts_count_once(f: &Fixture) {
    let application = submitted(f, "a1", "V000000001").await;
    let from_officer =
        Message::new("a1", Side::Officer, "officer-1", "Please send a clearer scan.".into(), vec![], T0 + 10);
    f.messages.send(&application.owner, &from_officer).await.expect("sent");

    let inbox = f.messages.inbox("owner").await.expect("inbox");
    assert_eq!((inbox.len(), inbox[0].unread, inbox[0].latest.from), (1, 1, Side::Officer));
    assert!(f.messages.mark_read("owner", &from_officer, T0 + 20).await.expect("read"));
    assert!(!f.messages.mark_read("owner", &from_officer, T0 + 30).await.expect("read again"), "once");
    let reply = Message::new("a1", Side::Applicant, "owner", "Here it is.".into(), vec![], T0 + 40);
    f.messages.send(&application.owner, &reply).await.expect("sent");

    let inbox = f.messages.inbox("owner").await.expect("inbox");
    assert_eq!((inbox[0].unread, inbox[0].latest.from, inbox[0].latest.sent_at), (0, Side::Applicant, T0 + 40));
    let case = f.applications.case("a1").await.expect("read").expect("exists");
    let thread: Vec<(Side, u64)> = case.messages.items.iter().map(|m| (m.from, m.read_at)).collect();
    assert_eq!(thread, [(Side::Applicant, 0), (Side::Officer, T0 + 20)], "newest first, with the receipt");
}

fn declared(application_id: &str, n: usize) -> Document {
    let pending = Document::pending(application_id, "passport".into(), "passport.pdf", FileKind::Pdf, 1000, T0);
    Document { id: format!("d{n:03}"), ..pending }
}

/// A7: the document cap is reserved atomically, so 50 declarations at once past it leave
/// exactly the cap recorded; a removed document gives its place back.
async fn a7_fifty_parallel_declarations_past_the_cap_record_exactly_the_cap(f: &Fixture) {
    f.applications.create_draft("owner", &visitor_visa(), "a1".into(), T0).await.expect("draft");
    let cap = MAX_DOCUMENTS as usize;
    let already = cap - 10;
    for n in 0..already {
        f.documents.add(&declared("a1", n), Status::Draft).await.expect("below the cap");
    }

    let racing = (already..already + 50).map(|n| {
        let document = declared("a1", n);
        async move { f.documents.add(&document, Status::Draft).await }
    });
    let results = f.race(racing.collect()).await;

    let added = results.iter().filter(|r| r.is_ok()).count();
    let refused = results.iter().filter(|r| matches!(r, Err(AddError::CapReached))).count();
    assert_eq!((added, refused), (10, 40), "{results:?}");
    assert_eq!(f.documents.of("a1").await.expect("documents").len(), cap);
    f.documents.remove("a1", "d000").await.expect("removed");
    f.documents.remove("a1", "d000").await.expect("removing again changes nothing");
    f.documents.add(&declared("a1", 999), Status::Draft).await.expect("the place was given back");
    let full = f.documents.add(&declared("a1", 998), Status::Draft).await;
    assert!(matches!(full, Err(AddError::CapReached)), "{full:?}");
}

/// A document is recorded only while the application has the status it was accepted on.
async fn a_declaration_on_an_application_that_moved_on_is_refused(f: &Fixture) {
    submitted(f, "a1", "V000000001").await;

    let late = f.documents.add(&declared("a1", 1), Status::Draft).await;

    assert!(matches!(late, Err(AddError::StatusChanged)), "{late:?}");
    assert!(f.documents.of("a1").await.expect("documents").is_empty());
}

/// A deleted draft takes its partition and dashboard line with it; a draft with a document, a
/// submitted application or a stale copy is refused, and nothing is lost.
async fn a_draft_is_deleted_whole_and_only_while_empty(f: &Fixture) {
    let draft = f.applications.create_draft("owner", &visitor_visa(), "a1".into(), T0).await.expect("draft");
    let message = Message::new("a1", Side::Applicant, "owner", "About my trip".into(), vec![], T0 + 1);
    f.messages.send("owner", &message).await.expect("a message");

    f.applications.delete_draft(&draft).await.expect("deleted");

    assert!(f.applications.get("a1").await.expect("read").is_none());
    assert!(f.applications.dashboard("owner", T0, &PageRequest::first()).await.expect("dashboard").items.is_empty());
    assert!(f.messages.inbox("owner").await.expect("inbox").is_empty(), "its thread leaves the inbox");
    let partition = portal_domain::table::Query::partition(keys::application_partition("a1"));
    assert!(f.table.query(partition).await.expect("query").items.is_empty(), "nothing is left behind");

    let kept = f.applications.create_draft("owner", &visitor_visa(), "a2".into(), T0).await.expect("draft");
    f.documents.add(&declared("a2", 1), Status::Draft).await.expect("a document");
    let refused = f.applications.delete_draft(&kept).await;
    assert!(matches!(refused, Err(WriteError::DraftHoldsDocuments)), "{refused:?}");
    let sent = submitted(f, "a3", "V000000003").await;
    assert!(matches!(f.applications.delete_draft(&sent).await, Err(WriteError::NotADraft)));
    assert_eq!(f.applications.dashboard("owner", T0, &PageRequest::first()).await.expect("dashboard").items.len(), 2);
}

/// Deleting a draft while documents are being recorded on it: either the deletion wins and no
/// document is recorded, or a document wins and the draft stays with it; never a document
/// left on a deleted draft.
async fn a_draft_deleted_while_documents_arrive_keeps_no_orphan(f: &Fixture) {
    for round in 0..5 {
        let id = format!("r{round}");
        let draft = f.applications.create_draft("owner", &visitor_visa(), id.clone(), T0).await.expect("draft");
        let (deleted, added) = futures::join!(
            f.applications.delete_draft(&draft),
            f.race(
                (0..10)
                    .map(|n| {
                        let document = declared(&id, n);
                        async move { f.documents.add(&document, Status::Draft).await }
                    })
                    .collect()
            ),
        );
        let recorded = added.iter().filter(|r| r.is_ok()).count();
        let documents = f.documents.of(&id).await.expect("documents").len();
        match deleted {
            Ok(()) => assert_eq!((documents, recorded), (0, 0), "round {round}: {added:?}"),
            Err(WriteError::DraftHoldsDocuments) => {
                assert!(recorded > 0 && documents == recorded, "round {round}");
                assert!(f.applications.get(&id).await.expect("read").is_some());
            }
            Err(other) => panic!("round {round}: {other:?}"),
        }
    }
}

/// Deleting a draft while Pay is pressed on it: either the draft goes and no payment is taken
/// (the checkout is refused), or a payment opens and the draft stays with it.
async fn a_draft_deleted_while_its_fees_are_paid_keeps_no_orphan_payment(f: &Fixture) {
    let visitor = visitor_visa();
    let records = PaymentRecords::new(Arc::clone(&f.table));
    let payer = Payer { sub: "owner", language: Language::En, return_base: "https://portal.example" };
    let codes = vec!["processing".to_owned(), "biometrics".to_owned()];
    for round in 0..5 {
        let id = format!("p{round}");
        let draft = f.applications.create_draft("owner", &visitor, id.clone(), T0).await.expect("draft");
        let ledger = fees::ledger_of(f.table.as_ref(), &id).await.expect("ledger");
        let due = Fees::new(&visitor, &ledger);
        let (deleted, started) = futures::join!(
            f.applications.delete_draft(&draft),
            records.start(&Offline, &draft, &due, &codes, &payer, T0 + 1),
        );
        let payments = records.of_application(&id, &PageRequest::first()).await.expect("payments").items.len();
        let kept = f.applications.get(&id).await.expect("read").is_some();
        match (deleted, started) {
            (Ok(()), Err(StartError::Gone)) => assert_eq!((kept, payments), (false, 0), "round {round}"),
            (Err(WriteError::DraftHoldsPayments), Ok(_)) => assert_eq!((kept, payments), (true, 1), "round {round}"),
            other => panic!("round {round}: {other:?}"),
        }
    }
}

/// A7: the applicant's messages of a day are reserved atomically with each message, so 50
/// posted at once leave exactly the daily limit stored; officers are not limited.
async fn a7_fifty_parallel_messages_past_the_daily_limit_store_exactly_the_limit(f: &Fixture) {
    let application = submitted(f, "a1", "V000000001").await;
    let now = T0 + 100;

    let racing = (0..50).map(|n| {
        let message = Message::new("a1", Side::Applicant, "owner", format!("message {n}"), vec![], now);
        let owner = application.owner.clone();
        async move { f.messages.send(&owner, &message).await }
    });
    let results = f.race(racing.collect()).await;

    let limit = MAX_APPLICANT_MESSAGES_PER_DAY as usize;
    let sent = results.iter().filter(|r| r.is_ok()).count();
    let next_day = 86_400 - now % 86_400;
    let limited = results
        .iter()
        .filter(|r| matches!(r, Err(SendError::DailyLimit { retry_after }) if *retry_after == next_day))
        .count();
    assert_eq!((sent, limited), (limit, 50 - limit), "{results:?}");
    let thread = f.messages.thread("a1", &PageRequest::first()).await.expect("thread");
    assert_eq!(thread.items.len(), limit);
    let officer = Message::new("a1", Side::Officer, "officer", "Noted.".into(), vec![], now);
    f.messages.send(&application.owner, &officer).await.expect("officers are not limited");
    let tomorrow = Message::new("a1", Side::Applicant, "owner", "Again".into(), vec![], now + next_day);
    f.messages.send(&application.owner, &tomorrow).await.expect("a new day, a new allowance");
}

/// D6: a thread longer than a page is read page by page, each item exactly once, newest first.
async fn d6_a_long_thread_is_read_in_pages_that_reach_every_message_once(f: &Fixture) {
    let application = submitted(f, "a1", "V000000001").await;
    for n in 0..130 {
        let message = Message::new("a1", Side::Officer, "officer", format!("message {n}"), vec![], T0 + n);
        f.messages.send(&application.owner, &message).await.expect("sent");
    }

    let mut seen = Vec::new();
    let mut page = PageRequest::new(50, None);
    loop {
        let read = f.messages.thread("a1", &page).await.expect("page");
        assert!(read.items.len() <= 50);
        seen.extend(read.items.into_iter().map(|m| m.body));
        match read.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }

    let expected: Vec<String> = (0..130).rev().map(|n| format!("message {n}")).collect();
    assert_eq!(seen, expected);
}

async fn officers_adding_one_fee_at_once_add_it_once_and_the_dashboard_owes_it_once(f: &Fixture) {
    let application = submitted(f, "a1", "V123456789").await;
    let visitor = visitor_visa();

    let attempts = (0..20).map(|n| {
        let officer = format!("officer-{n}");
        let (table, application, visitor) = (f.table.as_ref(), &application, &visitor);
        async move { fees::add(table, application, visitor, "restoration-of-status", &officer, 2, T0 + 2).await }
    });
    let results = f.race(attempts.collect()).await;

    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().all(|r| matches!(r, Ok(_) | Err(AddFeeError::AlreadyAdded))), "{results:?}");
    let ledger = fees::ledger_of(f.table.as_ref(), "a1").await.expect("ledger");
    assert_eq!(ledger.added.len(), 1);
    let owed = f.table.get(&keys::dashboard_entry("owner", "a1")).await.expect("read").expect("the dashboard line");
    assert_eq!(owed.get("dueCents"), Some(&json!(18_500 + 24_625)), "the type's fees and the added one, once");
    let dashboard = f.applications.dashboard("owner", 0, &PageRequest::first()).await.expect("dashboard").items;
    assert_eq!(dashboard.iter().map(|s| (s.id.as_str(), s.payment_required)).collect::<Vec<_>>(), [("a1", true)]);
}

/// A processor that opens checkouts and accepts refunds without a network.
struct Offline;

#[async_trait::async_trait]
impl Payments for Offline {
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<Checkout, ProcessorError> {
        Ok(Checkout { id: format!("cs_{}", request.payment_id), url: "https://checkout.example/pay".into() })
    }
    async fn refund(&self, request: &RefundRequest) -> Result<RefundStarted, ProcessorError> {
        Ok(RefundStarted { id: format!("re_{}", request.refund_id) })
    }
}

async fn p1_p3_p4_presses_deliveries_and_refunds_at_once_charge_apply_and_refund_once(f: &Fixture) {
    let visitor = visitor_visa();
    let draft = f.applications.create_draft("owner", &visitor, "a1".into(), T0).await.expect("draft");
    let records = PaymentRecords::new(Arc::clone(&f.table));
    let ledger = fees::ledger_of(f.table.as_ref(), "a1").await.expect("ledger");
    let due = Fees::new(&visitor, &ledger);
    let payer = Payer { sub: "owner", language: Language::En, return_base: "https://portal.example" };
    let codes = vec!["processing".to_owned(), "biometrics".to_owned()];

    // Pay pressed ten times at once: one checkout, the others resume it or wait for it.
    let presses = (0..10).map(|_| records.start(&Offline, &draft, &due, &codes, &payer, T0 + 1));
    let started = f.race(presses.collect()).await;
    let ids: std::collections::BTreeSet<String> =
        started.iter().filter_map(|r| r.as_ref().ok()).map(|p| p.id.clone()).collect();
    assert_eq!(ids.len(), 1, "one payment: {started:?}");
    assert!(started.iter().all(|r| matches!(r, Ok(_) | Err(StartError::AnotherOpen))), "{started:?}");
    let id = ids.into_iter().next().expect("a payment");
    assert_eq!(records.of_application("a1", &PageRequest::first()).await.expect("payments").items.len(), 1);

    // A card refused on the open checkout is recorded, for the payer's return.
    assert!(records.record_decline(&id, DeclineReason::InsufficientFunds).await.expect("decline"));
    let open = records.get(&id).await.expect("read").expect("the payment");
    assert_eq!(open.last_decline, Some(DeclineReason::InsufficientFunds));

    // The confirmation delivered ten times at once: applied once.
    let deliveries = (0..10).map(|_| records.fulfil(&id, Some(18_500), Some("cad"), Some("pi_1"), T0 + 2));
    let applied = f.race(deliveries.collect()).await;
    assert_eq!(applied.iter().filter(|r| matches!(r, Ok(Fulfilment::Paid(_)))).count(), 1, "{applied:?}");
    assert!(applied.iter().all(|r| matches!(r, Ok(Fulfilment::Paid(_) | Fulfilment::AlreadyApplied))), "{applied:?}");
    let ledger = fees::ledger_of(f.table.as_ref(), "a1").await.expect("ledger");
    assert_eq!(ledger.paid.iter().map(|fee| fee.amount_cents).sum::<u64>(), 18_500);
    let owed = f.table.get(&keys::dashboard_entry("owner", "a1")).await.expect("read").expect("the dashboard line");
    assert_eq!(owed.get("dueCents"), Some(&json!(0)));
    let history = f.applications.history("a1", &PageRequest::first()).await.expect("history");
    assert_eq!(history.items.len(), 1, "one history entry");
    assert!(!records.record_decline(&id, DeclineReason::Declined).await.expect("late"), "paid: nothing to record");

    // Ten refunds of 100.00 asked at once on one version: one goes through, never more.
    let payment = records.get(&id).await.expect("read").expect("the payment");
    let asks: Vec<RefundAsk<'_>> = (0..10)
        .map(|_| RefundAsk {
            amount_cents: 10_000,
            reason: "overpaid",
            expected_version: payment.version,
            officer: "o",
        })
        .collect();
    let refunds = f.race(asks.iter().map(|ask| records.refund(&Offline, &payment, ask, T0 + 3)).collect()).await;
    let refund = refunds.iter().find_map(|r| r.as_ref().ok()).expect("one refund").clone();
    assert_eq!(refunds.iter().filter(|r| r.is_ok()).count(), 1, "{refunds:?}");
    assert!(records.settle(&id, &refund.id, true, Some(T0 + 4)).await.expect("settled"));
    assert!(!records.settle(&id, &refund.id, true, Some(T0 + 5)).await.expect("again"), "settled once");
    let payment = records.get(&id).await.expect("read").expect("the payment");
    assert_eq!((payment.refunded_cents, payment.refund_reserved_cents), (10_000, 10_000));
    let views = records.views(vec![payment], Party::Owner).await.expect("views");
    assert_eq!(
        views[0].refunds.iter().map(|r| (r.amount_cents, r.reason.clone())).collect::<Vec<_>>(),
        [(10_000, None)]
    );
}

async fn d6_an_application_s_payments_are_read_a_page_at_a_time_newest_first(f: &Fixture) {
    let visitor = visitor_visa();
    let draft = f.applications.create_draft("owner", &visitor, "a2".into(), T0).await.expect("draft");
    let records = PaymentRecords::new(Arc::clone(&f.table));
    let ledger = fees::ledger_of(f.table.as_ref(), "a2").await.expect("ledger");
    let due = Fees::new(&visitor, &ledger);
    let payer = Payer { sub: "owner", language: Language::En, return_base: "https://portal.example" };
    let codes = vec!["processing".to_owned(), "biometrics".to_owned()];
    // Three checkouts, each started once the one before had expired unpaid.
    let mut started = Vec::new();
    for n in 0..3 {
        let at = T0 + n * (payments::CHECKOUT_SECONDS + 1);
        started.push(records.start(&Offline, &draft, &due, &codes, &payer, at).await.expect("started").id);
    }
    let first = records.of_application("a2", &PageRequest::new(2, None)).await.expect("page 1");
    let ids = |page: &Paged<Payment>| page.items.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), [started[2].clone(), started[1].clone()]);
    let second = records.of_application("a2", &PageRequest::new(2, first.next.clone())).await.expect("page 2");
    assert_eq!((ids(&second), second.next), (vec![started[0].clone()], None));
}

async fn p1_an_idempotency_key_is_claimed_once_replayed_refused_for_another_request_and_taken_over_after_its_lease(
    f: &Fixture,
) {
    let keys = IdempotencyKeys::new(Arc::clone(&f.table));

    // Twenty requests at once with one key: one does the work, the others are told it runs.
    let claims = f.race((0..20).map(|_| keys.claim("u1", "key-1", "digest-a", T0)).collect()).await;
    let claims: Vec<Claim> = claims.into_iter().map(|c| c.expect("claimed")).collect();
    assert_eq!(claims.iter().filter(|c| **c == Claim::Fresh).count(), 1, "{claims:?}");
    assert!(claims.iter().all(|c| matches!(c, Claim::Fresh | Claim::InProgress)), "{claims:?}");
    assert_eq!(keys.claim("u1", "key-1", "digest-b", T0).await.expect("claim"), Claim::Mismatch);
    assert_eq!(keys.claim("u2", "key-1", "digest-b", T0).await.expect("claim"), Claim::Fresh, "keys are per caller");

    keys.complete("u1", "key-1", 201, &json!({"id": "p1"})).await.expect("completed");
    let replay = Claim::Replay { status: 201, body: json!({"id": "p1"}) };
    assert_eq!(keys.claim("u1", "key-1", "digest-a", T0 + 1).await.expect("claim"), replay);

    // A request that died keeps its key for its lease, then one other request takes it over.
    assert_eq!(keys.claim("u1", "key-2", "d", T0).await.expect("claim"), Claim::Fresh);
    assert_eq!(keys.claim("u1", "key-2", "d", T0 + 1).await.expect("claim"), Claim::InProgress);
    let later = T0 + idempotency::LEASE_SECONDS + 1;
    let takeovers = f.race((0..10).map(|_| keys.claim("u1", "key-2", "d", later)).collect()).await;
    assert_eq!(takeovers.iter().filter(|c| matches!(c, Ok(Claim::Fresh))).count(), 1, "{takeovers:?}");

    // A failed request gives its key back; a day later any key is free again.
    keys.abandon("u1", "key-2").await.expect("abandoned");
    assert_eq!(keys.claim("u1", "key-2", "other", later).await.expect("claim"), Claim::Fresh);
    let tomorrow = T0 + idempotency::KEEP_SECONDS + 1;
    assert_eq!(keys.claim("u1", "key-1", "digest-b", tomorrow).await.expect("claim"), Claim::Fresh);
}

/// Instantiates repository tests for one store.
macro_rules! on_store {
    ($module:ident, $store:ident: $($test:ident),* $(,)?) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(&super::$store().await).await;
                }
            )*
        }
    };
}

on_store!(embedded, embedded: d6_the_dashboard_is_paged_action_required_first, a7_fifty_parallel_declarations_past_the_cap_record_exactly_the_cap, a_draft_is_deleted_whole_and_only_while_empty, a_declaration_on_an_application_that_moved_on_is_refused, a7_fifty_parallel_messages_past_the_daily_limit_store_exactly_the_limit, d6_a_long_thread_is_read_in_pages_that_reach_every_message_once, a_draft_appears_on_its_owners_dashboard_needing_action, a_stale_save_is_a_conflict_and_loses_nothing, submission_records_history_number_and_dashboard_together, an_application_number_is_never_given_twice, a_submitted_application_is_no_longer_editable_and_steps_cannot_be_skipped, decisions_feed_the_processing_time_of_their_type, threads_keep_the_inbox_in_step_and_receipts_count_once);
on_store!(dynamodb, dynamodb: d6_the_dashboard_is_paged_action_required_first, a7_fifty_parallel_declarations_past_the_cap_record_exactly_the_cap, a_draft_is_deleted_whole_and_only_while_empty, a_declaration_on_an_application_that_moved_on_is_refused, a7_fifty_parallel_messages_past_the_daily_limit_store_exactly_the_limit, d6_a_long_thread_is_read_in_pages_that_reach_every_message_once, a_draft_appears_on_its_owners_dashboard_needing_action, a_stale_save_is_a_conflict_and_loses_nothing, submission_records_history_number_and_dashboard_together, an_application_number_is_never_given_twice, a_submitted_application_is_no_longer_editable_and_steps_cannot_be_skipped, decisions_feed_the_processing_time_of_their_type, threads_keep_the_inbox_in_step_and_receipts_count_once);
// Racing writes on both stores (the emulator harness plays DynamoDB's per-item atomicity).
on_store!(embedded_concurrency, embedded: d2_two_officers_racing_one_wins_and_history_has_no_gap, a_draft_deleted_while_documents_arrive_keeps_no_orphan, a_draft_deleted_while_its_fees_are_paid_keeps_no_orphan_payment, officers_adding_one_fee_at_once_add_it_once_and_the_dashboard_owes_it_once, p1_p3_p4_presses_deliveries_and_refunds_at_once_charge_apply_and_refund_once, d6_an_application_s_payments_are_read_a_page_at_a_time_newest_first, p1_an_idempotency_key_is_claimed_once_replayed_refused_for_another_request_and_taken_over_after_its_lease);
on_store!(dynamodb_concurrency, dynamodb: d2_two_officers_racing_one_wins_and_history_has_no_gap, a_draft_deleted_while_documents_arrive_keeps_no_orphan, a_draft_deleted_while_its_fees_are_paid_keeps_no_orphan_payment, officers_adding_one_fee_at_once_add_it_once_and_the_dashboard_owes_it_once, p1_p3_p4_presses_deliveries_and_refunds_at_once_charge_apply_and_refund_once, d6_an_application_s_payments_are_read_a_page_at_a_time_newest_first, p1_an_idempotency_key_is_claimed_once_replayed_refused_for_another_request_and_taken_over_after_its_lease);

mod documents {
    use std::sync::Arc;

    use portal_domain::application_documents::{Document, DocumentState, Documents};
    use portal_domain::applications::Applications;
    use portal_domain::files::{FileKind, QuarantineReason};
    use portal_domain::status::Status;
    use portal_store::embedded::EmbeddedTable;

    use super::visitor_visa;

    fn pending(id: &str) -> Document {
        let pending = Document::pending("a1", "passport".into(), "passport.pdf", FileKind::Pdf, 1000, 1);
        Document { id: id.into(), ..pending }
    }

    #[tokio::test]
    async fn verification_is_recorded_once_whatever_the_redeliveries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let table = Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store"));
        Applications::new(table.clone()).create_draft("owner", &visitor_visa(), "a1".into(), 1).await.expect("draft");
        let documents = Documents::new(table);
        documents.add(&pending("d1"), Status::Draft).await.expect("added");
        documents.add(&pending("d2"), Status::Draft).await.expect("added");

        let first = documents.record_verification("a1", "d1", Ok(()), 2).await.expect("recorded");
        let again = documents.record_verification("a1", "d1", Err(QuarantineReason::ContentMismatch), 3).await;
        documents.record_verification("a1", "d2", Err(QuarantineReason::ContentMismatch), 2).await.expect("recorded");

        assert_eq!(first.map(|d| (d.state, d.updated_at)), Some((DocumentState::Verified, 2)), "as recorded");
        assert!(again.expect("no error").is_none(), "a redelivered event changes nothing");
        let d1 = documents.get("a1", "d1").await.expect("read").expect("d1");
        let d2 = documents.get("a1", "d2").await.expect("read").expect("d2");
        assert_eq!((d1.state, d1.updated_at), (DocumentState::Verified, 2));
        assert_eq!(
            (d2.state, d2.quarantine_reason),
            (DocumentState::Quarantined, Some(QuarantineReason::ContentMismatch))
        );
    }
}

/// The visitor visa type of the catalog.
fn visitor_visa() -> portal_domain::application_types::ApplicationType {
    portal_domain::application_types::Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone()
}
