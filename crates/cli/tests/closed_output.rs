//! A reader that stops reading (`clientele playbook | head -1`) ends the command quietly with
//! success, as other command-line tools do; it must never panic ("failed printing to stdout").

use std::process::{Command, Stdio};

#[test]
fn a_closed_standard_output_ends_the_command_without_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clientele"))
        .arg("playbook")
        .env("LANG", "C.UTF-8")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start clientele");
    // Close the read end before the command writes: its first write fails with a broken pipe
    // (Rust ignores SIGPIPE), which is what `| head` does to a longer output.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for clientele");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}
