//! The edge of idempotent routes (P1): the `Idempotency-Key` header, and [`once`], which runs
//! a request's work only if no request with that key ran it before, and otherwise answers what
//! the first one answered (`portal_domain::idempotency` keeps the keys).

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portal_domain::idempotency::{Claim, IdempotencyKeys, MAX_KEY_CHARS};
use schemars::JsonSchema;
use serde::Serialize;

use crate::problem::ApiError;

/// The request header naming the key.
pub const HEADER: &str = "Idempotency-Key";

/// The request's `Idempotency-Key`: 1 to 255 visible ASCII characters (a UUID is a good
/// choice); 400 naming the header when it is missing or anything else.
#[derive(Clone, Debug, JsonSchema)]
pub struct IdempotencyKey(#[schemars(length(min = 1, max = 255), regex(pattern = "^[!-~]+$"))] pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(HEADER).ok_or_else(|| ApiError::invalid(HEADER, "required"))?;
        let text = value.to_str().map_err(|_| ApiError::invalid(HEADER, "invalid"))?;
        let visible = text.bytes().all(|byte| byte.is_ascii_graphic());
        if text.is_empty() || text.len() > MAX_KEY_CHARS || !visible {
            return Err(ApiError::invalid(HEADER, "invalid"));
        }
        Ok(Self(text.to_owned()))
    }
}

/// Runs `work` for the first request with `key` of `sub` (whose request digest is `request`),
/// keeps its answer and answers it; answers a later request with the key as the first was
/// answered (with `Idempotent-Replayed: true`), 409 while the first is still running, 422 when
/// the key was used for another request. A failed attempt gives the key back: it changed
/// nothing a retry would repeat.
pub async fn once<T: Serialize>(
    keys: &IdempotencyKeys,
    sub: &str,
    key: &IdempotencyKey,
    request: &str,
    now: u64,
    work: impl Future<Output = Result<(StatusCode, Json<T>), ApiError>>,
) -> Result<Response, ApiError> {
    match keys.claim(sub, &key.0, request, now).await? {
        Claim::Fresh => match work.await {
            Ok((status, Json(answer))) => {
                let body = serde_json::to_value(&answer).map_err(|e| ApiError::Internal(Box::new(e)))?;
                keys.complete(sub, &key.0, status.as_u16(), &body).await?;
                Ok((status, Json(body)).into_response())
            }
            Err(error) => {
                keys.abandon(sub, &key.0).await?;
                Err(error)
            }
        },
        Claim::Replay { status, body } => {
            let status = StatusCode::from_u16(status).map_err(|e| ApiError::Internal(Box::new(e)))?;
            let mut response = (status, Json(body)).into_response();
            response.headers_mut().insert("Idempotent-Replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        Claim::InProgress => Err(ApiError::RequestInProgress),
        Claim::Mismatch => Err(ApiError::IdempotencyKeyReused),
    }
}
