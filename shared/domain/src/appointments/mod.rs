//! Appointments: biometrics and interviews booked, moved and cancelled by the applicant, their
//! outcome recorded by an officer.
//!
//! A booking is allowed only when the application's status asks for the service (biometrics
//! requested; an interview scheduled by the officer), and one booking per application and
//! service is active at a time (`ACTIVE-APPOINTMENT#{service}`, written only if absent). Every booking,
//! move and cancellation is one transaction with the slot's count ([`slots`]): the place is
//! taken only while the slot is open and below its capacity, so applicants racing for the last
//! places get exactly as many bookings as there are places (B1); a move takes the new place and
//! gives the old back in the same transaction, so there is never a moment with two bookings or
//! none (B2). A booking closer than the cut-off (24 h unless configured) is not cancelled or
//! moved online. Each change is a history entry and an event for the applicant.
//!
//! Items: `APP#{id}` / `APPOINTMENT#{appointmentId}` (in `gsi1` as `REMIND#{utc day}` /
//! `{start:010}#{appointmentId}` while booked, what [`reminders`] reads), `APP#{id}` /
//! `ACTIVE-APPOINTMENT#{service}`.

pub mod locations;
pub mod reminders;
pub mod slots;

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use self::locations::{Location, Locations};
use self::slots::{Slot, SlotView, Slots, local_text};
use crate::application_types::Text;
use crate::applications::{Application, Applications, Change, HistoryEntry, WriteError};
use crate::events::{Event, EventKind};
use crate::ids::{ApplicationId, AppointmentId};
use crate::keys;
use crate::paging::{self, PageRequest, Paged};
use crate::profile::Language;
use crate::status::{Command, Status};
use crate::table::{Condition, Index, Item, Query, SortKey, StoreError, Table, WriteOp};

/// How close to its start a booking may still be cancelled or moved online, unless configured.
pub const DEFAULT_CUTOFF_SECONDS: u64 = 24 * 3600;

/// How many free slots a refusal for a full one suggests.
const SUGGESTIONS: usize = 5;

/// What an appointment is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    /// Fingerprints and a photo.
    Biometrics,
    /// An interview with an officer.
    Interview,
}

impl Service {
    /// Its code in keys.
    pub fn code(self) -> &'static str {
        match self {
            Service::Biometrics => "biometrics",
            Service::Interview => "interview",
        }
    }

    /// The status in which an application is asked to book it.
    pub fn asked_in(self) -> Status {
        match self {
            Service::Biometrics => Status::BiometricsRequested,
            Service::Interview => Status::InterviewScheduled,
        }
    }

    /// Whether an application in `status` is asked to book it.
    pub fn requested_in(self, status: Status) -> bool {
        status == self.asked_in()
    }

    /// Its name in `language`.
    pub fn label(self, language: Language) -> &'static str {
        match (self, language) {
            (Service::Biometrics, Language::En) => "Biometrics appointment",
            (Service::Biometrics, Language::Fr) => "Rendez-vous de biométrie",
            (Service::Interview, Language::En) => "Interview",
            (Service::Interview, Language::Fr) => "Entrevue",
        }
    }
}

/// Where a booking stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AppointmentState {
    /// Booked (and perhaps moved since).
    Booked,
    /// Cancelled by the applicant: its place was given back.
    Cancelled,
    /// The applicant came.
    Attended,
    /// The applicant did not come: they may book again.
    Missed,
}

/// What an officer records once the appointment took place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Attendance {
    /// The applicant came.
    Attended,
    /// The applicant did not come.
    Missed,
}

/// What changed about a booking (the applicant's event says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AppointmentChange {
    /// Booked.
    Booked,
    /// Moved to another time.
    Rescheduled,
    /// Cancelled.
    Cancelled,
    /// Recorded as attended.
    Attended,
    /// Recorded as missed: book again.
    Missed,
    /// It is tomorrow (the reminder).
    Reminder,
}

/// A booking, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    /// Its id (a UUID).
    pub id: String,
    /// The application it is for.
    pub application_id: String,
    /// The applicant (`sub`): who is told and reminded.
    pub owner: String,
    /// What it is for.
    pub service: Service,
    /// The location's code.
    pub location: String,
    /// The slot it holds a place in.
    pub slot_id: String,
    /// When it starts and how long it lasts (the slot's).
    pub start: u64,
    /// Its length.
    pub minutes: u32,
    /// Where it stands.
    pub state: AppointmentState,
    /// The calendar file's SEQUENCE: 0 when booked, one more at each move or cancellation.
    pub sequence: u32,
    /// Bumped by every change.
    pub version: u64,
    /// When it was booked.
    pub booked_at: u64,
    /// When it last changed.
    pub updated_at: u64,
    /// The start its reminder was sent for, if one was.
    #[serde(default)]
    pub reminded_for: Option<u64>,
}

