//! Products files for the portfolio: one product per row (product id or name as the order
//! exports spell it, and optionally its name, category, launch date, unit cost and partner), in
//! English or Russian headers, read the way the customers file is (encodings, separators,
//! xlsx), every refused row named with its line, column and reason.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clientele_core::bounds::{MAX_AMOUNT, check_id, check_name, day_in_bounds};
use clientele_core::{Day, Money, RowRef};

use crate::columns::normalize_header;
use crate::customers::{column_date_format, header_columns, header_row, read_rows};
use crate::limits::ImportLimits;
use crate::pipeline::{ImportError, Reject};
use crate::values::{DateFormat, detect_number_format, parse_date, parse_money};

/// The longest partner name accepted, in characters.
pub const MAX_PARTNER_CHARS: usize = 200;
/// The most products one file may describe.
pub const MAX_PRODUCTS: usize = 1_000_000;

/// One row of a products file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductRow {
    /// The line the row starts on.
    pub line: u64,
    /// The product as the order exports name it (their product or SKU column).
    pub product: String,
    pub name: Option<String>,
    pub category: Option<String>,
    pub launch: Option<Day>,
    /// Cost of one unit.
    pub unit_cost: Option<Money>,
    /// The partner selling it with the company (a bundle or a service), when there is one.
    pub partner: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Field {
    Product,
    Name,
    Category,
    Launch,
    Cost,
    Partner,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Product => "product",
            Field::Name => "name",
            Field::Category => "category",
            Field::Launch => "launch date",
            Field::Cost => "unit cost",
            Field::Partner => "partner",
        }
    }
}

fn field(header: &str) -> Option<Field> {
    Some(match normalize_header(header).as_str() {
        "product"
        | "sku"
        | "product id"
        | "item"
        | "article"
        | "товар"
        | "артикул"
        | "код товара"
        | "sku товара"
        | "номенклатура" => Field::Product,
        "name" | "product name" | "title" | "наименование" | "название" | "название товара" => {
            Field::Name
        }
        "category" | "group" | "категория" | "группа" | "группа товаров" => {
            Field::Category
        }
        "launch"
        | "launch date"
        | "launched"
        | "introduced"
        | "start date"
        | "дата запуска"
        | "запуск"
        | "дата вывода"
        | "дата начала продаж" => Field::Launch,
        "cost"
        | "unit cost"
        | "cost price"
        | "себестоимость"
        | "цена закупки"
        | "закупочная цена" => Field::Cost,
        "partner" | "supplier partner" | "партнер" | "партнёр" => Field::Partner,
        _ => return None,
    })
}

