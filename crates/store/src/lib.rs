//! Clientele's system of record: one storage API, two backends.
//!
//! [`Store`] is an enum over a SQLite pool (the embedded default: one file, no set-up) and a
//! PostgreSQL pool (for teams). Each backend has its own migrations folder
//! (`migrations/sqlite`, `migrations/postgres`) describing the same tables. The queries are
//! plain `sqlx::query` strings written once in the common subset of both dialects and run on
//! either pool through [`dispatch!`]; where the dialects differ (`VACUUM INTO`, parameter limits)
//! the code matches on the backend explicitly. Every query is exercised on both backends by the
//! tests in `tests/store.rs`.
//!
//! Storage conventions: days are integer days since 1970-01-01 ([`Day`]), money is integer
//! ten-thousandths ([`Money`]), instants are Unix seconds; see the migrations.

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use clientele_core::{Day, Money};

mod audit_writer;
mod card;
pub mod dashboard;
mod import;
mod model;
mod privacy;
pub mod recurrence;
mod score;
mod sessions;
mod users;
mod views;

pub use audit_writer::SqliteAuditWriter;
pub use card::{CARD_ORDERS, CARD_SNAPSHOTS, CardReader, CardSnapshot, CustomerCard, OrderSummary};
pub use dashboard::{
    ActionItem, ActionList, ActionPage, CardHistory, Cursor, DashboardCustomer, DashboardFilter,
    DashboardPage, DateKind, LadderAggregate, MovementAggregate, ParetoPoint, SegmentCount,
    UpcomingDate,
};
pub use import::{ImportCounts, ImportTx, NewOrderLine, STREAM_BATCH, StreamError};
pub use model::{
    Channel, ConsentRecord, ContactRecord, CustomerKind, CustomerProfileUpdate, CustomerRow,
    FeedbackRecord, NewCustomer, NoteRecord, PersonalDateRecord, SurveyRecord, TouchKind,
    TouchRecord,
};
pub use privacy::{AuditEntry, CustomerExport, OrderLineRecord, SnapshotRecord};
pub use recurrence::DateRule;
pub use score::{ChurnRow, Movement, SnapshotRow, StoredSummaries, TransitionCell, Transitions};
pub use sessions::NewSession;
pub use users::{NewUser, Role, User};
pub use views::{
    CustomerEdit, CustomerFilter, CustomerListItem, CustomerPage, LadderCell, NewAuditEntry, Scope,
    ValueList, ValuePage,
};

/// What can go wrong in the store. [`StoreError::NotFound`] is apart so callers (the server's
/// 404s, the CLI's messages) can tell a missing thing from a failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} '{key}' not found")]
    NotFound { what: &'static str, key: String },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{0} already exists")]
    Conflict(String),
    #[error("database URL '{url}': {reason}")]
    Url { url: String, reason: String },
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A failure of the SQLite card readers (`card.rs`) or audit writer (`audit_writer.rs`),
    /// which do not go through sqlx.
    #[error("SQLite: {0}")]
    SqliteDirect(String),
}

impl StoreError {
    fn not_found(what: &'static str, key: impl ToString) -> StoreError {
        StoreError::NotFound {
            what,
            key: key.to_string(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store: a connection pool to SQLite or PostgreSQL, migrated to the current schema.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code on whichever pool the store holds: the body is compiled once per backend,
/// so one query text serves both and the compiler checks both uses.
macro_rules! dispatch {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::Store::Sqlite($pool) => $body,
            $crate::Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use dispatch;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The default database: `clientele.db` in the current directory.
pub const DEFAULT_URL: &str = "sqlite://clientele.db";

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://PATH` (also `sqlite:PATH`) or `postgres://...` / `postgresql://...`.
    pub async fn connect(url: &str) -> Result<Store> {
        let bad = |reason: String| StoreError::Url {
            url: url.to_string(),
            reason,
        };
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(bad("no file path after sqlite://".into()));
            }
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // WAL + NORMAL: a commit survives a process crash (kill -9); only a power loss can
                // lose the last transactions, never corrupt the file.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(std::time::Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Ok(Store::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(|e| bad(e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Ok(Store::Postgres(pool))
        } else {
            Err(bad(
                "expected sqlite://PATH or postgres://USER@HOST/DATABASE".into(),
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        dispatch!(self, pool => pool.close().await)
    }

    /// Copies a SQLite database to `path` while it stays in use (`VACUUM INTO`: a consistent,
    /// compacted snapshot). PostgreSQL is backed up with `pg_dump` (see ARCHITECTURE.md).
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        match self {
            Store::Sqlite(pool) => {
                if path.exists() {
                    return Err(StoreError::Invalid {
                        field: "backup file",
                        reason: format!("{} already exists; choose a new name", path.display()),
                    });
                }
                let target = path.to_str().ok_or_else(|| StoreError::Invalid {
                    field: "backup file",
                    reason: "the path is not valid UTF-8".into(),
                })?;
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(pool)
                    .await?;
                Ok(())
            }
            Store::Postgres(_) => Err(StoreError::Invalid {
                field: "backup",
                reason: "a PostgreSQL database is backed up with pg_dump -Fc (see ARCHITECTURE.md)"
                    .into(),
            }),
        }
    }

    /// Appends an entry to the audit log.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        customer_id: Option<i64>,
        detail: &str,
    ) -> Result<()> {
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(now())
            .bind(actor)
            .bind(action)
            .bind(customer_id)
            .bind(detail)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Counts rows of a table (for reports and tests). `table` must be one of the schema's tables.
    pub async fn count(&self, table: &str) -> Result<i64> {
        const TABLES: &[&str] = &[
            "users",
            "api_tokens",
            "sessions",
            "customers",
            "customer_contacts",
            "consents",
            "customer_tags",
            "personal_dates",
            "notes",
            "touches",
            "products",
            "imports",
            "order_lines",
            "orders",
            "survey_responses",
            "feedback",
            "contact_log",
            "score_snapshots",
            "audit_log",
        ];
        if !TABLES.contains(&table) {
            return Err(StoreError::Invalid {
                field: "table",
                reason: format!("'{table}' is not a table of the schema"),
            });
        }
        // `table` is one of the names above, never caller text.
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        let n: i64 = dispatch!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await?);
        Ok(n)
    }
}

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub(crate) fn day_from_db(v: i64) -> Day {
    Day::from_days_since_epoch(v as i32)
}

pub(crate) fn day_to_db(d: Day) -> i64 {
    i64::from(d.days_since_epoch())
}