impl Appointment {
    /// When it ends.
    pub fn end(&self) -> u64 {
        self.start + u64::from(self.minutes) * 60
    }

    fn item(&self) -> Result<Item, StoreError> {
        let item = Item::from_record(&keys::appointment(&self.application_id, &self.id), self)?;
        Ok(match self.state {
            // Only a booking to come is in the reminders' index.
            AppointmentState::Booked => item.with_index_keys(
                Index::Gsi1,
                keys::reminders_of_day(self.start),
                keys::slot_order(self.start, &self.id),
            ),
            _ => item,
        })
    }

    /// The write that stores it as `self`, only over the version it was read at.
    fn write_over(&self, read_version: u64) -> Result<WriteOp, StoreError> {
        let guard = Condition::Equals("version".into(), json!(read_version));
        Ok(WriteOp::Put { item: self.item()?, condition: Some(guard) })
    }
}

/// A booking as its parties see it: its times in the location's time zone, the place, and
/// until when it may be cancelled or moved online.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentView {
    /// Its id.
    #[schemars(with = "AppointmentId")]
    pub id: String,
    /// The application.
    #[schemars(with = "ApplicationId")]
    pub application_id: String,
    /// What it is for.
    pub service: Service,
    /// Where (the location's code).
    pub location: String,
    /// The location's name.
    pub location_name: Text,
    /// Its address.
    pub address: Text,
    /// Access notes.
    pub accessibility: Text,
    /// The location's time zone.
    pub time_zone: String,
    /// Start and end (seconds since the epoch).
    pub start: u64,
    /// End.
    pub end: u64,
    /// The start in the location's time, with its offset.
    pub start_local: String,
    /// Where it stands.
    pub state: AppointmentState,
    /// Until when it may be cancelled or moved online (seconds since the epoch).
    pub changeable_until: u64,
    /// The calendar file's SEQUENCE.
    pub sequence: u32,
    /// Its version (moving and recording the outcome name it).
    pub version: u64,
}

/// Why a booking change was refused.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// No such slot.
    #[error("no such slot")]
    NoSlot,
    /// The application's status does not ask for this service.
    #[error("the application is not asked to book this service")]
    NotRequested,
    /// The slot is closed, past, or of another service.
    #[error("the slot cannot be booked")]
    SlotUnavailable,
    /// No place left: these may be booked instead.
    #[error("the slot is full")]
    Full {
        /// Free slots of the same location and service, soonest first.
        suggestions: Vec<Slot>,
    },
    /// The application already has a booking of this service.
    #[error("already booked")]
    AlreadyBooked,
    /// The booking is no longer booked (cancelled, attended, missed).
    #[error("the appointment is not booked")]
    NotBooked,
    /// Too close to its start to change online.
    #[error("too close to the appointment to change it online")]
    TooLate {
        /// Until when it could have been changed.
        changeable_until: u64,
    },
    /// The outcome is recorded only once the appointment has begun.
    #[error("the appointment has not begun")]
    NotYet,
    /// Someone changed it meanwhile.
    #[error("changed meanwhile")]
    Conflict {
        /// The version to reload.
        current_version: u64,
    },
    /// The application's change was refused.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads and writes bookings.
#[derive(Clone)]
pub struct Appointments {
    table: Arc<dyn Table>,
    locations: Arc<Locations>,
    cutoff_seconds: u64,
}

impl Appointments {
    /// Bookings kept in `table`, at `locations`, changeable online until `cutoff_seconds`
    /// before they start.
    pub fn new(table: Arc<dyn Table>, locations: Arc<Locations>, cutoff_seconds: u64) -> Self {
        Self { table, locations, cutoff_seconds }
    }

