//! How the columns of one file turn into an order line: the customer (id, else e-mail, else
//! phone), the date, amounts, cost, full price, category and the keys duplicates are found by.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hash, Hasher};

use ahash::RandomState;
use clientele_core::bounds::{AmountError, MAX_AMOUNT, check_id, check_name};
use clientele_core::{CategoryId, Money, OrderLine, RowRef};

use crate::columns::{ColumnMap, Field};
use crate::records::{Cells, trim_cell};
use crate::sniff::{RowsFormat, TextFormat};
use crate::values::{
    DateFormat, NumberFormat, normalize_email, normalize_phone, parse_date, parse_decimal_f64,
    parse_money,
};

use super::context::{FileContext, KnownCategories};

/// Why a row was rejected: the column name and the reason.
pub(crate) type RowFault = (String, String);

/// How the columns of one file turn into an order line.
pub(crate) struct RowParser {
    /// Column index of each field, indexed by `Field as usize`.
    col: [Option<usize>; Field::ALL.len()],
    /// Column names for reject messages: the header, or "#N" for position N.
    headers: Vec<String>,
    pub(crate) has_header: bool,
    date_format: DateFormat,
    pub(crate) number_format: NumberFormat,
    pub(crate) notes: Vec<String>,
}

impl RowParser {
    fn new(
        columns: &ColumnMap,
        header: Option<&[String]>,
        n_columns: usize,
        has_header: bool,
        date_format: DateFormat,
        number_format: NumberFormat,
        notes: Vec<String>,
    ) -> RowParser {
        let headers = (0..n_columns)
            .map(|i| match header.and_then(|h| h.get(i)) {
                Some(h) if !h.trim().is_empty() => h.trim().to_string(),
                _ => format!("#{}", i + 1),
            })
            .collect();
        let mut col = [None; Field::ALL.len()];
        for (field, i) in columns.fields() {
            col[field as usize] = Some(i);
        }
        RowParser {
            col,
            headers,
            has_header,
            date_format,
            number_format,
            notes,
        }
    }

    pub(crate) fn for_text(f: &TextFormat) -> RowParser {
        RowParser::new(
            &f.columns,
            f.header.as_deref(),
            f.n_columns,
            f.has_header,
            f.date_format,
            f.number_format,
            f.notes.clone(),
        )
    }

    pub(crate) fn for_rows(f: &RowsFormat) -> RowParser {
        RowParser::new(
            &f.columns,
            f.header.as_deref(),
            f.n_columns,
            f.has_header,
            f.date_format,
            f.number_format,
            f.notes.clone(),
        )
    }

    pub(crate) fn column_name(&self, field: Field) -> String {
        self.col[field as usize]
            .and_then(|i| self.headers.get(i).cloned())
            .unwrap_or_else(|| field.as_str().to_string())
    }

    fn has(&self, field: Field) -> bool {
        self.col[field as usize].is_some()
    }

