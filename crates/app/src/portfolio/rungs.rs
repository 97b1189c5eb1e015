//! Which rungs buy what, and cross-category suggestions per customer (issue 28 item 5): from the
//! latest snapshot's rungs and the categories each customer bought (`Store::rung_categories`),
//! the core's [`rung_buys`] and [`CrossSell`]. A [`CrossSellModel`] is built once and then asked
//! per customer (the queue's use: [`CrossSellModel::for_customer`]).

use std::collections::HashMap;

use anyhow::Result;
use clientele_core::portfolio::{CrossSell, CrossSellOptions, Suggestion, rung_buys};
use clientele_core::{CategoryId, Day, Rung};
use clientele_store::{Scope, Store};

use crate::InvalidSetting;

/// Settings of the suggestions (the core's thresholds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossSellSettings {
    /// The day whose latest snapshot gives the rungs; purchases up to it. `None`: the last
    /// order day.
    pub as_of: Option<Day>,
    /// A category is a basis only when this many of the rung's customers bought it (1..1e9,
    /// default 20)...
    pub min_peers: u32,
    /// ...and a suggestion needs this many of them to have bought it too (1..1e9, default 5).
    pub min_together: u32,
}

impl Default for CrossSellSettings {
    fn default() -> CrossSellSettings {
        let core = CrossSellOptions::default();
        CrossSellSettings {
            as_of: None,
            min_peers: core.min_peers,
            min_together: core.min_together,
        }
    }
}

impl CrossSellSettings {
    pub fn check(&self) -> Result<(), InvalidSetting> {
        if !(1..=1_000_000_000).contains(&self.min_peers) {
            return Err(InvalidSetting::value(
                "min_peers",
                self.min_peers,
                "expected 1 to 1,000,000,000 customers",
            ));
        }
        if !(1..=1_000_000_000).contains(&self.min_together) {
            return Err(InvalidSetting::value(
                "min_together",
                self.min_together,
                "expected 1 to 1,000,000,000 customers",
            ));
        }
        if let Some(d) = self.as_of
            && !clientele_core::bounds::day_in_bounds(d)
        {
            return Err(InvalidSetting::value(
                "as_of",
                d,
                "expected a day within 1900-01-01..2100-12-31",
            ));
        }
        Ok(())
    }
}

/// One category within a rung, named.
#[derive(Clone, Debug, PartialEq)]
pub struct RungCategoryLine {
    pub category: String,
    pub buyers: u32,
    /// Of the rung's customers, 0..1.
    pub share: f64,
}

/// A rung's customers and what they buy, most-bought first.
#[derive(Clone, Debug, PartialEq)]
pub struct RungLine {
    pub rung: Rung,
    pub customers: u32,
    pub categories: Vec<RungCategoryLine>,
}

/// Which rungs buy what.
#[derive(Clone, Debug, PartialEq)]
pub struct RungAnswer {
    /// The day asked, and the snapshot the rungs come from (`None`: nothing scored yet).
    pub as_of: Day,
    pub snapshot: Option<Day>,
    /// Every rung in ladder order.
    pub rungs: Vec<RungLine>,
}

/// A suggestion with its categories named.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedSuggestion {
    pub category: String,
    /// The customer's category whose buyers in the rung led to it.
    pub because_of: String,
    /// Share of the rung's buyers of `because_of` who also bought `category`, 0..1.
    pub share_of_peers: f64,
    pub peers: u32,
    pub lift: f64,
}

/// One customer's suggestions and what they rest on.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerSuggestions {
    pub customer: i64,
    /// `None`: not in the snapshot (never scored): no suggestions.
    pub rung: Option<Rung>,
    pub bought: Vec<String>,
    pub suggestions: Vec<NamedSuggestion>,
}

/// The suggestions' model: built once from every scored customer, asked per customer.
#[derive(Clone, Debug)]
pub struct CrossSellModel {
    pub as_of: Day,
    pub snapshot: Option<Day>,
    cross: CrossSell,
    names: Vec<String>,
    ids: HashMap<String, CategoryId>,
}

