//! Helpers shared by the CLI's integration tests.

// Each test file is its own crate and uses a different subset of these.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs the `wellspring` binary built for these tests.
pub(crate) fn wellspring(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wellspring"))
        .args(args)
        .output()
        .expect("run wellspring")
}

/// Runs `wellspring`, requires success, and parses its stdout as one JSON document.
pub(crate) fn stdout_json(args: &[&str]) -> serde_json::Value {
    let out = wellspring(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// Whether the tests run as root (real uid 0), read from /proc so no `unsafe` is needed.
pub(crate) fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"))
}
