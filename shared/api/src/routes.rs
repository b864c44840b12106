//! The route table: the one list of every route, with the Lambda function that serves it and who
//! may call it. Area routers are built from it, `template.yaml` and the OpenAPI document are
//! checked against it, and the local portal's authorizer reads it.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter};

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Anyone; no authorizer in front of it.
    Public,
    /// A signed-in user (JWT authorizer).
    User,
    /// A signed-in officer (JWT authorizer, then the officers group checked by the handler).
    Officer,
}

/// A functional area: one crate under `functions/`, one build artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// Health and the API description.
    System,
    /// The caller's own account data.
    Profile,
    /// Accounts: registration, sign-in with MFA, sessions, recovery.
    Auth,
    /// Applications: types, drafts, submission, the dashboard.
    Applications,
    /// Documents: presigned uploads, verification, the checklist, downloads.
    Documents,
    /// Messages with the agency, the inbox, in-app notifications.
    Messages,
    /// The officers' side: queue, case view, decisions.
    Officer,
}

impl Area {
    /// Every area.
    pub const ALL: [Area; 7] =
        [Area::System, Area::Profile, Area::Auth, Area::Applications, Area::Documents, Area::Messages, Area::Officer];

    /// The binary (cargo-lambda `Binary`) that serves the area.
    pub fn binary(self) -> &'static str {
        match self {
            Area::System => "system",
            Area::Profile => "profile",
            Area::Auth => "auth",
            Area::Applications => "applications",
            Area::Documents => "documents",
            Area::Messages => "messages",
            Area::Officer => "officer",
        }
    }
}

/// One route of the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path template, `{name}` for parameters (the syntax of axum, OpenAPI and API Gateway).
    pub path: &'static str,
    /// The Lambda function (`{function}Function` in `template.yaml`).
    pub function: &'static str,
    /// The area that implements it.
    pub area: Area,
    /// Who may call it.
    pub auth: Auth,
    /// One line for the API description.
    pub summary: &'static str,
}

/// Every route of the API.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/health",
        function: "Health",
        area: Area::System,
        auth: Auth::Public,
        summary: "Liveness of the API",
    },
    Route {
        method: Method::GET,
        path: "/api/openapi.json",
        function: "OpenApi",
        area: Area::System,
        auth: Auth::Public,
        summary: "This API's OpenAPI document",
    },
    Route {
        method: Method::GET,
        path: "/api/me",
        function: "GetMe",
        area: Area::Profile,
        auth: Auth::User,
        summary: "The signed-in caller: id, groups and profile",
    },
    Route {
        method: Method::PATCH,
        path: "/api/me",
        function: "UpdateMe",
        area: Area::Profile,
        auth: Auth::User,
        summary: "Change the caller's language and notification channels (email, SMS to an E.164 number)",
    },
    Route {
        method: Method::GET,
        path: "/api/me/export",
        function: "ExportMyData",
        area: Area::Profile,
        auth: Auth::User,
        summary: "Everything the portal keeps about the caller: a five-minute link to a JSON file assembled in storage",
    },
    Route {
        method: Method::GET,
        path: "/api/me/activity",
        function: "GetMyActivity",
        area: Area::Profile,
        auth: Auth::User,
        summary: "Who read or changed the caller's applications, newest first",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/register",
        function: "Register",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Create an account; emails a confirmation code",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/confirm",
        function: "ConfirmRegistration",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Confirm the account's email with its code",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/resend",
        function: "ResendCode",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Send a new confirmation code",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/login",
        function: "Login",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Check email and password; always answers with an MFA challenge",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa/setup",
        function: "BeginMfaSetup",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Start enrolling an authenticator app",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa/setup/verify",
        function: "CompleteMfaSetup",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Verify the first authenticator code; signs in",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa",
        function: "AnswerMfa",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Answer the MFA challenge; signs in",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/refresh",
        function: "Refresh",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "New tokens for the refresh cookie (rotated)",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/forgot",
        function: "ForgotPassword",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Email a password-reset code (202 whether or not the account exists)",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/reset",
        function: "ResetPassword",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Set a new password with the reset code; ends every session",
    },
    Route {
        method: Method::POST,
        path: "/api/auth/logout",
        function: "Logout",
        area: Area::Auth,
        auth: Auth::User,
        summary: "End every session of the caller",
    },
    Route {
        method: Method::GET,
        path: "/api/application-types",
        function: "ListApplicationTypes",
        area: Area::Applications,
        auth: Auth::Public,
        summary: "Every application type: form, document checklist, fees",
    },
    Route {
        method: Method::GET,
        path: "/api/processing-times",
        function: "ListProcessingTimes",
        area: Area::Applications,
        auth: Auth::Public,
        summary: "Per type, median and 80th-percentile days from submission to decision, with the sample size",
    },
    Route {
        method: Method::GET,
        path: "/api/applications",
        function: "ListApplications",
        area: Area::Applications,
        auth: Auth::User,
        summary: "The caller's dashboard: their applications with status and action required",
    },
    Route {
        method: Method::POST,
        path: "/api/applications",
        function: "CreateApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Start a draft of a type",
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}",
        function: "GetApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "One application with its history, checklist and fees",
    },
    Route {
        method: Method::PUT,
        path: "/api/applications/{id}/form",
        function: "SaveApplicationForm",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Save form data into a draft (409 on a stale version)",
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/submit",
        function: "SubmitApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Submit the draft (422 listing what is missing); assigns the number",
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/withdraw",
        function: "WithdrawApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Withdraw before a decision",
    },
    Route {
        method: Method::POST,
        path: "/api/applications/link",
        function: "LinkApplication",
        area: Area::Applications,
        auth: Auth::User,
        summary: "Link a paper application by number, family name and date of birth (5 failures a day)",
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/documents",
        function: "ListDocuments",
        area: Area::Documents,
        auth: Auth::User,
        summary: "The application's document checklist, documents and officers' requests",
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/documents",
        function: "RequestUpload",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Declare a document (kind, name, type, size) and get a presigned upload form valid 5 minutes",
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/documents/{docId}/complete",
        function: "CompleteUpload",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Verify the uploaded file now and give the document's state",
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/documents/{docId}/download",
        function: "DownloadDocument",
        area: Area::Documents,
        auth: Auth::User,
        summary: "A download link valid 5 minutes (verified files only)",
    },
    Route {
        method: Method::DELETE,
        path: "/api/applications/{id}/documents/{docId}",
        function: "DeleteDocument",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Remove a document while the application is a draft or an officer asked for that kind",
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/messages",
        function: "ListMessages",
        area: Area::Messages,
        auth: Auth::User,
        summary: "The application's thread with the agency, oldest first, with read receipts",
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/messages",
        function: "SendMessage",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Write to the agency about the application (may point to its documents)",
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/messages/{messageId}/read",
        function: "MarkMessageRead",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Record that the caller read a message from the other side",
    },
    Route {
        method: Method::GET,
        path: "/api/inbox",
        function: "GetInbox",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Per application: unread messages and the latest one",
    },
    Route {
        method: Method::GET,
        path: "/api/notifications",
        function: "ListNotifications",
        area: Area::Messages,
        auth: Auth::User,
        summary: "The caller's latest notifications, newest first",
    },
    Route {
        method: Method::POST,
        path: "/api/notifications/{id}/read",
        function: "MarkNotificationRead",
        area: Area::Messages,
        auth: Auth::User,
        summary: "Mark a notification read",
    },
    Route {
        method: Method::GET,
        path: "/api/officer/queue",
        function: "QueueApplications",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Applications in a status (and type), oldest first, paged by a cursor",
    },
    Route {
        method: Method::GET,
        path: "/api/officer/applications/{id}",
        function: "GetCase",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "One application with its history",
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/status",
        function: "ChangeApplicationStatus",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Move an application to its next status, with a reason and a note to the applicant",
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/document-requests",
        function: "RequestDocuments",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Ask the applicant for documents by a due date (moves the application to documents_requested)",
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/documents/{docId}/review",
        function: "ReviewDocument",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Accept or reject a verified document, with a reason",
    },
    Route {
        method: Method::POST,
        path: "/api/officer/applications/{id}/messages",
        function: "SendOfficerMessage",
        area: Area::Officer,
        auth: Auth::Officer,
        summary: "Write to the applicant (notifies them)",
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/history",
        function: "ListHistory",
        area: Area::Applications,
        auth: Auth::User,
        summary: "One page of an application's history, oldest first (`?limit=`, `?cursor=`)",
    },
];

