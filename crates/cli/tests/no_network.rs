//! A default run sends nothing off the machine: every socket address that any source
//! connects or sends to is loopback or a Unix socket. Checked by tracing the system calls
//! of `wellspring bench --sources all` with strace.

mod common;

use common::{report, require_tool};

use std::process::Command;

#[test]
fn default_sources_only_talk_to_loopback() {
    if !require_tool("strace", "strace") {
        return;
    }
    let log = std::env::temp_dir().join(format!("ws-strace-{}.log", std::process::id()));
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_wellspring"))
        .args(["bench", "--sources", "all", "--samples", "300", "--json"])
        .env_remove("WELLSPRING_NET_TARGET")
        .env_remove("WELLSPRING_DNS_NAME")
        .output()
        .expect("run strace");
    // strace exits with the traced command's status; its own messages share stderr.
    assert!(out.status.success(), "strace wellspring: {}", report(&out));
    let trace = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let mut inet = 0;
    for line in trace.lines() {
        for family in ["AF_INET6", "AF_INET"] {
            if line.contains(family) {
                inet += 1;
                assert!(
                    line.contains("127.0.0.1") || line.contains("::1"),
                    "non-loopback traffic: {line}"
                );
                break;
            }
        }
        // No name resolution: nothing talks to a resolver on port 53.
        assert!(!line.contains("htons(53)"), "DNS query: {line}");
    }
    // The loopback sources did run, so the trace saw real connects.
    assert!(
        inet > 0,
        "no loopback connect traced:\n{trace}\nstrace wellspring: {}",
        report(&out)
    );
}
