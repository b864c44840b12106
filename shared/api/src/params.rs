//! Path and query parameters parsed into typed values at the edge (V3), every refusal a 4xx
//! problem: a path segment that is not a valid id names nothing (404, as for a missing
//! resource); one whose percent-encoding does not decode to UTF-8 is a 400 naming the parameter;
//! a query parameter that does not parse is a 400 naming it. Handlers take typed ids
//! (`portal_domain::ids`), so nothing a caller typed reaches a store key unparsed.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::{ApiError, FieldError};

/// Path parameters, typically typed ids: `PathParams(id): PathParams<ApplicationId>`, or a
/// tuple in the template's order.
#[derive(Debug)]
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => Err(match error.into_kind() {
                ErrorKind::InvalidUtf8InPathParam { key } => ApiError::Invalid(vec![FieldError::new(key, "invalid")]),
                // The handler asks for parameters its route does not have: ours to fix.
                kind @ (ErrorKind::WrongNumberOfParameters { .. } | ErrorKind::UnsupportedType { .. }) => {
                    ApiError::Internal(format!("path parameters do not fit the handler: {kind}").into())
                }
                _ => ApiError::NotFound,
            }),
            Err(rejection) => Err(ApiError::Internal(Box::new(rejection))),
        }
    }
}

/// Query parameters into a struct (which should deny unknown fields); a parameter that is
/// missing, unknown or does not parse is a 400 naming it.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        // Decoding is lossy: bytes that are not UTF-8 become U+FFFD, which no typed value accepts.
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Self)
            .map_err(|error| ApiError::Invalid(vec![FieldError::new(parameter_of(&error), "invalid")]))
    }
}

/// The parameter a query error is about: where it happened, or for a missing or unknown
/// parameter (an error of the whole query) the name serde quotes in its message
/// (`missing field `status``, `unknown field `x`, expected ...`).
fn parameter_of(error: &serde_path_to_error::Error<serde_urlencoded::de::Error>) -> String {
    if error.path().iter().next().is_some() {
        return error.path().to_string();
    }
    let message = error.inner().to_string();
    message.split('`').nth(1).unwrap_or("query").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use portal_domain::ids::TypeCode;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        status: String,
        #[serde(rename = "type")]
        type_code: Option<TypeCode>,
    }

    /// The parameters, or the name of the one refused.
    async fn parse(query: &str) -> Result<Params, String> {
        let (mut parts, ()) = Request::get(format!("/x?{query}")).body(()).expect("request").into_parts();
        match QueryParams::<Params>::from_request_parts(&mut parts, &()).await {
            Ok(QueryParams(params)) => Ok(params),
            Err(ApiError::Invalid(errors)) => Err(errors[0].field.clone()),
            Err(other) => panic!("not a field error: {other:?}"),
        }
    }

    #[tokio::test]
    async fn v3_a_query_parameter_that_does_not_parse_is_named() {
        let valid = parse("status=submitted&type=visitor-visa").await.expect("valid");
        assert_eq!((valid.status.as_str(), valid.type_code.as_deref()), ("submitted", Some("visitor-visa")));
        assert_eq!(parse("status=submitted&type=a%00b").await.map(|_| ()), Err("type".into()));
        assert_eq!(parse("status=submitted&type=%ff%fe").await.map(|_| ()), Err("type".into()));
        assert_eq!(parse("type=visitor-visa").await.map(|_| ()), Err("status".into()));
        assert_eq!(parse("status=submitted&colour=red").await.map(|_| ()), Err("colour".into()));
    }
}
