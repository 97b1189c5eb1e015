//! Header mapping: the dictionary, sources, `--map` and the decisions reported.

use super::*;

fn map(header: &[&str], overrides: &[&str]) -> Result<ColumnMap, MappingError> {
    let ov: Vec<(ColumnRef, Field)> = overrides
        .iter()
        .map(|s| parse_map_arg(s).unwrap())
        .collect();
    map_columns(Some(header), header.len(), &ov)
}

#[test]
fn dictionary_is_normalised() {
    for (name, field, _) in DICTIONARY {
        assert_eq!(&normalize_header(name), name, "{field}");
    }
    for (name, _) in SHOPIFY.iter().chain(AMOCRM) {
        assert_eq!(&normalize_header(name), name);
    }
}

#[test]
fn normalisation() {
    assert_eq!(normalize_header("\u{feff} Customer_ID "), "customer id");
    assert_eq!(normalize_header("Сумма, руб."), "сумма");
    assert_eq!(normalize_header("Цена (руб.)"), "цена");
    assert_eq!(normalize_header("Total ($)"), "total");
    assert_eq!(normalize_header("Кол-во"), "кол во");
    assert_eq!(normalize_header("E-mail"), "e mail");
    assert_eq!(normalize_header("Дата  продажи:"), "дата продажи");
    assert_eq!(normalize_header("Ёмкость"), "емкость");
    assert_eq!(field_for_header("number_of_cds"), Some(Field::Quantity));
    assert_eq!(field_for_header("Сумма продажи, ₽"), Some(Field::Amount));
    assert_eq!(field_for_header("Склад"), None);
}

#[test]
fn field_names_round_trip() {
    for f in Field::ALL {
        assert_eq!(f.as_str().parse::<Field>(), Ok(f));
    }
    assert_eq!("List-Price".parse::<Field>(), Ok(Field::ListPrice));
    assert!("revenue".parse::<Field>().is_err());
}

#[test]
fn map_args() {
    assert_eq!(
        parse_map_arg("3=amount"),
        Ok((ColumnRef::Position(3), Field::Amount))
    );
    assert_eq!(
        parse_map_arg("Сумма=amount"),
        Ok((ColumnRef::Header("Сумма".into()), Field::Amount))
    );
    assert_eq!(
        parse_map_arg("a=b=customer_id"),
        Ok((ColumnRef::Header("a=b".into()), Field::CustomerId))
    );
    assert_eq!(
        parse_map_arg(" 12 = ignore"),
        Ok((ColumnRef::Position(12), Field::Ignore))
    );
    assert!(matches!(
        parse_map_arg("amount"),
        Err(MapArgError::Syntax(_))
    ));
    assert!(matches!(
        parse_map_arg("=amount"),
        Err(MapArgError::Syntax(_))
    ));
    assert!(matches!(
        parse_map_arg("0=amount"),
        Err(MapArgError::ZeroPosition(_))
    ));
    let e = parse_map_arg("3=revenue").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("--map '3=revenue': unknown field 'revenue'"),
        "{e}"
    );
}

#[test]
fn russian_semicolon_header() {
    let m = map(
        &[
            "Номер заказа",
            "Дата",
            "Клиент",
            "Телефон",
            "Номенклатура",
            "Кол-во",
            "Сумма, руб",
        ],
        &[],
    )
    .unwrap();
    assert_eq!(m.get(Field::OrderId), Some(0));
    assert_eq!(m.get(Field::Date), Some(1));
    assert_eq!(m.get(Field::CustomerId), Some(2));
    assert_eq!(m.get(Field::Phone), Some(3));
    assert_eq!(m.get(Field::Product), Some(4));
    assert_eq!(m.get(Field::Quantity), Some(5));
    assert_eq!(m.get(Field::Amount), Some(6));
    assert_eq!(m.field_of(6), Field::Amount);
    assert_eq!(
        m.decisions[6].describe(),
        "column 'Сумма, руб' → amount (header name)"
    );
    assert_eq!(m.fields().count(), 7);
}

