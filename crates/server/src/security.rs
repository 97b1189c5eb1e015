//! What every response carries and every request is held to (issue 23, items 4 and 5): security
//! headers on every answer, personal pages never cached, an oversized body answered 413 in the
//! API's JSON error shape whichever extractor met it, and the same-origin check of sign-in forms.
//!
//! The Content-Security-Policy allows only the server's own files: `static/app.js` and
//! `static/app.css`, no inline script or style (the templates have none; the browser test checks
//! the console for violations), no frames around the pages, no plugins, no `<base>`, forms posting
//! only to this server.

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;

/// The policy of every page: the server's own scripts, styles and images, nothing inline.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Adds the security headers, marks answers without their own caching rule `no-store` (every
/// page and API answer is personal data or depends on who asks; the static files set theirs),
/// and answers every 413 (axum's own is plain text) in the JSON error shape.
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    // Every body limit of the server is `max_body_bytes`; axum's own answer is plain text.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response = ApiError::TooLarge(state.settings.max_body_bytes).into_response();
    }
    let h = response.headers_mut();
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether a sign-in request comes from this server's own pages: refused when the browser says
/// it comes from another site (`Sec-Fetch-Site: cross-site`, or an `Origin` whose host is not
/// this one). A page elsewhere could otherwise post the form with the attacker's name and
/// password and sign the victim in as the attacker (login CSRF), so what they then enter is the
/// attacker's to read. Requests without these headers (scripts, old browsers) are let through:
/// a browser always sends `Origin` on a cross-site POST.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if text("sec-fetch-site") == Some("cross-site") {
        return false;
    }
    let Some(origin) = text(ORIGIN.as_str()) else {
        return true;
    };
    // `Origin: null` comes from sandboxed frames and local files: not this server's pages.
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    match (origin_host, text(HOST.as_str())) {
        (Some(from), Some(host)) => from.eq_ignore_ascii_case(host),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn sign_ins_from_other_sites_are_told_apart() {
        assert!(same_origin(&headers(&[("host", "crm.example:8080")])));
        assert!(same_origin(&headers(&[
            ("host", "crm.example:8080"),
            ("origin", "https://crm.example:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "crm.example:8080"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "crm.example:8080"),
            ("origin", "null")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "crm.example"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "crm.example"),
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://crm.example")
        ])));
    }
}
