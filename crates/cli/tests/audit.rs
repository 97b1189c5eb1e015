//! `clientele audit` end to end (issue 23, item 8): the audit log newest first, filtered by
//! user, action and days, paged with `--before`, as text, JSON and CSV; hostile flags exit 2
//! naming the flag.

#[allow(dead_code)]
mod common;

use common::run_in;

#[test]
fn the_audit_log_is_read_filtered_and_paged_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("clientele.db").display());
    let at = dir.path();
    for (name, role) in [("ada", "admin"), ("max", "manager"), ("sam", "analyst")] {
        run_in(at, &["users", "add", name, "--role", role, "--db", &url]).ok();
    }
    run_in(at, &["users", "disable", "sam", "--db", &url]).ok();

    let all = run_in(at, &["audit", "--format", "json", "--db", &url])
        .ok()
        .json();
    let actions: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user disabled", "user added", "user added", "user added"],
        "newest first"
    );
    assert!(all["next_before"].is_null());

    let added = run_in(
        at,
        &[
            "audit",
            "--action",
            "user added",
            "--limit",
            "2",
            "--format",
            "json",
            "--db",
            &url,
        ],
    )
    .ok()
    .json();
    let page: Vec<&str> = added["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(page, ["sam (analyst)", "max (manager)"]);
    let before = added["next_before"].as_i64().expect("a second page");
    let rest = run_in(
        at,
        &[
            "audit",
            "--action",
            "user added",
            "--before",
            &before.to_string(),
            "--format",
            "csv",
            "--db",
            &url,
        ],
    )
    .ok();
    let lines: Vec<&str> = rest.stdout.lines().collect();
    assert_eq!(lines[0], "id,at_utc,user,action,customer_id,detail");
    assert_eq!(lines.len(), 2, "{}", rest.stdout);
    assert!(
        lines[1].ends_with(",user added,,ada (admin)"),
        "{}",
        rest.stdout
    );

    let text = run_in(at, &["audit", "--action", "user disabled", "--db", &url]).ok();
    assert!(
        text.stdout.contains("  user disabled  sam (analyst)"),
        "{}",
        text.stdout
    );
    let none = run_in(at, &["audit", "--to", "2001-01-01", "--db", &url]).ok();
    assert_eq!(none.stdout, "");
    assert!(
        none.stderr.contains("no audit entry matches"),
        "{}",
        none.stderr
    );

    let long = "x".repeat(5000);
    for (args, flag) in [
        (vec!["--from", "2026-02-30"], "--from 2026-02-30"),
        (vec!["--to", "+2024-+1-+1"], "--to +2024-+1-+1"),
        (vec!["--limit", "1000000"], "--limit 1000000"),
        (
            vec!["--user", long.as_str()],
            "--user has 5000 characters; at most 200",
        ),
        (
            vec!["--from", "2026-12-02", "--to", "2026-12-01"],
            "--to 2026-12-01 is before",
        ),
    ] {
        let mut argv = vec!["audit"];
        argv.extend(args);
        argv.extend(["--db", &url]);
        let run = run_in(at, &argv);
        assert_eq!(run.code, Some(2), "{argv:?}: {}", run.stderr);
        assert!(run.stderr.contains(flag), "{argv:?}: {}", run.stderr);
    }
}
