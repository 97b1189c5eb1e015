//! `clientele playbook`, `queue`, `winback` and `campaign` end to end: the real binary over a
//! SQLite file and a real PostgreSQL server. Twelve regulars scored without a model; a saved
//! playbook with one action for regulars; the queue in every format with the interface's JSON
//! keys, done and snooze; a win-back case opened, attempted, listed and reported; a campaign
//! created (its id the last line), listed and reported "too early" with no NaN. Hostile
//! arguments fail with exit code 2 and name what is wrong.

#[allow(dead_code)]
mod common;

use std::path::Path;

use clientele_testdb::{Backend, TestDb};
use common::{Run, run_in};
use serde_json::Value;

const PLAYBOOK: &str = r#"
[[play]]
rung = "regular"
budget_per_customer = 100

[[play.action]]
code = "remind"
kind = "reminder"
offer = "A reminder with bonus points"
channels = ["email", "phone"]
cost_per_contact = 10
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn ok(r: Run) -> Run {
    assert_eq!(
        r.code,
        Some(0),
        "stdout: {}\nstderr: {}",
        r.stdout,
        r.stderr
    );
    r
}

fn fails(r: Run, says: &str) {
    assert_eq!(
        r.code,
        Some(2),
        "stdout: {}\nstderr: {}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stderr.contains(says),
        "expected '{says}' in: {}",
        r.stderr
    );
}

