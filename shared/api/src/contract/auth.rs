//! Accounts: registration, sign-in with MFA, sessions, recovery.

use http::Method;

use super::Contract;
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::POST,
        path: "/api/auth/register",
        function: "Register",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Create an account; emails a confirmation code",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/confirm",
        function: "ConfirmRegistration",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Confirm the account's email with its code",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/resend",
        function: "ResendCode",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Send a new confirmation code",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/login",
        function: "Login",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Check email and password; always answers with an MFA challenge",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa/setup",
        function: "BeginMfaSetup",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Start enrolling an authenticator app",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa/setup/verify",
        function: "CompleteMfaSetup",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Verify the first authenticator code; signs in",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/mfa",
        function: "AnswerMfa",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Answer the MFA challenge; signs in",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/refresh",
        function: "Refresh",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "New tokens for the refresh cookie (rotated)",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/forgot",
        function: "ForgotPassword",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Email a password-reset code (202 whether or not the account exists)",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/reset",
        function: "ResetPassword",
        area: Area::Auth,
        auth: Auth::Public,
        summary: "Set a new password with the reset code; ends every session",
        contract: Contract::json::<serde_json::Value>(200),
    },
    Route {
        method: Method::POST,
        path: "/api/auth/logout",
        function: "Logout",
        area: Area::Auth,
        auth: Auth::User,
        summary: "End every session of the caller",
        contract: Contract::json::<serde_json::Value>(200),
    },
];
