//! The web dashboard: server-rendered pages outside `/api`, for browsers.
//!
//! Invariants: pages come from askama templates (`templates/`), which escape everything they
//! print, so no handler builds HTML from strings; every word comes from the Fluent catalogues
//! (`locales/`); charts are inline SVG drawn by `clientele-charts`; static files are embedded
//! and served under `/static/`, and no page refers to another site. Every core flow works
//! without JavaScript (`static/app.js` only sorts tables and filters as you type). Pages read
//! the per-snapshot aggregates scoring writes (the store's `snapshots/aggregates.rs`), never
//! aggregate a whole snapshot per request, and lists are paginated.
//!
//! Sessions are the API's (`clientele_session` cookie, `Store::session_user`); forms that change
//! data carry the session's CSRF token in a hidden `csrf` field, and a page without a session
//! redirects to `/login?next=...`.

use axum::Router;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clientele_store::{Role, Scope, StoreError, User};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie_value};

mod action_export;
mod assess;
mod audit;
mod calendar;
mod campaigns;
mod card_sections;
mod contact_log;
mod contacts;
pub mod currency;
mod customer_export;
pub mod export;
mod feedback;
mod followups;
pub mod i18n;
mod improvements;
pub mod link_limits;
mod lists;
mod nps_behaviour;
mod pages;
mod people;
mod playbook;
mod portfolio;
mod queue;
pub mod reason;
mod session;
mod staff;
mod survey_link;
mod voice;
mod winback;
mod winback_export;

use i18n::{Arg, Lang, Tr};

/// The dashboard's routes (merged into the application beside the API).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::overview))
        .route("/flows", get(pages::flows))
        .route("/value", get(pages::value))
        .route("/today", get(lists::today))
        .route("/lost", get(lists::lost))
        .route("/today.csv", get(action_export::today_csv))
        .route("/today.xlsx", get(action_export::today_xlsx))
        .route("/lost.csv", get(action_export::lost_csv))
        .route("/lost.xlsx", get(action_export::lost_xlsx))
        .route("/dates", get(lists::dates))
        .route("/calendar", get(calendar::page))
        .route("/calendar/greetings/{id}", post(calendar::greeting))
        .route("/customers/{id}/dates", post(calendar::add_date))
        .route("/nps", get(voice::page))
        .route("/nps.csv", get(voice::csv))
        .route(
            "/improvements",
            get(improvements::list).post(improvements::add),
        )
        .route("/improvements/{id}", get(improvements::show))
        .route("/improvements/{id}/decision", post(improvements::decide))
        .route("/assess", get(assess::list))
        .route("/assess/{key}", get(assess::page).post(assess::submit))
        .route("/audit", get(audit::page))
        .route("/audit.csv", get(audit::csv))
        .route("/staff", get(staff::page))
        .route("/staff.csv", get(staff::csv))
        .route("/staff/surveys", post(staff::open))
        .route("/staff/codes", post(staff::codes))
        .route("/staff/close", post(staff::close))
        .route(
            "/staff/answer",
            get(staff::answer_form).post(staff::answer_submit).layer(
                axum::extract::DefaultBodyLimit::max(staff::MAX_ANSWER_FORM_BYTES),
            ),
        )
        .route("/portfolio", get(portfolio::page))
        .route("/portfolio.csv", get(portfolio::csv))
        .route("/followups", get(followups::list))
        .route("/followups/{id}/answer", post(followups::answer))
        .route("/feedback", get(feedback::page).post(feedback::add))
        .route("/feedback.csv", get(feedback::csv))
        .route("/feedback.xlsx", get(feedback::xlsx))
        .route("/feedback/{id}", post(feedback::act))
        .route("/customers/{id}/feedback", post(feedback::add_from_card))
        .route("/customers", get(people::list))
        .route("/customers.csv", get(customer_export::csv))
        .route("/customers.xlsx", get(customer_export::xlsx))
        .route("/customers/{id}", get(people::card))
        .route("/customers/{id}/notes", post(people::add_note))
        .route("/contact-log", get(contact_log::page))
        .route("/contact-log.csv", get(contact_log::csv))
        .route("/contact-log.xlsx", get(contact_log::xlsx))
        .route("/customers/{id}/contacts", get(contacts::page))
        .route(
            "/customers/{id}/contacts/consents",
            post(contacts::record_consent),
        )
        .route(
            "/customers/{id}/contacts/preferences",
            post(contacts::set_preferences),
        )
        .route(
            "/customers/{id}/contacts/log/{log_id}",
            post(contacts::set_state),
        )
        .route("/playbook", get(playbook::page).post(playbook::save))
        .route("/campaigns", get(campaigns::page).post(campaigns::create))
        .route("/campaigns/{id}", get(campaigns::report))
        .route("/queue", get(queue::page))
        .route("/queue/outcomes", post(queue::record))
        .route("/queue.csv", get(queue::csv))
        .route("/queue.xlsx", get(queue::xlsx))
        .route("/winback", get(winback::page))
        .route("/winback.csv", get(winback_export::csv))
        .route("/winback.xlsx", get(winback_export::xlsx))
        .route("/winback/cases", post(winback::open))
        .route("/winback/cases/{id}/attempts", post(winback::attempt))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/language", post(session::language))
        .route(
            "/s/{secret}",
            get(survey_link::show).post(survey_link::submit).layer(
                axum::extract::DefaultBodyLimit::max(survey_link::MAX_FORM_BYTES),
            ),
        )
        .route("/static/survey.css", get(survey_link::css))
        .route("/static/app.css", get(static_css))
        .route("/static/app.js", get(static_js))
}