#[test]
fn playbook_queue_winback_and_campaign_commands_through_the_binary() {
    // The documented defaults need no database.
    let dir = tempfile::tempdir().unwrap();
    let r = ok(run_in(dir.path(), &["playbook"]));
    assert!(r.stdout.contains("[[play]]") && r.stdout.contains("[newcomers]"));
    assert!(
        r.stdout.contains("budget_per_customer = 3000"),
        "{}",
        r.stdout
    );

    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let db = TestDb::new(backend);
        let url = db.url.as_str();
        let mut orders = String::from("customer,amount,date\n");
        for i in 0..12 {
            for m in 1..=3 {
                orders.push_str(&format!("a{i:02},{},2025-0{m}-05\n", 100 + i * 10));
            }
        }
        write(d, "orders.csv", &orders);
        ok(run_in(d, &["import", "orders.csv", "--db", url]));
        ok(run_in(
            d,
            &[
                "score",
                "--as-of",
                "2025-04-20",
                "--model",
                "none",
                "--db",
                url,
            ],
        ));
        ok(run_in(
            d,
            &["users", "add", "ann", "--role", "admin", "--db", url],
        ));

        // The playbook: a bad file names its key and saves nothing; a good one is in force.
        write(d, "bad.toml", &PLAYBOOK.replace("= 10", "= 10.00001"));
        fails(
            run_in(
                d,
                &[
                    "playbook", "--save", "bad.toml", "--user", "ann", "--db", url,
                ],
            ),
            "play[0].action[0].cost_per_contact",
        );
        fails(
            run_in(d, &["playbook", "--save", "bad.toml", "--db", url]),
            "--user",
        );
        write(d, "playbook.toml", PLAYBOOK);
        let r = ok(run_in(
            d,
            &[
                "playbook",
                "--save",
                "playbook.toml",
                "--user",
                "ann",
                "--db",
                url,
            ],
        ));
        assert_eq!(r.stdout.trim(), "1");
        let r = ok(run_in(d, &["playbook", "--current", "--db", url]));
        assert_eq!(r.stdout, PLAYBOOK);

        // The queue: JSON with the interface's keys, CSV and text.
        let q = &["queue", "--date", "2025-04-21", "--db", url];
        let r = ok(run_in(d, &[&q[..], &["--format", "json"]].concat()));
        let items: Value = serde_json::from_str(&r.stdout).unwrap();
        let items = items.as_array().unwrap();
        assert_eq!(items.len(), 12);
        for item in items {
            for key in [
                "customer_id",
                "manager",
                "action",
                "channel",
                "reason",
                "value_at_stake",
                "clv_horizon_days",
            ] {
                assert!(item.get(key).is_some(), "{key} missing in {item}");
            }
            assert_eq!(item["action"], "remind");
            // No consent anywhere: no channel, and the reason why.
            assert_eq!(item["channel"], Value::Null);
            assert_eq!(item["blocked"]["code"], "no_consented_channel");
            // No model: no value at stake, and no horizon claimed for it (the snapshot
            // recorded none; the lists say the same).
            assert_eq!(item["value_at_stake"], Value::Null);
            assert_eq!(item["clv_horizon_days"], Value::Null);
        }
        // Without values at stake the order is the customers' (by store id, i.e. import order).
        assert_eq!(items[0]["customer_id"], "a00");
        let r = ok(run_in(
            d,
            &[&q[..], &["--format", "csv", "--limit", "3"]].concat(),
        ));
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(lines.len(), 4, "{}", r.stdout);
        assert!(lines[0].starts_with("customer_id,name,manager,action,channel"));
        let r = ok(run_in(d, &q[..]));
        assert!(r.stdout.contains("remind: not to be sent"), "{}", r.stdout);
        assert!(r.stderr.contains("playbook version 1"), "{}", r.stderr);
        for (args, says) in [
            (vec!["--limit", "0"], "limit"),
            (vec!["--manager", "nobody"], "nobody"),
            (vec!["--date", "2025-02-30"], "--date"),
        ] {
            fails(run_in(d, &[&q[..], &args[..]].concat()), says);
        }

        // Done and snooze.
        let done = ok(run_in(
            d,
            &[
                "queue",
                "done",
                "--customer",
                "a00",
                "--action",
                "remind",
                "--channel",
                "phone",
                "--outcome",
                "answered",
                "--date",
                "2025-04-21",
                "--user",
                "ann",
                "--db",
                url,
            ],
        ));
        assert!(done.stderr.contains("cost 10.00"), "{}", done.stderr);
        ok(run_in(
            d,
            &[
                "queue",
                "snooze",
                "--customer",
                "a01",
                "--action",
                "remind",
                "--until",
                "2025-04-25",
                "--date",
                "2025-04-21",
                "--user",
                "ann",
                "--db",
                url,
            ],
        ));
        fails(
            run_in(
                d,
                &[
                    "queue",
                    "done",
                    "--customer",
                    "a02",
                    "--action",
                    "remind",
                    "--channel",
                    "fax",
                    "--outcome",
                    "answered",
                    "--user",
                    "ann",
                    "--db",
                    url,
                ],
            ),
            "--channel fax",
        );
        fails(
            run_in(
                d,
                &[
                    "queue",
                    "done",
                    "--customer",
                    "zz",
                    "--action",
                    "remind",
                    "--channel",
                    "phone",
                    "--outcome",
                    "answered",
                    "--user",
                    "ann",
                    "--db",
                    url,
                ],
            ),
            "zz",
        );
        let r = ok(run_in(d, &[&q[..], &["--format", "json"]].concat()));
        let items: Value = serde_json::from_str(&r.stdout).unwrap();
        let items = items.as_array().unwrap();
        assert_eq!(items.len(), 11, "a01 is snoozed");
        assert_eq!(items[0]["outcome"], "answered");
        assert!(r.stderr.contains("1 snoozed"), "{}", r.stderr);
        let r = ok(run_in(
            d,
            &["contacts", "log", "--customer", "a00", "--db", url],
        ));
        assert!(r.stdout.contains("queue: remind"), "{}", r.stdout);

        // A win-back case: open, attempt, list, report.
        let r = ok(run_in(
            d,
            &[
                "winback",
                "open",
                "--customer",
                "a03",
                "--reason",
                "price",
                "--offer",
                "10% off",
                "--channel",
                "phone",
                "--date",
                "2025-04-21",
                "--user",
                "ann",
                "--db",
                url,
            ],
        ));
        let case = r.stdout.split_whitespace().last().unwrap().to_string();
        ok(run_in(
            d,
            &[
                "winback",
                "attempt",
                &case,
                "--channel",
                "phone",
                "--outcome",
                "promised",
                "--date",
                "2025-04-22",
                "--user",
                "ann",
                "--db",
                url,
            ],
        ));
        fails(
            run_in(
                d,
                &[
                    "winback",
                    "attempt",
                    &case,
                    "--channel",
                    "phone",
                    "--outcome",
                    "shrug",
                    "--user",
                    "ann",
                    "--db",
                    url,
                ],
            ),
            "shrug",
        );
        let r = ok(run_in(
            d,
            &["winback", "list", "--format", "json", "--db", url],
        ));
        let cases: Value = serde_json::from_str(&r.stdout).unwrap();
        let cases = cases["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0]["customer_id"], "a03");
        assert_eq!(cases[0]["reason"], "price");
        let r = ok(run_in(
            d,
            &["winback", "report", "--format", "json", "--db", url],
        ));
        assert!(!r.stdout.contains("NaN"));
        let report: Value = serde_json::from_str(&r.stdout).unwrap();
        assert!(report.is_object(), "{report}");

        // A campaign: the id is the last line; the report is too early and has no NaN.
        let r = ok(run_in(
            d,
            &[
                "campaign",
                "create",
                "--name",
                "Spring",
                "--rung",
                "regular",
                "--control",
                "0.25",
                "--seed",
                "11",
                "--start",
                "2025-04-21",
                "--db",
                url,
            ],
        ));
        let id = r.stdout.lines().last().unwrap().trim().to_string();
        assert!(id.parse::<i64>().is_ok(), "{}", r.stdout);
        assert!(r.stderr.contains("9 treated, 3 control"), "{}", r.stderr);
        fails(
            run_in(
                d,
                &[
                    "campaign",
                    "create",
                    "--name",
                    "Bad",
                    "--control",
                    "1.5",
                    "--db",
                    url,
                ],
            ),
            "control",
        );
        let r = ok(run_in(
            d,
            &["campaign", "list", "--format", "json", "--db", url],
        ));
        let list: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        let r = ok(run_in(
            d,
            &[
                "campaign",
                "report",
                &id,
                "--as-of",
                "2025-04-25",
                "--format",
                "json",
                "--db",
                url,
            ],
        ));
        assert!(!r.stdout.contains("NaN"));
        let report: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(report["verdict"], "too_early", "{report}");
        assert_eq!(report["treated"]["n"], 9);
        assert_eq!(report["control"]["n"], 3);
        fails(
            run_in(d, &["campaign", "report", "999", "--db", url]),
            "999",
        );
    }
}
