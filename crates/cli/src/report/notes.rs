//! The import's notes on what it detected (encoding, separator, header row, columns, dates,
//! decimal mark) in the reader's language. The ingest crate writes them as short English
//! sentences of a fixed shape (`key: value (detail)`, `column 'H' → field (how)`), which the JSON
//! report carries as they are; the terminal report words the known shapes from the catalogue
//! and keeps values (file names, patterns, field codes, examples) as they are. A shape it does
//! not know is shown as written rather than dropped.

use clientele_server::web::i18n::{Arg, Lang, Tr};

/// `note` in `tr`'s language.
pub fn note_words(tr: &Tr, note: &str) -> String {
    if tr.lang == Lang::En {
        return note.to_string();
    }
    if note == clientele_ingest::sniff::PRICE_AS_AMOUNT {
        return tr.get("cli-note-price-as-amount");
    }
    if let Some(rest) = note.strip_prefix("column ") {
        return column(tr, rest);
    }
    for (key, id) in [
        ("encoding", "cli-note-encoding"),
        ("separator", "cli-note-separator"),
        ("fields", "cli-note-fields"),
        ("header row", "cli-note-header"),
        ("dates", "cli-note-dates"),
        ("decimal mark", "cli-note-decimal"),
    ] {
        if let Some(value) = note
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(": "))
        {
            return format!("{}: {}", tr.get(id), value_words(tr, value));
        }
    }
    note.to_string()
}

/// `'H' → field (how)` or `3 → field (how)`: the field is a code of `--map`, kept.
fn column(tr: &Tr, rest: &str) -> String {
    let rest = match rest.strip_suffix(" (header name)") {
        Some(r) => format!("{r} ({})", tr.get("cli-note-by-header")),
        None => rest.to_string(),
    };
    format!("{} {rest}", tr.get("cli-note-column"))
}

/// A value and its parenthesised detail.
fn value_words(tr: &Tr, value: &str) -> String {
    let (head, detail) = match value.find(" (") {
        Some(at) if value.ends_with(')') => (&value[..at], Some(&value[at + 2..value.len() - 1])),
        _ => (value, None),
    };
    let head = match head {
        "yes" => tr.get("cli-note-yes"),
        "no" => tr.get("cli-note-no"),
        "tab" => tr.get("cli-note-tab"),
        "runs of spaces" => tr.get("cli-note-spaces"),
        other => other.to_string(),
    };
    match detail {
        None => head,
        Some(d) => format!("{head} ({})", detail_words(tr, d)),
    }
}

fn detail_words(tr: &Tr, detail: &str) -> String {
    match detail {
        "as told" => return tr.get("cli-note-as-told"),
        "with byte-order mark" => return tr.get("cli-note-bom"),
        "bytes are not valid UTF-8" => return tr.get("cli-note-not-utf8"),
        "no sample value has decimals" => return tr.get("cli-note-no-decimals"),
        _ => {}
    }
    // `seen in '1,5'; 12 values agree`
    if let Some((example, agree)) = detail
        .strip_prefix("seen in ")
        .and_then(|r| r.split_once("; "))
        && let Some(n) = agree
            .strip_suffix(" values agree")
            .or_else(|| agree.strip_suffix(" value agrees"))
            .and_then(|n| n.parse::<u64>().ok())
    {
        return tr.with(
            "cli-note-seen",
            &[
                ("example", Arg::Text(example.to_string())),
                ("n", Arg::Num(n as f64)),
            ],
        );
    }
    detail.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_notes_are_worded_in_russian_and_english_stays() {
        let ru = Tr::new(Lang::Ru);
        let en = Tr::new(Lang::En);
        for (note, want) in [
            ("encoding: UTF-8", "кодировка: UTF-8"),
            (
                "encoding: UTF-8 (with byte-order mark)",
                "кодировка: UTF-8 (с меткой порядка байтов)",
            ),
            (
                "encoding: Windows-1251 (bytes are not valid UTF-8)",
                "кодировка: Windows-1251 (байты не в UTF-8)",
            ),
            ("separator: ';'", "разделитель: ';'"),
            ("separator: tab", "разделитель: табуляция"),
            ("header row: yes", "строка заголовков: да"),
            (
                "header row: no (as told)",
                "строка заголовков: нет (как указано)",
            ),
            (
                "column 'Сумма' → amount (header name)",
                "столбец 'Сумма' → amount (по названию)",
            ),
            ("column 3 → date (--map)", "столбец 3 → date (--map)"),
            ("dates: DD.MM.YYYY", "даты: DD.MM.YYYY"),
            (
                "decimal mark: ',' (seen in '1,5'; 12 values agree)",
                "десятичный знак: ',' (видно в '1,5'; согласны 12 значений)",
            ),
            (
                "decimal mark: '.' (seen in '2.5'; 3 values agree)",
                "десятичный знак: '.' (видно в '2.5'; согласны 3 значения)",
            ),
            (
                "decimal mark: '.' (no sample value has decimals)",
                "десятичный знак: '.' (ни в одном значении образца нет дробной части)",
            ),
            (
                clientele_ingest::sniff::PRICE_AS_AMOUNT,
                "сумма: нет столбцов суммы и количества, поэтому суммой строки считается её цена",
            ),
            ("something new", "something new"),
        ] {
            assert_eq!(note_words(&ru, note), want, "{note}");
            assert_eq!(note_words(&en, note), note);
        }
    }
}