impl CrossSellModel {
    /// Suggestions for a customer of `rung` who bought `bought` (categories the model never
    /// saw are ignored).
    pub fn suggest(&self, rung: Rung, bought: &[String]) -> Vec<NamedSuggestion> {
        let ids: Vec<CategoryId> = bought
            .iter()
            .filter_map(|c| self.ids.get(c).copied())
            .collect();
        self.cross
            .suggest(rung, &ids)
            .iter()
            .map(|s: &Suggestion| NamedSuggestion {
                category: self.names[s.category.0 as usize].clone(),
                because_of: self.names[s.because_of.0 as usize].clone(),
                share_of_peers: s.share_of_peers,
                peers: s.peers,
                lift: s.lift,
            })
            .collect()
    }

    /// The suggestions for customer `id` (`NotFound` outside `scope`), from their rung in the
    /// model's snapshot and their purchases up to the model's day.
    pub async fn for_customer(
        &self,
        store: &Store,
        scope: Scope,
        id: i64,
    ) -> Result<CustomerSuggestions> {
        let c = store
            .customer_rung_categories(scope, id, self.as_of)
            .await?;
        let suggestions = match c.rung {
            Some(rung) if c.snapshot == self.snapshot => self.suggest(rung, &c.categories),
            _ => Vec::new(),
        };
        Ok(CustomerSuggestions {
            customer: id,
            rung: c.rung,
            bought: c.categories,
            suggestions,
        })
    }
}

async fn as_of_day(store: &Store, as_of: Option<Day>, today: Day) -> Result<Day> {
    Ok(match as_of {
        Some(d) => d,
        None => store.last_order_day().await?.unwrap_or(today),
    })
}

/// Which rungs buy what, and the suggestions' model, from one read of the store.
pub async fn rungs_and_model(
    store: &Store,
    settings: &CrossSellSettings,
    today: Day,
) -> Result<(RungAnswer, CrossSellModel)> {
    settings.check()?;
    let as_of = as_of_day(store, settings.as_of, today).await?;
    let read = store.rung_categories(as_of).await?;
    let mut names: Vec<String> = Vec::new();
    let mut ids: HashMap<String, CategoryId> = HashMap::new();
    let mut inputs: Vec<(Rung, Vec<CategoryId>)> = Vec::with_capacity(read.customers.len());
    for (_, rung, categories) in &read.customers {
        let bought = categories
            .iter()
            .map(|c| {
                let next = CategoryId(names.len() as u32);
                *ids.entry(c.clone()).or_insert_with(|| {
                    names.push(c.clone());
                    next
                })
            })
            .collect();
        inputs.push((*rung, bought));
    }
    // Customers who bought no category count in their rung (the shares' denominator).
    let mut with_categories: HashMap<Rung, u32> = HashMap::new();
    for (rung, _) in &inputs {
        *with_categories.entry(*rung).or_default() += 1;
    }
    for &(rung, n) in &read.rung_customers {
        let without = n.saturating_sub(with_categories.get(&rung).copied().unwrap_or(0));
        inputs.extend((0..without).map(|_| (rung, Vec::new())));
    }
    let options = CrossSellOptions {
        min_peers: settings.min_peers,
        min_together: settings.min_together,
        ..CrossSellOptions::default()
    };
    let as_slices = || inputs.iter().map(|(r, c)| (*r, c.as_slice()));
    let cross = CrossSell::new(as_slices(), &options);
    let rungs = rung_buys(as_slices())
        .into_iter()
        .map(|r| RungLine {
            rung: r.rung,
            customers: r.customers,
            categories: r
                .categories
                .iter()
                .map(|c| RungCategoryLine {
                    category: names[c.category.0 as usize].clone(),
                    buyers: c.buyers,
                    share: c.share,
                })
                .collect(),
        })
        .collect();
    Ok((
        RungAnswer {
            as_of,
            snapshot: read.snapshot,
            rungs,
        },
        CrossSellModel {
            as_of,
            snapshot: read.snapshot,
            cross,
            names,
            ids,
        },
    ))
}

/// The suggestions for one customer (builds the model: for many customers build it once with
/// [`rungs_and_model`] and ask [`CrossSellModel::for_customer`]).
pub async fn suggestions_for_customer(
    store: &Store,
    settings: &CrossSellSettings,
    scope: Scope,
    id: i64,
    today: Day,
) -> Result<CustomerSuggestions> {
    let (_, model) = rungs_and_model(store, settings, today).await?;
    model.for_customer(store, scope, id).await
}
