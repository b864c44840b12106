//! The appointments area: where appointments are held, the slots officers publish and close,
//! and the bookings applicants make, move and cancel (each one transaction with the slot's
//! count: no place is given twice), the calendar file of a booking, and the outcome officers
//! record.
//!
//! Access (C1, `portal_api::access`): a booking's routes name its application, whose owner (or
//! an officer, for reading and outcomes) is the only one who reaches it; anyone else gets 404.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::NaiveDate;
use portal_api::access::{CaseAccess, Needs};
use portal_api::body::JsonBody;
use portal_api::contract::Page;
use portal_api::contract::appointments::{NewBooking, NewSlots, OutcomeBody, Reschedule, SlotQuery};
use portal_api::observe;
use portal_api::paging::Paging;
use portal_api::params::{PathParams, QueryParams};
use portal_api::principal::{Officer, Principal};
use portal_api::problem::{ApiError, FieldErrors};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::applications::Application;
use portal_domain::appointments::locations::{Location, Locations};
use portal_domain::appointments::slots::{self, Schedule, SlotView};
use portal_domain::appointments::{Appointment, AppointmentState, AppointmentView, Appointments, BookingError};
use portal_domain::clock::Clock;
use portal_domain::ids::{ApplicationId, AppointmentId, SlotId};
use portal_domain::paging::Paged;
use portal_domain::profile::{Language, Profiles};
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;