    /// The slots.
    pub fn slots(&self) -> Slots<'_> {
        Slots::new(self.table.as_ref())
    }

    /// The locations.
    pub fn locations(&self) -> &Locations {
        &self.locations
    }

    /// The view of `slot`.
    pub fn slot_view(&self, slot: &Slot) -> Option<SlotView> {
        self.locations.get(&slot.location).map(|location| SlotView::of(slot, location))
    }

    /// The view of `appointment`.
    pub fn view(&self, appointment: &Appointment) -> Option<AppointmentView> {
        let location = self.locations.get(&appointment.location)?;
        Some(AppointmentView {
            id: appointment.id.clone(),
            application_id: appointment.application_id.clone(),
            service: appointment.service,
            location: location.code.clone(),
            location_name: location.name.clone(),
            address: location.address.clone(),
            accessibility: location.accessibility.clone(),
            time_zone: location.time_zone.clone(),
            start: appointment.start,
            end: appointment.end(),
            start_local: local_text(location.tz(), appointment.start),
            state: appointment.state,
            changeable_until: appointment.start.saturating_sub(self.cutoff_seconds),
            sequence: appointment.sequence,
            version: appointment.version,
        })
    }

    /// The location of `appointment` (checked when the data loaded; a booking names one).
    pub fn location_of(&self, appointment: &Appointment) -> Option<&Location> {
        self.locations.get(&appointment.location)
    }

    /// The booking `id` of application `application_id`, if it exists.
    pub async fn get(&self, application_id: &str, id: &str) -> Result<Option<Appointment>, StoreError> {
        self.table.get(&keys::appointment(application_id, id)).await?.map(|item| item.to_record()).transpose()
    }

    /// A page of the application's bookings, newest first.
    pub async fn of_application(
        &self,
        application_id: &str,
        page: &PageRequest,
    ) -> Result<Paged<Appointment>, StoreError> {
        let query = Query::partition(keys::application_partition(application_id))
            .sort(SortKey::Prefix(keys::APPOINTMENT_PREFIX.into()))
            .descending();
        paging::read(self.table.as_ref(), query, page).await
    }

    /// Books a place in slot `slot_id` for `application`, by `actor` (the applicant or their
    /// representative) at `now`; the history note is in `language`.
    pub async fn book(
        &self,
        application: &Application,
        slot_id: &str,
        actor: &str,
        language: Language,
        now: u64,
    ) -> Result<Appointment, BookingError> {
        let slot = self.slots().get(slot_id).await?.ok_or(BookingError::NoSlot)?;
        if !slot.service.requested_in(application.status) {
            return Err(BookingError::NotRequested);
        }
        if slot.state != slots::SlotState::Open || slot.start <= now {
            return Err(BookingError::SlotUnavailable);
        }
        let appointment = Appointment {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: application.id.clone(),
            owner: application.owner.clone(),
            service: slot.service,
            location: slot.location.clone(),
            slot_id: slot.id.clone(),
            start: slot.start,
            minutes: slot.minutes,
            state: AppointmentState::Booked,
            sequence: 0,
            version: 1,
            booked_at: now,
            updated_at: now,
            reminded_for: None,
        };
        let active = Item::from_record(
            &keys::active_appointment(&application.id, slot.service.code()),
            &json!({"appointmentId": appointment.id}),
        )?;
        let mut ops = vec![
            slot.take_place(),
            WriteOp::Put { item: appointment.item()?, condition: Some(Condition::Absent) },
            WriteOp::Put { item: active, condition: Some(Condition::Absent) },
            still_asked(application),
        ];
        ops.extend(self.told(application, &appointment, AppointmentChange::Booked, actor, language, now)?);
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(appointment),
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&3) => {
                Err(BookingError::NotRequested)
            }
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&2) => {
                Err(BookingError::AlreadyBooked)
            }
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                Err(self.full(&slot, now).await?)
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The refusal for a full (or just closed) slot, with what may be booked instead.
    async fn full(&self, slot: &Slot, now: u64) -> Result<BookingError, StoreError> {
        Ok(BookingError::Full { suggestions: self.slots().next_free(slot, now, SUGGESTIONS).await? })
    }

    /// Whether `appointment` may still be changed online at `now`.
    fn changeable(&self, appointment: &Appointment, read_version: u64, now: u64) -> Result<(), BookingError> {
        if appointment.state != AppointmentState::Booked {
            return Err(BookingError::NotBooked);
        }
        if appointment.version != read_version {
            return Err(BookingError::Conflict { current_version: appointment.version });
        }
        let changeable_until = appointment.start.saturating_sub(self.cutoff_seconds);
        if now > changeable_until {
            return Err(BookingError::TooLate { changeable_until });
        }
        Ok(())
    }

    /// Moves `appointment` to slot `slot_id`: the new place taken and the old one given back in
    /// one transaction, under the same booking (same calendar UID, next SEQUENCE).
    #[expect(clippy::too_many_arguments, reason = "each is a fact of the move")]
    pub async fn reschedule(
        &self,
        application: &Application,
        appointment: &Appointment,
        slot_id: &str,
        expected_version: u64,
        actor: &str,
        language: Language,
        now: u64,
    ) -> Result<Appointment, BookingError> {
        self.changeable(appointment, expected_version, now)?;
        if !appointment.service.requested_in(application.status) {
            return Err(BookingError::NotRequested);
        }
        if slot_id == appointment.slot_id {
            return Ok(appointment.clone());
        }
        let slot = self.slots().get(slot_id).await?.ok_or(BookingError::NoSlot)?;
        if slot.service != appointment.service || slot.state != slots::SlotState::Open || slot.start <= now {
            return Err(BookingError::SlotUnavailable);
        }
        let mut moved = appointment.clone();
        moved.slot_id = slot.id.clone();
        moved.location = slot.location.clone();
        moved.start = slot.start;
        moved.minutes = slot.minutes;
        moved.sequence += 1;
        moved.version += 1;
        moved.updated_at = now;
        moved.reminded_for = None;
        let mut ops = vec![
            slot.take_place(),
            slots::free_place(&appointment.slot_id),
            moved.write_over(expected_version)?,
            still_asked(application),
        ];
        ops.extend(self.told(application, &moved, AppointmentChange::Rescheduled, actor, language, now)?);
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(moved),
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&3) => {
                Err(BookingError::NotRequested)
            }
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&2) => {
                Err(self.conflict(appointment).await?)
            }
            Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions.contains(&0) => {
                Err(self.full(&slot, now).await?)
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The refusal for a booking changed meanwhile.
    async fn conflict(&self, appointment: &Appointment) -> Result<BookingError, StoreError> {
        let current = self.get(&appointment.application_id, &appointment.id).await?;
        Ok(BookingError::Conflict { current_version: current.map_or(appointment.version, |a| a.version) })
    }

    /// Cancels `appointment`: its place given back, the application free to book again.
    pub async fn cancel(
        &self,
        application: &Application,
        appointment: &Appointment,
        actor: &str,
        language: Language,
        now: u64,
    ) -> Result<Appointment, BookingError> {
        self.changeable(appointment, appointment.version, now)?;
        let mut cancelled = appointment.clone();
        cancelled.state = AppointmentState::Cancelled;
        cancelled.sequence += 1;
        cancelled.version += 1;
        cancelled.updated_at = now;
        let mut ops = vec![
            cancelled.write_over(appointment.version)?,
            slots::free_place(&appointment.slot_id),
            self.release(appointment),
        ];
        ops.extend(self.told(application, &cancelled, AppointmentChange::Cancelled, actor, language, now)?);
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(cancelled),
            Err(StoreError::TransactionCanceled { .. }) => Err(self.conflict(appointment).await?),
            Err(other) => Err(other.into()),
        }
    }

    /// Records by `officer` whether the applicant came (the history note in the applicant's
    /// `language`). Attended biometrics moves the application to `biometrics_completed` (the
    /// status machine's step, in the same transaction); a missed appointment keeps its place
    /// taken and lets the applicant book again.
    #[expect(clippy::too_many_arguments, reason = "each is a fact of the officer's record")]
    pub async fn record_outcome(
        &self,
        applications: &Applications,
        application: &Application,
        appointment: &Appointment,
        outcome: Attendance,
        expected_version: u64,
        officer: &str,
        language: Language,
        now: u64,
    ) -> Result<Appointment, BookingError> {
        if appointment.state != AppointmentState::Booked {
            return Err(BookingError::NotBooked);
        }
        if appointment.version != expected_version {
            return Err(BookingError::Conflict { current_version: appointment.version });
        }
        if now < appointment.start {
            return Err(BookingError::NotYet);
        }
        let mut recorded = appointment.clone();
        recorded.state = match outcome {
            Attendance::Attended => AppointmentState::Attended,
            Attendance::Missed => AppointmentState::Missed,
        };
        recorded.version += 1;
        recorded.updated_at = now;
        let change = match outcome {
            Attendance::Attended => AppointmentChange::Attended,
            Attendance::Missed => AppointmentChange::Missed,
        };
        let writes = vec![recorded.write_over(expected_version)?, self.release(appointment)];
        // Attended biometrics complete that step while the application still waits for it.
        let completes = outcome == Attendance::Attended
            && appointment.service == Service::Biometrics
            && application.status == Status::BiometricsRequested;
        if completes {
            let change = Change {
                reason: Some(format!("biometrics given at appointment {}", appointment.id)),
                also: writes,
                ..Change::new(Command::CompleteBiometrics, officer, application.version, now)
            };
            return match applications.change_status(application, change).await {
                Ok(_) => Ok(recorded),
                // The booking or the application changed meanwhile: the case is reloaded.
                Err(WriteError::Conflict { .. }) => Err(self.conflict(appointment).await?),
                Err(other) => Err(other.into()),
            };
        }
        let mut ops = writes;
        ops.extend(self.told(application, &recorded, change, officer, language, now)?);
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(recorded),
            Err(StoreError::TransactionCanceled { .. }) => Err(self.conflict(appointment).await?),
            Err(other) => Err(other.into()),
        }
    }

    /// The write that ends the application's active booking of the service. It is always in
    /// the transaction of a write over this booking's version while it is booked, and one
    /// booking of a service is active at a time: the marker it deletes is this booking's.
    fn release(&self, appointment: &Appointment) -> WriteOp {
        WriteOp::Delete {
            key: keys::active_appointment(&appointment.application_id, appointment.service.code()),
            condition: None,
        }
    }

    /// The history entry and the applicant's event of a change.
    fn told(
        &self,
        application: &Application,
        appointment: &Appointment,
        change: AppointmentChange,
        actor: &str,
        language: Language,
        now: u64,
    ) -> Result<Vec<WriteOp>, StoreError> {
        let officer = matches!(change, AppointmentChange::Attended | AppointmentChange::Missed);
        let entry = HistoryEntry {
            at: now,
            actor: actor.to_owned(),
            role: if officer { "officer" } else { "applicant" }.to_owned(),
            from: application.status,
            to: application.status,
            reason: Some(format!("appointment {} {}", appointment.id, change_word(change))),
            note_to_applicant: self.location_of(appointment).map(|l| note(appointment, l, change, language)),
        };
        let key = keys::appointment_history_entry(&application.id, now, appointment.version, &appointment.id);
        let mut ops = vec![WriteOp::Put { item: Item::from_record(&key, &entry)?, condition: Some(Condition::Absent) }];
        if !application.owner.is_empty() {
            let kind = EventKind::Appointment { service: appointment.service, change };
            ops.push(Event::new(&application.id, &application.owner, kind, now).write()?);
        }
        Ok(ops)
    }
}

