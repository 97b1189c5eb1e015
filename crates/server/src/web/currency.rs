//! The currency the pages write amounts in: `clientele_app::currency::resolve` (the database's
//! setting, else detected from the customers' phone numbers or names), remembered for a minute
//! so that a page does not read a thousand phone numbers on every request. A setting changed
//! with `clientele settings currency` shows within that minute.

use clientele_app::currency::{CurrencyChoice, CurrencySource, resolve};
use clientele_core::currency::Evidence;
use clientele_store::Store;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::i18n::{Arg, Tr};

/// How long a resolved currency is used before it is resolved again.
const FRESH_FOR: Duration = Duration::from_secs(60);

/// The last resolved currency and when it was resolved.
#[derive(Debug, Default)]
pub struct CurrencyCache {
    last: Mutex<Option<(Instant, CurrencyChoice)>>,
}

impl CurrencyCache {
    /// The currency in force: the remembered one while fresh, else resolved again. A store that
    /// cannot answer gives no currency (amounts without a sign) rather than no page; the
    /// failure is logged and not remembered.
    pub async fn get(&self, store: &Store) -> CurrencyChoice {
        // The lock is not held across the query (two requests may resolve at once; both
        // answers are the same).
        let remembered = *self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, choice)) = remembered
            && at.elapsed() < FRESH_FOR
        {
            return choice;
        }
        match resolve(store).await {
            Ok(choice) => {
                *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((Instant::now(), choice));
                choice
            }
            Err(e) => {
                tracing::error!("resolving the currency: {e:#}");
                CurrencyChoice {
                    currency: None,
                    source: CurrencySource::Unknown,
                }
            }
        }
    }
}

/// The sentence that says which currency amounts are in and how it was chosen.
pub fn sentence(tr: &Tr, choice: &CurrencyChoice) -> String {
    let code = |c: clientele_core::currency::Currency| Arg::Text(c.code().to_string());
    match (choice.currency, choice.source) {
        (Some(c), CurrencySource::Setting) => tr.with("currency-set", &[("code", code(c))]),
        (Some(c), CurrencySource::Detected(Evidence::Phones { count, of })) => tr.with(
            "currency-phones",
            &[
                ("code", code(c)),
                ("count", Arg::Num(count as f64)),
                ("of", Arg::Num(of as f64)),
            ],
        ),
        (Some(c), CurrencySource::Detected(Evidence::CyrillicNames { count, of })) => tr.with(
            "currency-names",
            &[
                ("code", code(c)),
                ("count", Arg::Num(count as f64)),
                ("of", Arg::Num(of as f64)),
            ],
        ),
        _ => tr.get("currency-unknown"),
    }
}
