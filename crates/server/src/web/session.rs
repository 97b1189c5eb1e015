//! Signing in and out with a form, and choosing the language.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::i18n::{LANGUAGE_COOKIE, Lang, Tr};
use super::{Layout, WebError, WebUser, cookie, render, safe_next, see_other};
use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie_value};
use crate::security::same_origin;
use crate::throttle::{ClientAddr, retry_after_seconds};

#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    t: Tr,
    next: String,
    name: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_form(
    tr: Tr,
    next: Option<&str>,
    name: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let next = safe_next(next);
    let path = format!(
        "/login?next={}",
        form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    );
    let page = LoginPage {
        layout: Layout::new(tr, "login", tr.get("page-login"), &path, None),
        t: tr,
        next,
        name,
        error,
    };
    render(status, &page)
}

pub async fn login_page(headers: HeaderMap, Query(query): Query<NextQuery>) -> Response {
    let tr = Tr::new(Lang::choose(None, &headers));
    login_form(
        tr,
        query.next.as_deref(),
        String::new(),
        None,
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Signs in with the form. Throttled like `POST /api/v1/session` (429 with `Retry-After` once a
/// name or an address has failed too often), and refused when the browser says the form was
/// posted from another site (login CSRF; see `security::same_origin`).
pub async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let tr = Tr::new(Lang::choose(None, &headers));
    let refuse = |message: &str, status| {
        login_form(
            tr,
            form.next.as_deref(),
            form.name.clone(),
            Some(tr.get(message)),
            status,
        )
    };
    if !same_origin(&headers) {
        return refuse("login-cross-site", StatusCode::FORBIDDEN);
    }
    let throttled = |wait| {
        let mut response = refuse("login-throttled", StatusCode::TOO_MANY_REQUESTS);
        response
            .headers_mut()
            .insert(RETRY_AFTER, retry_after_seconds(wait).into());
        response
    };
    let name = form.name.trim();
    if let Err(wait) = state.sign_ins.check(name, addr) {
        return throttled(wait);
    }
    let user = match state.store.verify_password(name, &form.password).await {
        Ok(user) => user,
        Err(clientele_store::StoreError::NotFound { .. }) => {
            if let Err(wait) = state.sign_ins.failed(name, addr) {
                return throttled(wait);
            }
            return refuse("login-failed", StatusCode::UNAUTHORIZED);
        }
        Err(e) => return WebError::store(e, tr).into_response(),
    };
    state.sign_ins.succeeded(name);
    let ttl = state.settings.session_ttl_seconds;
    let session = match state.store.create_session(user.id, ttl).await {
        Ok(s) => s,
        Err(e) => return WebError::store(e, tr).into_response(),
    };
    let mut response = see_other(&safe_next(form.next.as_deref()));
    if let Some((name, value)) = cookie(
        SESSION_COOKIE,
        &session.cookie,
        ttl,
        true,
        state.settings.secure_cookie,
    ) {
        response.headers_mut().append(name, value);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    user: Option<WebUser>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    if let Some(user) = &user {
        user.check_csrf(form.csrf.as_deref())?;
        if let Some(cookie) = cookie_value(&headers, SESSION_COOKIE) {
            state
                .store
                .delete_session(cookie)
                .await
                .map_err(|e| WebError::store(e, user.tr))?;
        }
    }
    let mut response = see_other("/login");
    if let Some((name, value)) = cookie(SESSION_COOKIE, "", 0, true, state.settings.secure_cookie) {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    lang: String,
    next: Option<String>,
    csrf: Option<String>,
}

/// Switches the language: stored for a signed-in user (the form then needs the CSRF token),
/// and in a cookie for the login page.
pub async fn language(
    State(state): State<AppState>,
    user: Option<WebUser>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Result<Response, WebError> {
    let tr = user
        .as_ref()
        .map_or_else(|| Tr::new(Lang::choose(None, &headers)), |u| u.tr);
    let Some(lang) = Lang::parse(&form.lang) else {
        return Err(WebError::invalid(
            tr,
            "lang",
            format!("'{}' is not en or ru", form.lang),
        ));
    };
    if let Some(user) = &user {
        user.check_csrf(form.csrf.as_deref())?;
        state
            .store
            .set_user_language(user.user.id, lang.code())
            .await
            .map_err(|e| WebError::store(e, tr))?;
    }
    let mut response = see_other(&safe_next(form.next.as_deref()));
    if let Some((name, value)) = cookie(
        LANGUAGE_COOKIE,
        lang.code(),
        365 * 86_400,
        false,
        state.settings.secure_cookie,
    ) {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}
