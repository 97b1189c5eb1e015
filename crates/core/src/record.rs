//! The input records the analytics work on: order lines and customer profiles.
//!
//! Importers (files, the database) turn whatever they read into these plain values; the core never
//! sees text, encodings or file names.

use crate::{Day, Money};

/// Where a row came from: the file's index in the import and its 1-based line (or sheet row).
/// Ordering by `RowRef` is input order, which decides which of two duplicate rows is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowRef {
    pub file: u32,
    pub line: u64,
}

/// Index into the import's table of category names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CategoryId(pub u32);

/// One accepted row of an order export: an order, or one line of an order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrderLine {
    pub row: RowRef,
    pub day: Day,
    /// What the customer paid. Negative amounts are returns: they reduce revenue and are not purchases.
    pub amount: Money,
    /// Cost of goods, when the export has it (directly or as amount − margin).
    pub cost: Option<Money>,
    pub category: Option<CategoryId>,
    /// Whether the line was sold at full (list) price; `None` when the export cannot tell.
    pub full_price: Option<bool>,
    /// Identity of the line within its customer, a hash of (order id, product), when the export
    /// has an order id. Two lines of one customer with the same key are one line exported twice.
    pub line_key: Option<u64>,
    /// Hash of the order id alone, so several lines of one order count as one order.
    pub order_key: Option<u64>,
}

/// Net Promoter answer, 0..=10.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NpsScore(u8);

impl NpsScore {
    pub fn new(score: u8) -> Option<NpsScore> {
        (score <= 10).then_some(NpsScore(score))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// 9 or 10: a promoter, in Reichheld's definition.
    pub fn is_promoter(self) -> bool {
        self.0 >= 9
    }

    /// 0 to 6.
    pub fn is_detractor(self) -> bool {
        self.0 <= 6
    }
}

/// What the optional customers file says about a person, purchases aside.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerProfile {
    pub id: String,
    pub name: Option<String>,
    pub nps: Option<NpsScore>,
    /// Id of the customer who referred this one.
    pub referred_by: Option<String>,
    /// A client whose name attracts others (a well-known company or person).
    pub image_client: bool,
    pub manager: Option<String>,
    pub birthday: Option<Day>,
    /// E-mail address, normalised (lower case, trimmed).
    pub email: Option<String>,
    /// Phone number, normalised to `+` and digits (Russian 8-/10-digit forms to `+7…`).
    pub phone: Option<String>,
    /// Last recorded touch without a purchase (an inquiry, a visit, a lead), if any.
    pub last_touch: Option<Day>,
}
