//! Clientele's HTTP server: a versioned JSON API (`/api/v1/...`) over the store, with accounts,
//! roles, sessions, CSRF protection and the audit log, described by an OpenAPI document at
//! `/api/openapi.json`.
//!
//! The server is testable by construction: [`build`] connects the store and binds the listener
//! (port 0 in tests) and tells its port; [`Server::run`] serves until the shutdown future
//! completes. Each resource is one module with its own `router()`; one [`AppState`] holds the
//! store and the settings. Handlers never build SQL: they parse the request, check the role and
//! call the store, which enforces a manager's scope inside its queries. The dashboard's
//! server-rendered pages ([`web`]) share the app, outside `/api`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use clientele_store::Store;
use tokio::net::TcpListener;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

pub mod audit;
pub mod auth;
mod conn_watch;
pub mod error;
pub mod extract;
pub mod listen;
mod read_audit;
mod routes;
pub mod security;
pub mod throttle;
pub mod web;

pub use error::ApiError;

/// The server's settings (defaults, then the CLI's flags and environment).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    /// How long a browser session lasts.
    pub session_ttl_seconds: i64,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookie: bool,
    /// The largest page any list returns.
    pub max_limit: u32,
    /// The page size when none is asked for.
    pub default_limit: u32,
    /// The largest request body accepted (order batches, CSV uploads).
    pub max_body_bytes: usize,
    /// How long a bearer token's user is cached (0: not at all); see [`auth::TokenCache`].
    pub token_cache_seconds: u64,
    /// Threads reading customer cards straight from a SQLite file, each with its own read-only
    /// connection (one per core by default; 0 reads cards through the pool like other queries).
    /// See [`clientele_store::CardReader`].
    pub sqlite_card_readers: usize,
    /// Failed sign-ins that lock a name or an address out, and for how long.
    pub sign_in_throttle: throttle::ThrottlePolicy,
    /// Seconds a connection has to send a request's whole header, from opening or from its next
    /// request's first byte.
    pub header_read_timeout_seconds: u64,
    /// Seconds a kept-alive connection may send and receive nothing after an answer before it
    /// is closed.
    pub idle_timeout_seconds: u64,
    /// Seconds a request has from its header to its answer's head (its body read included);
    /// past that it is stopped and answered 503.
    pub request_timeout_seconds: u64,
    /// Connections open at once at most; more are closed as they come.
    pub max_connections: usize,
    /// What an uploaded export may cost to read (its gzip bounds come from `serve`'s flags).
    pub import_limits: clientele_ingest::limits::ImportLimits,
    /// Audit entries waiting to be written at most (see [`audit::AuditLog`]): past that, an
    /// entry goes to the server's log instead, and is counted.
    pub audit_queue_entries: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: clientele_store::DEFAULT_URL.to_string(),
            session_ttl_seconds: 12 * 3600,
            secure_cookie: false,
            max_limit: 500,
            default_limit: 50,
            max_body_bytes: 64 << 20,
            token_cache_seconds: 5,
            sqlite_card_readers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            sign_in_throttle: throttle::ThrottlePolicy::default(),
            header_read_timeout_seconds: 10,
            idle_timeout_seconds: 60,
            request_timeout_seconds: 300,
            max_connections: 1024,
            audit_queue_entries: 65_536,
            import_limits: clientele_ingest::limits::ImportLimits::default(),
        }
    }
}

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// The audit writer for views (buffered: see [`audit::AuditLog`]).
    pub audit: audit::AuditLog,
    /// Bearer tokens recently checked.
    pub tokens: Arc<auth::TokenCache>,
    /// Reads customer cards (on SQLite without the pool; see [`Settings::sqlite_card_readers`]).
    pub cards: clientele_store::CardReader,
    /// Scoring runs started through the API, one at a time.
    pub scoring: clientele_app::score_runs::ScoringRuns,
    /// Failed sign-ins per name and address.
    pub sign_ins: Arc<throttle::SignInThrottle>,
    /// The currency the pages write amounts in, resolved at most once a minute.
    pub currency: Arc<web::currency::CurrencyCache>,
    /// Submits per survey link and unknown links per address (the public answer page).
    pub link_limits: Arc<web::link_limits::LinkLimits>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] clientele_store::StoreError),
    #[error("listening on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A server bound to its port, not yet serving.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
}

