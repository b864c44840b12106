//! Appointments on both stores: applicants racing for the last places of a slot get exactly as
//! many bookings as there are places (B1); a move and a cancellation are one transaction, so a
//! booking is never in two places or none (B2); a reminder is sent once, and never for a
//! cancelled or moved booking (B3). Requests race for real: they are all in flight at once.

use std::sync::Arc;

use portal_domain::application_types::Catalog;
use portal_domain::applications::{Application, Applications, Change};
use portal_domain::appointments::locations::Locations;
use portal_domain::appointments::slots::{Schedule, Slot};
use portal_domain::appointments::{Appointment, AppointmentState, Appointments, Attendance, BookingError, Service};
use portal_domain::events::{Event, EventKind};
use portal_domain::keys;
use portal_domain::paging::PageRequest;
use portal_domain::profile::Language;
use portal_domain::status::{Command, Status};
use portal_domain::table::{Query, Table};
use portal_store::dynamodb::DynamoTable;
use portal_store::embedded::EmbeddedTable;

/// Now, in the tests: 2027-01-15 08:00 UTC.
const T0: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

struct Fixture {
    table: Arc<dyn Table>,
    applications: Applications,
    appointments: Appointments,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    fn over(table: Arc<dyn Table>, dir: Option<tempfile::TempDir>) -> Self {
        let locations = Arc::new(Locations::load().expect("locations"));
        Self {
            applications: Applications::new(Arc::clone(&table)),
            appointments: Appointments::new(Arc::clone(&table), locations, 24 * 3600),
            table,
            _dir: dir,
        }
    }

    /// An application of `owner` whose officer asked for biometrics.
    async fn asked_for_biometrics(&self, id: &str, owner: &str) -> Application {
        let visitor = Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone();
        let mut application = self.applications.create_draft(owner, &visitor, id.into(), T0).await.expect("draft");
        for (command, actor) in
            [(Command::Submit, owner), (Command::Receive, "officer"), (Command::RequestBiometrics, "officer")]
        {
            let change = Change {
                number: (command == Command::Submit).then(|| number(id)),
                ..Change::new(command, actor, application.version, T0)
            };
            application = self.applications.change_status(&application, change).await.expect("moved");
        }
        application
    }

    /// Slots at Ottawa on 2027-01-20 from `start` (local), `count` of them, each of `capacity`.
    async fn slots(&self, start: &str, count: u32, capacity: u32) -> Vec<Slot> {
        let locations = Locations::load().expect("locations");
        let ottawa = locations.get("ottawa").expect("ottawa");
        let schedule = Schedule { location: ottawa, service: Service::Biometrics, start, minutes: 15, capacity, count };
        let slots = schedule.slots("officer", T0).expect("schedule");
        self.appointments.slots().publish(&slots).await.expect("published");
        slots
    }

    async fn slot(&self, id: &str) -> Slot {
        self.appointments.slots().get(id).await.expect("read").expect("the slot")
    }

    /// The events written for `application`'s owner of appointment kinds.
    async fn appointment_events(&self, application: &str) -> Vec<EventKind> {
        let query = Query::partition(format!("{}{application}", keys::EVENT_PARTITION_PREFIX));
        let items = self.table.query(query.limit(1000)).await.expect("events").items;
        items
            .iter()
            .filter_map(|item| Event::from_item(item).and_then(Result::ok))
            .map(|event| event.kind)
            .filter(|kind| matches!(kind, EventKind::Appointment { .. }))
            .collect()
    }
}

fn number(id: &str) -> String {
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    format!("V{digits:0>9}")
}

async fn embedded() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    Fixture::over(Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")), Some(dir))
}

async fn dynamodb() -> Fixture {
    let config = portal_emulator::sdk_config().await.expect("moto emulator");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = portal_emulator::unique_name("appointments");
    portal_emulator::create_table_from_template(&client, &name).await.expect("create table");
    Fixture::over(Arc::new(DynamoTable::new(client, name)), None)
}

async fn book(f: &Fixture, application: &Application, slot: &str) -> Result<Appointment, BookingError> {
    f.appointments.book(application, slot, &application.owner, Language::En, T0 + 1).await
}