    #[inline(always)]
    pub(crate) fn get<'a>(&self, fields: &impl Cells<'a>, field: Field) -> Option<&'a str> {
        let i = self.col[field as usize]?;
        fields.cell(i).map(trim_cell).filter(|s| !s.is_empty())
    }

    /// The row's customer: the id, else the normalised e-mail, else the normalised phone.
    pub(crate) fn customer_id<'a>(
        &self,
        fields: &impl Cells<'a>,
    ) -> Result<Cow<'a, str>, RowFault> {
        let fail = |field: Field, reason: String| Err((self.column_name(field), reason));
        if let Some(id) = self.get(fields, Field::CustomerId) {
            Ok(Cow::Borrowed(id))
        } else if let Some(e) = self.get(fields, Field::Email) {
            match normalize_email(e) {
                Some(e) => Ok(Cow::Owned(e)),
                None => fail(Field::Email, format!("'{e}' is not an e-mail address")),
            }
        } else if let Some(p) = self.get(fields, Field::Phone) {
            match normalize_phone(p) {
                Some(p) => Ok(Cow::Owned(p)),
                None => fail(Field::Phone, format!("'{p}' is not a phone number")),
            }
        } else {
            let field = [Field::CustomerId, Field::Email, Field::Phone]
                .into_iter()
                .find(|&f| self.has(f))
                .unwrap_or(Field::CustomerId);
            fail(field, "no customer id: the cell is empty".into())
        }
    }

    /// The column the row's customer id came from (see [`RowParser::customer_id`]).
    fn customer_field<'a>(&self, fields: &impl Cells<'a>) -> Field {
        [Field::CustomerId, Field::Email]
            .into_iter()
            .find(|&f| self.get(fields, f).is_some())
            .unwrap_or(Field::Phone)
    }

    /// Parses one row; `Ok(None)` for a row that is valid but after the as-of date.
    pub(crate) fn parse<'a>(
        &self,
        fields: &impl Cells<'a>,
        row: RowRef,
        ctx: &FileContext<'_>,
        categories: &mut KnownCategories,
    ) -> Result<Option<(Cow<'a, str>, OrderLine)>, RowFault> {
        let fail = |field: Field, reason: String| Err((self.column_name(field), reason));
        let number = self.number_format;
        let customer = self.customer_id(fields)?;
        if let Err(e) = check_id(&customer) {
            return fail(self.customer_field(fields), format!("the customer id {e}"));
        }
        let Some(date_text) = self.get(fields, Field::Date) else {
            return fail(Field::Date, "the date is empty".into());
        };
        let day = match parse_date(date_text, self.date_format) {
            Ok(d) => d,
            Err(e) => return fail(Field::Date, e.to_string()),
        };
        let quantity = match self.get(fields, Field::Quantity) {
            Some(q) => match parse_decimal_f64(q, number) {
                Ok(q) => Some(q),
                Err(e) => return fail(Field::Quantity, e.to_string()),
            },
            None => None,
        };
        let amount = match self.get(fields, Field::Amount) {
            Some(text) => match parse_money(text, number) {
                Ok(a) => a,
                Err(e) => return fail(Field::Amount, e.to_string()),
            },
            // Exports with a unit price and a quantity per line but no line total (Shopify).
            None => match (self.get(fields, Field::Price), quantity) {
                (Some(price), Some(q)) => match parse_money(price, number) {
                    Ok(p) => match price_times_quantity(p, q) {
                        Ok(amount) => amount,
                        Err(e) => {
                            return fail(Field::Price, format!("'{price}' × {q} = the amount {e}"));
                        }
                    },
                    Err(e) => return fail(Field::Price, e.to_string()),
                },
                // A price and no quantity column: the price is what the line cost (the import's
                // notes say so).
                (Some(price), None) if !self.has(Field::Quantity) => {
                    match parse_money(price, number) {
                        Ok(p) => p,
                        Err(e) => return fail(Field::Price, e.to_string()),
                    }
                }
                _ if !self.has(Field::Amount) => {
                    let field = if self.get(fields, Field::Price).is_none() {
                        Field::Price
                    } else {
                        Field::Quantity
                    };
                    return fail(
                        field,
                        "empty: the amount is price × quantity and needs both".into(),
                    );
                }
                _ => return fail(Field::Amount, "the amount is empty".into()),
            },
        };
        let cost = if let Some(c) = self.get(fields, Field::Cost) {
            match parse_money(c, number) {
                Ok(c) => Some(c),
                Err(e) => return fail(Field::Cost, e.to_string()),
            }
        } else if let Some(m) = self.get(fields, Field::Margin) {
            match parse_money(m, number) {
                // Both are within the bounds, so the difference is at most twice them: no
                // overflow, but it is held to the bound like any amount.
                Ok(m) if (amount - m).abs() <= MAX_AMOUNT => Some(amount - m),
                Ok(_) => {
                    return fail(
                        Field::Margin,
                        format!("the cost (amount − margin) {}", AmountError::TooLarge),
                    );
                }
                Err(e) => return fail(Field::Margin, e.to_string()),
            }
        } else {
            None
        };
        let full_price = match self.full_price(fields, amount, quantity, number) {
            Ok(f) => f,
            Err((field, reason)) => return fail(field, reason),
        };
        let order = self.get(fields, Field::OrderId);
        if let Some(Err(e)) = order.map(check_id) {
            return fail(Field::OrderId, format!("the order id {e}"));
        }
        let product = self.get(fields, Field::Product);
        if let Some(Err(e)) = product.map(check_name) {
            return fail(Field::Product, format!("the product {e}"));
        }
        let category = self.get(fields, Field::Category);
        if let Some(Err(e)) = category.map(check_name) {
            return fail(Field::Category, format!("the category {e}"));
        }
        if ctx.as_of.is_some_and(|as_of| day > as_of) {
            return Ok(None);
        }
        let category = category.map(|name| {
            if let Some(id) = categories.get(name) {
                return CategoryId(id);
            }
            let id = ctx.categories.id(name);
            categories.insert(name, id);
            CategoryId(id)
        });
        let (line_key, order_key) = match order {
            Some(order) => {
                let hasher = key_hasher();
                let order_key = hasher.hash_one(order);
                // The line's key hashes the order's rather than the order id again.
                let mut h = hasher.build_hasher();
                order_key.hash(&mut h);
                product.hash(&mut h);
                // A return may carry its order's id; it is not a copy of the sale.
                amount.is_negative().hash(&mut h);
                (Some(h.finish()), Some(order_key))
            }
            None => (None, None),
        };
        Ok(Some((
            customer,
            OrderLine {
                row,
                day,
                amount,
                cost,
                category,
                full_price,
                line_key,
                order_key,
            },
        )))
    }

    /// A line is at full price when its discount is zero, or when it was paid at least its list
    /// price; without either column the export cannot tell.
    #[inline]
    fn full_price<'a>(
        &self,
        fields: &impl Cells<'a>,
        amount: Money,
        quantity: Option<f64>,
        number: NumberFormat,
    ) -> Result<Option<bool>, (Field, String)> {
        if let Some(d) = self.get(fields, Field::Discount) {
            let discount = d.trim_end_matches('%').trim();
            return match parse_money(discount, number) {
                Ok(v) => Ok(Some(v == Money::ZERO)),
                Err(e) => Err((Field::Discount, e.to_string())),
            };
        }
        let Some(list) = self.get(fields, Field::ListPrice) else {
            return Ok(None);
        };
        let list = parse_money(list, number).map_err(|e| (Field::ListPrice, e.to_string()))?;
        let paid_per_unit = match self.get(fields, Field::Price) {
            Some(p) => parse_money(p, number).map_err(|e| (Field::Price, e.to_string()))?,
            None => {
                let q = quantity.unwrap_or(1.0);
                if q <= 0.0 {
                    return Ok(None);
                }
                Money::from_f64_rounded(amount.to_f64() / q)
            }
        };
        // Allow a kopeck of rounding in amount / quantity.
        Ok(Some(paid_per_unit.units() + 100 >= list.units()))
    }
}

/// A line's amount from its unit price and quantity, held to the bounds of any amount: at most
/// [`MAX_AMOUNT`], and not a non-zero product that would round to zero.
fn price_times_quantity(price: Money, quantity: f64) -> Result<Money, AmountError> {
    let product = price.to_f64() * quantity;
    if product.abs() > MAX_AMOUNT.to_f64() {
        return Err(AmountError::TooLarge);
    }
    let amount = Money::from_f64_rounded(product);
    if amount == Money::ZERO && product != 0.0 {
        return Err(AmountError::BelowUnit);
    }
    Ok(amount)
}

pub(crate) fn key_hasher() -> RandomState {
    RandomState::with_seeds(0x0dd5_eed5, 0x1234_5678, 0x9abc_def0, 0x0fed_cba9)
}