/// The check that the application still asks for bookings (its status as read), in the
/// transaction of a booking or a move: a status changed meanwhile (withdrawn, decided) takes none.
fn still_asked(application: &Application) -> WriteOp {
    WriteOp::Check {
        key: keys::application(&application.id),
        condition: Condition::Equals("status".into(), json!(application.status)),
    }
}

fn change_word(change: AppointmentChange) -> &'static str {
    match change {
        AppointmentChange::Booked => "booked",
        AppointmentChange::Rescheduled => "rescheduled",
        AppointmentChange::Cancelled => "cancelled",
        AppointmentChange::Attended => "attended",
        AppointmentChange::Missed => "missed",
        AppointmentChange::Reminder => "reminded",
    }
}

/// What the applicant's history says of a change, in `language`: the service, the local time
/// (with the zone's name) and the place.
fn note(appointment: &Appointment, location: &Location, change: AppointmentChange, language: Language) -> String {
    let local = local_text(location.tz(), appointment.start);
    let when = format!("{} {} ({})", &local[..10], &local[11..16], location.time_zone);
    let service = appointment.service.label(language);
    let place = location.name.get(language);
    match (change, language) {
        (AppointmentChange::Booked, Language::En) => format!("{service} booked: {when}, {place}"),
        (AppointmentChange::Booked, Language::Fr) => format!("{service} réservé\u{a0}: {when}, {place}"),
        (AppointmentChange::Rescheduled, Language::En) => format!("{service} moved to {when}, {place}"),
        (AppointmentChange::Rescheduled, Language::Fr) => format!("{service} déplacé au {when}, {place}"),
        (AppointmentChange::Cancelled, Language::En) => format!("{service} cancelled: {when}, {place}"),
        (AppointmentChange::Cancelled, Language::Fr) => format!("{service} annulé\u{a0}: {when}, {place}"),
        (AppointmentChange::Attended, Language::En) => format!("{service} attended: {when}, {place}"),
        (AppointmentChange::Attended, Language::Fr) => format!("{service}\u{a0}: présence confirmée, {when}, {place}"),
        (AppointmentChange::Missed, Language::En) => format!("{service} missed: {when}, {place}. Book a new one."),
        (AppointmentChange::Missed, Language::Fr) => {
            format!("{service} manqué\u{a0}: {when}, {place}. Réservez-en un nouveau.")
        }
        (AppointmentChange::Reminder, Language::En) => format!("{service} reminder: {when}, {place}"),
        (AppointmentChange::Reminder, Language::Fr) => format!("Rappel — {service}\u{a0}: {when}, {place}"),
    }
}
