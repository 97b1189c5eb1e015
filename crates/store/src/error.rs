//! What can go wrong in the store.

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
    /// A failure of the SQLite card readers (`customers/card_reader.rs`) or audit writer
    /// (`audit/writer.rs`), which do not go through sqlx.
    #[error("SQLite: {0}")]
    SqliteDirect(String),
    /// A stored value this version cannot read (say, a rung written by a newer version): the
    /// read fails naming it rather than showing the row without it.
    #[error("{column} holds '{value}', which this version cannot read")]
    Unreadable { column: &'static str, value: String },
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str, key: impl ToString) -> StoreError {
        StoreError::NotFound {
            what,
            key: key.to_string(),
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