/// Connects (and migrates) the store and binds the listener.
pub async fn build(settings: Settings) -> Result<Server, StartError> {
    let store = Store::connect(&settings.database_url).await?;
    build_with_store(store, settings).await
}

/// Binds the listener over a store that is already open.
pub async fn build_with_store(store: Store, settings: Settings) -> Result<Server, StartError> {
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: settings.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: settings.listen,
        source,
    })?;
    let cards = match std::num::NonZeroUsize::new(settings.sqlite_card_readers) {
        Some(threads) => store.card_reader(Some(threads))?,
        None => store.pooled_card_reader(),
    };
    Ok(Server {
        listener,
        addr,
        state: AppState {
            cards,
            audit: audit::AuditLog::start(store.clone(), settings.audit_queue_entries)?,
            tokens: Arc::new(auth::TokenCache::new(std::time::Duration::from_secs(
                settings.token_cache_seconds,
            ))),
            store,
            sign_ins: Arc::new(throttle::SignInThrottle::new(settings.sign_in_throttle)),
            settings: Arc::new(settings),
            scoring: clientele_app::score_runs::ScoringRuns::new(),
            currency: Arc::default(),
            link_limits: Arc::default(),
        },
    })
}

impl Server {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// The audit writer (tests flush it before reading the log).
    pub fn audit_log(&self) -> &audit::AuditLog {
        &self.state.audit
    }

    /// The scoring runs started through the API.
    pub fn scoring_runs(&self) -> &clientele_app::score_runs::ScoringRuns {
        &self.state.scoring
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight and writes the
    /// audit entries still queued.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let limits = listen::ConnectionLimits {
            header_read_timeout: std::time::Duration::from_secs(
                self.state.settings.header_read_timeout_seconds.max(1),
            ),
            idle_timeout: std::time::Duration::from_secs(
                self.state.settings.idle_timeout_seconds.max(1),
            ),
            max_connections: self.state.settings.max_connections.max(1),
            request_timeout: std::time::Duration::from_secs(
                self.state.settings.request_timeout_seconds.max(1),
            ),
        };
        let audit = self.state.audit.clone();
        let served = listen::serve(self.listener, app(self.state), limits, shutdown).await;
        audit.shut_down().await;
        served
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clientele API",
        description = "Customer retention analytics: customers, the loyalty ladder, notes, orders, imports and scoring runs. \
Authenticate with `Authorization: Bearer <token>` (from `clientele users add`) or with the session cookie \
from `POST /api/v1/session`; cookie-authenticated POST/PATCH/DELETE requests must send the session's \
`X-CSRF-Token`. Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`."
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = [])),
    components(schemas(error::ErrorBody, error::ErrorDetail))
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(auth::SESSION_COOKIE))),
        );
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(routes::session::router())
        .merge(routes::customers::router())
        .merge(routes::notes::router())
        .merge(routes::contacts::router())
        .merge(routes::calendar::router())
        .merge(routes::privacy::router())
        .merge(routes::orders::router())
        .merge(routes::imports::router())
        .merge(routes::ladder::router())
        .merge(routes::scoring::router())
        .merge(routes::winback::router())
        .merge(routes::campaigns::router())
        .merge(routes::queue::router())
        .merge(routes::assess::router())
        .merge(routes::staff::router())
        .merge(routes::portfolio::router())
        .merge(routes::voice::router())
        .merge(routes::improvements::router())
        .merge(routes::followups::router())
        .merge(routes::feedback::router())
        .merge(routes::users::router())
        .merge(routes::audit::router())
        .merge(routes::surveys::router())
}

/// The OpenAPI document describing every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

/// The whole application over a state.
pub fn app(state: AppState) -> Router {
    let limit = state.settings.max_body_bytes;
    let (router, doc) = api_router().split_for_parts();
    let doc = Arc::new(doc.to_json().expect("the OpenAPI document serialises"));
    router
        .merge(web::router())
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = Arc::clone(&doc);
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        doc.as_str().to_owned(),
                    )
                }
            }),
        )
        .fallback(web::fallback)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
