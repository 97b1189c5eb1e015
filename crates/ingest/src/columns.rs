//! Which column of an export holds which field: header-name dictionary, `--map` overrides, checks.
//!
//! Header names come from many systems (1C, Shopify, amoCRM, hand-made spreadsheets) in Russian
//! and English. They are normalised (case, `ё`, punctuation, unit suffixes such as `, руб`) and
//! looked up in one dictionary. Some names are *weak* (`sku`, `subtotal`, `name`): they yield to a
//! strong name for the same field instead of making the mapping ambiguous.

use std::fmt;
use std::str::FromStr;

use crate::values::looks_numeric_or_date;

/// What a column means to the importer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    OrderId,
    CustomerId,
    Email,
    Phone,
    Name,
    Date,
    Amount,
    Price,
    ListPrice,
    Discount,
    Cost,
    Margin,
    Quantity,
    Product,
    Category,
    Channel,
    Ignore,
}

impl Field {
    pub const ALL: [Field; 17] = [
        Field::OrderId,
        Field::CustomerId,
        Field::Email,
        Field::Phone,
        Field::Name,
        Field::Date,
        Field::Amount,
        Field::Price,
        Field::ListPrice,
        Field::Discount,
        Field::Cost,
        Field::Margin,
        Field::Quantity,
        Field::Product,
        Field::Category,
        Field::Channel,
        Field::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::OrderId => "order_id",
            Field::CustomerId => "customer_id",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Name => "name",
            Field::Date => "date",
            Field::Amount => "amount",
            Field::Price => "price",
            Field::ListPrice => "list_price",
            Field::Discount => "discount",
            Field::Cost => "cost",
            Field::Margin => "margin",
            Field::Quantity => "quantity",
            Field::Product => "product",
            Field::Category => "category",
            Field::Channel => "channel",
            Field::Ignore => "ignore",
        }
    }

    /// Whether values of this field are numbers (used to detect the decimal mark).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Field::Amount
                | Field::Price
                | Field::ListPrice
                | Field::Discount
                | Field::Cost
                | Field::Margin
                | Field::Quantity
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown field '{0}'; use one of order_id, customer_id, email, phone, name, date, amount, price, list_price, discount, cost, margin, quantity, product, category, channel, ignore"
)]
pub struct UnknownField(pub String);

impl FromStr for Field {
    type Err = UnknownField;

    fn from_str(s: &str) -> Result<Field, UnknownField> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Field::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| UnknownField(s.to_string()))
    }
}

/// A column named on the command line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ColumnRef {
    /// 1-based position.
    Position(usize),
    /// Header text as written in the file.
    Header(String),
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Position(p) => write!(f, "{p}"),
            ColumnRef::Header(h) => write!(f, "'{h}'"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MapArgError {
    #[error(
        "--map '{0}' is not COLUMN=FIELD (for example --map 3=amount or --map \"Сумма\"=amount)"
    )]
    Syntax(String),
    #[error("--map '{0}': column positions start at 1")]
    ZeroPosition(String),
    #[error("--map '{arg}': {source}")]
    Field { arg: String, source: UnknownField },
}

/// Parses `COLUMN=FIELD`; an all-digit COLUMN is a 1-based position, anything else a header name.
pub fn parse_map_arg(s: &str) -> Result<(ColumnRef, Field), MapArgError> {
    // Split at the last '=': field names never contain one, header names might.
    let (column, field) = s
        .rsplit_once('=')
        .ok_or_else(|| MapArgError::Syntax(s.to_string()))?;
    let column = column.trim();
    if column.is_empty() {
        return Err(MapArgError::Syntax(s.to_string()));
    }
    let field = field
        .parse::<Field>()
        .map_err(|source| MapArgError::Field {
            arg: s.to_string(),
            source,
        })?;
    let column = if column.bytes().all(|b| b.is_ascii_digit()) {
        match column.parse::<usize>() {
            Ok(0) => return Err(MapArgError::ZeroPosition(s.to_string())),
            Ok(p) => ColumnRef::Position(p),
            Err(_) => return Err(MapArgError::Syntax(s.to_string())),
        }
    } else {
        ColumnRef::Header(column.to_string())
    };
    Ok((column, field))
}

// ---------------------------------------------------------------------------------------------
// Header names

