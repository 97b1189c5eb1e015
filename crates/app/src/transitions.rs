//! Ladder transitions between two snapshots of the store, and churn per rung over all of them.

use anyhow::{Result, bail};
use clientele_core::Day;
use clientele_store::{ChurnRow, Store, StoreError, Transitions};

/// The moves between two snapshots and the churn per rung.
#[derive(Debug)]
pub struct TransitionsReport {
    pub transitions: Transitions,
    /// Churn per rung over all consecutive snapshots.
    pub churn: Vec<ChurnRow>,
}

/// The transitions from the snapshot of `from` (default: the one before `to`) to that of `to`
/// (default: the latest); an error lists the days there are snapshots for when one is missing.
pub async fn transitions(
    store: &Store,
    from: Option<Day>,
    to: Option<Day>,
) -> Result<TransitionsReport> {
    let days = store.snapshot_days().await?;
    let to = match to.or_else(|| days.last().copied()) {
        Some(d) => d,
        None => bail!("no snapshots yet: run `clientele score` (on two or more days)"),
    };
    let from = match from.or_else(|| days.iter().rev().find(|&&d| d < to).copied()) {
        Some(d) => d,
        None => bail!("only one snapshot ({to}); score another day or pass --from DATE"),
    };
    let transitions = match store.transitions(from, to).await {
        Ok(t) => t,
        Err(StoreError::NotFound { key, .. }) => {
            let known: Vec<String> = days.iter().map(|d| d.to_string()).collect();
            bail!(
                "no snapshot on {key}; snapshots exist on: {}",
                known.join(", ")
            )
        }
        Err(e) => return Err(e.into()),
    };
    let churn = store.churn_by_rung().await?;
    Ok(TransitionsReport { transitions, churn })
}
