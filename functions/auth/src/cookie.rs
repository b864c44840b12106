//! The refresh-token cookie: `HttpOnly` (no script reads it), `Secure`, `SameSite=Strict` (never
//! sent cross-site) and scoped to `/api/auth`, so it travels only to the routes that use it.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use portal_api::contract::auth::REFRESH_COOKIE;
use portal_api::problem::ApiError;

/// How long the browser keeps it: the refresh token's own lifetime (12 hours).
const MAX_AGE_SECONDS: u64 = 12 * 60 * 60;

/// Where it is sent, and how.
const ATTRIBUTES: &str = "HttpOnly; Secure; SameSite=Strict; Path=/api/auth";

/// The `Set-Cookie` value carrying a refresh token.
pub fn refresh_cookie(token: &str) -> Result<HeaderValue, ApiError> {
    let cookie = format!("{REFRESH_COOKIE}={token}; {ATTRIBUTES}; Max-Age={MAX_AGE_SECONDS}");
    HeaderValue::try_from(cookie).map_err(|error| ApiError::Internal(Box::new(error)))
}

/// A `Set-Cookie` value that removes the cookie.
pub fn cleared_refresh_cookie() -> HeaderValue {
    HeaderValue::try_from(format!("{REFRESH_COOKIE}=; {ATTRIBUTES}; Max-Age=0"))
        .unwrap_or_else(|_| unreachable!("the cookie's name and attributes are header-safe"))
}

/// The refresh token the browser sent, if any.
pub fn refresh_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == REFRESH_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_cookie_is_locked_down() {
        let set = refresh_cookie("abc").expect("header-safe");
        let cleared = cleared_refresh_cookie();
        for cookie in [set.to_str().expect("ascii"), cleared.to_str().expect("ascii")] {
            assert!(cookie.starts_with("portal_refresh="), "{cookie}");
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"] {
                assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
            }
        }
        assert!(cleared.to_str().expect("ascii").ends_with("Max-Age=0"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark; portal_refresh=tok.en-1_x; lang=fr"));
        assert_eq!(refresh_token(&headers).as_deref(), Some("tok.en-1_x"));
        assert_eq!(refresh_token(&HeaderMap::new()), None);
    }
}
