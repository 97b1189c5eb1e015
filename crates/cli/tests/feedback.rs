//! `clientele feedback import|list|answer|resolve|report|targets` end to end on SQLite and a real
//! PostgreSQL server: a file with bad rows stores nothing and lists every bad row with its line
//! and reason; a Windows-1251 export with Russian headers imports, and again changes nothing;
//! entries move open → answered → resolved; the report's shares and medians match the
//! entries' own times; targets are changed and refused naming the problem.

#[allow(dead_code)]
mod common;

use std::path::Path;

use clientele_testdb::{Backend, TestDb};
use common::run_in;
use serde_json::Value;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// `text` in Windows-1251 (Cyrillic, ASCII and the few punctuation marks used here).
fn cp1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            'ё' => 0xB8,
            'Ё' => 0xA8,
            c if c.is_ascii() => c as u8,
            other => panic!("not in the test's Windows-1251 table: {other}"),
        })
        .collect()
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

#[test]
fn feedback_imports_all_or_nothing_and_reports_response_times() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let db = TestDb::new(backend);
        let url = db.url.as_str();
        write(
            d,
            "orders.csv",
            b"customer,amount,date\nc1,100,2025-01-05\nc2,50,2025-01-06\n",
        );
        let r = run_in(d, &["import", "orders.csv", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);

        // Bad rows: an unknown customer, a date from the future, an unknown severity, a time
        // that is not one, a blank text, a duplicate entry id. Nothing is stored.
        write(
            d,
            "bad.csv",
            "Клиент;Дата;Тип;Важность;Текст;Номер обращения\n\
             c1;05.02.2025 10:00;жалоба;высокая;Курьер опоздал;T1\n\
             nobody;05.02.2025;жалоба;;Кто это;T2\n\
             c2;05.02.2999;жалоба;;Из будущего;T3\n\
             c2;06.02.2025;жалоба;ужасная;Плохо;T4\n\
             c2;06.02.2025 25:61;жалоба;;Время;T5\n\
             c2;07.02.2025;жалоба;;;T6\n\
             c2;08.02.2025;пожелание;;Повтор;T1\n"
                .as_bytes(),
        );
        let r = run_in(
            d,
            &[
                "feedback",
                "import",
                "bad.csv",
                "--rejects",
                "rejects.csv",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(2), "{}\n{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("6 bad row(s): nothing was imported"),
            "{}",
            r.stderr
        );
        for (line, field) in [
            (3, "customer"),
            (4, "date"),
            (5, "severity"),
            (6, "date"),
            (7, "text"),
            (8, "entry_id"),
        ] {
            assert!(
                r.stderr
                    .contains(&format!("bad.csv, line {line}, {field}:")),
                "line {line} {field}: {}",
                r.stderr
            );
        }
        let rejects = std::fs::read_to_string(d.join("rejects.csv")).unwrap();
        assert_eq!(rejects.lines().count(), 7, "{rejects}");
        let r = run_in(
            d,
            &[
                "feedback", "list", "--state", "all", "--format", "json", "--db", url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(json(&r.stdout)["total"], 0, "nothing half-imported");

        // A Windows-1251 export with Russian headers and times.
        let good = "Клиент;Дата;Тип;Категория;Важность;Канал;Текст;Номер обращения\n\
                    c1;05.02.2025 10:00;жалоба;доставка;критическая;телефон;Курьер опоздал;T1\n\
                    c2;06.02.2025 09:30;пожелание;сайт;низкая;почта;Добавьте оплату по СБП;T2\n\
                    c2;07.02.2025;жалоба;доставка;;;Коробка помята;T3\n";
        write(d, "good.csv", &cp1251(good));
        let r = run_in(d, &["feedback", "import", "good.csv", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stdout
                .contains("imported 3 entries, 0 already stored unchanged"),
            "{}",
            r.stdout
        );
        let r = run_in(d, &["feedback", "import", "good.csv", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stdout
                .contains("imported 0 entries, 3 already stored unchanged"),
            "{}",
            r.stdout
        );

        let r = run_in(
            d,
            &[
                "feedback", "list", "--state", "all", "--format", "json", "--db", url,
            ],
        );
        let list = json(&r.stdout);
        assert_eq!(list["total"], 3);
        let items = list["items"].as_array().unwrap().clone();
        let find = |text: &str| items.iter().find(|i| i["text"] == text).unwrap().clone();
        let t1 = find("Курьер опоздал");
        // 2025-02-05 10:00 UTC = 1738749600; critical: first response 4 h, resolution 24 h.
        assert_eq!(t1["received_at"], 1_738_749_600);
        assert_eq!(t1["first_response_due"], 1_738_749_600 + 4 * 3_600);
        assert_eq!(t1["resolution_due"], 1_738_749_600 + 24 * 3_600);
        assert_eq!(t1["severity"], "critical");
        assert_eq!(t1["category"], "доставка");
        assert_eq!(t1["overdue"], true);
        let t2 = find("Добавьте оплату по СБП");
        assert_eq!(t2["kind"], "wish");
        // No time written: the day's start (2025-02-07 = 1738886400), severity normal.
        let t3 = find("Коробка помята");
        assert_eq!(t3["received_at"], 1_738_886_400);
        assert_eq!(t3["severity"], "normal");
        let text = run_in(d, &["feedback", "list", "--db", url]).stdout;
        assert!(text.contains("OVERDUE"), "{text}");

        // open → answered → resolved.
        let id = t1["id"].as_i64().unwrap().to_string();
        let r = run_in(
            d,
            &[
                "feedback",
                "answer",
                &id,
                "--note",
                "Перезвонили",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let r = run_in(
            d,
            &["feedback", "answer", &id, "--note", "Ещё раз", "--db", url],
        );
        assert_ne!(r.code, Some(0));
        assert!(
            r.stderr.contains("already has its first response"),
            "{}",
            r.stderr
        );
        let r = run_in(
            d,
            &[
                "feedback",
                "resolve",
                &id,
                "--note",
                "Вернули деньги за доставку",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let r = run_in(
            d,
            &["feedback", "resolve", "999999", "--note", "x", "--db", url],
        );
        assert_ne!(r.code, Some(0));

        // The report over 2025: all three entries are past both targets (answered late or not
        // at all): 0 of 3 within target. The one answer took (now - 10:00 on 5 Feb) hours.
        let r = run_in(
            d,
            &[
                "feedback",
                "report",
                "--from",
                "2025-01-01",
                "--to",
                "2025-12-31",
                "--format",
                "json",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let rep = json(&r.stdout);
        assert_eq!(rep["overall"]["entries"], 3, "{rep}");
        assert_eq!(rep["overall"]["first_response"]["within"], 0);
        assert_eq!(rep["overall"]["first_response"]["late"], 3);
        assert_eq!(rep["overall"]["first_response"]["share"], 0.0);
        assert_eq!(rep["overall"]["open"], 2);
        let r = run_in(
            d,
            &[
                "feedback", "list", "--state", "resolved", "--format", "json", "--db", url,
            ],
        );
        let resolved = json(&r.stdout)["items"][0].clone();
        let hours =
            (resolved["first_response_at"].as_i64().unwrap() - 1_738_749_600) as f64 / 3_600.0;
        let got = rep["overall"]["median_first_response_hours"]
            .as_f64()
            .unwrap();
        assert!((got - hours).abs() < 1e-9, "{got} vs {hours}");
        assert_eq!(rep["managers"][0]["manager"], Value::Null);
        assert_eq!(
            rep["kinds"][0],
            serde_json::json!({"kind": "complaint", "entries": 2})
        );
        let months: Vec<&str> = rep["categories_by_month"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["month"].as_str().unwrap())
            .collect();
        assert_eq!(months, ["2025-02"]);
        let text = run_in(
            d,
            &[
                "feedback",
                "report",
                "--from",
                "2025-01-01",
                "--to",
                "2025-12-31",
                "--db",
                url,
            ],
        )
        .stdout;
        assert!(
            text.contains("answered within target 0.0% (0 of 3;"),
            "{text}"
        );
        let r = run_in(
            d,
            &[
                "feedback",
                "report",
                "--from",
                "2025-03-01",
                "--to",
                "2025-02-01",
                "--db",
                url,
            ],
        );
        assert_ne!(r.code, Some(0));
        assert!(r.stderr.contains("from"), "{}", r.stderr);

        // Targets.
        let r = run_in(
            d,
            &[
                "feedback",
                "targets",
                "--severity",
                "high",
                "--first-hours",
                "12",
                "--resolution-hours",
                "48",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stdout
                .contains("high      first response within 12 h, resolved within 48 h"),
            "{}",
            r.stdout
        );
        let r = run_in(
            d,
            &[
                "feedback",
                "targets",
                "--severity",
                "high",
                "--first-hours",
                "50",
                "--resolution-hours",
                "48",
                "--db",
                url,
            ],
        );
        assert_ne!(r.code, Some(0));
        let r = run_in(
            d,
            &["feedback", "targets", "--severity", "high", "--db", url],
        );
        assert_ne!(r.code, Some(0), "a severity needs both hours");
        let r = run_in(d, &["feedback", "targets", "--format", "json", "--db", url]);
        assert_eq!(json(&r.stdout)["targets"][2]["first_response_hours"], 12);
    }
}