/// Reads a products file: the rows read, and the rows refused (each with its line, column and
/// reason). The caller stores nothing when any row is refused (a file is all or nothing). A
/// product listed twice is refused on its second line.
pub fn read_products(
    path: &Path,
    limits: &ImportLimits,
) -> Result<(Vec<ProductRow>, Vec<Reject>), ImportError> {
    let rows = read_rows(path, limits)?;
    let format_err = |message: String| ImportError::Format {
        path: path.to_path_buf(),
        message,
    };
    let Some(header_index) = header_row(&rows) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let header = &rows[header_index].1;
    let columns = header_columns(header, field).map_err(|c| {
        format_err(format!(
            "columns '{}' and '{}' both look like the {}; rename one",
            header[c.first],
            header[c.second],
            c.field.name()
        ))
    })?;
    if !columns.contains_key(&Field::Product) {
        return Err(format_err(format!(
            "no product column among the headers: {} (expected product, and optionally name, category, launch date, unit cost, partner)",
            header.join(", ")
        )));
    }
    let data = &rows[header_index + 1..];
    if data.len() > MAX_PRODUCTS {
        return Err(format_err(format!(
            "{} rows: a products file holds at most {MAX_PRODUCTS}",
            data.len()
        )));
    }
    let launch_format: Option<DateFormat> = columns
        .get(&Field::Launch)
        .and_then(|&c| column_date_format(data, c, false));
    let cost_format = columns.get(&Field::Cost).map(|&c| {
        let samples: Vec<&str> = data
            .iter()
            .filter_map(|(_, r)| r.get(c).map(|s| s.trim()))
            .filter(|s| !s.is_empty())
            .take(500)
            .collect();
        detect_number_format(&samples, None).0
    });

    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    let mut rejects = Vec::new();
    for (line, row) in data {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: Field| {
            columns
                .get(&f)
                .and_then(|&i| row.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let reject = |f: Field, reason: String| Reject {
            file: PathBuf::from(path),
            row: RowRef {
                file: u32::MAX,
                line: *line,
            },
            column: columns
                .get(&f)
                .map_or(f.name().to_string(), |&i| header[i].clone()),
            reason,
            raw: row.join(";"),
        };
        let text = |f: Field| -> Result<Option<String>, Reject> {
            match cell(f) {
                None => Ok(None),
                Some(t) => {
                    check_name(t).map_err(|e| reject(f, format!("the {} {e}", f.name())))?;
                    if t.chars().any(char::is_control) {
                        return Err(reject(
                            f,
                            format!("the {} holds a control character", f.name()),
                        ));
                    }
                    Ok(Some(t.to_string()))
                }
            }
        };
        let parsed = (|| {
            let product = cell(Field::Product)
                .ok_or_else(|| reject(Field::Product, "no product: the cell is empty".into()))?;
            check_id(product).map_err(|e| reject(Field::Product, format!("the product {e}")))?;
            if !seen.insert(product.to_string()) {
                return Err(reject(
                    Field::Product,
                    format!("'{product}' is listed on an earlier line"),
                ));
            }
            let launch = match (cell(Field::Launch), launch_format) {
                (None, _) => None,
                (Some(t), Some(f)) => {
                    let d = parse_date(t, f).map_err(|e| reject(Field::Launch, e.to_string()))?;
                    if !day_in_bounds(d) {
                        return Err(reject(
                            Field::Launch,
                            format!("'{t}' is outside 1900-01-01..2100-12-31"),
                        ));
                    }
                    Some(d)
                }
                (Some(t), None) => {
                    return Err(reject(
                        Field::Launch,
                        format!("'{t}': the column's date format could not be told"),
                    ));
                }
            };
            let unit_cost = match (cell(Field::Cost), cost_format) {
                (Some(t), Some(f)) => {
                    let m = parse_money(t, f).map_err(|e| reject(Field::Cost, e.to_string()))?;
                    if m.units() < 0 || m > MAX_AMOUNT {
                        return Err(reject(
                            Field::Cost,
                            format!("'{t}': a unit cost is between 0 and 10^12"),
                        ));
                    }
                    Some(m)
                }
                _ => None,
            };
            let partner = text(Field::Partner)?;
            if partner
                .as_ref()
                .is_some_and(|p| p.chars().count() > MAX_PARTNER_CHARS)
            {
                return Err(reject(
                    Field::Partner,
                    format!("longer than {MAX_PARTNER_CHARS} characters"),
                ));
            }
            Ok(ProductRow {
                line: *line,
                product: product.to_string(),
                name: text(Field::Name)?,
                category: text(Field::Category)?,
                launch,
                unit_cost,
                partner,
            })
        })();
        match parsed {
            Ok(r) => out.push(r),
            Err(r) => rejects.push(r),
        }
    }
    Ok((out, rejects))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("clientele-products-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn reads_russian_headers_and_refuses_bad_rows_by_line() {
        let text = "Артикул;Наименование;Категория;Дата запуска;Себестоимость;Партнёр\n\
                    A1;Чайник;Кухня;15.03.2024;1234,50;\n\
                    A2;Экскурсия;Услуги;01.06.2024;;Турбюро «Море»\n\
                    A3;Плохая дата;Кухня;32.13.2024;10;\n\
                    A1;Повтор;Кухня;15.03.2024;10;\n\
                    ;Без артикула;Кухня;15.03.2024;10;\n\
                    A4;Дорого;Кухня;15.03.2024;-5;\n";
        let p = write("ru.csv", text.as_bytes());
        let (rows, rejects) = read_products(&p, &ImportLimits::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].product, "A1");
        assert_eq!(rows[0].launch, Day::from_ymd(2024, 3, 15).ok());
        assert_eq!(rows[0].unit_cost, Some(Money::from_units(12_345_000)));
        assert_eq!(rows[0].partner, None);
        assert_eq!(rows[1].partner.as_deref(), Some("Турбюро «Море»"));
        assert_eq!(rows[1].unit_cost, None);
        let lines: Vec<(u64, &str)> = rejects
            .iter()
            .map(|r| (r.row.line, r.column.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (4, "Дата запуска"),
                (5, "Артикул"),
                (6, "Артикул"),
                (7, "Себестоимость")
            ]
        );
    }

    #[test]
    fn a_file_without_a_product_column_is_refused_naming_it() {
        let p = write("en.csv", b"name,launch\nKettle,2025-01-01\n");
        let err = read_products(&p, &ImportLimits::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no product column"), "{err}");
    }
}