/// What the area's handlers need.
#[derive(Clone)]
pub struct AppointmentsState {
    access: CaseAccess,
    appointments: Appointments,
    profiles: Profiles,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl AppointmentsState {
    /// State over the table, the locations, and the cut-off before which bookings are changed
    /// online.
    pub fn new(table: Arc<dyn Table>, locations: Arc<Locations>, cutoff_seconds: u64, clock: Arc<dyn Clock>) -> Self {
        Self {
            access: CaseAccess::new(Arc::clone(&table), Arc::clone(&clock)),
            appointments: Appointments::new(Arc::clone(&table), locations, cutoff_seconds),
            profiles: Profiles::new(Arc::clone(&table)),
            revocations: Revocations::new(table),
            clock,
        }
    }

    /// The application and booking named by a route, if the caller may do what `needs` says.
    async fn booking_for(
        &self,
        (id, appointment_id): &(ApplicationId, AppointmentId),
        principal: &Principal,
        needs: Needs,
        action: &str,
    ) -> Result<(Application, Appointment), ApiError> {
        let (application, _) = self.access.application_for(id, principal, needs, action).await?;
        let appointment = self.appointments.get(id, appointment_id).await?.ok_or(ApiError::NotFound)?;
        Ok((application, appointment))
    }

    fn view(&self, appointment: &Appointment) -> Result<AppointmentView, ApiError> {
        self.appointments.view(appointment).ok_or_else(|| unknown_location(&appointment.location))
    }

    /// The answer to a refused booking change.
    fn refused(&self, error: BookingError) -> ApiError {
        match error {
            BookingError::NoSlot => ApiError::invalid("slotId", "unknown-slot"),
            BookingError::NotRequested => ApiError::AppointmentNotRequested,
            BookingError::SlotUnavailable => ApiError::SlotUnavailable,
            BookingError::Full { suggestions } => ApiError::SlotFull {
                suggestions: suggestions.iter().filter_map(|slot| self.appointments.slot_view(slot)).collect(),
            },
            BookingError::AlreadyBooked => ApiError::AlreadyBooked,
            BookingError::NotBooked | BookingError::NotYet => ApiError::InvalidState,
            BookingError::TooLate { changeable_until } => ApiError::TooLateToChange { changeable_until },
            BookingError::Conflict { current_version } => ApiError::Conflict { current_version },
            BookingError::Write(write) => write.into(),
            BookingError::Store(store) => store.into(),
        }
    }
}

/// A stored slot or booking names a location the data no longer has: ours to fix.
fn unknown_location(code: &str) -> ApiError {
    ApiError::Internal(format!("no appointment location {code}").into())
}

/// The area's router.
pub fn router(state: AppointmentsState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Appointments, state.revocations.clone(), |route| match route.function {
        "ListAppointmentLocations" => Some(route.serve(locations)),
        "ListAppointmentSlots" => Some(route.serve(list_slots)),
        "ListAppointments" => Some(route.serve(list)),
        "BookAppointment" => Some(route.serve(book)),
        "RescheduleAppointment" => Some(route.serve(reschedule)),
        "CancelAppointment" => Some(route.serve(cancel)),
        "GetAppointmentCalendar" => Some(route.serve(calendar)),
        "PublishAppointmentSlots" => Some(route.serve(publish)),
        "CloseAppointmentSlot" => Some(route.serve(close)),
        "RecordAppointmentOutcome" => Some(route.serve(outcome)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

async fn locations(State(state): State<AppointmentsState>) -> Json<Vec<Location>> {
    Json(state.appointments.locations().all().to_vec())
}

/// A location's slots of one service between two of its local dates.
async fn list_slots(
    _principal: Principal,
    State(state): State<AppointmentsState>,
    QueryParams(query): QueryParams<SlotQuery>,
) -> Result<Json<Page<SlotView>>, ApiError> {
    let mut errors = FieldErrors::new();
    let location = state.appointments.locations().get(&query.location);
    if location.is_none() {
        errors.add("location", "unknown-location");
    }
    // Four-digit years only: chrono reads signed six-digit ones, whose next day overflows.
    let date = |text: &str| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|date| (2000..=9998).contains(&chrono::Datelike::year(date)))
            .ok_or("invalid-date")
    };
    let from = errors.check("from", date(&query.from));
    let to = errors.check("to", date(&query.to));
    if let (Some(from), Some(to)) = (from, to) {
        let days = (to - from).num_days();
        if days < 0 {
            errors.add("to", "before-from");
        } else if days >= slots::MAX_DAYS_LISTED {
            errors.add("to", "too-far");
        }
    }
    let parsed = match (location, from, to) {
        (Some(location), Some(from), Some(to)) => Some((location, from, to)),
        _ => None,
    };
    let (location, from, to) = errors.finish_parsed(parsed)?;
    let page = Paging::parse(query.limit.as_deref(), query.cursor)?;
    let tz = location.tz();
    let (start, end) = (slots::start_of_day(tz, from), slots::start_of_day(tz, to + chrono::Days::new(1)));
    let found =
        state.appointments.slots().between(&location.code, query.service, start, end.saturating_sub(1), &page).await?;
    Ok(Json(Page::from(found).map(|slot| SlotView::of(&slot, location))))
}

/// A page of the application's bookings, newest first.
async fn list(
    principal: Principal,
    State(state): State<AppointmentsState>,
    PathParams(id): PathParams<ApplicationId>,
    Paging(page): Paging,
) -> Result<Json<Page<AppointmentView>>, ApiError> {
    let found = async { Ok(state.appointments.of_application(&id, &page).await?) };
    let (_, _, found) = state.access.read(&id, &principal, "read-appointments", found).await?;
    let views = found.items.iter().map(|appointment| state.view(appointment)).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(Page::from(Paged { items: views, next: found.next })))
}

/// Books a place for the application, by its owner.
async fn book(
    principal: Principal,
    State(state): State<AppointmentsState>,
    PathParams(id): PathParams<ApplicationId>,
    JsonBody(body): JsonBody<NewBooking>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    let (application, _) = state.access.application_for(&id, &principal, Needs::Act, "book-appointment").await?;
    let language = observe::current_language();
    let booked = state
        .appointments
        .book(&application, &body.slot_id, &principal.sub, language, state.clock.now())
        .await
        .map_err(|e| state.refused(e))?;
    Ok((StatusCode::CREATED, Json(state.view(&booked)?)))
}

/// Moves a booking to another slot.
async fn reschedule(
    principal: Principal,
    State(state): State<AppointmentsState>,
    PathParams(ids): PathParams<(ApplicationId, AppointmentId)>,
    JsonBody(body): JsonBody<Reschedule>,
) -> Result<Json<AppointmentView>, ApiError> {
    let (application, appointment) = state.booking_for(&ids, &principal, Needs::Act, "reschedule-appointment").await?;
    let language = observe::current_language();
    let now = state.clock.now();
    let moved = state
        .appointments
        .reschedule(&application, &appointment, &body.slot_id, body.version, &principal.sub, language, now)
        .await
        .map_err(|e| state.refused(e))?;
    Ok(Json(state.view(&moved)?))
}

/// Cancels a booking.
async fn cancel(
    principal: Principal,
    State(state): State<AppointmentsState>,
    PathParams(ids): PathParams<(ApplicationId, AppointmentId)>,
) -> Result<Json<AppointmentView>, ApiError> {
    let (application, appointment) = state.booking_for(&ids, &principal, Needs::Act, "cancel-appointment").await?;
    let language = observe::current_language();
    let cancelled = state
        .appointments
        .cancel(&application, &appointment, &principal.sub, language, state.clock.now())
        .await
        .map_err(|e| state.refused(e))?;
    Ok(Json(state.view(&cancelled)?))
}

/// The booking as a calendar file, in the reader's language.
async fn calendar(
    principal: Principal,
    State(state): State<AppointmentsState>,
    PathParams(ids): PathParams<(ApplicationId, AppointmentId)>,
) -> Result<Response, ApiError> {
    let (id, appointment_id) = &ids;
    let appointment = async { state.appointments.get(id, appointment_id).await?.ok_or(ApiError::NotFound) };
    let (_, _, appointment) = state.access.read(id, &principal, "read-appointment-calendar", appointment).await?;
    let location =
        state.appointments.location_of(&appointment).ok_or_else(|| unknown_location(&appointment.location))?;
    let language = observe::current_language();
    let file = calendar_file(&appointment, location, language, state.clock.now());
    let headers = [
        (header::CONTENT_TYPE, "text/calendar".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"appointment-{}.ics\"", appointment.id)),
    ];
    Ok((headers, file).into_response())
}