#[test]
fn weak_names_yield_and_overrides_win() {
    let m = map(
        &[
            "Артикул",
            "Номенклатура",
            "Date",
            "Email",
            "Subtotal",
            "Total",
        ],
        &[],
    )
    .unwrap();
    assert_eq!(m.get(Field::Product), Some(1));
    assert_eq!(m.get(Field::Amount), Some(5));
    let err = map(&["Client", "Date", "Revenue", "Sales"], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "column 3 ('Revenue') and column 4 ('Sales') both look like amount; choose one with --map, e.g. --map 4=amount (the other is then ignored)"
    );
    let m = map(&["Client", "Date", "Revenue", "Sales"], &["Sales=amount"]).unwrap();
    assert_eq!(m.get(Field::Amount), Some(3));
    assert_eq!(m.field_of(2), Field::Ignore);
    assert_eq!(
        m.decisions
            .iter()
            .find(|d| d.column == 3)
            .unwrap()
            .describe(),
        "column 'Sales' → amount (--map)"
    );
    let m = map(&["Client", "Date", "Revenue", "Sales"], &["3=ignore"]).unwrap();
    assert_eq!(m.get(Field::Amount), Some(3));
}

#[test]
fn shopify_and_amocrm() {
    let shopify = [
        "Name",
        "Email",
        "Financial Status",
        "Subtotal",
        "Total",
        "Discount Amount",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem compare at price",
        "Billing Name",
        "Billing Phone",
        "Id",
        "Phone",
        "Source",
    ];
    let m = map(&shopify, &[]).unwrap();
    assert_eq!(m.get(Field::OrderId), Some(0));
    // The order total is on the first line only: the amount is price × quantity per line.
    assert_eq!(m.get(Field::Amount), None);
    assert_eq!(m.get(Field::Price), Some(9));
    assert_eq!(m.get(Field::Quantity), Some(7));
    assert_eq!(m.get(Field::Date), Some(6));
    assert_eq!(m.get(Field::ListPrice), Some(10));
    assert_eq!(m.get(Field::Name), Some(11));
    assert_eq!(m.get(Field::Phone), Some(14));
    let amo = [
        "ID",
        "Название сделки",
        "Бюджет",
        "Дата создания",
        "Дата закрытия",
        "Основной контакт",
        "Рабочий телефон",
    ];
    let m = map(&amo, &[]).unwrap();
    assert_eq!(
        (
            m.get(Field::Amount),
            m.get(Field::Date),
            m.get(Field::CustomerId)
        ),
        (Some(2), Some(4), Some(5))
    );
}

#[test]
fn mapping_errors() {
    let h = ["Клиент", "Дата", "Сумма"];
    let msg = |r: Result<ColumnMap, MappingError>| r.unwrap_err().to_string();
    assert_eq!(
        msg(map_columns(None, 3, &[])),
        "the file has no header row; name the columns with --map 1=customer_id --map 2=date --map 3=amount (positions start at 1)"
    );
    assert_eq!(
        msg(map_columns(
            None,
            3,
            &[(ColumnRef::Header("Сумма".into()), Field::Amount)]
        )),
        "--map names column 'Сумма', but the file has no header row; give the column's position instead (--map 3=...)"
    );
    assert_eq!(
        msg(map(&h, &["Итог=amount"])),
        "--map names column 'Итог', but no header is called that; the headers are: 'Клиент', 'Дата', 'Сумма'"
    );
    assert_eq!(
        msg(map(&["a", "a", "Дата"], &["a=amount"])),
        "--map names column 'a', but columns 1 and 2 are both called that; give the position instead"
    );
    assert_eq!(
        msg(map(&h, &["4=amount"])),
        "--map names column 4, but the file has only 3 columns"
    );
    assert_eq!(
        msg(map(&h, &["3=amount", "3=price"])),
        "--map gives column 3 ('Сумма') twice, as amount and as price"
    );
    assert_eq!(
        msg(map(&h, &["1=amount", "3=amount"])),
        "--map maps both column 1 ('Клиент') and column 3 ('Сумма') to amount; a field can come from one column only"
    );
    assert_eq!(
        msg(map(&["Клиент", "Сумма"], &[])),
        "no column holds the order date (headers: 'Клиент', 'Сумма'); name it with --map COLUMN=date"
    );
    assert_eq!(
        msg(map(&["Клиент", "Дата"], &[])),
        "no column holds the amount paid (headers: 'Клиент', 'Дата'); name it with --map COLUMN=amount (or map a price column, with a quantity column when there is one: the amount is then the price, or price × quantity)"
    );
    assert_eq!(
        msg(map(&["Товар", "Дата", "Сумма"], &[])),
        "no column identifies the customer (customer_id, email or phone) (headers: 'Товар', 'Дата', 'Сумма'); name one with --map COLUMN=customer_id"
    );
    let ok = map_columns(
        None,
        5,
        &[
            (ColumnRef::Position(2), Field::CustomerId),
            (ColumnRef::Position(3), Field::Date),
            (ColumnRef::Position(5), Field::Amount),
        ],
    )
    .unwrap();
    assert_eq!(ok.decisions[0].describe(), "column 2 → customer_id (--map)");
}

