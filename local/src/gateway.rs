//! The local portal playing API Gateway (HTTP API, payload 2.0) in front of the area Routers:
//! it builds the request context Lambda would receive and acts as the JWT authorizer, verifying
//! RS256 tokens against the local JWKS and rendering the claims the way API Gateway does.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayRequestAuthorizer, ApiGatewayRequestAuthorizerJwtDescription, ApiGatewayV2httpRequestContext,
};
use lambda_http::request::RequestContext;
use portal_api::principal::render_list_claim;
use portal_api::problem::ApiError;
use portal_api::routes::{self, Auth};
use serde_json::{Map, Value};

use portal_store::local_identity::signing::{CLIENT_ID, ISSUER, Signer};

/// Verifies access tokens like API Gateway's JWT authorizer configured for the user pool.
pub struct JwtAuthorizer {
    kid: String,
    key: DecodingKey,
    validation: Validation,
}

impl JwtAuthorizer {
    /// An authorizer trusting the signer's public key.
    pub fn new(signer: &Signer) -> Result<Self> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        // Cognito access tokens carry `client_id`, not `aud`; checked below like API Gateway does.
        validation.validate_aud = false;
        validation.leeway = 0;
        Ok(Self { kid: signer.kid().to_owned(), key: signer.decoding_key()?, validation })
    }

    /// The claims of a valid token, rendered as API Gateway renders them; `None` otherwise.
    pub fn verify(&self, token: &str) -> Option<HashMap<String, String>> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(self.kid.as_str()) {
            return None;
        }
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key, &self.validation).ok()?.claims;
        let audience = claims.get("client_id").or_else(|| claims.get("aud")).and_then(Value::as_str);
        if audience != Some(CLIENT_ID) {
            return None;
        }
        Some(claims.iter().map(|(name, value)| (name.clone(), render_claim(value))).collect())
    }
}

/// API Gateway passes every claim as a string: arrays as `[a b]`, other values as their text.
fn render_claim(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(values) => render_list_claim(&values.iter().map(render_claim).collect::<Vec<_>>()),
        other => other.to_string(),
    }
}

fn bearer_token(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}

/// Outermost middleware: the request context API Gateway would send (request id, route key,
/// method, path, time), before any authorization.
pub async fn request_context(mut request: Request, next: Next) -> Response {
    let route_key = routes::find(request.method(), request.uri().path())
        .map_or_else(|| "$default".to_owned(), |route| format!("{} {}", route.method, route.path));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.request_id = Some(uuid::Uuid::new_v4().to_string());
    context.route_key = Some(route_key);
    context.stage = Some("$default".to_owned());
    context.time_epoch = i64::try_from(now.as_millis()).unwrap_or(i64::MAX);
    context.http.method = request.method().clone();
    context.http.path = Some(request.uri().path().to_owned());
    context.http.protocol = Some(format!("{:?}", request.version()));
    // The peer address, as API Gateway's `sourceIp` (per-client limits count by it).
    context.http.source_ip =
        request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip().to_string());
    request.extensions_mut().insert(RequestContext::ApiGatewayV2(context));
    next.run(request).await
}

/// Route middleware: on routes that need a signed-in caller, a missing or invalid token is a
/// 401 before any handler runs, and a valid one puts its claims in the request context.
pub async fn authorize(State(authorizer): State<Arc<JwtAuthorizer>>, mut request: Request, next: Next) -> Response {
    let needs_token =
        routes::find(request.method(), request.uri().path()).is_some_and(|route| route.auth != Auth::Public);
    if !needs_token {
        return next.run(request).await;
    }
    let Some(claims) = bearer_token(&request).and_then(|token| authorizer.verify(token)) else {
        return ApiError::Unauthenticated.into_response();
    };
    if let Some(RequestContext::ApiGatewayV2(context)) = request.extensions_mut().get_mut::<RequestContext>() {
        let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
        jwt.claims = claims;
        let mut authorizer = ApiGatewayRequestAuthorizer::default();
        authorizer.jwt = Some(jwt);
        context.authorizer = Some(authorizer);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_rendered_as_api_gateway_renders_them() {
        assert_eq!(render_claim(&json!(["officers", "admins"])), "[officers admins]");
        assert_eq!(render_claim(&json!(1700000000)), "1700000000");
        assert_eq!(render_claim(&json!("abc")), "abc");
        assert_eq!(render_claim(&json!(true)), "true");
    }
}
