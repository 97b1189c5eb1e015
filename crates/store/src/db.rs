//! The store handle: a pool of either backend, migrated on connect, and the helpers every domain
//! module uses (`dispatch!`, the clock, day columns).

use std::time::{SystemTime, UNIX_EPOCH};

use clientele_core::Day;
use sqlx::{PgPool, SqlitePool};

use crate::dialect;
use crate::error::{Result, StoreError};

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
            $crate::db::Store::Sqlite($pool) => $body,
            $crate::db::Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use dispatch;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The default database: `clientele.db` in the current directory.
pub const DEFAULT_URL: &str = "sqlite://clientele.db";

/// The tables [`Store::count`] may count.
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
    "staged_imports",
    "import_staging",
    "erased_customers",
];

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
            let pool = dialect::open_sqlite(path).await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Ok(Store::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = dialect::open_postgres(url).await?;
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

    /// Copies a SQLite database to `path` while it stays in use (a consistent, compacted
    /// snapshot). PostgreSQL is backed up with `pg_dump` (see ARCHITECTURE.md).
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        match self {
            Store::Sqlite(pool) => dialect::sqlite_backup(pool, path).await,
            Store::Postgres(_) => Err(StoreError::invalid(
                "backup",
                "a PostgreSQL database is backed up with pg_dump -Fc (see ARCHITECTURE.md)",
            )),
        }
    }

    /// Counts rows of a table (for reports and tests). `table` must be one of the schema's tables.
    pub async fn count(&self, table: &str) -> Result<i64> {
        if !TABLES.contains(&table) {
            return Err(StoreError::invalid(
                "table",
                format!("'{table}' is not a table of the schema"),
            ));
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

/// A day column (days since 1970-01-01) as a [`Day`].
pub(crate) fn day_from_db(v: i64) -> Day {
    Day::from_days_since_epoch(v as i32)
}

/// A [`Day`] as its column value.
pub(crate) fn day_to_db(d: Day) -> i64 {
    i64::from(d.days_since_epoch())
}
