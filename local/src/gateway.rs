//! The local portal playing API Gateway (HTTP API, payload 2.0) in front of the area Routers:
//! it builds the request context Lambda would receive and acts as the JWT authorizer, verifying
//! RS256 tokens against the local JWKS and rendering the claims the way API Gateway does.
//!
//! The request's route is looked up once, by the outermost middleware, and handed to the
//! authorizer with the request; a token verified once is kept, with its claims, until it
//! expires (see [`JwtAuthorizer`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
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
use lru::LruCache;
use portal_api::principal::render_list_claim;
use portal_api::problem::ApiError;
use portal_api::routes::{self, Auth, Route, ServedRoute};
use serde_json::{Map, Value};

use portal_store::local_identity::signing::{CLIENT_ID, ISSUER, Signer};

/// How many verified tokens the authorizer keeps (each about 1.5 KiB with its claims): far more
/// than the people signed in to one local portal at once; the least recently used goes first.
const VERIFIED_TOKENS: NonZeroUsize = NonZeroUsize::new(1024).expect("not zero");

/// Verifies access tokens like API Gateway's JWT authorizer configured for the user pool.
///
/// A verified token's claims are kept until the token expires: one RS256 check costs about
/// 14 µs here (`openssl speed rsa2048`), more than the rest of a small read, and a signed-in page
/// sends the same token with every request. What is kept is only what the signature proved (who,
/// in which groups, until when); whether the token's session still stands is not the
/// authorizer's question, and every signed-in route still asks it on every request
/// (`portal_api::principal`), so a signed-out session's tokens stop working at once.
pub struct JwtAuthorizer {
    kid: String,
    key: DecodingKey,
    validation: Validation,
    verified: Mutex<LruCache<String, Verified>>,
}

/// A token's claims as rendered for the request context, and when the token expires.
struct Verified {
    expires_at: u64,
    claims: HashMap<String, String>,
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
        Ok(Self {
            kid: signer.kid().to_owned(),
            key: signer.decoding_key()?,
            validation,
            verified: Mutex::new(LruCache::new(VERIFIED_TOKENS)),
        })
    }

    /// The claims of a valid token, rendered as API Gateway renders them; `None` otherwise.
    pub fn verify(&self, token: &str) -> Option<HashMap<String, String>> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        if let Some(claims) = self.kept(token, now) {
            return Some(claims);
        }
        let verified = self.check(token)?;
        let claims = verified.claims.clone();
        self.verified.lock().unwrap_or_else(PoisonError::into_inner).put(token.to_owned(), verified);
        Some(claims)
    }

    /// The claims of `token` if it was verified before and is not expired at `now`, by the rule
    /// the check itself applies (leeway 0: refused once `exp` is in the past); an expired one is
    /// dropped, and the check refuses it from then on.
    fn kept(&self, token: &str, now: u64) -> Option<HashMap<String, String>> {
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        match verified.get(token) {
            Some(kept) if now <= kept.expires_at => Some(kept.claims.clone()),
            Some(_) => {
                verified.pop(token);
                None
            }
            None => None,
        }
    }

    /// The signature, issuer, expiry and app client check of a token not seen before.
    fn check(&self, token: &str) -> Option<Verified> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(self.kid.as_str()) {
            return None;
        }
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key, &self.validation).ok()?.claims;
        let audience = claims.get("client_id").or_else(|| claims.get("aud")).and_then(Value::as_str);
        if audience != Some(CLIENT_ID) {
            return None;
        }
        let expires_at = claims.get("exp").and_then(Value::as_u64)?;
        let claims = claims.iter().map(|(name, value)| (name.clone(), render_claim(value))).collect();
        Some(Verified { expires_at, claims })
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