async fn static_css() -> Response {
    static_file(
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    )
}

async fn static_js() -> Response {
    static_file(
        "text/javascript; charset=utf-8",
        include_str!("../../static/app.js"),
    )
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

/// The signed-in user of a page request, with the session's CSRF token and the language.
#[derive(Clone, Debug)]
pub struct WebUser {
    pub user: User,
    pub csrf: String,
    pub tr: Tr,
}

impl WebUser {
    pub fn scope(&self) -> Scope {
        match self.user.role {
            Role::Manager => Scope::Manager(self.user.id),
            Role::Admin | Role::Analyst => Scope::All,
        }
    }

    /// Fails with 403 unless `sent` is the session's CSRF token.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), WebError> {
        let sent = sent.unwrap_or_default().as_bytes();
        if bool::from(sent.ct_eq(self.csrf.as_bytes())) {
            Ok(())
        } else {
            Err(WebError::csrf(self.tr))
        }
    }

    /// The frame of a page.
    pub fn layout(&self, page: &'static str, title: String, path: &str) -> Layout {
        Layout::new(self.tr, page, title, path, Some(self))
    }
}

/// The path and query of a request, for `next` links back to it.
fn here(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_string(), |p| p.as_str().to_string())
}

async fn web_user(parts: &Parts, state: &AppState) -> Result<Option<WebUser>, WebError> {
    let Some(cookie) = cookie_value(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let (user, csrf) = match state.store.session_user(cookie).await {
        Ok(found) => found,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => {
            return Err(WebError::store(
                e,
                Tr::new(Lang::choose(None, &parts.headers)),
            ));
        }
    };
    let stored = state
        .store
        .user_language(user.id)
        .await
        .map_err(|e| WebError::store(e, Tr::new(Lang::En)))?;
    let currency = state.currency.get(&state.store).await;
    let tr =
        Tr::new(Lang::choose(stored.as_deref(), &parts.headers)).with_currency(currency.currency);
    Ok(Some(WebUser { user, csrf, tr }))
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match web_user(parts, state).await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => {
                let next: String =
                    form_urlencoded::byte_serialize(here(parts).as_bytes()).collect();
                Err(see_other(&format!("/login?next={next}")))
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Response> {
        web_user(parts, state).await.map_err(|e| e.into_response())
    }
}

/// A 303 redirect (after a form, or to the login page).
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(LOCATION, value)]).into_response(),
        Err(_) => (
            StatusCode::SEE_OTHER,
            [(LOCATION, HeaderValue::from_static("/"))],
        )
            .into_response(),
    }
}

