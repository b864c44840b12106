//! Applications: the type catalog, drafts, submission, withdrawal, linking, the dashboard.

use http::Method;
use portal_domain::application_types::ApplicationType;
use portal_domain::applications::{Application, Estimate, Summary};
use portal_domain::case_view::{CaseView, HistoryView};
use portal_domain::ids::{ApplicationId, TypeCode};
use portal_domain::statements::Statement;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::statements::ConsentGiven;
use super::{Contract, Page, PageQuery};
use crate::body::{MAX_SAFE_INTEGER, whole_number};
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/application-types",
        function: "ListApplicationTypes",
        area: Area::Applications,
        auth: Auth::Public,
        summary: "Every application type: form, document checklist, fees",
        contract: Contract::json::<Vec<ApplicationType>>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/processing-times",
        function: "ListProcessingTimes",
        area: Area::Applications,
        auth: Auth::Public,
        summary: "Per type, median and 80th-percentile days from submission to decision, with the sample size",
        contract: Contract::json::<Vec<ProcessingTime>>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/applications",
        function: "ListApplications",
        area: Area::Applications,
        auth: Auth::User,
        summary: "One page of the caller's dashboard (at most 50): their applications and those they represent, with status, action required first, then newest change first",
        contract: Contract::json::<Page<Summary>>(200).query::<PageQuery>(),
    },
    Route {
        method: Method::POST,
        path: "/api/applications",
        function: "CreateApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Start a draft of a type",
        contract: Contract::json::<Application>(201).body::<NewApplication>(),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}",
        function: "GetApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "One application with its history, checklist and fees",
        contract: Contract::json::<CaseView>(200).path::<ApplicationId>(),
    },
    Route {
        method: Method::PUT,
        path: "/api/applications/{id}/form",
        function: "SaveApplicationForm",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Save form data into a draft (409 on a stale version)",
        contract: Contract::json::<Application>(200).path::<ApplicationId>().body::<FormSave>().problems(&[409]),
    },
    Route {
        method: Method::GET,
        path: "/api/declaration-statement",
        function: "GetDeclarationStatement",
        area: Area::Applications,
        auth: Auth::Public,
        summary: "The declaration an applicant signs when submitting, in both languages",
        contract: Contract::json::<Statement>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/submit",
        function: "SubmitApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Submit the draft (422 listing what is missing); assigns the number",
        contract: Contract::json::<Application>(200).path::<ApplicationId>().body::<Submission>().problems(&[409, 422]),
    },
    Route {
        method: Method::DELETE,
        path: "/api/applications/{id}",
        function: "DeleteDraft",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Delete a draft (its documents removed first; never one with a payment)",
        contract: Contract::empty(204).path::<ApplicationId>().problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/withdraw",
        function: "WithdrawApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Withdraw before a decision",
        contract: Contract::json::<Application>(200).path::<ApplicationId>().without_body().problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/link",
        function: "LinkApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Link a paper application by number, family name and date of birth (5 failures a day)",
        contract: Contract::json::<Application>(200).body::<LinkRequest>().problems(&[404]),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/history",
        function: "ListHistory",
        area: Area::Applications,
        auth: Auth::User,
        summary: "One page of an application's history, oldest first (`?limit=`, `?cursor=`)",
        contract: Contract::json::<Page<HistoryView>>(200).path::<ApplicationId>().query::<PageQuery>(),
    },
];

/// The body of `POST /api/applications/{id}/submit`: the declaration, signed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Submission {
    /// The declaration shown (`GET /api/declaration-statement`), confirmed.
    pub declaration: ConsentGiven,
}

/// The processing time of one application type.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProcessingTime {
    /// The type.
    #[serde(rename = "type")]
    #[schemars(with = "TypeCode")]
    pub type_code: String,
    /// How long its recent decisions took; `null` until there are some (no made-up figure).
    pub estimate: Option<Estimate>,
}

/// The body of `POST /api/applications`: the type of the draft to start.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApplication {
    /// The application type's code (`visitor-visa`, ...), one of `GET /api/application-types`.
    #[serde(rename = "type")]
    #[schemars(with = "TypeCode")]
    pub type_code: String,
}

/// The body of `PUT /api/applications/{id}/form`: the whole form data, and the version it was
/// read at (a stale one is a 409 naming the current version).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormSave {
    /// Field id → value, for the fields of the type's form (`GET /api/application-types`): a
    /// map because each type has its own fields. A draft may leave fields out or empty; each
    /// value given must fit its field.
    pub data: Map<String, Value>,
    /// The application's version this was read at.
    #[serde(deserialize_with = "whole_number")]
    #[schemars(range(max = MAX_SAFE_INTEGER))]
    pub version: u64,
}

/// The body of `POST /api/applications/link`: what is printed on a paper application. Any
/// mismatch is the same 404, with no hint of which field.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkRequest {
    /// The application number (a letter and nine digits; spaces and lowercase forgiven).
    pub application_number: String,
    /// The applicant's family name (compared trimmed, ignoring case).
    pub family_name: String,
    /// The applicant's date of birth, `YYYY-MM-DD`.
    pub date_of_birth: String,
}
