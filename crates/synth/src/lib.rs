//! Synthetic companies for Clientele: order logs drawn from a known stochastic process.
//!
//! Each customer buys according to BG/NBD (Gamma purchase rates, Beta dropout probabilities)
//! and spends according to Gamma-Gamma, so a model fitted to the generated orders can be checked
//! against the parameters that produced them ([`write_truth`]). Around that core the generator
//! adds what real exports have: several orders on one day, discounts, returns as later negative
//! rows, category margins and a few malformed rows.
//!
//! The three files ([`write_orders`], [`write_customers`], [`write_truth`]) and each person's
//! [`dossier`] (preferred channel, consents, holidays, notes) are each a pure
//! function of the [`SynthConfig`]: every customer's draws come from generators seeded by
//! (seed, customer index), so the files agree with one another and can be written in any order,
//! in separate runs, with identical bytes for an identical configuration.
//!
//! With the defaults (measured over 1,000,000 customers, seed 1) a customer makes 4.19 BG/NBD
//! purchases on 4.14 distinct days and places 4.31 orders; the orders file has 4.40 rows per
//! customer with returns and dirty rows. 18 % buy only once and 52 % are still alive at the end.
//! About 232,000 customers give a million orders, 2.32 million give ten million. The mean order
//! value is 2,500.
#![forbid(unsafe_code)]

mod config;
mod customers;
mod dossier;
mod names;
mod orders;
mod process;
mod rng;
mod text;
mod truth;

pub use config::{
    BgNbdTruth, ConfigError, DEFAULT_PROCESS, DEFAULT_SPEND, GammaGammaTruth, SynthConfig,
};
pub use customers::{CUSTOMERS_HEADER, CustomersStats, write_customers};
pub use dossier::{
    Consent, ContactChannel, Dossier, DossierNote, HOLIDAY_SHARE, Holiday, NOTE_SHARE, NOTE_TEXTS,
    OTHER_CONSENT_SHARE, PREFERRED_CHANNEL_SHARES, PREFERRED_CONSENT_SHARE, TWO_HOLIDAYS_SHARE,
    TWO_NOTES_SHARE, WITHDRAWN_SHARE, dossier,
};
pub use orders::{
    CATEGORIES, CHANNELS, Category, DISCOUNTED_SHARE, DirtyCounts, ORDERS_HEADER, SynthStats,
    TWO_ORDER_DAY_SHARE, write_orders,
};
pub use truth::{TRUTH_HEADER, write_truth};
