//! Appointments: where they happen, the slots officers publish, and the bookings applicants make,
//! move and cancel; officers record whether the applicant came. Times are UTC seconds, shown
//! with the location's local time and zone.

use http::Method;
use portal_domain::appointments::locations::Location;
use portal_domain::appointments::slots::SlotView;
use portal_domain::appointments::{AppointmentView, Attendance, Service};
use portal_domain::ids::{ApplicationId, AppointmentId, LocationCode, SlotId};
use schemars::JsonSchema;
use serde::Deserialize;

use super::{Contract, Page, PageQuery};
use crate::body::{MAX_SAFE_INTEGER, whole_number};
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/appointment-locations",
        function: "ListAppointmentLocations",
        area: Area::Appointments,
        auth: Auth::Public,
        summary: "Where appointments are held: names and addresses in both languages, time zones, access notes, \
                  services",
        contract: Contract::json::<Vec<Location>>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/appointment-slots",
        function: "ListAppointmentSlots",
        area: Area::Appointments,
        auth: Auth::User,
        summary: "A page of a location's slots of one service between two local dates, with the places left",
        contract: Contract::json::<Page<SlotView>>(200).query::<SlotQuery>(),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/appointments",
        function: "ListAppointments",
        area: Area::Appointments,
        auth: Auth::User,
        summary: "A page of the application's bookings, newest first",
        contract: Contract::json::<Page<AppointmentView>>(200).path::<ApplicationId>().query::<PageQuery>(),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/appointments",
        function: "BookAppointment",
        area: Area::Appointments,
        auth: Auth::User,
        summary: "Book a place in a slot of the service the application is asked for (409 when it is full, with \
                  free slots suggested, or when one is booked already)",
        contract: Contract::json::<AppointmentView>(201).path::<ApplicationId>().body::<NewBooking>().problems(&[409]),
    },
    Route {
        method: Method::PUT,
        path: "/api/applications/{id}/appointments/{appointmentId}",
        function: "RescheduleAppointment",
        area: Area::Appointments,
        auth: Auth::User,
        summary: "Move a booking to another slot in one step (409 when it is full, too close to change online, or \
                  changed meanwhile)",
        contract: Contract::json::<AppointmentView>(200)
            .path::<(ApplicationId, AppointmentId)>()
            .body::<Reschedule>()
            .problems(&[409]),
    },
    Route {
        method: Method::DELETE,
        path: "/api/applications/{id}/appointments/{appointmentId}",
        function: "CancelAppointment",
        area: Area::Appointments,
        auth: Auth::User,
        summary: "Cancel a booking and give its place back (409 when too close to cancel online)",
        contract: Contract::json::<AppointmentView>(200).path::<(ApplicationId, AppointmentId)>().problems(&[409]),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/appointments/{appointmentId}/calendar.ics",
        function: "GetAppointmentCalendar",
        area: Area::Appointments,
        auth: Auth::User,
        summary: "The booking as an iCalendar file (RFC 5545): the same UID after a move, a higher SEQUENCE",
        contract: Contract::file(200, "text/calendar").path::<(ApplicationId, AppointmentId)>(),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/appointment-slots",
        function: "PublishAppointmentSlots",
        area: Area::Appointments,
        auth: Auth::Officer,
        summary: "Publish one slot or a day's schedule (slots one after the other), in the location's local time",
        contract: Contract::json::<Vec<SlotView>>(201).body::<NewSlots>(),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/appointment-slots/{slotId}/close",
        function: "CloseAppointmentSlot",
        area: Area::Appointments,
        auth: Auth::Officer,
        summary: "Close a slot to new bookings (those made stay)",
        contract: Contract::json::<SlotView>(200).path::<SlotId>().without_body(),
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/appointments/{appointmentId}/outcome",
        function: "RecordAppointmentOutcome",
        area: Area::Appointments,
        auth: Auth::Officer,
        summary: "Record whether the applicant came, once it began: attended biometrics complete that step; a \
                  missed appointment may be booked again",
        contract: Contract::json::<AppointmentView>(200)
            .path::<(ApplicationId, AppointmentId)>()
            .body::<OutcomeBody>()
            .problems(&[409]),
    },
];

/// The query of `GET /api/appointment-slots`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotQuery {
    /// The location's code.
    pub location: LocationCode,
    /// The service.
    pub service: Service,
    /// The first local date (`YYYY-MM-DD`, the location's).
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub from: String,
    /// The last local date, included (at most 62 days after `from`).
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub to: String,
    /// How many items at most, 1 to 100 (100 when left out). Read as text so that a bad one is
    /// a 400 naming `limit` with its own code.
    #[schemars(with = "Option<u32>", range(min = 1, max = 100))]
    pub limit: Option<String>,
    /// The `nextCursor` of the previous page.
    #[schemars(length(min = 1, max = 2048))]
    pub cursor: Option<String>,
}

/// The body of `POST /api/applications/{id}/appointments`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBooking {
    /// The slot to take a place in.
    pub slot_id: SlotId,
}

/// The body of `PUT /api/applications/{id}/appointments/{appointmentId}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reschedule {
    /// The slot to move to.
    pub slot_id: SlotId,
    /// The booking's version the move was decided on.
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(max = MAX_SAFE_INTEGER))]
    pub version: u64,
}

/// The body of `POST /api/officer/appointment-slots`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSlots {
    /// Where.
    pub location: LocationCode,
    /// For what.
    pub service: Service,
    /// The first slot's start in the location's local time (`YYYY-MM-DDTHH:MM`).
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"))]
    pub start: String,
    /// Each slot's length in minutes (5 to 240).
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(min = 5, max = 240))]
    pub minutes: u64,
    /// Each slot's capacity (1 to 50).
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(min = 1, max = 50))]
    pub capacity: u64,
    /// How many slots one after the other (1 to 60; 1 when left out).
    #[serde(default = "one", deserialize_with = "whole_number")]
    #[schemars(range(min = 1, max = 60))]
    pub count: u64,
}

fn one() -> u64 {
    1
}

/// The body of `POST /api/officer/applications/{id}/appointments/{appointmentId}/outcome`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutcomeBody {
    /// Whether the applicant came.
    pub outcome: Attendance,
    /// The booking's version the officer saw.
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(max = MAX_SAFE_INTEGER))]
    pub version: u64,
}
