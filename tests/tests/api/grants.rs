//! The table grants of `template.yaml` against what the handlers really do (I2): every route
//! of the areas on the table is driven through `lambda_http` with API Gateway events, over a
//! table that records the IAM action and the partition key of every item each request reads or
//! writes (transaction items one by one, as DynamoDB authorizes them). Each call must be
//! allowed by a statement of the route's function, actions and `dynamodb:LeadingKeys` both, and
//! every action and kind of partition granted must have been needed by one of them.
//! Moto enforces no IAM, so without this a grant narrower than the code would only show in AWS.
//!
//! The same journey proves DESIGN §7's one round trip per read: every signed-in read is sent a
//! second time with the table holding each call until all of the request's calls are in flight
//! together, which a request that waits for one answer before its next call never reaches.
//!
//! Not driven here: the auth routes (in AWS their work is Cognito's, and their table calls are
//! the account limits' counters, pending challenges, known places and the caller's account
//! partition: their partition families are checked in `template.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use portal_api::routes::{self, Area, Auth, Route};
use portal_domain::application_documents::Documents;
use portal_domain::application_types::Catalog;
use portal_domain::applications::{Application, Applications, PaperHolder};
use portal_domain::appointments::Appointments;
use portal_domain::appointments::locations::Locations;
use portal_domain::clock::{Clock, SystemClock};
use portal_domain::events::Event;
use portal_domain::notifications::Dispatcher;
use portal_domain::notifier::{Message, Notifier, NotifyError};
use portal_domain::profile::{Language, Profile, Profiles};
use portal_domain::representatives::consent::STATEMENT;
use portal_domain::status::Status;
use portal_domain::table::{Condition, Index, Item, Key, Page, Query, StoreError, Table, Update, WriteOp};
use portal_domain::verification::Verifier;
use portal_store::embedded::EmbeddedTable;
use portal_store::local_blobs::LocalBlobs;
use portal_tests::counting::Gate;
use portal_tests::gateway_event;
use reqwest::Method;
use serde_json::{Value, json};

use crate::applications::{complete_visitor_form, signed_declaration};
use crate::documents::{PDF, PNG};
use crate::template::{table_statements, template};

/// One item-level request as IAM sees it: `dynamodb:{action}` on the table or its index, with
/// the item's partition key as `dynamodb:LeadingKeys`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Call {
    action: &'static str,
    partition: String,
    /// The index queried, if any (`gsi1`, `lsi1`).
    index: Option<&'static str>,
}

struct RecordingTable {
    inner: EmbeddedTable,
    calls: Mutex<Vec<Call>>,
    /// Table calls made (a transaction is one call of several items).
    requests: AtomicUsize,
    gate: Gate,
}

impl RecordingTable {
    fn new(inner: EmbeddedTable) -> Self {
        Self { inner, calls: Mutex::default(), requests: AtomicUsize::new(0), gate: Gate::default() }
    }

    /// Records an item the call reads or writes.
    fn record(&self, action: &'static str, partition: &str, index: Option<&'static str>) {
        self.calls.lock().expect("calls").push(Call { action, partition: partition.to_owned(), index });
    }

    /// Counts a table call, then holds it at the gate while it is shut.
    async fn enter(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.gate.pass().await;
    }

    fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().expect("calls"))
    }
}

#[async_trait]
impl Table for RecordingTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.enter().await;
        self.record("GetItem", &key.pk, None);
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.enter().await;
        self.record("PutItem", &item.key().pk, None);
        self.inner.put(item, condition).await
    }
    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError> {
        self.enter().await;
        self.record("UpdateItem", &key.pk, None);
        self.inner.update(key, update, condition).await
    }
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.enter().await;
        self.record("DeleteItem", &key.pk, None);
        self.inner.delete(key, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.enter().await;
        self.record("Query", &query.partition, query.index.map(Index::name));
        self.inner.query(query).await
    }
    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.enter().await;
        for op in &ops {
            let action = match op {
                WriteOp::Put { .. } => "PutItem",
                WriteOp::Update { .. } => "UpdateItem",
                WriteOp::Delete { .. } => "DeleteItem",
                WriteOp::Check { .. } => "ConditionCheckItem",
            };
            self.record(action, &op.key().pk, None);
        }
        self.inner.transact_write(ops).await
    }
}

/// A notifier whose first send fails, so the notice claim is given back (a delete) once.
#[derive(Default)]
struct FailingOnce(Mutex<bool>);

#[async_trait]
impl Notifier for FailingOnce {
    async fn send(&self, _message: Message) -> Result<(), NotifyError> {
        let mut failed = self.0.lock().expect("flag");
        if *failed {
            return Ok(());
        }
        *failed = true;
        Err(NotifyError("the provider is down".into()))
    }
}

