//! The caller, taken only from the verified JWT claims API Gateway places in the request context
//! (`requestContext.authorizer.jwt.claims`); the local portal places them the same way. Nothing
//! in the headers or body can change who the caller is.
//!
//! Extracting a `Principal` also checks the user's revocation record (S2): a token issued at or
//! before the user's last sign-out, password reset or disable is refused, and so is one of a
//! session ended on its own (`sessions`). Routers of areas with
//! signed-in routes carry the `Revocations` as an `Extension`; without it, or when the check
//! cannot run, the request is refused (fail closed, C4).
//!
//! A read (`GET`) does not wait for that check: [`check_sessions_beside_reads`] runs it beside
//! the handler, so the two cost one store round trip of latency (DESIGN §7), and answers 401 in
//! place of whatever the handler answered when the session was revoked. Reads change nothing
//! the caller could see, so letting one run to its end for a revoked session gives nothing away.
//! Every other method is checked before its handler runs, as the extractor does.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Request};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lambda_http::request::RequestContext;
use portal_domain::sessions::Revocations;

use crate::problem::ApiError;

/// Cognito group of agency officers.
pub const OFFICERS_GROUP: &str = "officers";
/// Cognito group of the officers who help people back into their accounts (support desk).
pub const SUPPORT_GROUP: &str = "support";

/// A signed-in caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user's stable id (`sub`).
    pub sub: String,
    /// Groups the user belongs to (`cognito:groups`).
    pub groups: Vec<String>,
    /// When the token was issued (`iat`, seconds since the epoch).
    pub issued_at: u64,
    /// The session the token belongs to (`origin_jti`), when it names one.
    pub session: Option<String>,
}

impl Principal {
    /// Reads the principal from authorizer claims. Only access tokens count: API Gateway's JWT
    /// authorizer also accepts ID tokens (their `aud` is the client id), so `token_use` is ours
    /// to check.
    pub fn from_claims(claims: &HashMap<String, String>) -> Option<Self> {
        if claims.get("token_use").map(String::as_str) != Some("access") {
            return None;
        }
        let sub = claims.get("sub").filter(|sub| !sub.is_empty())?.clone();
        let groups = claims.get("cognito:groups").map(|groups| parse_list_claim(groups)).unwrap_or_default();
        let issued_at = claims.get("iat")?.parse().ok()?;
        let session = claims.get("origin_jti").filter(|session| !session.is_empty()).cloned();
        Some(Self { sub, groups, issued_at, session })
    }

    /// Whether the caller is an agency officer.
    pub fn is_officer(&self) -> bool {
        self.groups.iter().any(|group| group == OFFICERS_GROUP)
    }
}

/// API Gateway renders an array claim as one string, `[a b c]`; a one-element claim may also
/// arrive bare. Group names cannot contain spaces in Cognito.
pub fn parse_list_claim(value: &str) -> Vec<String> {
    let inner = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')).unwrap_or(value);
    inner.split_whitespace().map(str::to_owned).collect()
}

/// Renders a list as API Gateway puts it in the claims map.
pub fn render_list_claim(values: &[String]) -> String {
    format!("[{}]", values.join(" "))
}

/// The principal the authorizer's claims name, if any.
fn claimed(extensions: &axum::http::Extensions) -> Option<Principal> {
    match extensions.get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            context.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).map(|jwt| &jwt.claims)
        }
        _ => None,
    }
    .and_then(Principal::from_claims)
}

/// Whether `principal`'s session still holds (`Err(Unauthenticated)` when it was revoked).
async fn check_session(revocations: &Revocations, principal: &Principal) -> Result<(), ApiError> {
    match revocations.is_revoked(&principal.sub, principal.issued_at, principal.session.as_deref()).await? {
        true => Err(ApiError::Unauthenticated),
        false => Ok(()),
    }
}

/// Marks a request whose session [`check_sessions_beside_reads`] checks beside its handler.
#[derive(Clone, Copy)]
struct CheckedBeside;

/// Runs the session check of a signed-in read beside its handler rather than before it, and
/// answers the check's refusal (or its failure: fail closed) in place of the handler's answer.
pub async fn check_sessions_beside_reads(mut request: Request, next: Next) -> Response {
    let revocations = request.extensions().get::<Revocations>().cloned();
    let principal = claimed(request.extensions());
    let (Some(revocations), Some(principal), true) = (revocations, principal, request.method() == Method::GET) else {
        return next.run(request).await;
    };
    request.extensions_mut().insert(CheckedBeside);
    let (session, response) = tokio::join!(check_session(&revocations, &principal), next.run(request));
    match session {
        Ok(()) => response,
        Err(refused) => refused.into_response(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let principal = claimed(&parts.extensions).ok_or(ApiError::Unauthenticated)?;
        if parts.extensions.get::<CheckedBeside>().is_none() {
            let revocations = parts
                .extensions
                .get::<Revocations>()
                .ok_or_else(|| ApiError::Internal("this router has no session check (Revocations extension)".into()))?;
            check_session(revocations, &principal).await?;
        }
        Ok(principal)
    }
}

/// The caller's own access token, as presented (`Authorization: Bearer`), for the identity
/// provider's operations a user authorizes with it (Cognito's `AssociateSoftwareToken`). Taken
/// after the [`Principal`], which checks it.
#[derive(Clone)]
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|value| value.to_str().ok());
        let token = value.and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")));
        token.map(|token| Self(token.trim().to_owned())).ok_or(ApiError::Unauthenticated)
    }
}

/// A signed-in officer: a [`Principal`] in the officers group; anyone else is refused with 403
/// (C2). Taken first by officer handlers, so the refusal comes before anything else the
/// request names is looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer(pub Principal);

impl std::ops::Deref for Officer {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Officer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        if principal.is_officer() { Ok(Self(principal)) } else { Err(ApiError::Forbidden) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn groups_arrive_bracketed_as_api_gateway_renders_them() {
        let principal = Principal::from_claims(&claims(&[
            ("sub", "u1"),
            ("token_use", "access"),
            ("iat", "1700000000"),
            ("cognito:groups", "[officers admins]"),
            ("origin_jti", "s-1"),
        ]));
        let expected = Principal {
            sub: "u1".into(),
            groups: vec!["officers".into(), "admins".into()],
            issued_at: 1_700_000_000,
            session: Some("s-1".into()),
        };
        assert_eq!(principal, Some(expected));
        assert!(principal.is_some_and(|p| p.is_officer()));
    }

    #[test]
    fn s3_an_id_token_is_not_a_principal() {
        assert_eq!(Principal::from_claims(&claims(&[("sub", "u1"), ("token_use", "id"), ("iat", "1")])), None);
        assert_eq!(Principal::from_claims(&claims(&[("sub", "u1"), ("iat", "1")])), None);
        assert_eq!(Principal::from_claims(&claims(&[("sub", "u1"), ("token_use", "access")])), None, "no iat");
    }

    #[test]
    fn list_claims_round_trip() {
        let groups = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(parse_list_claim(&render_list_claim(&groups)), groups);
        assert_eq!(parse_list_claim("solo"), vec!["solo".to_owned()]);
        assert!(parse_list_claim("[]").is_empty());
    }
}