/// Unit marks stripped from the end of a header (`Сумма, руб`, `Цена (руб.)`, `Total ($)`).
const UNIT_SUFFIXES: [&str; 16] = [
    "руб",
    "руб.",
    "р",
    "р.",
    "₽",
    "$",
    "€",
    "£",
    "usd",
    "rub",
    "rur",
    "eur",
    "шт",
    "шт.",
    "тыс. руб.",
    "тыс руб",
];

fn strip_unit_suffix(t: &str) -> &str {
    let t = t.trim_end();
    if let Some(inner) = t.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
        && UNIT_SUFFIXES.contains(&inner[open + 1..].trim())
    {
        return t[..open].trim_end();
    }
    if let Some(comma) = t.rfind(',')
        && UNIT_SUFFIXES.contains(&t[comma + 1..].trim())
    {
        return t[..comma].trim_end();
    }
    if let Some(space) = t.rfind(' ')
        && space > 0
        && UNIT_SUFFIXES.contains(&&t[space + 1..])
    {
        return t[..space].trim_end();
    }
    t
}

/// Normal form of a header for dictionary look-up: BOM and surrounding space removed, lower
/// case, `ё`→`е`, a unit suffix dropped, and `_ - . /` and runs of spaces turned into one space.
pub fn normalize_header(s: &str) -> String {
    let s = crate::encoding::strip_bom_str(s.trim_start())
        .trim()
        .trim_matches('"');
    let lower = s.to_lowercase().replace('ё', "е");
    let lower = lower.trim_end_matches(':');
    let stripped = strip_unit_suffix(lower);
    let mut out = String::with_capacity(stripped.len());
    for word in stripped
        .split(|c: char| c.is_whitespace() || matches!(c, '_' | '-' | '.' | '/'))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// (normalised name, field, strong). Weak names lose to a strong name for the same field.
const DICTIONARY: &[(&str, Field, bool)] = &[
    // order id
    ("order id", Field::OrderId, true),
    ("orderid", Field::OrderId, true),
    ("order", Field::OrderId, true),
    ("order number", Field::OrderId, true),
    ("order no", Field::OrderId, true),
    ("order #", Field::OrderId, true),
    ("order nr", Field::OrderId, true),
    ("invoice", Field::OrderId, true),
    ("invoice id", Field::OrderId, true),
    ("invoice number", Field::OrderId, true),
    ("invoice no", Field::OrderId, true),
    ("transaction id", Field::OrderId, true),
    ("receipt", Field::OrderId, false),
    ("номер заказа", Field::OrderId, true),
    ("заказ", Field::OrderId, true),
    ("№ заказа", Field::OrderId, true),
    ("id заказа", Field::OrderId, true),
    ("код заказа", Field::OrderId, true),
    ("заказ покупателя", Field::OrderId, true),
    ("номер документа", Field::OrderId, true),
    ("документ", Field::OrderId, false),
    ("регистратор", Field::OrderId, false),
    ("номер чека", Field::OrderId, true),
    ("чек", Field::OrderId, false),
    // customer id
    ("customer id", Field::CustomerId, true),
    ("customerid", Field::CustomerId, true),
    ("customer", Field::CustomerId, true),
    ("customer number", Field::CustomerId, true),
    ("customer no", Field::CustomerId, true),
    ("customer code", Field::CustomerId, true),
    ("cust id", Field::CustomerId, true),
    ("cust", Field::CustomerId, true),
    ("client", Field::CustomerId, true),
    ("client id", Field::CustomerId, true),
    ("clientid", Field::CustomerId, true),
    ("buyer", Field::CustomerId, true),
    ("buyer id", Field::CustomerId, true),
    ("user id", Field::CustomerId, false),
    ("userid", Field::CustomerId, false),
    ("member id", Field::CustomerId, false),
    ("account id", Field::CustomerId, false),
    ("contact id", Field::CustomerId, false),
    ("клиент", Field::CustomerId, true),
    ("покупатель", Field::CustomerId, true),
    ("контрагент", Field::CustomerId, true),
    ("партнер", Field::CustomerId, true),
    ("код клиента", Field::CustomerId, true),
    ("id клиента", Field::CustomerId, true),
    ("номер клиента", Field::CustomerId, true),
    ("код покупателя", Field::CustomerId, true),
    ("id покупателя", Field::CustomerId, true),
    ("код контрагента", Field::CustomerId, true),
    ("основной контакт", Field::CustomerId, false),
    ("контакт", Field::CustomerId, false),
    // email
    ("email", Field::Email, true),
    ("e mail", Field::Email, true),
    ("email address", Field::Email, true),
    ("e mail address", Field::Email, true),
    ("customer email", Field::Email, true),
    ("почта", Field::Email, true),
    ("электронная почта", Field::Email, true),
    ("эл почта", Field::Email, true),
    ("адрес электронной почты", Field::Email, true),
    ("рабочий email", Field::Email, false),
    ("личный email", Field::Email, false),
    // phone
    ("phone", Field::Phone, true),
    ("phone number", Field::Phone, true),
    ("mobile", Field::Phone, true),
    ("mobile phone", Field::Phone, true),
    ("tel", Field::Phone, false),
    ("телефон", Field::Phone, true),
    ("номер телефона", Field::Phone, true),
    ("мобильный", Field::Phone, true),
    ("мобильный телефон", Field::Phone, true),
    ("контактный телефон", Field::Phone, true),
    ("рабочий телефон", Field::Phone, false),
    // name
    ("name", Field::Name, false),
    ("customer name", Field::Name, true),
    ("client name", Field::Name, true),
    ("full name", Field::Name, true),
    ("buyer name", Field::Name, true),
    ("имя", Field::Name, false),
    ("фио", Field::Name, true),
    ("имя клиента", Field::Name, true),
    ("фио клиента", Field::Name, true),
    ("фио покупателя", Field::Name, true),
    ("имя покупателя", Field::Name, true),
    // date
    ("date", Field::Date, true),
    ("order date", Field::Date, true),
    ("created at", Field::Date, true),
    ("created", Field::Date, false),
    ("purchase date", Field::Date, true),
    ("date of purchase", Field::Date, true),
    ("transaction date", Field::Date, true),
    ("invoice date", Field::Date, true),
    ("sale date", Field::Date, true),
    ("дата", Field::Date, true),
    ("дата заказа", Field::Date, true),
    ("дата продажи", Field::Date, true),
    ("дата покупки", Field::Date, true),
    ("дата документа", Field::Date, true),
    ("дата чека", Field::Date, true),
    ("дата создания", Field::Date, false),
    ("дата закрытия", Field::Date, false),
    ("период", Field::Date, false),
    // amount
    ("amount", Field::Amount, true),
    ("revenue", Field::Amount, true),
    ("sum", Field::Amount, true),
    ("total", Field::Amount, true),
    ("sales", Field::Amount, true),
    ("dollar value", Field::Amount, true),
    ("subtotal", Field::Amount, false),
    ("total amount", Field::Amount, true),
    ("order total", Field::Amount, true),
    ("order amount", Field::Amount, true),
    ("sales amount", Field::Amount, true),
    ("net sales", Field::Amount, true),
    ("line total", Field::Amount, true),
    ("total price", Field::Amount, false),
    ("value", Field::Amount, false),
    ("order value", Field::Amount, true),
    ("сумма", Field::Amount, true),
    ("выручка", Field::Amount, true),
    ("итого", Field::Amount, false),
    ("сумма продажи", Field::Amount, true),
    ("сумма продаж", Field::Amount, true),
    ("сумма заказа", Field::Amount, true),
    ("сумма документа", Field::Amount, true),
    ("сумма покупки", Field::Amount, true),
    ("сумма чека", Field::Amount, true),
    ("сумма с ндс", Field::Amount, false),
    ("оборот", Field::Amount, true),
    ("стоимость", Field::Amount, false),
    ("бюджет", Field::Amount, false),
    // price
    ("price", Field::Price, true),
    ("unit price", Field::Price, true),
    ("item price", Field::Price, true),
    ("sale price", Field::Price, true),
    ("selling price", Field::Price, true),
    ("цена", Field::Price, true),
    ("цена за единицу", Field::Price, true),
    ("цена продажи", Field::Price, true),
    ("цена со скидкой", Field::Price, true),
    // list price
    ("list price", Field::ListPrice, true),
    ("compare at price", Field::ListPrice, true),
    ("full price", Field::ListPrice, true),
    ("regular price", Field::ListPrice, true),
    ("original price", Field::ListPrice, true),
    ("msrp", Field::ListPrice, true),
    ("rrp", Field::ListPrice, true),
    ("регулярная цена", Field::ListPrice, true),
    ("цена по прайсу", Field::ListPrice, true),
    ("базовая цена", Field::ListPrice, true),
    ("цена без скидки", Field::ListPrice, true),
    ("старая цена", Field::ListPrice, true),
    // discount
    ("discount", Field::Discount, true),
    ("discount amount", Field::Discount, true),
    ("discounts", Field::Discount, true),
    ("скидка", Field::Discount, true),
    ("сумма скидки", Field::Discount, true),
    ("размер скидки", Field::Discount, true),
    ("процент скидки", Field::Discount, true),
    ("скидка %", Field::Discount, true),
    ("discount %", Field::Discount, true),
    // cost
    ("cost", Field::Cost, true),
    ("cogs", Field::Cost, true),
    ("cost of goods", Field::Cost, true),
    ("cost of goods sold", Field::Cost, true),
    ("cost price", Field::Cost, true),
    ("unit cost", Field::Cost, true),
    ("себестоимость", Field::Cost, true),
    ("закупочная стоимость", Field::Cost, true),
    ("закупочная цена", Field::Cost, true),
    ("себестоимость продаж", Field::Cost, true),
    // margin
    ("margin", Field::Margin, true),
    ("profit", Field::Margin, true),
    ("gross profit", Field::Margin, true),
    ("gross margin", Field::Margin, true),
    ("маржа", Field::Margin, true),
    ("прибыль", Field::Margin, true),
    ("валовая прибыль", Field::Margin, true),
    ("валовый доход", Field::Margin, true),
    // quantity
    ("quantity", Field::Quantity, true),
    ("qty", Field::Quantity, true),
    ("number of cds", Field::Quantity, true),
    ("units", Field::Quantity, true),
    ("units sold", Field::Quantity, true),
    ("pcs", Field::Quantity, true),
    ("количество", Field::Quantity, true),
    ("кол во", Field::Quantity, true),
    ("кол", Field::Quantity, true),
    // product
    ("product", Field::Product, true),
    ("product name", Field::Product, true),
    ("item", Field::Product, true),
    ("item name", Field::Product, true),
    ("товар", Field::Product, true),
    ("номенклатура", Field::Product, true),
    ("наименование", Field::Product, true),
    ("наименование товара", Field::Product, true),
    ("название товара", Field::Product, true),
    ("товар услуга", Field::Product, true),
    ("услуга", Field::Product, true),
    ("sku", Field::Product, false),
    ("product id", Field::Product, false),
    ("product code", Field::Product, false),
    ("артикул", Field::Product, false),
    ("код товара", Field::Product, false),
    // category
    ("category", Field::Category, true),
    ("product category", Field::Category, true),
    ("product type", Field::Category, true),
    ("type", Field::Category, false),
    ("группа", Field::Category, true),
    ("категория", Field::Category, true),
    ("группа товаров", Field::Category, true),
    ("товарная группа", Field::Category, true),
    ("номенклатурная группа", Field::Category, true),
    ("вид номенклатуры", Field::Category, false),
    // channel
    ("channel", Field::Channel, true),
    ("sales channel", Field::Channel, true),
    ("source", Field::Channel, false),
    ("utm source", Field::Channel, false),
    ("канал", Field::Channel, true),
    ("канал продаж", Field::Channel, true),
    ("источник", Field::Channel, false),
    ("источник заказа", Field::Channel, true),
];

/// Shopify's orders export, recognised by its `Lineitem …` columns. There `Name` is the order
/// number (`#1001`) and `Total` the order total, filled on the order's first line only and
/// including shipping and taxes: each line's amount is its `Lineitem price` × `Lineitem
/// quantity` instead, so every line of a multi-line order counts and sales exclude shipping.
/// `Subtotal`, `Id`, `Paid at`, `Billing Phone` would otherwise collide with the fields above.
const SHOPIFY: &[(&str, Field)] = &[
    ("name", Field::OrderId),
    ("email", Field::Email),
    ("created at", Field::Date),
    ("total", Field::Ignore),
    ("subtotal", Field::Ignore),
    ("lineitem name", Field::Product),
    ("lineitem quantity", Field::Quantity),
    ("lineitem price", Field::Price),
    ("lineitem compare at price", Field::ListPrice),
    ("discount amount", Field::Discount),
    ("source", Field::Channel),
    ("phone", Field::Phone),
    ("billing name", Field::Name),
];

/// amoCRM's deals export (`Бюджет`, `Название сделки`): a deal is won when it is closed, so the
/// purchase date is `Дата закрытия`, not `Дата создания`.
const AMOCRM: &[(&str, Field)] = &[
    ("дата закрытия", Field::Date),
    ("дата создания", Field::Ignore),
    ("бюджет", Field::Amount),
];

/// Which export a header row comes from, when it has a recognisable shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Generic,
    Shopify,
    AmoCrm,
}