async fn b1_thirty_applicants_racing_for_three_places_get_three_bookings_and_the_rest_are_told_where_else(f: &Fixture) {
    let mut applications = Vec::new();
    for n in 0..30 {
        applications.push(f.asked_for_biometrics(&format!("a{n:02}"), &format!("owner-{n}")).await);
    }
    // Three rounds: a slot of three places, raced by all thirty, then the next.
    let slots = f.slots("2027-01-20T09:00", 4, 3).await;
    let mut booked = Vec::new();
    for (round, hot) in slots.iter().enumerate().take(3) {
        let waiting: Vec<&Application> = applications.iter().filter(|a| !booked.contains(&a.id)).collect();
        let outcomes = futures::future::join_all(waiting.iter().map(|a| book(f, a, &hot.id))).await;
        let won: Vec<&Appointment> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(won.len(), 3, "round {round}: exactly the places: {outcomes:?}");
        for outcome in &outcomes {
            match outcome {
                Ok(_) => {}
                Err(BookingError::Full { suggestions }) => {
                    assert!(suggestions.iter().all(|s| s.id != hot.id && s.remaining() > 0), "{suggestions:?}");
                }
                other => panic!("round {round}: {other:?}"),
            }
        }
        let slot = f.slot(&hot.id).await;
        assert_eq!((slot.booked, slot.remaining()), (3, 0), "round {round}: never past capacity");
        booked.extend(won.iter().map(|a| a.application_id.clone()));
    }
    // One booking per application and service: the nine booked cannot book the last slot too.
    let again = book(f, applications.iter().find(|a| booked.contains(&a.id)).expect("booked"), &slots[3].id).await;
    assert!(matches!(again, Err(BookingError::AlreadyBooked)), "{again:?}");
    assert_eq!(f.slot(&slots[3].id).await.booked, 0, "the refused booking took no place");
}

async fn b2_a_move_and_a_cancellation_are_one_transaction_and_free_the_place(f: &Fixture) {
    let first = f.asked_for_biometrics("a1", "owner-1").await;
    let second = f.asked_for_biometrics("a2", "owner-2").await;
    let slots = f.slots("2027-01-20T09:00", 3, 1).await;
    let booking = book(f, &first, &slots[0].id).await.expect("booked");

    // The booking moved to two slots at once: one move wins, the booking is in one place.
    let moves = futures::future::join_all([&slots[1], &slots[2]].map(|slot| {
        f.appointments.reschedule(&first, &booking, &slot.id, booking.version, "owner-1", Language::En, T0 + 2)
    }))
    .await;
    let moved: Vec<&Appointment> = moves.iter().filter_map(|m| m.as_ref().ok()).collect();
    assert_eq!(moved.len(), 1, "{moves:?}");
    assert!(moves.iter().any(|m| matches!(m, Err(BookingError::Conflict { .. }))), "{moves:?}");
    let counts: Vec<u32> =
        futures::future::join_all(slots.iter().map(|s| f.slot(&s.id))).await.iter().map(|s| s.booked).collect();
    assert_eq!(counts.iter().sum::<u32>(), 1, "one place taken in all: {counts:?}");
    assert_eq!(counts[0], 0, "the old place is free");
    let moved = moved[0].clone();
    assert_eq!((moved.id.as_str(), moved.sequence), (booking.id.as_str(), 1), "the same booking, next SEQUENCE");

    // The freed first slot is booked by the second applicant; moving back into it is refused.
    book(f, &second, &slots[0].id).await.expect("the freed place");
    let back =
        f.appointments.reschedule(&first, &moved, &slots[0].id, moved.version, "owner-1", Language::En, T0 + 3).await;
    assert!(matches!(back, Err(BookingError::Full { .. })), "{back:?}");
    let stored = f.appointments.get("a1", &moved.id).await.expect("read").expect("booking");
    assert_eq!(stored.slot_id, moved.slot_id, "a refused move leaves the booking where it was");

    // Cancelling gives the place back and lets the application book again.
    let cancelled = f.appointments.cancel(&first, &stored, "owner-1", Language::En, T0 + 4).await.expect("cancelled");
    assert_eq!(cancelled.state, AppointmentState::Cancelled);
    assert_eq!(f.slot(&stored.slot_id).await.booked, 0);
    book(f, &first, &stored.slot_id).await.expect("booked again");
    let kinds = f.appointment_events("a1").await.len();
    assert_eq!(kinds, 4, "booked, moved, cancelled, booked: each told");
}

