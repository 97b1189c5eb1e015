//! `clientele users list|disable|enable|remove|revoke-token` end to end (issue 23, item 5): each
//! change shows in `users list --format json`, a reissued token is printed once, and the last
//! enabled admin or an unknown name is refused with exit code 2 and a message.

#[allow(dead_code)]
mod common;

use std::path::Path;

use common::{Run, run_in};
use serde_json::Value;

fn users(dir: &Path, url: &str) -> Vec<Value> {
    run_in(dir, &["users", "list", "--format", "json", "--db", url])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn user<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {list:?}"))
}

fn last_line(run: &Run) -> String {
    run.stdout.lines().last().unwrap_or_default().to_string()
}

#[test]
fn users_are_disabled_enabled_revoked_and_removed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("clientele.db").display());
    let at = dir.path();
    run_in(
        at,
        &["users", "add", "ada", "--role", "admin", "--db", &url],
    )
    .ok();
    let first = last_line(
        &run_in(
            at,
            &["users", "add", "sam", "--role", "analyst", "--db", &url],
        )
        .ok(),
    );
    assert!(first.starts_with("clt_"), "{first}");

    let list = users(at, &url);
    assert_eq!(list.len(), 2);
    assert!(user(&list, "sam")["disabled_at"].is_null());
    assert_eq!(user(&list, "sam")["active_tokens"], 1);

    let run = run_in(at, &["users", "disable", "sam", "--db", &url]).ok();
    assert!(run.stderr.contains("disabled"), "{}", run.stderr);
    assert!(
        user(&users(at, &url), "sam")["disabled_at"]
            .as_i64()
            .is_some()
    );
    run_in(at, &["users", "enable", "sam", "--db", &url]).ok();
    assert!(user(&users(at, &url), "sam")["disabled_at"].is_null());

    let run = run_in(
        at,
        &["users", "revoke-token", "sam", "--reissue", "--db", &url],
    )
    .ok();
    let second = last_line(&run);
    assert!(
        second.starts_with("clt_") && second != first,
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("1 token(s) of 'sam' revoked"),
        "{}",
        run.stderr
    );
    assert_eq!(user(&users(at, &url), "sam")["active_tokens"], 1);
    let run = run_in(at, &["users", "revoke-token", "sam", "--db", &url]).ok();
    assert!(run.stdout.is_empty(), "no token printed: {}", run.stdout);
    assert_eq!(user(&users(at, &url), "sam")["active_tokens"], 0);

    run_in(at, &["users", "remove", "sam", "--db", &url]).ok();
    let list = users(at, &url);
    assert_eq!(list.len(), 1, "{list:?}");

    for args in [["users", "disable", "ada"], ["users", "remove", "ada"]] {
        let run = run_in(at, &[&args[..], &["--db", &url]].concat());
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("only enabled admin"), "{}", run.stderr);
    }
    let run = run_in(at, &["users", "remove", "nobody", "--db", &url]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("finding user 'nobody'"),
        "{}",
        run.stderr
    );
    assert_eq!(users(at, &url).len(), 1);
}