fn source_of(normalized: &[String]) -> Source {
    if normalized.iter().any(|h| h.starts_with("lineitem ")) {
        Source::Shopify
    } else if normalized
        .iter()
        .any(|h| h == "название сделки" || h == "этап сделки")
    {
        Source::AmoCrm
    } else {
        Source::Generic
    }
}

/// The field a (normalised) header name means, and whether the name is strong.
fn lookup(normalized: &str, source: Source) -> Option<(Field, bool)> {
    let special = match source {
        Source::Shopify => SHOPIFY,
        Source::AmoCrm => AMOCRM,
        Source::Generic => &[],
    };
    if let Some(&(_, f)) = special.iter().find(|(n, _)| *n == normalized) {
        return Some((f, true));
    }
    if source == Source::Shopify {
        // Every other Shopify column (Billing Phone, Lineitem sku, Id, Paid at...) is left out
        // rather than guessed, because most of them collide with the columns above.
        return None;
    }
    DICTIONARY
        .iter()
        .find(|(n, _, _)| *n == normalized)
        .map(|&(_, f, strong)| (f, strong))
}

/// The field a header name means on its own (outside any export-specific context).
pub fn field_for_header(header: &str) -> Option<Field> {
    lookup(&normalize_header(header), Source::Generic).map(|(f, _)| f)
}

