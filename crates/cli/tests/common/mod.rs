//! Helpers shared by the CLI's integration tests.

/// Whether the tests run as root (real uid 0), read from /proc so no `unsafe` is needed.
pub(crate) fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"))
}
