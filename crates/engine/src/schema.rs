//! The order-line table the engine reads: its columns, their Arrow types and their bounds.
//!
//! One row per accepted order line, as `clientele-ingest` parsed it: the text columns a person
//! recognises (customer, order id, product, category) rather than the hashes the single-machine
//! path keys on, money as exact decimals with four places (what [`Money`] holds), and where the
//! line came from (`source_file`, `line`), which decides which of two copies of a line is kept.

use std::sync::Arc;

use clientele_core::Money;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

/// Decimal precision of money columns: 18 digits fit Parquet's INT64 decimals.
pub const MONEY_PRECISION: u8 = 18;
/// Decimal places of money columns: [`Money`]'s ten-thousandths.
pub const MONEY_SCALE: i8 = 4;
/// The largest magnitude a money column holds, in [`Money`] units (10^18 − 1 ten-thousandths,
/// just under 100 trillion in the currency): an order line beyond it is refused at export.
pub const MAX_MONEY_UNITS: i64 = 999_999_999_999_999_999;

/// Column names, in the file's order.
pub mod col {
    pub const CUSTOMER_ID: &str = "customer_id";
    pub const SOURCE_FILE: &str = "source_file";
    pub const LINE: &str = "line";
    pub const DAY: &str = "day";
    pub const AMOUNT: &str = "amount";
    pub const COST: &str = "cost";
    pub const CATEGORY: &str = "category";
    pub const FULL_PRICE: &str = "full_price";
    pub const ORDER_ID: &str = "order_id";
    pub const PRODUCT: &str = "product";
    pub const QUANTITY: &str = "quantity";
    pub const PRICE: &str = "price";
    pub const LIST_PRICE: &str = "list_price";
}

/// The Arrow type of money columns.
pub fn money_type() -> DataType {
    DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE)
}

/// The schema of an order-line Parquet file.
pub fn line_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new(col::CUSTOMER_ID, DataType::Utf8, false),
        // The position of the export among those converted together, and the 1-based line (or
        // sheet row) in it: input order, as the single-machine path orders duplicates.
        Field::new(col::SOURCE_FILE, DataType::UInt32, false),
        Field::new(col::LINE, DataType::UInt64, false),
        Field::new(col::DAY, DataType::Date32, false),
        Field::new(col::AMOUNT, money_type(), false),
        Field::new(col::COST, money_type(), true),
        Field::new(col::CATEGORY, DataType::Utf8, true),
        Field::new(col::FULL_PRICE, DataType::Boolean, true),
        Field::new(col::ORDER_ID, DataType::Utf8, true),
        Field::new(col::PRODUCT, DataType::Utf8, true),
        Field::new(col::QUANTITY, DataType::Float64, true),
        Field::new(col::PRICE, money_type(), true),
        Field::new(col::LIST_PRICE, money_type(), true),
    ]))
}

/// Whether an amount fits a money column.
pub fn money_fits(m: Money) -> bool {
    m.units()
        .checked_abs()
        .is_some_and(|u| u <= MAX_MONEY_UNITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_bounds_are_the_decimal_precision() {
        assert!(money_fits(Money::from_units(MAX_MONEY_UNITS)));
        assert!(money_fits(Money::from_units(-MAX_MONEY_UNITS)));
        assert!(!money_fits(Money::from_units(MAX_MONEY_UNITS + 1)));
        assert!(!money_fits(Money::from_units(i64::MIN)));
        // 18 nines are the largest 18-digit decimal.
        assert_eq!(
            MAX_MONEY_UNITS.to_string().len(),
            usize::from(MONEY_PRECISION)
        );
    }
}
