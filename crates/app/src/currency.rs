//! The currency amounts are shown in, one answer for every front end (pages, API, CLI report):
//! the database's `currency` setting when someone set it (`clientele settings currency RUB`),
//! else detected from the data (`clientele_core::currency::detect`: the customers' phone
//! numbers' country codes, else Cyrillic names), else none — and then amounts are written
//! without a sign and the pages say the currency is not known.

use anyhow::{Result, anyhow};
use clientele_core::currency::{Currency, Evidence, detect};
use clientele_store::{Setting, Store};

use crate::InvalidSetting;

/// How many phone numbers and names the detection reads (the first by id).
pub const DETECTION_SAMPLE: u32 = 1_000;

/// Where the currency came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurrencySource {
    /// The database's setting.
    Setting,
    /// Detected from the data, with the evidence.
    Detected(Evidence),
    /// Neither set nor detectable: amounts carry no sign.
    Unknown,
}

/// The currency to show amounts in, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrencyChoice {
    pub currency: Option<Currency>,
    pub source: CurrencySource,
}

/// The currency of `store`'s amounts: the setting, else the detection, else none.
pub async fn resolve(store: &Store) -> Result<CurrencyChoice> {
    if let Some(code) = store.setting(Setting::Currency).await? {
        let currency = Currency::parse(&code).ok_or_else(|| {
            anyhow!(InvalidSetting::value(
                "currency",
                code,
                "the stored currency is not a known ISO code: set it again with \
                 `clientele settings currency CODE`"
            ))
        })?;
        return Ok(CurrencyChoice {
            currency: Some(currency),
            source: CurrencySource::Setting,
        });
    }
    let sample = store.currency_evidence(DETECTION_SAMPLE).await?;
    Ok(
        match detect(
            sample.phones.iter().map(String::as_str),
            sample.names.iter().map(String::as_str),
        ) {
            Some(found) => CurrencyChoice {
                currency: Some(found.currency),
                source: CurrencySource::Detected(found.evidence),
            },
            None => CurrencyChoice {
                currency: None,
                source: CurrencySource::Unknown,
            },
        },
    )
}

/// Sets the currency from an ISO code (`RUB`, any case), or clears it with `auto` so that it is
/// detected again; answers the currency now in force.
pub async fn set(store: &Store, text: &str) -> Result<CurrencyChoice> {
    if text.trim().eq_ignore_ascii_case("auto") {
        store.clear_setting(Setting::Currency).await?;
        return resolve(store).await;
    }
    let currency = Currency::parse(text).ok_or_else(|| {
        let known: Vec<&str> = Currency::ALL.iter().map(|c| c.code()).collect();
        anyhow!(InvalidSetting::value(
            "currency",
            text.trim(),
            format!("expected one of {} or auto", known.join(", "))
        ))
    })?;
    store
        .set_setting(Setting::Currency, currency.code())
        .await?;
    resolve(store).await
}

/// The sentence that says which currency is in force and why (English, for the CLI).
pub fn describe(choice: &CurrencyChoice) -> String {
    match (choice.currency, choice.source) {
        (Some(c), CurrencySource::Setting) => format!("currency: {c} (set)"),
        (Some(c), CurrencySource::Detected(Evidence::Phones { count, of })) => format!(
            "currency: {c} (detected: {count} of {of} phone numbers have its country code; \
             set another with `clientele settings currency CODE`)"
        ),
        (Some(c), CurrencySource::Detected(Evidence::CyrillicNames { count, of })) => format!(
            "currency: {c} (detected: {count} of {of} names are in Cyrillic; set another with \
             `clientele settings currency CODE`)"
        ),
        _ => "currency: not known (no setting, and the data does not tell); set it with \
              `clientele settings currency CODE`"
            .to_string(),
    }
}
