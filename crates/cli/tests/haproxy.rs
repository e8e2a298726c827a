//! The shipped HAProxy configuration (deploy/haproxy/haproxy.cfg) in front of a real server,
//! replaying the security review's forgery: behind `option forwardfor`, a client that sends
//! its own `X-Forwarded-For` line (a new address each request) is still limited as itself.
//!
//! The client connects from 127.0.0.2 (curl `--interface`), HAProxy reaches the server from
//! 127.0.0.1, the only `--trusted-proxy`; readiness is polled from 127.0.0.3, so no probe
//! spends the client's tokens.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::ServerProcess;
use common::{ChildGuard, free_port, require_tool, tool_path};

/// The HTTP status curl got for `url` from the loopback address `source`, with extra
/// `headers`; 0 when there was no answer.
fn status_via(source: &str, url: &str, headers: &[String]) -> u16 {
    let mut curl = Command::new("curl");
    curl.args([
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "30",
    ])
    .args(["--interface", source]);
    for header in headers {
        curl.args(["-H", header]);
    }
    let out = curl.arg(url).stderr(Stdio::inherit()).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

#[test]
fn behind_the_shipped_haproxy_config_a_forged_forwarded_line_does_not_escape_the_limit() {
    if !require_tool("haproxy", "haproxy") || !require_tool("curl", "curl") {
        return;
    }
    let server = ServerProcess::start(
        &[
            "--sources",
            "branch_timing",
            "--trusted-proxy",
            "127.0.0.1",
            "--rate-limit",
            "2/s",
        ],
        &[],
    );
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/haproxy/haproxy.cfg"
    );
    let lb_port = free_port();
    let replica = format!("127.0.0.1:{}", server.port);
    let mut haproxy = ChildGuard::spawn_logged(
        Command::new(tool_path("haproxy").unwrap())
            .args(["-db", "-f", config])
            .env("WELLSPRING_LB_BIND", format!("127.0.0.1:{lb_port}"))
            .env("WELLSPRING_REPLICA_A", &replica)
            .env("WELLSPRING_REPLICA_B", &replica)
            .stdout(Stdio::null()),
    );
    let lb = format!("http://127.0.0.1:{lb_port}");
    // Up once its health checks have seen the replica (from another address than the
    // client's, and with requests the rate limit charges to that address).
    let started = Instant::now();
    while status_via("127.0.0.3", &format!("{lb}/ready"), &[]) != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "HAProxy never served /ready: {}",
            haproxy.describe()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let random = format!("{lb}/api/v1/random?length=1&type=uint8");
    let started = Instant::now();
    let statuses: Vec<u16> = (1..=20)
        .map(|i| {
            // The forged line comes first; HAProxy appends the client's real address.
            status_via(
                "127.0.0.2",
                &random,
                &[format!("X-Forwarded-For: 203.0.113.{i}")],
            )
        })
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    let served = statuses.iter().filter(|s| **s == 200).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    // A burst of 2, and 2 more each second the requests took: forged addresses, each a
    // bucket of its own, would have let all 20 through.
    let allowed = 2 + (2.0 * elapsed).ceil() as usize;
    assert!(
        served <= allowed && served + limited == 20 && limited > 0,
        "{served} served, {limited} limited in {elapsed:.1} s: {statuses:?}"
    );
    drop(haproxy);
    drop(server);
}