// ---------------------------------------------------------------------------------------------
// Mapping

/// How a column got its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MappedBy {
    HeaderName,
    MapArg,
}

impl MappedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MappedBy::HeaderName => "header name",
            MappedBy::MapArg => "--map",
        }
    }
}

/// One column's assignment, for reporting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// 0-based column index.
    pub column: usize,
    pub header: Option<String>,
    pub field: Field,
    pub how: MappedBy,
}

impl Decision {
    /// `column 'Сумма' → amount (header name)` or `column 3 → amount (--map)`.
    pub fn describe(&self) -> String {
        let col = match &self.header {
            Some(h) => format!("column '{h}'"),
            None => format!("column {}", self.column + 1),
        };
        format!("{col} → {} ({})", self.field, self.how.as_str())
    }
}

/// Which column holds each field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMap {
    by_field: [Option<usize>; Field::ALL.len()],
    /// Every mapped column (`ignore` included when given with `--map`), in column order.
    pub decisions: Vec<Decision>,
}

impl ColumnMap {
    /// 0-based index of the column holding `field` (never for `Field::Ignore`).
    pub fn get(&self, field: Field) -> Option<usize> {
        if field == Field::Ignore {
            None
        } else {
            self.by_field[field.index()]
        }
    }

    /// The field of a 0-based column, `Ignore` for unmapped columns.
    pub fn field_of(&self, column: usize) -> Field {
        self.decisions
            .iter()
            .find(|d| d.column == column)
            .map_or(Field::Ignore, |d| d.field)
    }