#[test]
fn header_detection() {
    let cdnow_sample = ["00004", "0001", "19970101", "2", "29.33"];
    let below = vec![vec!["00004", "0001", "19970118", "2", "29.73"]];
    assert!(!looks_like_header(&cdnow_sample, &below));
    let master = ["customer_id", "date", "number_of_cds", "dollar_value"];
    assert!(looks_like_header(
        &master,
        &[vec!["00001", "19970101", "1", "11.77"]]
    ));
    // Unknown names, but words above numbers and dates.
    assert!(looks_like_header(
        &["Kunde", "Datum", "Betrag"],
        &[vec!["A17", "2024-01-01", "10,50"]]
    ));
    assert!(!looks_like_header(
        &["Ivan", "2024-01-01", "10,50"],
        &[vec!["Anna", "2024-01-02", "3"]]
    ));
    assert!(!looks_like_header(
        &["Ivan", "Moscow"],
        &[vec!["Anna", "Tver"]]
    ));
}

/// Issue 24 item 11: `cust`, a bare `Id` when it is the only id column, and a price with no
/// quantity (the price is then the amount) are understood; anything else is refused naming
/// `--map`.
#[test]
fn short_customer_headers_and_a_price_alone() {
    let m = map(&["cust", "date", "amount"], &[]).unwrap();
    assert_eq!(m.get(Field::CustomerId), Some(0));
    let m = map(&["client", "Дата", "Сумма"], &[]).unwrap();
    assert_eq!(m.get(Field::CustomerId), Some(0));

    // `Id, Date, Price`: the only id is the customer's; the price alone is the amount.
    let m = map(&["Id", "Date", "Price"], &[]).unwrap();
    assert_eq!(m.get(Field::CustomerId), Some(0));
    assert_eq!(m.get(Field::Price), Some(2));
    assert_eq!(m.get(Field::Amount), None);
    assert_eq!(
        m.decisions[0].describe(),
        "column 'Id' → customer_id (header name)"
    );
    // Beside an order id (or a customer id) a bare `Id` is not guessed.
    let e = map(&["Id", "Order Id", "Date", "Price"], &[]).unwrap_err();
    assert!(matches!(e, MappingError::NoIdentity { .. }), "{e}");
    assert!(e.to_string().contains("--map COLUMN=customer_id"), "{e}");
    let m = map(&["Id", "Customer", "Date", "Amount"], &[]).unwrap();
    assert_eq!(m.get(Field::CustomerId), Some(1));
    assert_eq!(m.field_of(0), Field::Ignore);

    // Customer and date only (a visit log): refused, naming --map.
    let e = map(&["cust", "date"], &[]).unwrap_err();
    assert!(matches!(e, MappingError::NoAmount { .. }), "{e}");
    assert!(e.to_string().contains("--map COLUMN=amount"), "{e}");
}