/// Whether a statement of `function` allows `call`: the action, the resource (table or index)
/// and, when the statement has one, its `dynamodb:LeadingKeys` patterns (`PREFIX#*`).
fn allowed(template: &serde_yaml::Value, function: &str, call: &Call) -> bool {
    table_statements(template).into_iter().filter(|(f, ..)| f == function).any(|(_, actions, resource, condition)| {
        let action = format!("dynamodb:{}", call.action);
        let acts = actions.lines().any(|line| line.trim().trim_start_matches("- ") == action);
        let on = match call.index {
            Some(index) => format!("!Sub ${{PortalTable.Arn}}/index/{index}"),
            None => "!GetAtt PortalTable.Arn".to_owned(),
        };
        let keys = match condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"].as_sequence() {
            Some(patterns) => patterns
                .iter()
                .filter_map(serde_yaml::Value::as_str)
                .any(|pattern| call.partition.starts_with(pattern.trim_end_matches('*'))),
            // Only the global index goes without: its partitions are queues, not someone's.
            None => call.index == Some(Index::Gsi1.name()),
        };
        acts && resource == on && keys
    })
}

/// A document of `kind` declared and posted to the (local) bucket as a browser would; gives its id.
async fn posted(
    journey: &mut Journey,
    blobs: &LocalBlobs,
    app_path: &str,
    kind: &str,
    content_type: &str,
    bytes: &[u8],
) -> String {
    let declared = json!({"kind": kind, "fileName": "file", "contentType": content_type, "size": bytes.len()});
    let declared = journey.send(Method::POST, &format!("{app_path}/documents"), Some(declared), APPLICANT, &[]).await;
    let fields: HashMap<String, String> =
        serde_json::from_value(declared["upload"]["fields"].clone()).expect("form fields");
    let policy = blobs.check_upload(&fields, bytes.len() as u64).expect("a valid form");
    blobs.store(&policy, bytes).expect("stored").expect("accepted");
    declared["documentId"].as_str().expect("document id").to_owned()
}

/// A document posted, then completed (by someone else first: refused, audited); gives its id.
async fn upload(
    journey: &mut Journey,
    blobs: &LocalBlobs,
    app_path: &str,
    kind: &str,
    content_type: &str,
    bytes: &[u8],
) -> String {
    let document = posted(journey, blobs, app_path, kind, content_type, bytes).await;
    let complete = format!("{app_path}/documents/{document}/complete");
    journey.send(Method::POST, &complete, None, "someone-else", &[]).await; // denied: audited
    journey.send(Method::POST, &complete, None, APPLICANT, &[]).await;
    document
}

struct Journey {
    template: serde_yaml::Value,
    table: Arc<RecordingTable>,
    app: Router,
    exercised: BTreeSet<&'static str>,
    made: BTreeMap<&'static str, BTreeSet<Call>>,
    refused: BTreeMap<&'static str, BTreeSet<Call>>,
    /// Reads whose table calls (this many) were never all in flight together.
    waited: BTreeMap<&'static str, usize>,
    /// Reads whose table calls were all in flight together.
    in_one: BTreeSet<&'static str>,
}

impl Journey {
    /// Checks the calls made since the last check against `function`'s grants.
    fn check(&mut self, function: &'static str) {
        self.exercised.insert(function);
        for call in self.table.take() {
            if !allowed(&self.template, function, &call) {
                self.refused.entry(function).or_default().insert(call.clone());
            }
            self.made.entry(function).or_default().insert(call);
        }
    }

    /// Sends a request as `sub` (in `groups`) and checks its calls against its route's function.
    async fn send(&mut self, method: Method, path: &str, body: Option<Value>, sub: &str, groups: &[&str]) -> Value {
        self.send_with(method, path, body, sub, groups, &[]).await
    }

    /// [`Self::send`] with these request headers too.
    async fn send_with(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        sub: &str,
        groups: &[&str],
        headers: &[(&str, &str)],
    ) -> Value {
        self.table.take();
        self.table.requests.store(0, Ordering::SeqCst);
        let mut event: Value =
            serde_json::from_str(&gateway_event(method.as_str(), path, body.as_ref(), sub, groups)).expect("event");
        for (name, value) in headers {
            event["headers"][name] = Value::from(*value);
        }
        let event = event.to_string();
        let response = portal_api::lambda::handle_event(self.app.clone(), &event).await.expect("response");
        let route = routes::find(&method, path.split('?').next().expect("path")).expect("a route of the table");
        let status = response["statusCode"].as_u64().expect("status");
        assert!(status < 500, "{} {path}: {status} {}", route.function, response["body"]);
        self.check(route.function);
        // Someone reading an application not theirs (a representative, a stranger refused) is
        // decided, and recorded, once its item says how they stand: a second round trip.
        let own_read = match route.auth {
            Auth::Public => false,
            Auth::User => sub == APPLICANT || !route.path.starts_with("/api/applications/{id}"),
            Auth::Officer => true,
        };
        if method == Method::GET && own_read && (200..300).contains(&status) {
            self.in_one_round_trip(route, &event, status).await;
        }
        response["body"].as_str().and_then(|body| serde_json::from_str(body).ok()).unwrap_or(Value::Null)
    }
}