impl Route {
    /// Serves `handler` on this route's method, so an area cannot bind a route to another one.
    pub fn serve<H, T, S>(&self, handler: H) -> MethodRouter<S>
    where
        H: Handler<T, S>,
        T: 'static,
        S: Clone + Send + Sync + 'static,
    {
        let filter = MethodFilter::try_from(self.method.clone()).unwrap_or(MethodFilter::GET);
        axum::routing::on(filter, handler)
    }

    /// Whether a concrete request path matches this route's template.
    pub fn matches(&self, method: &Method, path: &str) -> bool {
        if *method != self.method {
            return false;
        }
        let mut template = self.path.split('/');
        let mut concrete = path.split('/');
        loop {
            match (template.next(), concrete.next()) {
                (None, None) => return true,
                (Some(t), Some(c)) if t.starts_with('{') && t.ends_with('}') => {
                    if c.is_empty() {
                        return false;
                    }
                }
                (Some(t), Some(c)) if t == c => {}
                _ => return false,
            }
        }
    }
}

/// The route a request is for, if any.
pub fn find(method: &Method, path: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.matches(method, path))
}

/// An area left a route of the table without a handler.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("area {area:?} has no handler for function {function}")]
pub struct MissingHandler {
    /// The area.
    pub area: Area,
    /// The function in the route table.
    pub function: &'static str,
}

/// Builds an area's router from the route table: every route of the area, each with the handler
/// `handler_for` gives its function. Fails when one is missing.
pub fn area_router<S, F>(area: Area, handler_for: F) -> Result<Router<S>, MissingHandler>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(&Route) -> Option<MethodRouter<S>>,
{
    ROUTES.iter().filter(|route| route.area == area).try_fold(Router::new(), |router, route| {
        let handler = handler_for(route).ok_or(MissingHandler { area, function: route.function })?;
        Ok(router.route(route.path, handler))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_templates_match_concrete_paths() {
        let route = Route { path: "/api/applications/{id}/documents", ..ROUTES[0].clone() };
        assert!(route.matches(&Method::GET, "/api/applications/A123/documents"));
        assert!(!route.matches(&Method::GET, "/api/applications//documents"));
        assert!(!route.matches(&Method::GET, "/api/applications/A123"));
        assert!(!route.matches(&Method::POST, "/api/applications/A123/documents"));
    }

    #[test]
    fn every_route_is_unique() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[..i] {
                assert!(a.function != b.function, "function {} twice", a.function);
                assert!((&a.method, a.path) != (&b.method, b.path), "{} {} twice", a.method, a.path);
            }
        }
    }
}