    /// (field, column) for every mapped field except `Ignore`.
    pub fn fields(&self) -> impl Iterator<Item = (Field, usize)> + '_ {
        Field::ALL
            .into_iter()
            .filter_map(|f| self.get(f).map(|c| (f, c)))
    }
}

/// Why columns could not be mapped to fields. Columns are named by position and header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error(
        "the file has no header row; name the columns with --map 1=customer_id --map 2=date --map 3=amount (positions start at 1)"
    )]
    NoHeader,
    #[error(
        "--map names column '{name}', but the file has no header row; give the column's position instead (--map 3=...)"
    )]
    HeaderWithoutHeaderRow { name: String },
    #[error(
        "--map names column '{name}', but no header is called that; the headers are: {headers}"
    )]
    UnknownHeader { name: String, headers: String },
    #[error(
        "--map names column '{name}', but columns {first} and {second} are both called that; give the position instead"
    )]
    AmbiguousHeader {
        name: String,
        first: usize,
        second: usize,
    },
    #[error("--map names column {position}, but the file has only {n_columns} columns")]
    PositionOutOfRange { position: usize, n_columns: usize },
    #[error("--map gives {column} twice, as {first} and as {second}")]
    ColumnMappedTwice {
        column: String,
        first: Field,
        second: Field,
    },
    #[error(
        "--map maps both {first} and {second} to {field}; a field can come from one column only"
    )]
    DuplicateByMap {
        field: Field,
        first: String,
        second: String,
    },
    #[error(
        "{first} and {second} both look like {field}; choose one with --map, e.g. --map {second_position}={field} (the other is then ignored)"
    )]
    DuplicateByHeader {
        field: Field,
        first: String,
        second: String,
        second_position: usize,
    },
    #[error("no column holds the order date{hint}; name it with --map COLUMN=date")]
    NoDate { hint: String },
    #[error(
        "no column holds the amount paid{hint}; name it with --map COLUMN=amount (or map a price column, with a quantity column when there is one: the amount is then the price, or price × quantity)"
    )]
    NoAmount { hint: String },
    #[error(
        "no column identifies the customer (customer_id, email or phone){hint}; name one with --map COLUMN=customer_id"
    )]
    NoIdentity { hint: String },
}

