//! Paged list answers (D6), one shape for every list: `{"items": [...], "nextCursor": string |
//! null}`, read with `?limit=` (1 to 100, default 100) and `?cursor=` (opaque, handed back from
//! the previous page). A bad limit or cursor is a 400 naming the parameter.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use portal_domain::paging::{MAX_ITEMS, PageRequest};
use portal_domain::table::Cursor;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::problem::{ApiError, FieldError};

/// Longest cursor accepted (ours are a few hundred characters).
const MAX_CURSOR_CHARS: usize = 2048;

/// The page a request asks for, from `?limit=` and `?cursor=` (and nothing else).
#[derive(Clone, Debug)]
pub struct Paging(pub PageRequest);

/// The query string of a paged list: `?limit=` and `?cursor=`, nothing else.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// How many items at most, 1 to 100 (100 when left out). Read as text so that a bad one is
    /// a 400 naming `limit` with its own code.
    #[schemars(with = "Option<u32>", range(min = 1, max = 100))]
    limit: Option<String>,
    /// The `nextCursor` of the previous page.
    #[schemars(length(min = 1, max = 2048))]
    cursor: Option<String>,
}

impl Paging {
    /// The page named by the raw `limit` and `cursor` parameters of a request that also takes
    /// others (the officer's queue).
    pub fn parse(limit: Option<&str>, cursor: Option<String>) -> Result<PageRequest, ApiError> {
        let limit = match limit {
            None => MAX_ITEMS,
            Some(text) => match text.parse::<u32>() {
                Ok(n) if (1..=MAX_ITEMS).contains(&n) => n,
                _ => return Err(ApiError::Invalid(vec![FieldError::new("limit", "invalid-limit")])),
            },
        };
        let cursor = match cursor {
            Some(c) if c.is_empty() || c.len() > MAX_CURSOR_CHARS => return Err(invalid_cursor()),
            other => other.map(Cursor::from),
        };
        Ok(PageRequest::new(limit, cursor))
    }
}

/// The answer to a cursor the store did not hand out for this list.
pub fn invalid_cursor() -> ApiError {
    ApiError::Invalid(vec![FieldError::new("cursor", "invalid-cursor")])
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(params) = Query::<PageQuery>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::MalformedBody(rejection.body_text()))?;
        Self::parse(params.limit.as_deref(), params.cursor).map(Paging)
    }
}
