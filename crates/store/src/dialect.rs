//! Where SQLite and PostgreSQL differ, in one place.
//!
//! Every query of the store is written once, in the common subset of both dialects, and run on
//! either pool through `dispatch!`. That subset, and what it takes to stay in it:
//!
//! - **Parameters** are `$1`, `$2`, ... (SQLite reads `$n` as a numbered parameter too). A
//!   parameter compared with `IS NULL` (`$2 IS NULL OR c.manager_user_id = $2`) is bound with a
//!   typed value (`Option<i64>`), so PostgreSQL can infer its type.
//! - **Upserts** are `INSERT ... ON CONFLICT (columns) DO NOTHING` or `DO UPDATE SET x =
//!   excluded.x`, with `RETURNING` (SQLite 3.35 and later; sqlx bundles a newer one).
//! - **Sums** of `BIGINT` columns are written `CAST(SUM(x) AS BIGINT)`: PostgreSQL sums 64-bit
//!   integers into `numeric`, which would not decode as `i64`; SQLite's sum is already an integer.
//! - **Booleans** are compared as booleans (`NOT l.is_return`, `= FALSE`): SQLite stores 0 and 1
//!   and reads `TRUE`/`FALSE` as those.
//! - **Integer arithmetic** (the day numbers of `dash_first_purchase`) divides with truncation
//!   toward zero in both.
//!
//! What the subset cannot say lives here: opening a pool (journal mode, pool sizes), copying a
//! live database (`VACUUM INTO`, SQLite only), the bound-parameter limit that sizes multi-row
//! inserts, and text search (an FTS5 trigram index on SQLite, pg_trgm GIN indexes over an ICU
//! collation on PostgreSQL; see `migrations/*/0021_search.sql`). Two read and write paths bypass
//! sqlx on SQLite files for speed, and are SQLite-only by nature: the customer card's reader
//! threads (`customers/card_reader.rs`) and the audit log's writer thread (`audit/writer.rs`).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::{Result, StoreError};

/// Opens (creating if needed) a SQLite file as a pool of eight connections.
/// The `BEGIN` of a transaction that reads and then writes: SQLite's plain `BEGIN` is deferred,
/// takes a read snapshot at the first read, and fails its first write at once with "database is
/// locked" when anyone else committed meanwhile (the busy timeout does not apply to that
/// upgrade); `BEGIN IMMEDIATE` takes the write lock at the start, waiting for it under the busy
/// timeout, so such a transaction waits its turn instead of failing (issue 23, item 3). On
/// PostgreSQL a plain `BEGIN`: its row locks and MVCC need nothing more.
pub(crate) trait BeginWrite {
    const BEGIN_WRITE: &'static str;
}

impl BeginWrite for SqlitePool {
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
}

impl BeginWrite for PgPool {
    const BEGIN_WRITE: &'static str = "BEGIN";
}

/// The `BEGIN` for a writing transaction on `pool`'s backend (see [`BeginWrite`]):
/// `pool.begin_with(dialect::begin_write(pool))`.
pub(crate) fn begin_write<P: BeginWrite>(_: &P) -> &'static str {
    P::BEGIN_WRITE
}

pub(crate) async fn open_sqlite(path: &str) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL: a commit survives a process crash (kill -9); only a power loss can
        // lose the last transactions, never corrupt the file.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // Deleted content is overwritten with zeros, so an erasure leaves nothing readable in
        // the file (see `Store::scrub`).
        .pragma("secure_delete", "ON")
        .busy_timeout(std::time::Duration::from_secs(30));
    // Eight connections: writers waiting for SQLite's write lock hold theirs meanwhile, so a
    // few of them must not leave reads without one (imports hold none: they have their own).
    Ok(SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?)
}