fn describe_column(column: usize, header: Option<&[&str]>) -> String {
    match header.and_then(|h| h.get(column)) {
        Some(h) if !h.trim().is_empty() => format!("column {} ('{}')", column + 1, h.trim()),
        _ => format!("column {}", column + 1),
    }
}

fn find_header(name: &str, header: &[&str]) -> Result<usize, MappingError> {
    let by = |matches: &dyn Fn(&str) -> bool| -> Vec<usize> {
        header
            .iter()
            .enumerate()
            .filter(|(_, h)| matches(h))
            .map(|(i, _)| i)
            .collect()
    };
    let wanted = name.trim();
    let mut hits = by(&|h: &str| crate::encoding::strip_bom_str(h).trim() == wanted);
    if hits.is_empty() {
        let norm = normalize_header(wanted);
        hits = by(&|h: &str| normalize_header(h) == norm);
    }
    match hits[..] {
        [] => Err(MappingError::UnknownHeader {
            name: wanted.to_string(),
            headers: header
                .iter()
                .map(|h| format!("'{}'", h.trim()))
                .collect::<Vec<_>>()
                .join(", "),
        }),
        [one] => Ok(one),
        [first, second, ..] => Err(MappingError::AmbiguousHeader {
            name: wanted.to_string(),
            first: first + 1,
            second: second + 1,
        }),
    }
}

