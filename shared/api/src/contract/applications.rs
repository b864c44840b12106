//! Applications: the type catalog, drafts, submission, withdrawal, linking, the dashboard.

use http::Method;

use super::Contract;
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
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/processing-times",
        function: "ListProcessingTimes",
        area: Area::Applications,
        auth: Auth::Public,
        summary: "Per type, median and 80th-percentile days from submission to decision, with the sample size",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/applications",
        function: "ListApplications",
        area: Area::Applications,
        auth: Auth::User,
        summary: "The caller's dashboard: their applications with status and action required",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications",
        function: "CreateApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Start a draft of a type",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}",
        function: "GetApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "One application with its history, checklist and fees",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::PUT,
        path: "/api/applications/{id}/form",
        function: "SaveApplicationForm",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Save form data into a draft (409 on a stale version)",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/submit",
        function: "SubmitApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Submit the draft (422 listing what is missing); assigns the number",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/withdraw",
        function: "WithdrawApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Withdraw before a decision",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/link",
        function: "LinkApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Link a paper application by number, family name and date of birth (5 failures a day)",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/history",
        function: "ListHistory",
        area: Area::Applications,
        auth: Auth::User,
        summary: "One page of an application's history, oldest first (`?limit=`, `?cursor=`)",
        contract: Contract::json::<serde_json::Value>(200),
    },
];
