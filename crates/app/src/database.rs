//! Opening the store by its URL, and copying it aside, with messages that never show a password.

use std::path::Path;

use anyhow::{Context, Result};
use clientele_store::Store;

/// Connects to (and migrates) the store at `url`: `sqlite://PATH` or `postgres://USER@HOST/DB`.
pub async fn open_store(url: &str) -> Result<Store> {
    Store::connect(url)
        .await
        .with_context(|| format!("opening the database {}", redact(url)))
}

/// The URL without a password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
            let user_end = s + 3 + url[s + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Copies the SQLite database to `file` (which must not exist) while it stays in use.
pub async fn backup(store: &Store, file: &Path) -> Result<()> {
    store
        .backup_to(file)
        .await
        .with_context(|| format!("backing up to {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            redact("postgres://ana:s3cret@db.local/clientele"),
            "postgres://ana:***@db.local/clientele"
        );
        assert_eq!(
            redact("postgres://ana@db.local/clientele"),
            "postgres://ana@db.local/clientele"
        );
        assert_eq!(redact("sqlite://clientele.db"), "sqlite://clientele.db");
    }
}