/// Connects to a PostgreSQL database as a pool of eight connections.
pub(crate) async fn open_postgres(url: &str) -> Result<PgPool> {
    let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Url {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    Ok(PgPoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?)
}

/// Copies a live SQLite database to a new file `path` with `VACUUM INTO`: a consistent,
/// compacted snapshot, taken while the database stays in use. PostgreSQL has no such statement
/// (its backups are `pg_dump`'s).
pub(crate) async fn sqlite_backup(pool: &SqlitePool, path: &std::path::Path) -> Result<()> {
    if path.exists() {
        return Err(StoreError::invalid(
            "backup file",
            format!("{} already exists; choose a new name", path.display()),
        ));
    }
    let target = path
        .to_str()
        .ok_or_else(|| StoreError::invalid("backup file", "the path is not valid UTF-8"))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(pool)
        .await?;
    Ok(())
}

/// The most bound parameters one statement may carry on both backends: SQLite's limit
/// (`SQLITE_MAX_VARIABLE_NUMBER`, 32,766) is below PostgreSQL's (65,535).
pub(crate) const MAX_BIND_PARAMETERS: usize = 32_766;
const _: () = assert!(MAX_BIND_PARAMETERS <= 65_535);

/// Whether a multi-row statement of `rows` rows with `columns` bound parameters each stays
/// within [`MAX_BIND_PARAMETERS`]; checked at compile time where the chunk sizes are chosen.
pub(crate) const fn fits_one_statement(rows: usize, columns: usize) -> bool {
    rows * columns <= MAX_BIND_PARAMETERS
}

/// Search text folded as the search indexes hold theirs (`migrations/*/0046_search_fold.sql`):
/// lower case, with ё written as е, so "СЕМЕНОВ" finds "Семёнов" and "Семёнов" finds "Семенов".
pub(crate) fn fold_search(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern matching `text` anywhere,
/// folded by [`fold_search`] (the same in both dialects).
pub(crate) fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for ch in fold_search(text).chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// The text around two bound copies of one `LIKE` pattern: `[before, between, after]`.
pub(crate) type LikeTwice = [&'static str; 3];

/// PostgreSQL: a substring of the external id or the name, in the expressions of the pg_trgm
/// GIN indexes (`0046_search_fold.sql`) character for character, so the planner uses them; the
/// ICU collation folds case in every script, and ё is read as е.
pub(crate) const PG_TRIGRAM_LIKE: LikeTwice = [
    " AND (replace(lower(c.external_id COLLATE \"und-x-icu\"), 'ё', 'е') LIKE ",
    " ESCAPE '\\' OR replace(lower(c.name COLLATE \"und-x-icu\"), 'ё', 'е') LIKE ",
    " ESCAPE '\\')",
];

/// SQLite: the FTS5 trigram index `customer_search` (rowid = the customer's id) matched against a
/// phrase ([`fts5_phrase`]), which the trigram tokenizer reads as a substring, folding case over
/// all of Unicode. The list reads the index as its outer loop (see `customers/list.rs`), with
/// this condition.
pub(crate) const FTS5_MATCH: &str = " AND customer_search MATCH ";

/// The FROM clause of a list read through the FTS5 index, and its keyset column. CROSS JOIN keeps
/// the index the outer loop, and FTS5 itself applies the keyset bound and the order, producing
/// matches lazily: a page of a query matching most customers stops after the page instead of
/// collecting every match first (as `c.id IN (SELECT rowid ...)` would).
pub(crate) const FTS5_FROM: (&str, &str) = (
    " FROM customer_search CROSS JOIN customers c ON c.id = customer_search.rowid",
    "customer_search.rowid",
);

/// `text` as an FTS5 phrase: folded by [`fold_search`] as the index's text is, quoted, its `"`
/// doubled, so no character of it is FTS5 syntax.
pub(crate) fn fts5_phrase(text: &str) -> String {
    format!("\"{}\"", fold_search(text).replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("50%"), "%50\\%%");
        assert_eq!(like_pattern("A_b\\"), "%a\\_b\\\\%");
        assert_eq!(like_pattern("ПЁТР"), "%петр%");
        assert_eq!(fts5_phrase("Say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(fts5_phrase("Семёнов"), "\"семенов\"");
    }

    #[test]
    fn the_parameter_bound_holds_for_both_backends() {
        assert!(fits_one_statement(2000, 13));
        assert!(!fits_one_statement(2000, 17));
    }
}