/// Reads that take a second round trip today, and why (the first answer names what to read next).
const SECOND_ROUND_TRIP: &[(&str, &str)] = &[
    ("ListPayments", "each payment's refunds are read once the page says which payments it holds"),
    ("GetReceipt", "the payment names its application, whose item decides who may read it"),
    ("GetReceiptPdf", "as GetReceipt"),
    ("GetMyActivity", "the caller's applications are listed first, then their trails read one after another"),
    ("ExportMyData", "gathers everything of every application the caller holds, then writes the file: not a page"),
    ("ListInvitations", "invitations are found by the caller's email address, read from their profile first"),
    ("GetMyFirm", "the firm's members are read once the membership names the firm, then each one's clients"),
];

impl Journey {
    /// Sends a signed-in read (answered `status` a moment ago) again, with every table call held
    /// until all the calls it made then are in flight together: a read that waits for one
    /// answer before its next call never gets there (DESIGN §7).
    async fn in_one_round_trip(&mut self, route: &'static Route, event: &str, status: u64) {
        let calls = self.table.requests.swap(0, Ordering::SeqCst);
        if SECOND_ROUND_TRIP.iter().any(|(function, _)| *function == route.function) {
            return;
        }
        let again = self.table.gate.all_at_once(calls, portal_api::lambda::handle_event(self.app.clone(), event)).await;
        let Some(again) = again else {
            self.waited.insert(route.function, calls);
            return;
        };
        assert_eq!(again.expect("response")["statusCode"].as_u64(), Some(status), "{} again", route.function);
        assert_eq!(self.table.requests.swap(0, Ordering::SeqCst), calls, "{}: the same calls again", route.function);
        self.check(route.function);
        self.in_one.insert(route.function);
    }
}

const APPLICANT: &str = "owner-1";
const WEBHOOK_SECRET: &str = "whsec_grants";
const OFFICER: &str = "officer-1";
const OFFICERS: &[&str] = &["officers"];
const DAY: u64 = 86_400;

