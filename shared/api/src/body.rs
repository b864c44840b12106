//! `JsonBody<T>`: a JSON request body whose every problem (wrong content type, malformed JSON,
//! a wrong type, an unknown field — bodies deny them, C3) is a 4xx problem naming it.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};

use crate::problem::ApiError;

/// A typed JSON body.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType),
            Err(JsonRejection::BytesRejection(_)) => Err(ApiError::PayloadTooLarge),
            Err(rejection) => Err(ApiError::MalformedBody(rejection.body_text())),
        }
    }
}
