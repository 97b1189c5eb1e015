//! The terminal report in Russian (issue 24 item 10): `--lang ru` and a Russian locale give the
//! same report, which shows no word of the English catalogue (names, codes, flags and the
//! file's own values aside), words counts with the catalogue's plural forms and numbers with
//! Russian grouping and decimal commas; the JSON report is the same in every language.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// This crate's folder at run time (`cargo test` sets it).
fn crate_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}

/// A 1C-style export: Windows-1251, `;`, Russian headers, decimal commas, a cost column for
/// half the lines only, one row with a broken date (rejected).
fn write_export(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("Номер заказа;Клиент;Дата;Сумма;Себестоимость\r\n");
    for c in 0..60u32 {
        // Customer c buys (c % 7) + 1 times, every 20 + c days, from 2024-01-05 on.
        for k in 0..(c % 7 + 1) {
            let day = 5 + k * (20 + c);
            let (m, d) = (1 + day / 28, 1 + day % 28);
            if m > 12 {
                continue;
            }
            let cost = if k % 2 == 0 { "100,25" } else { "" };
            text.push_str(&format!(
                "З-{c}-{k};Клиент {c};{d:02}.{m:02}.2024;{},{:02};{cost}\r\n",
                200 + c * 13 + k,
                (c + k) % 100
            ));
        }
    }
    text.push_str("З-x;Клиент 1;31.02.2024;10,00;\r\n");
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(&text);
    assert!(!bad);
    let path = dir.join("заказы.csv");
    std::fs::write(&path, &bytes).unwrap();
    path
}

fn analyze(dir: &Path, args: &[&str], locale: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clientele"));
    cmd.arg("analyze")
        .args(args)
        .current_dir(dir)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    match locale {
        Some(l) => cmd.env("LANG", l),
        None => cmd.env("LANG", "C.UTF-8"),
    };
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Words of two or more Latin letters in the English report catalogue's texts: not message ids,
/// variables, variant keys or comments.
fn english_words() -> BTreeSet<String> {
    let source =
        std::fs::read_to_string(crate_dir().join("../server/locales/en/report.ftl")).unwrap();
    let mut words = BTreeSet::new();
    for line in source.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let text = match line.split_once(" = ") {
            Some((id, rest)) if !id.starts_with(' ') => rest,
            _ => line,
        };
        let mut cleaned = String::new();
        let mut in_braces = 0;
        let mut in_key = false;
        for ch in text.chars() {
            match ch {
                '{' => in_braces += 1,
                '}' => in_braces -= 1,
                '[' => in_key = true,
                ']' => in_key = false,
                _ if in_braces > 0 || in_key => {}
                _ => cleaned.push(ch),
            }
        }
        words.extend(latin_words(&cleaned));
    }
    words
}

fn latin_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Names the report shows in every language: the product, models, parameters.
const NAMES: [&str; 8] = [
    "Clientele",
    "bgnbd",
    "Gamma-Gamma",
    "alpha",
    "gamma",
    "CLV",
    "UTF-8",
    "Windows-1251",
];

/// The report without what is not a word of the product: flags and their values, the file's
/// own values in quotes, field codes after an arrow, the file name, customer ids, model names
/// and parameter names.
fn product_words(report: &str) -> String {
    let mut out = String::new();
    for line in report.lines() {
        let mut kept = Vec::new();
        let mut skip_next = false;
        for token in line.split_whitespace() {
            if skip_next {
                skip_next = false;
                continue;
            }
            if token.starts_with("--") {
                skip_next = !token.contains('=');
                continue;
            }
            // Field codes follow the arrow to the line's end.
            if token == "→" {
                break;
            }
            if token.starts_with('\'')
                || token.starts_with("заказы")
                || token.contains("заказы.csv")
                || NAMES.contains(&token.trim_matches(|c: char| !c.is_alphanumeric()))
                || token.chars().any(|c| c.is_ascii_digit())
            {
                continue;
            }
            kept.push(token);
        }
        out.push_str(&kept.join(" "));
        out.push('\n');
    }
    out
}

#[test]
fn the_russian_report_has_no_english_words_and_json_is_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_export(dir.path());
    let file = file.to_str().unwrap();
    // BG/NBD converges on this file in a moment (a debug build's MBG/NBD takes a minute).
    let model = ["--model", "bgnbd"];
    let told = analyze(
        dir.path(),
        &[&[file, "--lang", "ru"][..], &model].concat(),
        None,
    );
    let by_locale = analyze(
        dir.path(),
        &[&[file][..], &model].concat(),
        Some("ru_RU.UTF-8"),
    );
    assert_eq!(told, by_locale, "--lang ru and LANG=ru_RU.UTF-8 agree");
    let english = analyze(dir.path(), &[file, "--model", "none"], None);
    assert!(
        english.starts_with("Clientele: the loyalty ladder as of "),
        "{english}"
    );
    assert_ne!(told, english);

    // What was detected, in Russian.
    for want in [
        "кодировка: Windows-1251 (байты не в UTF-8)",
        "разделитель: ';'",
        "строка заголовков: да",
        "столбец 'Клиент' → customer_id (по названию)",
        "даты: DD.MM.YYYY",
        "десятичный знак: ','",
        // One rejected row: the singular of the catalogue.
        "1 строка не загружена (укажите --out DIR, чтобы получить rejects.csv).",
        "У части строк заказов нет себестоимости",
        "ступень (стратегия)",
        "Модель bgnbd (в днях): ",
        " итераций. Сумма покупки (Gamma-Gamma): ",
        "; ценность клиента (CLV) за 365 дней.",
        "Постоянные и приверженцы, которые уходят (по ценности под угрозой: CLV за 365 дней, которую потеряем, если они уйдут):",
    ] {
        assert!(told.contains(want), "{want:?} missing from:\n{told}");
    }
    assert!(
        told.starts_with("Clientele: лестница лояльности на "),
        "{told}"
    );
    // Counts: "N строк/строки", numbers grouped with spaces and decimal commas.
    let file_line = told.lines().find(|l| l.contains("заказы.csv:")).unwrap();
    assert!(
        file_line.contains(" строк, ") || file_line.contains(" строки, "),
        "{file_line}"
    );
    assert!(file_line.contains("1 отклонена"), "{file_line}");
    assert!(
        told.contains(" %"),
        "percentages with a space before % in Russian"
    );

    // Not one word of the English catalogue.
    let english_words = english_words();
    assert!(
        english_words.contains("revenue") && english_words.contains("rows"),
        "{english_words:?}"
    );
    let shown: BTreeSet<String> = latin_words(&product_words(&told)).into_iter().collect();
    let leaked: Vec<&String> = shown.intersection(&english_words).collect();
    assert!(leaked.is_empty(), "English words {leaked:?} in:\n{told}");

    // The JSON report does not depend on the language.
    let json_ru = analyze(
        dir.path(),
        &[&[file, "--format", "json", "--lang", "ru"][..], &model].concat(),
        None,
    );
    let json_en = analyze(
        dir.path(),
        &[&[file, "--format", "json"][..], &model].concat(),
        None,
    );
    assert_eq!(json_ru, json_en);
}