/// Assigns fields to columns: `--map` overrides first, then header names for the other columns.
/// A field claimed by an override is not taken from any header. Fails unless there is a date, an
/// amount and a customer identity (customer_id, email or phone).
pub fn map_columns(
    header: Option<&[&str]>,
    n_columns: usize,
    overrides: &[(ColumnRef, Field)],
) -> Result<ColumnMap, MappingError> {
    if header.is_none() && overrides.is_empty() {
        return Err(MappingError::NoHeader);
    }
    let mut decisions: Vec<Decision> = Vec::new();
    let header_text = |c: usize| header.and_then(|h| h.get(c)).map(|h| h.trim().to_string());
    for (column_ref, field) in overrides {
        let column = match column_ref {
            ColumnRef::Position(p) => {
                if *p == 0 || *p > n_columns {
                    return Err(MappingError::PositionOutOfRange {
                        position: *p,
                        n_columns,
                    });
                }
                p - 1
            }
            ColumnRef::Header(name) => match header {
                None => return Err(MappingError::HeaderWithoutHeaderRow { name: name.clone() }),
                Some(h) => find_header(name, h)?,
            },
        };
        if let Some(d) = decisions.iter().find(|d| d.column == column) {
            if d.field != *field {
                return Err(MappingError::ColumnMappedTwice {
                    column: describe_column(column, header),
                    first: d.field,
                    second: *field,
                });
            }
            continue;
        }
        if *field != Field::Ignore
            && let Some(d) = decisions.iter().find(|d| d.field == *field)
        {
            return Err(MappingError::DuplicateByMap {
                field: *field,
                first: describe_column(d.column, header),
                second: describe_column(column, header),
            });
        }
        decisions.push(Decision {
            column,
            header: header_text(column),
            field: *field,
            how: MappedBy::MapArg,
        });
    }

    if let Some(h) = header {
        let normalized: Vec<String> = h.iter().map(|s| normalize_header(s)).collect();
        let source = source_of(&normalized);
        // Per field: the best header candidate so far (column, strong).
        let mut chosen: Vec<(Field, usize, bool)> = Vec::new();
        for (column, name) in normalized.iter().enumerate() {
            if decisions.iter().any(|d| d.column == column) {
                continue;
            }
            let Some((field, strong)) = lookup(name, source) else {
                continue;
            };
            if field == Field::Ignore || decisions.iter().any(|d| d.field == field) {
                continue;
            }
            match chosen.iter_mut().find(|(f, _, _)| *f == field) {
                None => chosen.push((field, column, strong)),
                Some(slot) if slot.2 == strong => {
                    return Err(MappingError::DuplicateByHeader {
                        field,
                        first: describe_column(slot.1, header),
                        second: describe_column(column, header),
                        second_position: column + 1,
                    });
                }
                Some(slot) if strong => *slot = (field, column, strong),
                Some(_) => {}
            }
        }
        for (field, column, _) in chosen {
            decisions.push(Decision {
                column,
                header: header_text(column),
                field,
                how: MappedBy::HeaderName,
            });
        }
    }
    // A bare `Id` names the customer when it is the file's only id column and nothing else
    // identifies them (`Id, Date, Price`); beside an order id or a customer id it means nothing
    // certain and is left alone.
    if let Some(h) = header {
        let identified = decisions
            .iter()
            .any(|d| matches!(d.field, Field::CustomerId | Field::Email | Field::Phone));
        let normalized: Vec<String> = h.iter().map(|s| normalize_header(s)).collect();
        // Columns that identify something: an `id` word, or a known order or customer key.
        let id_like = |n: &str| {
            n.split(' ').any(|w| w == "id")
                || matches!(
                    lookup(n, Source::Generic),
                    Some((
                        Field::OrderId | Field::CustomerId | Field::Email | Field::Phone,
                        _
                    ))
                )
        };
        let ids: Vec<usize> = normalized
            .iter()
            .enumerate()
            .filter(|(_, n)| id_like(n))
            .map(|(i, _)| i)
            .collect();
        if !identified
            && let [only] = ids[..]
            && normalized[only] == "id"
            && !decisions.iter().any(|d| d.column == only)
        {
            decisions.push(Decision {
                column: only,
                header: header_text(only),
                field: Field::CustomerId,
                how: MappedBy::HeaderName,
            });
        }
    }
    decisions.sort_by_key(|d| d.column);

    let mut by_field = [None; Field::ALL.len()];
    for d in &decisions {
        if d.field != Field::Ignore {
            by_field[d.field.index()] = Some(d.column);
        }
    }
    let map = ColumnMap {
        by_field,
        decisions,
    };
    let hint = match header {
        Some(h) => format!(
            " (headers: {})",
            h.iter()
                .map(|s| format!("'{}'", s.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    if map.get(Field::Date).is_none() {
        return Err(MappingError::NoDate { hint });
    }
    // A price with a quantity is a line's price × quantity; a price alone is what was paid.
    if map.get(Field::Amount).is_none() && map.get(Field::Price).is_none() {
        return Err(MappingError::NoAmount { hint });
    }
    if [Field::CustomerId, Field::Email, Field::Phone]
        .iter()
        .all(|&f| map.get(f).is_none())
    {
        return Err(MappingError::NoIdentity { hint });
    }
    Ok(map)
}

/// Whether the first row is a header: most of its fields are known column names, or none of
/// them is a number or date while the same columns below mostly are.
pub fn looks_like_header(first: &[&str], rest: &[Vec<&str>]) -> bool {
    let nonempty: Vec<(usize, &str)> = first
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.trim().is_empty())
        .map(|(i, f)| (i, *f))
        .collect();
    if nonempty.is_empty() {
        return false;
    }
    let normalized: Vec<String> = first.iter().map(|s| normalize_header(s)).collect();
    let source = source_of(&normalized);
    let known = nonempty
        .iter()
        .filter(|(i, _)| lookup(&normalized[*i], source).is_some())
        .count();
    if known * 2 > nonempty.len() {
        return true;
    }
    if nonempty.iter().any(|(_, f)| looks_numeric_or_date(f)) {
        return false;
    }
    // A textual first row above a column that is mostly numbers or dates.
    nonempty.iter().any(|&(i, _)| {
        let below: Vec<&str> = rest
            .iter()
            .filter_map(|r| r.get(i).copied())
            .filter(|v| !v.trim().is_empty())
            .collect();
        !below.is_empty()
            && below.iter().filter(|v| looks_numeric_or_date(v)).count() * 2 > below.len()
    })
}

#[cfg(test)]
mod tests;