/// A local path to go back to after a form: it must start with one `/` (not `//`, which would
/// leave the site) and carry no backslash or control characters.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// A link of the main navigation.
#[derive(Clone, Debug)]
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What every page's frame needs.
#[derive(Clone, Debug)]
pub struct Layout {
    pub lang: &'static str,
    pub page: &'static str,
    pub title: String,
    pub nav: Vec<NavLink>,
    /// The current path and query, for the language form's `next`.
    pub next: String,
    /// Set when signed in: the session's CSRF token.
    pub csrf: Option<String>,
    /// "Signed in as ..." when signed in.
    pub signed_in: Option<String>,
}

impl Layout {
    pub fn new(
        tr: Tr,
        page: &'static str,
        title: String,
        path: &str,
        user: Option<&WebUser>,
    ) -> Layout {
        const PAGES: [(&str, &str, &str); 18] = [
            ("overview", "/", "nav-overview"),
            ("today", "/today", "nav-today"),
            ("queue", "/queue", "nav-queue"),
            ("lost", "/lost", "nav-lost"),
            ("winback", "/winback", "nav-winback"),
            ("campaigns", "/campaigns", "nav-campaigns"),
            ("customers", "/customers", "nav-customers"),
            ("flows", "/flows", "nav-flows"),
            ("value", "/value", "nav-value"),
            ("dates", "/dates", "nav-dates"),
            ("calendar", "/calendar", "nav-calendar"),
            ("contact-log", "/contact-log", "nav-contact-log"),
            ("nps", "/nps", "nav-nps"),
            ("followups", "/followups", "nav-followups"),
            ("feedback", "/feedback", "nav-feedback"),
            ("portfolio", "/portfolio", "nav-portfolio"),
            ("assess", "/assess", "nav-assess"),
            ("staff", "/staff", "nav-staff"),
        ];
        // The audit log is for admins: the link is shown to them only.
        let admin = user.is_some_and(|u| u.user.role == Role::Admin);
        let audit = admin.then_some(("audit", "/audit", "nav-audit"));
        // The improvement log is kept by admins and analysts: managers see no link to it.
        let improvements = user
            .is_some_and(|u| u.user.role != Role::Manager)
            .then_some(("improvements", "/improvements", "nav-improvements"));
        Layout {
            lang: tr.code(),
            page,
            title,
            nav: PAGES
                .iter()
                .copied()
                .chain(improvements)
                .chain(audit)
                .map(|(name, href, key)| NavLink {
                    href,
                    label: tr.get(key),
                    current: name == page || (page == "card" && name == "customers"),
                })
                .collect(),
            next: safe_next(Some(path)),
            csrf: user.map(|u| u.csrf.clone()),
            signed_in: user.map(|u| {
                tr.with(
                    "signed-in-as",
                    &[
                        ("user", Arg::Text(u.user.name.clone())),
                        (
                            "role",
                            Arg::Text(tr.get(&format!("role-{}", u.user.role.as_str()))),
                        ),
                    ],
                )
            }),
        }
    }
}

/// Renders a template as an HTML response.
pub fn render<T: askama::Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("rendering a page: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "rendering the page failed",
            )
                .into_response()
        }
    }
}

/// The error page.
#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    t: Tr,
    message: String,
}

/// Why a page could not be shown; rendered as a page in the reader's language.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
    pub tr: Tr,
}

impl WebError {
    pub fn csrf(tr: Tr) -> WebError {
        WebError {
            status: StatusCode::FORBIDDEN,
            message: tr.get("error-csrf"),
            tr,
        }
    }