/// The route of the API's table a request is for (`None`: no route has its method and path),
/// found once by [`request_context`] for everything after it.
#[derive(Clone, Copy)]
struct RouteOf(Option<&'static Route>);

/// Outermost middleware: the request context API Gateway would send (request id, route key,
/// method, path, time), before any authorization.
pub async fn request_context(mut request: Request, next: Next) -> Response {
    let route = routes::find(request.method(), request.uri().path());
    let route_key = route.map_or_else(|| "$default".to_owned(), |route| format!("{} {}", route.method, route.path));
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
    request.extensions_mut().insert(RouteOf(route));
    if let Some(route) = route {
        request.extensions_mut().insert(ServedRoute(route));
    }
    next.run(request).await
}

/// Route middleware: on routes that need a signed-in caller, a missing or invalid token is a
/// 401 before any handler runs, and a valid one puts its claims in the request context. A
/// request that did not come through [`request_context`] counts as needing one (fail closed).
pub async fn authorize(State(authorizer): State<Arc<JwtAuthorizer>>, mut request: Request, next: Next) -> Response {
    let needs_token = match request.extensions().get::<RouteOf>() {
        Some(RouteOf(route)) => route.is_some_and(|route| route.auth != Auth::Public),
        None => true,
    };
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
    use portal_store::local_identity::signing::AccessClaims;
    use serde_json::json;

    #[test]
    fn claims_are_rendered_as_api_gateway_renders_them() {
        assert_eq!(render_claim(&json!(["officers", "admins"])), "[officers admins]");
        assert_eq!(render_claim(&json!(1700000000)), "1700000000");
        assert_eq!(render_claim(&json!("abc")), "abc");
        assert_eq!(render_claim(&json!(true)), "true");
    }

    fn now() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).expect("after the epoch").as_secs()
    }

    fn new_signer() -> (tempfile::TempDir, Signer) {
        let folder = tempfile::tempdir().expect("temp dir");
        let signer = Signer::load_or_create(folder.path()).expect("signer");
        (folder, signer)
    }

    #[test]
    fn a_kept_token_is_refused_once_it_has_expired() {
        let (_folder, signer) = new_signer();
        let authorizer = JwtAuthorizer::new(&signer).expect("authorizer");
        let claims = AccessClaims::new("user-1", "session-1", Vec::new(), now(), 600);
        let expires_at = claims.exp;
        let token = signer.sign(&claims).expect("signed");

        let verified = authorizer.verify(&token).expect("a valid token");
        assert_eq!(verified["sub"], "user-1");
        assert_eq!(authorizer.kept(&token, expires_at), Some(verified), "kept until it expires");
        assert_eq!(authorizer.kept(&token, expires_at + 1), None, "expired");
        assert_eq!(authorizer.kept(&token, now()), None, "dropped once seen expired");
    }

    #[test]
    fn only_tokens_that_pass_every_check_are_kept() {
        let (_folder, signer) = new_signer();
        let (_other_folder, stranger) = new_signer();
        let authorizer = JwtAuthorizer::new(&signer).expect("authorizer");
        let valid = signer.sign(&AccessClaims::new("user-1", "session-1", Vec::new(), now(), 600)).expect("signed");
        let (header_and_claims, _) = valid.rsplit_once('.').expect("three parts");
        let foreign_signature =
            stranger.sign(&AccessClaims::new("user-1", "s", Vec::new(), now(), 600)).expect("signed");
        let forged = format!("{header_and_claims}.{}", foreign_signature.rsplit_once('.').expect("three parts").1);
        let expired =
            signer.sign(&AccessClaims::new("user-1", "session-1", Vec::new(), now() - 700, 600)).expect("signed");

        for refused in [forged.as_str(), expired.as_str(), "not.a.token"] {
            assert_eq!(authorizer.verify(refused), None, "{refused}");
            assert_eq!(authorizer.verify(refused), None, "refused again, not remembered: {refused}");
            assert_eq!(authorizer.kept(refused, now()), None);
        }
        assert!(authorizer.verify(&valid).is_some());
        assert_eq!(authorizer.verified.lock().expect("lock").len(), 1, "only the valid token is kept");
    }
}
