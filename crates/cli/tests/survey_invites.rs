//! `clientele surveys create|list|invite|close` end to end on SQLite and a real PostgreSQL
//! server: invitations go through the contact policy (consent withdrawn, none given), each link
//! is unique, a person is invited at most once per period whatever the survey, and bad flags
//! are refused naming the flag.

#[allow(dead_code)]
mod common;

use std::collections::HashSet;
use std::path::Path;

use clientele_testdb::{Backend, TestDb};
use common::run_in;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn invitations_follow_the_contact_policy_and_the_period() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let db = TestDb::new(backend);
        let url = db.url.as_str();
        write(
            d,
            "orders.csv",
            "customer,amount,date\nc1,100,2025-01-05\nc2,50,2025-01-06\nc3,70,2025-01-07\nc4,70,2025-01-08\n",
        );
        write(
            d,
            "customers.csv",
            "customer,email,phone\nc1,c1@example.com,\nc2,,+79001234567\nc3,c3@example.com,\nc4,c4@example.com,\n",
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
        // c1 consents to e-mail, c2 to SMS, c3 withdrew, c4 was never asked.
        write(
            d,
            "consents.csv",
            "Клиент;Канал;Согласие;Дата;Источник\nc1;e-mail;да;01.02.2025;анкета\nc2;смс;да;01.02.2025;анкета\nc3;e-mail;да;01.02.2025;анкета\nc3;e-mail;нет;20.02.2025;звонок\n",
        );
        let r = run_in(d, &["contacts", "import", "consents.csv", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let r = run_in(d, &["score", "--model", "none", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);

        let r = run_in(d, &["surveys", "list", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(r.stdout.contains("no surveys yet"), "{}", r.stdout);
        let r = run_in(
            d,
            &[
                "surveys",
                "create",
                "pulse",
                "--touchpoint",
                "delivery",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stdout
                .contains("survey 'pulse' created: nps on 0-10, links open 30 day(s)"),
            "{}",
            r.stdout
        );
        let r = run_in(d, &["surveys", "create", "pulse", "--db", url]);
        assert_eq!(r.code, Some(2), "{}", r.stdout);
        assert!(r.stderr.contains("already exists"), "{}", r.stderr);
        let r = run_in(
            d,
            &["surveys", "create", "stars", "--kind", "csat", "--db", url],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);

        // Bad flags name themselves and invite no one.
        for (args, expect) in [
            (vec!["--survey", "nope"], "survey nope: no such survey"),
            (vec!["--survey", "pulse", "--limit", "0"], "limit 0"),
            (vec!["--survey", "pulse", "--rung", "king"], "--rung king"),
            (
                vec!["--survey", "pulse", "--base-url", "javascript:alert(1)"],
                "--base-url javascript:alert(1)",
            ),
            (vec!["--survey", "pulse", "--at", "25:00"], "--at 25:00"),
        ] {
            let mut all = vec!["surveys", "invite", "--db", url];
            if !args.contains(&"--base-url") {
                all.extend(["--base-url", "https://feedback.example.com/"]);
            }
            all.extend(args.iter().copied());
            let r = run_in(d, &all);
            assert_eq!(r.code, Some(2), "{args:?}: {}", r.stdout);
            assert!(r.stderr.contains(expect), "{args:?}: {}", r.stderr);
        }

        let invite = |survey: &str| {
            run_in(
                d,
                &[
                    "surveys",
                    "invite",
                    "--survey",
                    survey,
                    "--base-url",
                    "https://feedback.example.com/",
                    "--db",
                    url,
                ],
            )
        };
        let r = invite("pulse");
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(lines[0], "customer_id,link,channel,send_at");
        assert_eq!(lines.len(), 3, "{}", r.stdout);
        let mut secrets = HashSet::new();
        for (line, (customer, channel)) in lines[1..].iter().zip([("c1", "email"), ("c2", "sms")]) {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells[0], customer, "{line}");
            assert_eq!(cells[2], channel, "{line}");
            let secret = cells[1]
                .strip_prefix("https://feedback.example.com/s/")
                .unwrap_or_else(|| panic!("{line}"));
            assert_eq!(secret.len(), 32, "{line}");
            assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
            assert!(secrets.insert(secret.to_string()), "{line}");
        }
        assert!(
            r.stderr.contains("2 invited to survey 'pulse'"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains("2 not invited by the contact policy: 2 no_consented_channel"),
            "{}",
            r.stderr
        );

        // Within the period nobody is invited again, to this survey or another.
        for survey in ["pulse", "stars"] {
            let r = invite(survey);
            assert_eq!(r.code, Some(0), "{}", r.stderr);
            assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
            assert!(r.stderr.contains("0 invited"), "{}", r.stderr);
        }
        let r = run_in(d, &["surveys", "list", "--format", "json", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let list = r.json();
        let pulse = list
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "pulse")
            .unwrap();
        assert_eq!(pulse["invited"], 2);
        assert_eq!(pulse["answered"], 0);
        assert_eq!(pulse["touchpoint"], "delivery");

        // A closed survey invites no one.
        let r = run_in(d, &["surveys", "close", "stars", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        // Closed as of the second it ran: answers and invitations after it are refused.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let r = invite("stars");
        assert_eq!(r.code, Some(2), "{}", r.stdout);
        assert!(r.stderr.contains("survey stars: is closed"), "{}", r.stderr);

        // The contact log holds each invitation as a planned survey contact.
        let r = run_in(
            d,
            &[
                "contacts", "log", "--module", "surveys", "--format", "csv", "--db", url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(
            r.stdout.matches(",survey,surveys,planned,").count(),
            2,
            "{}",
            r.stdout
        );
    }
}
