//! The caller's network address, for per-client limits (A10): the source address API Gateway
//! saw (`requestContext.http.sourceIp`; the local portal fills it in from the connection).
//! Never taken from a header such as `X-Forwarded-For`, which the caller writes itself.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use lambda_http::request::RequestContext;

/// The subject counters use when no source address is known: such callers share one budget.
const UNKNOWN: &str = "unknown";

/// The caller's source address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let address = match parts.extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
            _ => None,
        };
        Ok(Self(address.filter(|address| !address.is_empty()).unwrap_or_else(|| UNKNOWN.to_owned())))
    }
}
