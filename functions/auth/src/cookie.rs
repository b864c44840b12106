//! The refresh-token cookie: `HttpOnly` (no script reads it), `Secure`, `SameSite=Strict` (never
//! sent cross-site) and scoped to `/api/auth`, so it travels only to the routes that use it.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// Name of the cookie.
pub const REFRESH_COOKIE: &str = "portal_refresh";

/// How long the browser keeps it: the refresh token's own lifetime (12 hours).
const MAX_AGE_SECONDS: u64 = 12 * 60 * 60;

/// A `Set-Cookie` value that removes the cookie.
pub const CLEARED_REFRESH_COOKIE: &str =
    "portal_refresh=; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age=0";

/// The `Set-Cookie` value carrying a refresh token.
pub fn refresh_cookie(token: &str) -> String {
    format!("{REFRESH_COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age={MAX_AGE_SECONDS}")
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
        let cookie = refresh_cookie("abc");
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"] {
            assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
        }
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark; portal_refresh=tok.en-1_x; lang=fr"));
        assert_eq!(refresh_token(&headers).as_deref(), Some("tok.en-1_x"));
        assert_eq!(refresh_token(&HeaderMap::new()), None);
    }
}