async fn a_booking_closer_than_the_cut_off_is_not_changed_online_and_only_a_requested_service_is_booked(f: &Fixture) {
    let application = f.asked_for_biometrics("a1", "owner-1").await;
    let slots = f.slots("2027-01-20T09:00", 2, 2).await;
    let booking = book(f, &application, &slots[0].id).await.expect("booked");
    let late = booking.start - 3600;
    let refused = f.appointments.cancel(&application, &booking, "owner-1", Language::En, late).await;
    assert!(
        matches!(refused, Err(BookingError::TooLate { changeable_until }) if changeable_until == booking.start - DAY),
        "{refused:?}"
    );
    let refused = f
        .appointments
        .reschedule(&application, &booking, &slots[1].id, booking.version, "owner-1", Language::En, late)
        .await;
    assert!(matches!(refused, Err(BookingError::TooLate { .. })), "{refused:?}");
    assert_eq!(f.slot(&slots[0].id).await.booked, 1, "still booked");

    // A draft is asked for nothing.
    let visitor = Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone();
    let draft = f.applications.create_draft("owner-2", &visitor, "a2".into(), T0).await.expect("draft");
    assert!(matches!(book(f, &draft, &slots[1].id).await, Err(BookingError::NotRequested)));
    // A closed slot takes no booking.
    f.appointments.slots().close(&slots[1].id).await.expect("closed");
    let other = f.asked_for_biometrics("a3", "owner-3").await;
    assert!(matches!(book(f, &other, &slots[1].id).await, Err(BookingError::SlotUnavailable)));
    // An application withdrawn after it was read takes no place either.
    let open = f.slots("2027-01-21T09:00", 1, 1).await;
    f.applications.withdraw(&other, "owner-3", T0 + 2).await.expect("withdrawn");
    assert!(matches!(book(f, &other, &open[0].id).await, Err(BookingError::NotRequested)));
    assert_eq!(f.slot(&open[0].id).await.booked, 0, "no place taken");
}

async fn attended_biometrics_move_the_application_on_and_a_missed_one_can_be_booked_again(f: &Fixture) {
    let first = f.asked_for_biometrics("a1", "owner-1").await;
    let second = f.asked_for_biometrics("a2", "owner-2").await;
    let slots = f.slots("2027-01-20T09:00", 2, 2).await;
    let one = book(f, &first, &slots[0].id).await.expect("booked");
    let two = book(f, &second, &slots[0].id).await.expect("booked");
    let after = one.start + 600;
    let early = f
        .appointments
        .record_outcome(
            &f.applications,
            &first,
            &one,
            Attendance::Attended,
            one.version,
            "o",
            Language::En,
            one.start - 60,
        )
        .await;
    assert!(matches!(early, Err(BookingError::NotYet)), "{early:?}");

    let attended = f
        .appointments
        .record_outcome(&f.applications, &first, &one, Attendance::Attended, one.version, "o", Language::En, after)
        .await
        .expect("attended");
    assert_eq!(attended.state, AppointmentState::Attended);
    let moved_on = f.applications.get("a1").await.expect("read").expect("application");
    assert_eq!(moved_on.status, Status::BiometricsCompleted);

    let missed = f
        .appointments
        .record_outcome(&f.applications, &second, &two, Attendance::Missed, two.version, "o", Language::Fr, after)
        .await
        .expect("missed");
    assert_eq!(missed.state, AppointmentState::Missed);
    assert_eq!(f.slot(&slots[0].id).await.booked, 2, "a missed place is not given back");
    assert_eq!(f.applications.get("a2").await.expect("read").expect("app").status, Status::BiometricsRequested);
    book(f, &second, &slots[1].id).await.expect("booked again after missing");
    // Recorded once: on the stored booking it is no longer booked; on a stale copy, a conflict.
    let stored = f.appointments.get("a2", &two.id).await.expect("read").expect("booking");
    let again = f
        .appointments
        .record_outcome(
            &f.applications,
            &second,
            &stored,
            Attendance::Attended,
            stored.version,
            "o",
            Language::En,
            after,
        )
        .await;
    assert!(matches!(again, Err(BookingError::NotBooked)), "{again:?}");
    let stale = f
        .appointments
        .record_outcome(&f.applications, &second, &two, Attendance::Attended, two.version, "o", Language::En, after)
        .await;
    assert!(matches!(stale, Err(BookingError::Conflict { current_version: 2 })), "{stale:?}");
}

