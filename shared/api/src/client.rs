//! The caller's network address, for per-client limits (A10): the request context's source
//! (`requestContext.http.sourceIp`: on Lambda behind CloudFront, the viewer's address CloudFront
//! passed, see `lambda::through_cloudfront_only`; locally, the connection's peer). Never taken
//! from a header such as `X-Forwarded-For`, which the caller writes itself. An IPv6 caller
//! counts by its /64, the block one subscriber is usually given.

use std::convert::Infallible;
use std::net::Ipv6Addr;

use axum::extract::FromRequestParts;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use lambda_http::request::RequestContext;
use portal_domain::sessions::Place;
use portal_domain::user_agent;

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
        let address = address.filter(|address| !address.is_empty()).unwrap_or_else(|| UNKNOWN.to_owned());
        Ok(Self(match address.parse::<Ipv6Addr>() {
            Ok(ipv6) if ipv6.to_ipv4_mapped().is_none() => {
                let [a, b, c, d, ..] = ipv6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
            _ => address,
        }))
    }
}

/// Where the caller is: its address (as [`ClientAddress`]) and its `User-Agent`, for the
/// records of its sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientPlace(pub Place);

impl<S: Send + Sync> FromRequestParts<S> for ClientPlace {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ClientAddress(address) = ClientAddress::from_request_parts(parts, state).await?;
        let agent = parts.headers.get(USER_AGENT).and_then(|value| value.to_str().ok()).unwrap_or_default();
        Ok(Self(Place { address, user_agent: user_agent::kept(agent) }))
    }
}