#[tokio::test]
async fn i2_every_table_call_of_every_route_is_allowed_by_its_function_grants() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = Arc::new(RecordingTable::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")));
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let catalog = Arc::new(Catalog::load().expect("catalog"));
    let locations = Arc::new(Locations::load().expect("locations"));
    let blobs = Arc::new(LocalBlobs::open(&dir.path().join("blobs"), Arc::clone(&clock)).expect("blobs"));
    let shared: Arc<dyn Table> = table.clone();
    let area_routers = [
        portal_profile::router(portal_profile::ProfileState::new(shared.clone(), blobs.clone(), clock.clone()))
            .expect("profile"),
        portal_applications::router(portal_applications::ApplicationsState::new(
            shared.clone(),
            catalog.clone(),
            clock.clone(),
        ))
        .expect("applications"),
        portal_documents::router(portal_documents::DocumentsState::new(
            shared.clone(),
            blobs.clone(),
            catalog.clone(),
            clock.clone(),
        ))
        .expect("documents"),
        portal_messages::router(portal_messages::MessagesState::new(shared.clone(), clock.clone())).expect("messages"),
        portal_payments::router(portal_payments::PaymentsState::new(
            shared.clone(),
            catalog.clone(),
            clock.clone(),
            Arc::new(portal_local::checkout::LocalGateway::new(WEBHOOK_SECRET.into(), clock.clone())),
            portal_payments::PaymentsConfig {
                return_base: String::new(),
                webhook_secrets: vec![WEBHOOK_SECRET.into()],
            },
        ))
        .expect("payments"),
        portal_billing::router(portal_billing::BillingState::new(shared.clone(), catalog.clone(), clock.clone()))
            .expect("billing"),
        portal_officer::router(portal_officer::OfficerState::new(shared.clone(), catalog, clock.clone()))
            .expect("officer"),
        portal_appointments::router(portal_appointments::AppointmentsState::new(
            shared.clone(),
            locations.clone(),
            DAY,
            clock.clone(),
        ))
        .expect("appointments"),
        portal_representatives::router(portal_representatives::RepresentativesState::new(
            shared.clone(),
            Arc::new(FailingOnce::default()),
            clock.clone(),
        ))
        .expect("representatives"),
    ];
    let app = portal_api::app(area_routers.into_iter().fold(Router::new(), Router::merge));
    let mut journey = Journey {
        template: template(),
        table: table.clone(),
        app,
        exercised: BTreeSet::new(),
        made: BTreeMap::new(),
        refused: BTreeMap::new(),
        waited: BTreeMap::new(),
        in_one: BTreeSet::new(),
    };

    // Registration's own table call (its account is Cognito's).
    let profile = Profile {
        email: "marie@example.ca".into(),
        given_name: "Marie".into(),
        family_name: "Tremblay".into(),
        preferred_language: Language::Fr,
        notifications: Default::default(),
    };
    Profiles::new(shared.clone()).put(APPLICANT, &profile).await.expect("profile");
    table.take();

    let (get, post, put, patch, delete) = (Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE);
    journey.send(get.clone(), "/api/me", None, APPLICANT, &[]).await;
    journey.send(patch, "/api/me", Some(json!({"notifications": {"email": true}})), APPLICANT, &[]).await;
    journey.send(get.clone(), "/api/application-types", None, APPLICANT, &[]).await;
    journey.send(get.clone(), "/api/processing-times", None, APPLICANT, &[]).await;

    let created =
        journey.send(post.clone(), "/api/applications", Some(json!({"type": "visitor-visa"})), APPLICANT, &[]).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let app_path = format!("/api/applications/{id}");
    journey.send(get.clone(), "/api/applications", None, APPLICANT, &[]).await;
    journey.send(get.clone(), &app_path, None, APPLICANT, &[]).await;
    journey.send(get.clone(), &app_path, None, "someone-else", &[]).await; // denied: audited
    let form = json!({"data": complete_visitor_form(), "version": 1});
    journey.send(put, &format!("{app_path}/form"), Some(form), APPLICANT, &[]).await;
    journey.send(get.clone(), &format!("{app_path}/fees"), None, APPLICANT, &[]).await;

    // Documents: declared, posted to the (local) bucket as a browser would, completed.
    let mut documents = Vec::new();
    for (kind, content_type, bytes) in
        [("passport", "application/pdf", PDF), ("photo", "image/png", PNG), ("proof-of-funds", "application/pdf", PDF)]
    {
        documents.push(upload(&mut journey, &blobs, &app_path, kind, content_type, bytes).await);
    }
    journey.send(get.clone(), &format!("{app_path}/documents"), None, APPLICANT, &[]).await;
    journey.send(get.clone(), &format!("{app_path}/history"), None, APPLICANT, &[]).await;
    journey.send(get.clone(), &format!("{app_path}/documents/{}/download", documents[0]), None, APPLICANT, &[]).await;
    // One more, verified by the bucket's event (as `scan` runs it) before anyone completes it,
    // then removed.
    let spare = posted(&mut journey, &blobs, &app_path, "passport", "application/pdf", PDF).await;
    let verifier = Verifier::new(Documents::new(shared.clone()), blobs.clone(), clock.clone());
    let scanned = verifier.verify(&id, &spare).await.expect("verification").expect("a document");
    assert_eq!(scanned.state, portal_domain::application_documents::DocumentState::Verified);
    journey.check("Scan");
    journey.send(delete.clone(), &format!("{app_path}/documents/{spare}"), None, APPLICANT, &[]).await;

    // The fees: a payment of fees that are not those due refused (its key given back), a
    // checkout opened, the processor's signed confirmation, the payments listed.
    let stale = json!({"fees": ["processing"]});
    let stale_key = [("Idempotency-Key", "journey-0")];
    let refused =
        journey.send_with(post.clone(), &format!("{app_path}/payments"), Some(stale), APPLICANT, &[], &stale_key).await;
    assert_eq!(refused["type"], "fees-changed", "{refused}");
    let pay = json!({"fees": ["processing", "biometrics"]});
    let key = [("Idempotency-Key", "journey-1")];
    let payment =
        journey.send_with(post.clone(), &format!("{app_path}/payments"), Some(pay), APPLICANT, &[], &key).await;
    let payment_id = payment["id"].as_str().expect("a payment").to_owned();
    let paid = json!({
        "id": "evt_1", "object": "event", "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_1", "object": "checkout.session", "client_reference_id": payment_id,
            "payment_status": "paid", "amount_total": 18_500, "currency": "cad", "payment_intent": "pi_1"}}
    });
    let signed = portal_domain::payments::signature::sign(paid.to_string().as_bytes(), WEBHOOK_SECRET, clock.now());
    let applied = journey
        .send_with(post.clone(), "/api/payments/webhook", Some(paid), "", &[], &[("Stripe-Signature", &signed)])
        .await;
    assert_eq!(applied["applied"], true, "{applied}");
    journey.send(get.clone(), &format!("{app_path}/payments"), None, APPLICANT, &[]).await;
    let receipt = journey.send(get.clone(), &format!("/api/payments/{payment_id}/receipt"), None, APPLICANT, &[]).await;
    assert_eq!(receipt["totalCents"], 18_500, "{receipt}");
    journey.send(get.clone(), &format!("/api/payments/{payment_id}/receipt.pdf"), None, APPLICANT, &[]).await;

    journey.send(get.clone(), "/api/declaration-statement", None, APPLICANT, &[]).await;
    let submitted =
        journey.send(post.clone(), &format!("{app_path}/submit"), Some(signed_declaration()), APPLICANT, &[]).await;
    assert_eq!(submitted["status"], "submitted", "{submitted}");
    journey.send(post.clone(), &format!("{app_path}/messages"), Some(json!({"body": "Bonjour"})), APPLICANT, &[]).await;

    // The officer's side, up to a decision.
    journey.send(get.clone(), "/api/officer/queue?status=submitted", None, OFFICER, OFFICERS).await;
    journey.send(get.clone(), &format!("/api/officer/applications/{id}"), None, OFFICER, OFFICERS).await;
    let status = format!("/api/officer/applications/{id}/status");
    let mut version = submitted["version"].as_u64().expect("version");
    for to in ["received", "biometrics_requested"] {
        let body = json!({"to": to, "reason": "Next step", "version": version});
        let changed = journey.send(post.clone(), &status, Some(body), OFFICER, OFFICERS).await;
        assert_eq!(changed["status"], to, "{changed}");
        version = changed["version"].as_u64().expect("version");
    }

    // Biometrics: a day of slots, a full one refused (what is free suggested), a booking moved,
    // cancelled and made again, its calendar file, its reminder, and its outcome.
    journey.send(get.clone(), "/api/appointment-locations", None, "", &[]).await;
    let locals = portal_domain::appointments::slots::local_text(
        locations.get("ottawa").expect("ottawa").tz(),
        clock.now() + 30 * DAY,
    );
    let schedule = json!({"location": "ottawa", "service": "biometrics", "start": &locals[..16], "minutes": 15, "capacity": 1, "count": 4});
    let slots = journey.send(post.clone(), "/api/officer/appointment-slots", Some(schedule), OFFICER, OFFICERS).await;
    let slot = |n: usize| slots[n]["id"].as_str().expect("slot").to_owned();
    let date = &locals[..10];
    let listing = format!("/api/appointment-slots?location=ottawa&service=biometrics&from={date}&to={date}");
    journey.send(get.clone(), &listing, None, APPLICANT, &[]).await;
    // Slot 0 taken by someone else already.
    table
        .inner
        .update(&portal_domain::keys::slot(&slot(0)), Update::default().add("booked", 1), None)
        .await
        .expect("full");
    let bookings = format!("{app_path}/appointments");
    let full = journey.send(post.clone(), &bookings, Some(json!({"slotId": slot(0)})), APPLICANT, &[]).await;
    assert_eq!(full["type"], "slot-full", "{full}");
    let booked = journey.send(post.clone(), &bookings, Some(json!({"slotId": slot(1)})), APPLICANT, &[]).await;
    let booking = format!("{bookings}/{}", booked["id"].as_str().expect("a booking"));
    let refused = json!({"slotId": slot(0), "version": booked["version"]});
    let refused = journey.send(Method::PUT, &booking, Some(refused), APPLICANT, &[]).await;
    assert_eq!(refused["type"], "slot-full", "{refused}");
    let moved = journey
        .send(Method::PUT, &booking, Some(json!({"slotId": slot(2), "version": booked["version"]})), APPLICANT, &[])
        .await;
    assert_eq!(moved["sequence"], 1, "{moved}");
    journey.send(get.clone(), &format!("{booking}/calendar.ics"), None, APPLICANT, &[]).await;
    journey.send(delete.clone(), &booking, None, APPLICANT, &[]).await;
    let booked = journey.send(post.clone(), &bookings, Some(json!({"slotId": slot(3)})), APPLICANT, &[]).await;
    journey.send(get.clone(), &bookings, None, APPLICANT, &[]).await;
    journey
        .send(post.clone(), &format!("/api/officer/appointment-slots/{}/close", slot(2)), None, OFFICER, OFFICERS)
        .await;
    let appointments = Appointments::new(shared.clone(), locations.clone(), DAY);
    let start = booked["start"].as_u64().expect("start");
    assert_eq!(appointments.send_reminders(start - DAY + 60).await.expect("reminders"), 1);
    journey.check("Remind");
    // The day came: the booking began a minute ago.
    let key = portal_domain::keys::appointment(&id, booked["id"].as_str().expect("id"));
    table.inner.update(&key, Update::default().set("start", json!(clock.now() - 60)), None).await.expect("began");
    let outcome = format!("/api/officer/applications/{id}/appointments/{}/outcome", booked["id"].as_str().expect("id"));
    let attended = json!({"outcome": "attended", "version": booked["version"]});
    let attended = journey.send(post.clone(), &outcome, Some(attended), OFFICER, OFFICERS).await;
    assert_eq!(attended["state"], "attended", "{attended}");
    version += 1;
    let body = json!({"to": "in_review", "reason": "Next step", "version": version});
    let changed = journey.send(post.clone(), &status, Some(body), OFFICER, OFFICERS).await;
    assert_eq!(changed["status"], "in_review", "{changed}");
    version = changed["version"].as_u64().expect("version");
    let fee = json!({"code": "restoration-of-status", "version": version});
    let fees =
        journey.send(post.clone(), &format!("/api/officer/applications/{id}/fees"), Some(fee), OFFICER, OFFICERS).await;
    assert_eq!(fees["items"][2]["code"], "restoration-of-status", "{fees}");
    // A refund of part of the payment, and the processor's confirmation.
    let refund = json!({"amountCents": 8_500, "reason": "Biometrics already on file", "version": 2});
    let refund = journey
        .send(post.clone(), &format!("/api/officer/payments/{payment_id}/refund"), Some(refund), OFFICER, OFFICERS)
        .await;
    assert_eq!(refund["state"], "pending", "{refund}");
    let refunded = json!({
        "id": "evt_2", "object": "event", "type": "refund.updated",
        "data": {"object": {"id": "re_1", "object": "refund", "status": "succeeded", "amount": 8_500,
            "metadata": {"paymentId": payment_id, "refundId": refund["id"]}}}
    });
    let signed = portal_domain::payments::signature::sign(refunded.to_string().as_bytes(), WEBHOOK_SECRET, clock.now());
    let applied = journey
        .send_with(post.clone(), "/api/payments/webhook", Some(refunded), "", &[], &[("Stripe-Signature", &signed)])
        .await;
    assert_eq!(applied["applied"], true, "{applied}");
    let review = format!("/api/officer/applications/{id}/documents/{}/review", documents[0]);
    journey.send(post.clone(), &review, Some(json!({"decision": "accept"})), OFFICER, OFFICERS).await;
    let message = json!({"body": "Merci", "documentIds": [documents[0]]});
    let message = journey
        .send(post.clone(), &format!("/api/officer/applications/{id}/messages"), Some(message), OFFICER, OFFICERS)
        .await;
    let request = json!({"documents": [{"kind": "passport", "note": "Clearer, please"}], "dueDate": "2027-01-31", "version": version});
    let asked = journey
        .send(
            post.clone(),
            &format!("/api/officer/applications/{id}/document-requests"),
            Some(request),
            OFFICER,
            OFFICERS,
        )
        .await;
    assert_eq!(asked["status"], "documents_requested", "{asked}");
    version = asked["version"].as_u64().expect("version");
    // The passport asked for, sent and verified: the dashboard lines stop saying "action
    // required" (completing it and `scan` both check the requests); refused by the officer, they
    // say it again.
    let scanned = posted(&mut journey, &blobs, &app_path, "passport", "application/pdf", PDF).await;
    let answer = upload(&mut journey, &blobs, &app_path, "passport", "application/pdf", PDF).await;
    verifier.verify(&id, &scanned).await.expect("verified");
    journey.check("Scan");
    let review = format!("/api/officer/applications/{id}/documents/{answer}/review");
    journey
        .send(post.clone(), &review, Some(json!({"decision": "reject", "reason": "Blurred"})), OFFICER, OFFICERS)
        .await;
    for to in ["in_review", "approved"] {
        let body = json!({"to": to, "reason": "Decided", "noteToApplicant": "Bon voyage", "version": version});
        let changed = journey.send(post.clone(), &status, Some(body), OFFICER, OFFICERS).await;
        assert_eq!(changed["status"], to, "{changed}");
        version = changed["version"].as_u64().expect("version");
    }

    // The applicant reads what the officer wrote, and what they were told.
    journey.send(get.clone(), &format!("{app_path}/messages"), None, APPLICANT, &[]).await;
    let message_id = message["id"].as_str().expect("message id");
    let read = format!("{app_path}/messages/{message_id}/read");
    journey.send(post.clone(), &read, None, "someone-else", &[]).await; // denied: audited
    journey.send(post.clone(), &read, None, APPLICANT, &[]).await;
    journey.send(get.clone(), "/api/inbox", None, APPLICANT, &[]).await;

    // Representatives: the consent statement; a firm's administrator invited and accepted; an
    // invitation declined; a member invited and joined; a handover proposed, confirmed by the
    // applicant and accepted; the new member's grant revoked. Their ids are UUIDs, as real ones.
    let (rep, member, helper) = (
        "0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e11",
        "0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e12",
        "0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e13",
    );
    for sub in [rep, member, helper] {
        let email = format!("{sub}@example.ca");
        Profiles::new(shared.clone()).put(sub, &Profile { email, ..profile.clone() }).await.expect("profile");
    }
    table.take();
    journey.send(get.clone(), "/api/representatives/consent-statement", None, APPLICANT, &[]).await;
    let firm = json!({"name": "Cabinet Nord", "licence": {"number": "R705123"}});
    let firm = journey.send(post.clone(), "/api/firms", Some(firm), rep, &[]).await;
    let firm_id = firm["firm"]["id"].as_str().expect("firm id").to_owned();
    let consent = json!({"version": STATEMENT.version, "language": "fr", "agreed": true});
    let ask = |sub: &str| {
        json!({"email": format!("{sub}@example.ca"), "kind": "paid", "licenceNumber": "R705123", "scope": "full",
               "consent": consent})
    };
    let representatives = format!("{app_path}/representatives");
    let invited = journey.send(post.clone(), &representatives, Some(ask(rep)), APPLICANT, &[]).await;
    journey.send(get.clone(), "/api/representative/invitations", None, rep, &[]).await;
    let accept = |invitation: &Value| {
        format!("/api/representative/invitations/{}/accept", invitation["id"].as_str().expect("invitation id"))
    };
    let accepted = journey.send(post.clone(), &accept(&invited), None, rep, &[]).await;
    assert_eq!(accepted["firm"]["name"], "Cabinet Nord", "{accepted}");
    journey.send(get.clone(), &representatives, None, APPLICANT, &[]).await;
    let withdrawn = journey.send(post.clone(), &representatives, Some(ask(helper)), APPLICANT, &[]).await;
    let withdraw = format!("{representatives}/invitations/{}", withdrawn["id"].as_str().expect("id"));
    journey.send(delete.clone(), &withdraw, None, APPLICANT, &[]).await;
    let declined = journey.send(post.clone(), &representatives, Some(ask(helper)), APPLICANT, &[]).await;
    let decline = format!("/api/representative/invitations/{}/decline", declined["id"].as_str().expect("id"));
    journey.send(post.clone(), &decline, None, helper, &[]).await;
    let join = json!({"email": format!("{member}@example.ca")});
    journey.send(post.clone(), &format!("/api/firms/{firm_id}/members"), Some(join), rep, &[]).await;
    journey.send(get.clone(), "/api/firm", None, member, &[]).await;
    let licence = json!({"licence": {"number": "R700001"}});
    journey.send(post.clone(), &format!("/api/firms/{firm_id}/join"), Some(licence), member, &[]).await;
    journey.send(get.clone(), "/api/firm", None, rep, &[]).await;
    let handover = json!({"applicationId": id, "fromUserId": rep, "toUserId": member});
    let handover =
        journey.send(post.clone(), &format!("/api/firms/{firm_id}/handovers"), Some(handover), rep, &[]).await;
    let confirm = format!("{representatives}/invitations/{}/consent", handover["id"].as_str().expect("handover id"));
    journey.send(post.clone(), &confirm, Some(consent.clone()), APPLICANT, &[]).await;
    let taken = journey.send(post.clone(), &accept(&handover), None, member, &[]).await;
    assert_eq!(taken["userId"], member, "{taken}");
    journey.send(delete.clone(), &format!("{representatives}/{member}"), None, APPLICANT, &[]).await;

    // Every event of the journey through `notify`, the first send failing once.
    let events = table.inner.query(Query::partition(format!("EVENT#{id}")).limit(100)).await.expect("events");
    let catalog = Arc::new(portal_domain::application_types::Catalog::load().expect("catalog"));
    let site = portal_domain::site::Site::demo("https://portal.example.ca".into());
    let dispatcher = Dispatcher::new(shared.clone(), Arc::new(FailingOnce::default()), clock.clone(), catalog, site);
    for item in &events.items {
        let event: Event = Event::from_item(item).expect("an event").expect("readable");
        let _ = dispatcher.notify(&event).await; // the failure is the point: the claim is given back
        let _ = dispatcher.notify(&event).await;
    }
    journey.check("Notify");
    let notifications = journey.send(get.clone(), "/api/notifications", None, APPLICANT, &[]).await;
    let notification = notifications["items"][0]["id"].as_str().expect("a notification").to_owned();
    journey.send(post.clone(), &format!("/api/notifications/{notification}/read"), None, APPLICANT, &[]).await;

    // A second application, withdrawn; a paper one, linked.
    let second =
        journey.send(post.clone(), "/api/applications", Some(json!({"type": "visitor-visa"})), APPLICANT, &[]).await;
    let second = second["id"].as_str().expect("id");
    journey.send(post.clone(), &format!("/api/applications/{second}/withdraw"), None, APPLICANT, &[]).await;
    // A third, deleted while a draft.
    let third =
        journey.send(post.clone(), "/api/applications", Some(json!({"type": "visitor-visa"})), APPLICANT, &[]).await;
    journey
        .send(delete.clone(), &format!("/api/applications/{}", third["id"].as_str().expect("id")), None, APPLICANT, &[])
        .await;
    let now = clock.now();
    let paper = Application {
        id: "paper-1".into(),
        owner: String::new(),
        type_code: "visitor-visa".into(),
        status: Status::InReview,
        version: 1,
        data: serde_json::Map::new(),
        number: Some("V123456789".into()),
        submitted_at: Some(now),
        created_at: now,
        updated_at: now,
        representatives: Vec::new(),
        declaration: None,
    };
    let holder =
        PaperHolder { id: paper.id.clone(), family_name: "Tremblay".into(), date_of_birth: "1990-05-17".into() };
    Applications::new(shared.clone()).import_paper(&paper, &holder).await.expect("imported");
    table.take();
    let wrong = json!({"applicationNumber": "V123456789", "familyName": "Nobody", "dateOfBirth": "1990-05-17"});
    journey.send(post.clone(), "/api/applications/link", Some(wrong), APPLICANT, &[]).await;
    let right = json!({"applicationNumber": "V123456789", "familyName": "Tremblay", "dateOfBirth": "1990-05-17"});
    let linked = journey.send(post.clone(), "/api/applications/link", Some(right), APPLICANT, &[]).await;
    assert_eq!(linked["id"], "paper-1", "{linked}");

    journey.send(get.clone(), "/api/me/activity", None, APPLICANT, &[]).await;
    journey.send(get, "/api/me/export", None, APPLICANT, &[]).await;

    assert!(journey.refused.is_empty(), "calls the template does not allow: {:#?}", journey.refused);
    assert!(journey.waited.is_empty(), "reads whose calls waited for one another: {:#?}", journey.waited);
    let unproven: Vec<&str> = routes::all()
        .filter(|route| route.method == Method::GET && route.auth != Auth::Public && route.area != Area::Auth)
        .map(|route| route.function)
        .filter(|function| !journey.in_one.contains(function))
        .filter(|function| !SECOND_ROUND_TRIP.iter().any(|(exempt, _)| exempt == function))
        .collect();
    assert!(unproven.is_empty(), "signed-in reads not shown to be one round trip: {unproven:?}");
    let table_areas = [
        Area::Profile,
        Area::Applications,
        Area::Documents,
        Area::Messages,
        Area::Payments,
        Area::Billing,
        Area::Officer,
        Area::Appointments,
        Area::Representatives,
    ];
    let missed: Vec<&str> = routes::all()
        .filter(|r| table_areas.contains(&r.area) && !journey.exercised.contains(r.function))
        .map(|r| r.function)
        .collect();
    assert!(missed.is_empty(), "routes the journey did not drive: {missed:?}");
    // And nothing is granted that no call needed: each action and each kind of partition of a
    // driven function's grants was used by one of its calls.
    for (function, actions, _, condition) in table_statements(&journey.template) {
        let Some(made) = journey.made.get(function.as_str()) else { continue };
        for action in actions.lines().map(|line| line.trim().trim_start_matches("- ")) {
            let action = action.strip_prefix("dynamodb:").expect("a table action");
            assert!(made.iter().any(|call| call.action == action), "{function}: {action} is granted, never used");
        }
        let patterns = condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"].as_sequence().cloned();
        for pattern in patterns.unwrap_or_default().iter().filter_map(serde_yaml::Value::as_str) {
            let prefix = pattern.trim_end_matches('*');
            assert!(
                made.iter().any(|call| call.partition.starts_with(prefix)),
                "{function}: {pattern} is granted, never used"
            );
        }
    }
}
