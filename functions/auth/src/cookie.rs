//! The area's cookies, the refresh token's and the browser's id: `HttpOnly` (no script reads
//! them), `Secure`, `SameSite=Strict` (never sent cross-site) and scoped to `/api/auth`, so they
//! travel only to the routes that use them.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use portal_api::contract::auth::{BROWSER_COOKIE, REFRESH_COOKIE};
use portal_api::problem::ApiError;
use portal_domain::sessions::KNOWN_BROWSER_SECONDS;

/// How long the browser keeps the refresh token: the token's own lifetime (12 hours).
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

/// The `Set-Cookie` value carrying the browser's id, kept as long as the browser stays known.
pub fn browser_cookie(id: &str) -> Result<HeaderValue, ApiError> {
    let cookie = format!("{BROWSER_COOKIE}={id}; {ATTRIBUTES}; Max-Age={KNOWN_BROWSER_SECONDS}");
    HeaderValue::try_from(cookie).map_err(|error| ApiError::Internal(Box::new(error)))
}

/// The value of cookie `name` the browser sent, if any.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, value)| *found == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// The refresh token the browser sent, if any.
pub fn refresh_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, REFRESH_COOKIE)
}

/// The browser's id from its cookie: a UUID, as handed out; anything else is no id.
pub fn browser_id(headers: &HeaderMap) -> Option<String> {
    cookie(headers, BROWSER_COOKIE).filter(|id| portal_domain::ids::SessionId::parse(id).is_ok())
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

    #[test]
    fn the_browser_id_is_a_uuid_in_a_locked_cookie_or_nothing() {
        let set = browser_cookie("0b7c7f9e-3f5a-4a8e-9a43-3c1f1f0e2d11").expect("header-safe");
        let set = set.to_str().expect("ascii");
        assert!(set.starts_with("portal_browser=0b7c7f9e-"), "{set}");
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth", "Max-Age=34560000"] {
            assert!(set.contains(attribute), "{attribute} missing from {set}");
        }
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("portal_browser=0b7c7f9e-3f5a-4a8e-9a43-3c1f1f0e2d11"));
        assert_eq!(browser_id(&headers).as_deref(), Some("0b7c7f9e-3f5a-4a8e-9a43-3c1f1f0e2d11"));
        let mut forged = HeaderMap::new();
        forged.append(COOKIE, HeaderValue::from_static("portal_browser=../../x"));
        assert_eq!(browser_id(&forged), None);
    }
}
