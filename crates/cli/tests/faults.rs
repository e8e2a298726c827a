//! Faults injected from outside into the real binary (built for tests with
//! `wellspring-core/fault-injection`; a release build ignores `WELLSPRING_FAULT_FILE`):
//! `stream` stops with exit 1 and one line naming the quarantined sources; `server` answers
//! 503 with a JSON body, says `failed` on `/health` and `0` credited sources on `/metrics`,
//! stops DRBG output at its next reseed, and serves again once the sources heal, without a
//! restart.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::server::ServerProcess;
use common::{ChildGuard, FaultFile, report, wellspring_command};

const SOURCES: &str = "branch_timing,page_fault_timing";

#[test]
fn stream_stops_with_exit_1_naming_the_sources_when_all_are_quarantined() {
    let faults = FaultFile::new("stream");
    let (key, value) = faults.env();
    let mut child = ChildGuard::spawn_logged(
        wellspring_command()
            .args([
                "stream",
                "--bytes",
                "0",
                "--format",
                "raw",
                "--sources",
                SOURCES,
            ])
            .env(key, value)
            .stdout(Stdio::piped()),
    );
    let mut stdout = child.child().stdout.take().unwrap();
    let mut first = [0u8; 4096];
    if let Err(e) = stdout.read_exact(&mut first) {
        panic!("healthy sources stream: {e}: {}", child.describe());
    }
    faults.set("* = stuck\n");
    // Read on until the stream ends: the reservoir drains, then the engine starves.
    let mut rest = Vec::new();
    if let Err(e) = stdout.read_to_end(&mut rest) {
        panic!("reading the stream: {e}: {}", child.describe());
    }
    let out = child.wait_exit(Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", report(&out));
    assert!(
        lines[0].contains("branch_timing") && lines[0].contains("page_fault_timing"),
        "{}",
        report(&out)
    );
    assert!(lines[0].contains("RepetitionCount"), "{}", report(&out));
}

/// Polls `target` until its response contains `needle`; the last response.
fn wait_for(server: &ServerProcess, target: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let text = server
            .fetch(target, Duration::from_secs(30))
            .unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{target} never showed {needle}: {text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

const SHA256: &str = "/api/v1/random?length=16&type=uint8&conditioning=sha256";
/// 1 MiB of DRBG output per request, the DRBG's whole reseed interval.
const DRBG_MIB: &str = "/api/v1/random?length=1024&type=hex16&size=1024&conditioning=drbg";

#[test]
fn server_fails_closed_while_sources_are_broken_and_serves_again_when_they_heal() {
    let faults = FaultFile::new("server");
    let server = ServerProcess::start(&["--sources", SOURCES], &[faults.env()]);
    wait_for(&server, SHA256, "\"success\":true");
    assert!(
        server
            .fetch(DRBG_MIB, Duration::from_secs(30))
            .unwrap()
            .starts_with("HTTP/1.1 200")
    );

    faults.set("branch_timing = stuck\npage_fault_timing = biased\n");
    let health = wait_for(&server, "/health", "\"status\":\"failed\"");
    assert!(health.contains("\"sources_healthy\":0"), "{health}");
    let metrics = server.fetch("/metrics", Duration::from_secs(10)).unwrap();
    assert!(
        metrics.contains("\nwellspring_credited_sources 0\n"),
        "{metrics}"
    );
    assert!(metrics.contains("\nwellspring_quarantined_sources 2\n"));
    // Full-entropy output stops once what the reservoir held is gone: 503 with a JSON body.
    let refused = wait_for(&server, SHA256, "HTTP/1.1 503");
    assert!(refused.contains("\"success\":false"), "{refused}");
    assert!(refused.contains("application/json"), "{refused}");
    // The DRBG serves at most what its last seed allows, then stops at its reseed.
    let mut served = 0;
    loop {
        let text = server.fetch(DRBG_MIB, Duration::from_secs(60)).unwrap();
        if text.starts_with("HTTP/1.1 503") {
            assert!(text.contains("\"success\":false"), "{text}");
            break;
        }
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        served += 1;
        assert!(served <= 2, "DRBG output went on past its reseed");
    }

    faults.set("");
    wait_for(&server, "/health", "\"status\":\"ok\"");
    wait_for(&server, SHA256, "\"success\":true");
    let drbg = wait_for(&server, DRBG_MIB, "HTTP/1.1 200");
    assert!(drbg.contains("\"success\":true"));
}
