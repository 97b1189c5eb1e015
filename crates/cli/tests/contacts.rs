//! `clientele contacts import|plan|log` end to end: the real binary over a SQLite file and a
//! real PostgreSQL server: a consents file in Russian, a plan through the policy in every
//! format, refused files that write nothing, and the contact log.

#[allow(dead_code)]
mod common;

use std::path::Path;

use clientele_testdb::{Backend, TestDb};
use common::run_in;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn consents_plans_and_the_log_through_the_binary() {
    for backend in Backend::ALL {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let db = TestDb::new(backend);
        let url = db.url.as_str();
        write(
            d,
            "orders.csv",
            "customer,amount,date\nc1,100,2025-01-05\nc2,50,2025-01-06\nc3,70,2025-01-07\n",
        );
        write(
            d,
            "customers.csv",
            "customer,email,phone\nc1,c1@example.com,\nc2,,+79001234567\nc3,c3@example.com,\n",
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

        // A consents file with one unknown customer writes nothing and names the line.
        write(
            d,
            "bad.csv",
            "Клиент;Канал;Согласие;Дата;Источник\nc1;e-mail;да;01.02.2025;анкета\nc9;смс;да;01.02.2025;анкета\n",
        );
        let r = run_in(d, &["contacts", "import", "bad.csv", "--db", url]);
        assert_eq!(r.code, Some(2), "{}", r.stdout);
        assert!(
            r.stderr.contains("line 3: customer: no customer 'c9'"),
            "{}",
            r.stderr
        );
        write(
            d,
            "consents.csv",
            "Клиент;Канал;Согласие;Дата;Источник\nc1;e-mail;да;01.02.2025;анкета\nc2;смс;да;01.02.2025;анкета\nc3;e-mail;да;01.02.2025;анкета\nc3;e-mail;нет;20.02.2025;звонок\n",
        );
        let r = run_in(d, &["contacts", "import", "consents.csv", "--db", url]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(
            r.stdout.trim(),
            "4 consents read, 4 recorded (0 already on file)"
        );

        write(
            d,
            "plan.csv",
            "customer,kind,module,subject,priority\nc1,greeting,calendar,birthday,1\nc1,offer,campaigns,spring sale,0\nc1,survey,surveys,NPS,-1\nc2,notice,notices,new hours,0\nc3,offer,campaigns,spring sale,0\n",
        );
        let r = run_in(
            d,
            &[
                "contacts",
                "plan",
                "plan.csv",
                "--day",
                "2025-03-10",
                "--dry-run",
                "--format",
                "json",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        let decisions: Vec<(&str, &str)> = v["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["decision"].as_str().unwrap(),
                    c["refusal"]
                        .as_str()
                        .unwrap_or(c["channel"].as_str().unwrap_or("")),
                )
            })
            .collect();
        assert_eq!(
            decisions,
            vec![
                ("send", "email"),
                ("send", "email"),
                ("refused", "weekly_cap_reached"),
                ("send", "sms"),
                ("refused", "no_consented_channel"),
            ]
        );
        // 10:00 Moscow (UTC+3) is 07:00 UTC.
        assert_eq!(v["contacts"][0]["at"], "2025-03-10T07:00:00Z");
        let r = run_in(d, &["contacts", "log", "--db", url]);
        assert_eq!(
            r.stdout.trim(),
            "no contacts logged for this selection",
            "a dry run records nothing"
        );

        let r = run_in(
            d,
            &[
                "contacts",
                "plan",
                "plan.csv",
                "--day",
                "10.03.2025",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stdout.contains(
                "3 allowed (email 2, sms 1), 2 refused; recorded in the contact log as planned"
            ),
            "{}",
            r.stdout
        );
        let r = run_in(
            d,
            &[
                "contacts", "log", "--format", "csv", "--module", "calendar", "--db", url,
            ],
        );
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(
            lines[0],
            "customer_id,time,channel,kind,module,state,subject,author"
        );
        assert_eq!(
            lines[1],
            "c1,2025-03-10T07:00:00Z,email,greeting,calendar,planned,birthday,clientele contacts plan"
        );
        assert_eq!(lines.len(), 2);
        let r = run_in(
            d,
            &[
                "contacts",
                "log",
                "--format",
                "csv",
                "--channel",
                "sms",
                "--db",
                url,
            ],
        );
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(lines.len(), 2, "the one SMS planned: {}", r.stdout);
        assert!(lines[1].contains(",sms,"), "{}", lines[1]);
        let r = run_in(
            d,
            &[
                "contacts",
                "log",
                "--format",
                "csv",
                "--outcome",
                "answered",
                "--db",
                url,
            ],
        );
        assert_eq!(
            r.stdout.lines().count(),
            1,
            "no call was made: {}",
            r.stdout
        );
        // Planning again the same day: the caps remember what was planned.
        let r = run_in(
            d,
            &[
                "contacts",
                "plan",
                "plan.csv",
                "--day",
                "2025-03-11",
                "--format",
                "csv",
                "--db",
                url,
            ],
        );
        assert!(
            r.stdout.lines().filter(|l| l.contains(",send,")).count() == 1,
            "only the notice to c2 fits: {}",
            r.stdout
        );

        // Hostile input: bad flags and files name what is wrong; nothing is written.
        for (args, needle) in [
            (
                vec!["contacts", "plan", "plan.csv", "--day", "2025-13-01"],
                "--day",
            ),
            (
                vec![
                    "contacts",
                    "plan",
                    "plan.csv",
                    "--day",
                    "2025-03-10",
                    "--at",
                    "25:00",
                ],
                "--at 25:00",
            ),
            (
                vec![
                    "contacts",
                    "plan",
                    "plan.csv",
                    "--day",
                    "2025-03-10",
                    "--time-zone",
                    "Mars/Base",
                ],
                "time zone",
            ),
            (vec!["contacts", "log", "--limit", "0"], "--limit"),
            (vec!["contacts", "log", "--state", "lost"], "--state lost"),
            (vec!["contacts", "log", "--channel", "fax"], "--channel fax"),
            (
                vec!["contacts", "log", "--outcome", "maybe"],
                "--outcome maybe",
            ),
            (vec!["contacts", "log", "--customer", "nobody"], "nobody"),
        ] {
            let mut all = args.clone();
            all.extend(["--db", url]);
            let r = run_in(d, &all);
            assert_eq!(r.code, Some(2), "{args:?}: {}", r.stdout);
            assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        }
        write(
            d,
            "hostile.csv",
            "customer,kind,subject,priority\nc1,spam,x,0\nc1,offer,,0\nc1,offer,x,99999\n",
        );
        let r = run_in(
            d,
            &[
                "contacts",
                "plan",
                "hostile.csv",
                "--day",
                "2025-03-10",
                "--db",
                url,
            ],
        );
        assert_eq!(r.code, Some(2));
        for needle in ["line 2: kind", "line 3: subject", "line 4: priority"] {
            assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
        }
    }
}