async fn b3_a_reminder_is_sent_once_a_day_ahead_and_never_for_a_cancelled_or_moved_booking(f: &Fixture) {
    let kept = f.asked_for_biometrics("a1", "owner-1").await;
    let cancelled = f.asked_for_biometrics("a2", "owner-2").await;
    let moved = f.asked_for_biometrics("a3", "owner-3").await;
    let withdrawn = f.asked_for_biometrics("a4", "owner-4").await;
    // 2027-01-20 09:00 Ottawa is 14:00 UTC; a later slot two days after.
    let slots = f.slots("2027-01-20T09:00", 1, 5).await;
    let later = f.slots("2027-01-22T09:00", 1, 5).await;
    let a = book(f, &kept, &slots[0].id).await.expect("booked");
    let b = book(f, &cancelled, &slots[0].id).await.expect("booked");
    let c = book(f, &moved, &slots[0].id).await.expect("booked");
    book(f, &withdrawn, &slots[0].id).await.expect("booked");
    f.applications.withdraw(&withdrawn, "owner-4", T0 + 5).await.expect("withdrawn");
    f.appointments.cancel(&cancelled, &b, "owner-2", Language::En, T0 + 5).await.expect("cancelled");
    let c = f
        .appointments
        .reschedule(&moved, &c, &later[0].id, c.version, "owner-3", Language::En, T0 + 5)
        .await
        .expect("moved");

    // Two days ahead: nothing is due yet.
    assert_eq!(f.appointments.send_reminders(a.start - 2 * DAY).await.expect("run"), 0);
    // A day ahead, runs at once and again: one reminder, for the kept booking only.
    let at = a.start - DAY + 60;
    let runs = futures::future::join_all((0..5).map(|_| f.appointments.send_reminders(at))).await;
    let sent: usize = runs.into_iter().map(|r| r.expect("run")).sum();
    assert_eq!(sent, 1);
    assert_eq!(f.appointments.send_reminders(at + 900).await.expect("run"), 0, "not twice");
    let reminded = |kinds: Vec<EventKind>| {
        kinds
            .iter()
            .filter(|k| {
                matches!(
                    k,
                    EventKind::Appointment { change: portal_domain::appointments::AppointmentChange::Reminder, .. }
                )
            })
            .count()
    };
    assert_eq!(reminded(f.appointment_events("a1").await), 1);
    assert_eq!(reminded(f.appointment_events("a2").await), 0, "cancelled");
    assert_eq!(reminded(f.appointment_events("a3").await), 0, "moved away from that time");
    assert_eq!(reminded(f.appointment_events("a4").await), 0, "its application was withdrawn");
    // The moved booking is reminded for its new time.
    assert_eq!(f.appointments.send_reminders(c.start - DAY + 60).await.expect("run"), 1);
    assert_eq!(reminded(f.appointment_events("a3").await), 1);
    let listed = f.appointments.of_application("a3", &PageRequest::first()).await.expect("list");
    assert_eq!(listed.items.len(), 1, "one booking, moved");
}

/// Instantiates the tests for one store.
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

on_store!(embedded, embedded: b1_thirty_applicants_racing_for_three_places_get_three_bookings_and_the_rest_are_told_where_else, b2_a_move_and_a_cancellation_are_one_transaction_and_free_the_place, a_booking_closer_than_the_cut_off_is_not_changed_online_and_only_a_requested_service_is_booked, attended_biometrics_move_the_application_on_and_a_missed_one_can_be_booked_again, b3_a_reminder_is_sent_once_a_day_ahead_and_never_for_a_cancelled_or_moved_booking);
on_store!(dynamodb, dynamodb: b1_thirty_applicants_racing_for_three_places_get_three_bookings_and_the_rest_are_told_where_else, b2_a_move_and_a_cancellation_are_one_transaction_and_free_the_place, a_booking_closer_than_the_cut_off_is_not_changed_online_and_only_a_requested_service_is_booked, attended_biometrics_move_the_application_on_and_a_missed_one_can_be_booked_again, b3_a_reminder_is_sent_once_a_day_ahead_and_never_for_a_cancelled_or_moved_booking);
