//! The latest snapshot's work lists as the CLI reads them (`clientele worklist today|lost`):
//! the same store query, order and page as the dashboard's Today and Lost pages and the API's
//! `/api/v1/ladder/at-risk` and `/lost` — by value at stake, the CLV over the snapshot's horizon
//! expected to be lost — with the horizon and the currency the figures are in.

use anyhow::{Result, bail};
use clientele_core::currency::Currency;
use clientele_store::{Scope, Store, ValueList, ValuePage};

/// The most rows one call reads (the API's pages are smaller; a script reading the whole list
/// pages through it).
pub const MAX_LIMIT: u32 = 10_000;

/// A page of a work list with the currency of its amounts.
#[derive(Debug)]
pub struct Worklist {
    pub page: ValuePage,
    pub currency: Option<Currency>,
}

/// Reads `limit` customers (1 to [`MAX_LIMIT`]) of `list` from `offset`, for everyone.
pub async fn worklist(store: &Store, list: ValueList, offset: u64, limit: u32) -> Result<Worklist> {
    if limit == 0 || limit > MAX_LIMIT {
        bail!("--limit {limit}: must be from 1 to {MAX_LIMIT}");
    }
    let page = store.value_list(Scope::All, list, offset, limit).await?;
    let currency = crate::currency::resolve(store).await?.currency;
    Ok(Worklist { page, currency })
}
