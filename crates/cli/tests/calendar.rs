//! `clientele calendar import|upcoming|send` end to end: the real binary over a SQLite file and
//! a real PostgreSQL server: a personal-dates file (all or nothing), the upcoming occasions in
//! the JSON shape with a greeting per customer, hostile flags, and a greeting sent
//! through the policy into the contact log.

#[allow(dead_code)]
mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use clientele_testdb::{Backend, TestDb};
use common::run_in;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn dates_in_occasions_out_and_a_greeting_sent_through_the_binary() {
    for backend in Backend::ALL {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let db = TestDb::new(backend);
        let url = db.url.as_str();
        write(
            d,
            "orders.csv",
            "customer,amount,date,category\nc1,100,2025-01-05,Tea\nc2,50,2025-01-06,Coffee\nc3,70,2025-01-07,Tea\n",
        );
        write(
            d,
            "customers.csv",
            "customer,name,email\nc1,Anna Petrova,c1@example.com\nc2,Boris,\nc3,Anna Petrova,c3@example.com\n",
        );
        let r = run_in(
            d,
            &[
                "import",
                "orders.csv",
                "--customers",
                "customers.csv",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        write(
            d,
            "consents.csv",
            "customer,channel,consent,date\nc1,email,yes,2025-02-01\n",
        );
        let r = run_in(d, &["contacts", "import", "consents.csv", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);

        // One bad row: nothing added, the line and column named.
        write(
            d,
            "bad.csv",
            "Клиент;Повод;Дата\nc1;navy_day;\nc2;birthday;31.02.1990\n",
        );
        let r = run_in(d, &["calendar", "import", "bad.csv", "--db", url]);
        assert_eq!(r.code, Some(2), "{}", r.stdout);
        assert!(r.stderr.contains("line 3: date:"), "{}", r.stderr);
        write(
            d,
            "dates.csv",
            "Клиент;Повод;Дата\nc1;navy_day;\nc3;День ВМФ;последнее воскресенье июля\nc2;birthday;25.07.1990\n",
        );
        let r = run_in(d, &["calendar", "import", "dates.csv", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(
            r.stdout.trim(),
            "3 personal dates read, 3 added (0 already on file)"
        );

        // Navy Day 2030 is Sunday 28 July; Boris's birthday the 25th.
        let args = [
            "calendar",
            "upcoming",
            "--from",
            "2030-07-20",
            "--days",
            "10",
            "--format",
            "json",
            "--db",
            url,
        ];
        let r = run_in(d, &args);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let list: Value = serde_json::from_str(&r.stdout).unwrap();
        let list = list.as_array().unwrap();
        for o in list {
            let keys: BTreeSet<&str> = o.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["channel", "customer_id", "date", "greeting", "occasion"])
            );
        }
        let got: Vec<(&str, &str, &str, Option<&str>)> = list
            .iter()
            .map(|o| {
                (
                    o["customer_id"].as_str().unwrap(),
                    o["occasion"].as_str().unwrap(),
                    o["date"].as_str().unwrap(),
                    o["channel"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("c2", "birthday", "2030-07-25", None),
                ("c1", "navy_day", "2030-07-28", Some("email")),
                // A label the catalogue does not know is its own occasion, in lower case.
                ("c3", "день вмф", "2030-07-28", None),
            ]
        );
        let greetings: HashSet<&str> = list
            .iter()
            .map(|o| o["greeting"].as_str().unwrap())
            .collect();
        assert_eq!(greetings.len(), 3);
        assert!(
            list[1]["greeting"]
                .as_str()
                .unwrap()
                .contains("Anna Petrova")
        );
        assert!(list[1]["greeting"].as_str().unwrap().contains("Tea"));
        // Listed again: the same texts (the drafts are kept).
        let again = run_in(d, &args);
        assert_eq!(again.stdout, r.stdout);

        // Hostile flags name themselves.
        for (flags, expected) in [
            (vec!["--days", "0"], "--days 0: expected 1 to 366"),
            (vec!["--days", "400"], "--days 400"),
            (
                vec!["--manager", "nobody"],
                "--manager nobody: no such user",
            ),
            (vec!["--from", "2030-02-30"], "--from"),
            (vec!["--at", "25:00"], "--at 25:00"),
        ] {
            let mut a = vec!["calendar", "upcoming", "--db", url];
            a.extend(flags);
            let r = run_in(d, &a);
            assert_eq!(r.code, Some(2), "{a:?}");
            assert!(r.stderr.contains(expected), "{a:?}: {}", r.stderr);
        }

        // The text form numbers the drafts; c1's is sent by e-mail and logged.
        let r = run_in(
            d,
            &[
                "calendar",
                "upcoming",
                "--from",
                "2030-07-20",
                "--days",
                "10",
                "--db",
                url,
            ],
        );
        let line = r.stdout.lines().find(|l| l.contains("(c1)")).unwrap();
        assert!(
            line.contains("navy_day") && line.contains("by email"),
            "{line}"
        );
        let draft = line
            .split("draft ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .unwrap();
        write(d, "text.txt", "Dear Anna, happy Navy Day! Yours, the shop");
        let r = run_in(
            d,
            &["calendar", "send", draft, "--text", "text.txt", "--db", url],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(r.stdout.contains("planned on email"), "{}", r.stdout);
        let r = run_in(d, &["calendar", "send", draft, "--db", url]);
        assert_eq!(r.code, Some(2));
        assert!(r.stderr.contains("sent greeting"), "{}", r.stderr);
        let r = run_in(
            d,
            &[
                "contacts",
                "log",
                "--customer",
                "c1",
                "--format",
                "json",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let log: Value = serde_json::from_str(&r.stdout).unwrap();
        let rows = log.as_array().unwrap();
        assert_eq!(rows.len(), 1, "{log}");
        assert_eq!(rows[0]["module"], "calendar");
        assert_eq!(rows[0]["kind"], "greeting");
        let r = run_in(
            d,
            &[
                "calendar",
                "upcoming",
                "--from",
                "2030-07-20",
                "--days",
                "10",
                "--db",
                url,
            ],
        );
        let line = r.stdout.lines().find(|l| l.contains("(c1)")).unwrap();
        assert!(line.ends_with("sent"), "{line}");
        assert!(
            r.stdout.contains("Dear Anna, happy Navy Day!"),
            "{}",
            r.stdout
        );
    }
}