    pub fn invalid(tr: Tr, field: &str, reason: String) -> WebError {
        WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.with(
                "error-invalid",
                &[
                    ("field", Arg::Text(field.into())),
                    ("reason", Arg::Text(reason)),
                ],
            ),
            tr,
        }
    }

    /// A filter's value that is none of the choices: the field (a column's catalogue id) and
    /// the choices in the reader's language.
    pub fn not_one_of(tr: Tr, field: &str, value: &str, choices: Vec<String>) -> WebError {
        WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.with(
                "error-not-one-of",
                &[
                    ("field", Arg::Text(tr.get(field))),
                    ("value", Arg::Text(value.to_string())),
                    ("choices", Arg::Text(choices.join(", "))),
                ],
            ),
            tr,
        }
    }

    /// A path with a part that cannot be what it names (`/customers/abc`): not found.
    pub fn bad_address(tr: Tr, path: &str) -> WebError {
        WebError {
            status: StatusCode::NOT_FOUND,
            message: tr.with(
                "error-bad-address",
                &[("path", Arg::Text(path.to_string()))],
            ),
            tr,
        }
    }

    pub fn store(e: StoreError, tr: Tr) -> WebError {
        match e {
            StoreError::NotFound { what, key } => WebError {
                status: StatusCode::NOT_FOUND,
                message: tr.with(
                    "error-not-found",
                    &[("what", Arg::Text(what_named(tr, what, &key)))],
                ),
                tr,
            },
            StoreError::Invalid { field, reason } => WebError::invalid(tr, field, reason),
            other => {
                tracing::error!("dashboard: {other}");
                WebError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: tr.get("error-internal"),
                    tr,
                }
            }
        }
    }
}

/// What was not found, in the reader's language: the store names it in English (`customer`),
/// which a Russian page must not show.
fn what_named(tr: Tr, what: &str, key: &str) -> String {
    let id = match what {
        "customer" => "what-customer",
        "snapshot" => "what-snapshot",
        "user" => "what-user",
        _ => "what-thing",
    };
    tr.with(id, &[("key", Arg::Text(key.to_string()))])
}

/// The answer to a path no route serves: under `/api/` the API's JSON error, elsewhere a page
/// in the frame and the reader's language (a mistyped dashboard address is a page, not JSON).
pub async fn fallback(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return crate::error::ApiError::NotFound {
            what: "route".into(),
            key: "this path".into(),
        }
        .into_response();
    }
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers;
    let user = web_user(&parts, &state).await.ok().flatten();
    let tr = user
        .as_ref()
        .map_or_else(|| Tr::new(Lang::choose(None, &parts.headers)), |u| u.tr);
    let page = ErrorPage {
        layout: Layout::new(tr, "error", tr.get("page-error"), path, user.as_ref()),
        t: tr,
        message: tr.with("error-no-page", &[("path", Arg::Text(path.to_string()))]),
    };
    render(StatusCode::NOT_FOUND, &page)
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            layout: Layout::new(self.tr, "error", self.tr.get("page-error"), "/", None),
            t: self.tr,
            message: self.message,
        };
        render(self.status, &page)
    }
}

/// Sets a cookie for the whole site.
pub fn cookie(
    name: &str,
    value: &str,
    max_age: i64,
    http_only: bool,
    secure: bool,
) -> Option<(axum::http::HeaderName, HeaderValue)> {
    let mut text = format!("{name}={value}; Path=/; SameSite=Lax; Max-Age={max_age}");
    if http_only {
        text.push_str("; HttpOnly");
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).ok().map(|v| (SET_COOKIE, v))
}

/// Rows per page of the dashboard's lists: the server's default page size.
pub fn per_page(state: &AppState) -> u32 {
    state
        .settings
        .default_limit
        .clamp(1, state.settings.max_limit.max(1))
}

/// Page numbers of offset-paginated lists (1-based, from `?page=`).
pub fn offset_of(page: Option<u32>, per_page: u32) -> (u32, u64) {
    let page = page.unwrap_or(1).max(1);
    (page, u64::from(page - 1) * u64::from(per_page))
}