/// The calendar file of `appointment` at `location`, made at `now`.
fn calendar_file(appointment: &Appointment, location: &Location, language: Language, now: u64) -> String {
    let summary = appointment.service.label(language);
    let place = format!("{}, {}", location.name.get(language), location.address.get(language));
    let local = slots::local_text(location.tz(), appointment.start);
    let description = match language {
        Language::En => format!(
            "{summary} at {} ({}), local time {local}.\nAccess: {}\nBring this application's number and your \
             passport or travel document.",
            location.name.en, location.time_zone, location.accessibility.en
        ),
        Language::Fr => format!(
            "{summary} au {} ({}), heure locale {local}.\nAccès : {}\nApportez le numéro de cette demande et votre \
             passeport ou document de voyage.",
            location.name.fr, location.time_zone, location.accessibility.fr
        ),
    };
    let uid = format!("{}@applicant-portal", appointment.id);
    portal_calendar::ics(&portal_calendar::Event {
        uid: &uid,
        sequence: appointment.sequence,
        stamp: now,
        start: appointment.start,
        end: appointment.end(),
        summary,
        location: &place,
        description: &description,
        cancelled: appointment.state == AppointmentState::Cancelled,
    })
}

/// Publishes one slot or a day's schedule.
async fn publish(
    Officer(officer): Officer,
    State(state): State<AppointmentsState>,
    JsonBody(body): JsonBody<NewSlots>,
) -> Result<(StatusCode, Json<Vec<SlotView>>), ApiError> {
    let location = state
        .appointments
        .locations()
        .get(&body.location)
        .ok_or_else(|| ApiError::invalid("location", "unknown-location"))?;
    let small = |value: u64| u32::try_from(value).unwrap_or(u32::MAX);
    let schedule = Schedule {
        location,
        service: body.service,
        start: &body.start,
        minutes: small(body.minutes),
        capacity: small(body.capacity),
        count: small(body.count),
    };
    let published = schedule.slots(&officer.sub, state.clock.now()).map_err(|e| {
        let (field, code) = e.field();
        ApiError::invalid(field, code)
    })?;
    state.appointments.slots().publish(&published).await?;
    Ok((StatusCode::CREATED, Json(published.iter().map(|slot| SlotView::of(slot, location)).collect())))
}

/// Closes a slot to new bookings.
async fn close(
    _officer: Officer,
    State(state): State<AppointmentsState>,
    PathParams(id): PathParams<SlotId>,
) -> Result<Json<SlotView>, ApiError> {
    let slot = state.appointments.slots().close(&id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(state.appointments.slot_view(&slot).ok_or_else(|| unknown_location(&slot.location))?))
}

/// Records whether the applicant came.
async fn outcome(
    Officer(officer): Officer,
    State(state): State<AppointmentsState>,
    PathParams(ids): PathParams<(ApplicationId, AppointmentId)>,
    JsonBody(body): JsonBody<OutcomeBody>,
) -> Result<Json<AppointmentView>, ApiError> {
    let (application, appointment) =
        state.booking_for(&ids, &officer, Needs::Officer, "record-appointment-outcome").await?;
    // The history note is for the applicant: in their language.
    let language =
        state.profiles.get(&application.owner).await?.map_or_else(Language::default, |p| p.preferred_language);
    let recorded = state
        .appointments
        .record_outcome(
            &state.access.applications,
            &application,
            &appointment,
            body.outcome,
            body.version,
            &officer.sub,
            language,
            state.clock.now(),
        )
        .await
        .map_err(|e| state.refused(e))?;
    Ok(Json(state.view(&recorded)?))
}
