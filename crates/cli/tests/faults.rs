//! Faults injected from outside into the real binary (built for tests with
//! `wellspring-core/fault-injection`; a release build ignores `WELLSPRING_FAULT_FILE`):
//! `stream` stops with exit 1 and one line naming the quarantined sources; `server` answers
//! 503 with a JSON body at once (the failures revoke the reservoir's blocks and the DRBG
//! buffer), says `failed` on `/health` and `0` credited sources on `/metrics`, and serves
//! again once the sources heal, without a restart; a DRBG `stream` stops within a few MiB of
//! the failure even with the reservoir full.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::server::ServerProcess;
use common::{ChildGuard, FaultFile, report, stdout_json_of, wellspring_command};

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
/// 32 KiB of DRBG output: less than the server keeps buffered.
const DRBG_SMALL: &str = "/api/v1/random?length=16&type=hex16&size=1024&conditioning=drbg";
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
    // The failures took back the failed sources' unserved credit: every block the reservoir
    // held rested on them and was revoked, so full-entropy output stops at once (it used to
    // drain the reservoir first): 503 with a JSON body.
    let refused = server.fetch(SHA256, Duration::from_secs(60)).unwrap();
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("\"success\":false"), "{refused}");
    assert!(refused.contains("application/json"), "{refused}");
    // The DRBG's seed was revoked and the buffer of output made from it (up to 256 KiB)
    // dropped: a request the buffer could have served is refused (it was served).
    let text = server.fetch(DRBG_SMALL, Duration::from_secs(60)).unwrap();
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("\"success\":false"), "{text}");
    // Each refusal is logged below ERROR (the quarantines are the WARN lines that say why);
    // every 503 was an ERROR line before.
    let log = server.stderr_text();
    let refusals: Vec<&str> = log.lines().filter(|l| l.contains("503")).collect();
    assert!(!refusals.is_empty(), "{log}");
    assert!(
        refusals
            .iter()
            .all(|l| l.contains(" INFO ") && !l.contains("ERROR")),
        "{log}"
    );

    faults.set("");
    wait_for(&server, "/health", "\"status\":\"ok\"");
    wait_for(&server, SHA256, "\"success\":true");
    let drbg = wait_for(&server, DRBG_MIB, "HTTP/1.1 200");
    assert!(drbg.contains("\"success\":true"));
}

/// Most DRBG output a `stream` may write after every source is made to fail: what the pipe
/// and the stream's two generator threads hold (a 192 KiB piece each), plus at most 1 MiB
/// per DRBG handle before its due reseed takes blocks (harvesting, and with it the health
/// tests, resume only when the reservoir has room), plus less than 64 KiB per handle after
/// the failure revokes its seed. Under the old rule it ran on for about 1 GiB.
const STREAM_BOUND: usize = 64 << 20;

#[test]
fn a_drbg_stream_stops_within_a_few_mib_of_every_source_failing_with_the_reservoir_full() {
    let faults = FaultFile::new("stream-drbg");
    let (key, value) = faults.env();
    let mut child = ChildGuard::spawn_logged(
        wellspring_command()
            .args([
                "stream",
                "--bytes",
                "0",
                "--format",
                "raw",
                "--conditioning",
                "drbg",
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
    // Not reading: the stream blocks on the pipe, and the engine, with nobody drawing,
    // fills its reservoir (2,048 blocks, 1,024 reseeds). Its fill takes a few seconds; a
    // partly filled one still held hundreds of MiB of reseeds under the old rule, so the
    // wait is not a bound the test depends on.
    std::thread::sleep(Duration::from_secs(10));
    faults.set("* = stuck\n");
    let mut after = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match stdout.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => after += n,
            Err(e) => panic!("reading the stream: {e}: {}", child.describe()),
        }
        assert!(
            after <= STREAM_BOUND,
            "the stream wrote more than {STREAM_BOUND} bytes after every source failed"
        );
    }
    let out = child.wait_exit(Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("RepetitionCount"), "{}", report(&out));
    println!("{after} bytes after the fault");
}

/// A source whose second half of a collection is stuck, and one whose second half is biased:
/// `bench` and `probe` (cutoffs from the first half, tests on the second) say which test
/// failed, the count it saw and the cutoff that count reached, in text and in `--json`.
#[test]
fn bench_and_probe_say_which_test_failed_with_its_count_and_cutoff() {
    let faults = FaultFile::new("bench-reasons");
    faults.set("branch_timing = stuck-late\npage_fault_timing = biased-late\n");
    let (key, value) = faults.env();
    let bench = ["bench", "--sources", SOURCES, "--samples", "20000"];

    let mut command = wellspring_command();
    command.env(key, value);
    let json = stdout_json_of(command, &[&bench[..], &["--json"]].concat());
    let source = |name: &str| {
        json["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {json}"))
            .clone()
    };
    let stuck = source("branch_timing");
    assert_eq!(stuck["healthy"], false, "{stuck}");
    let failed = &stuck["failed_test"];
    assert_eq!(failed["test"], "rct", "{stuck}");
    // The whole tested half (10,000 samples) is one run.
    assert_eq!(failed["observed"], 10_000, "{stuck}");
    let rct_cutoff = failed["cutoff"].as_u64().unwrap();
    assert!(rct_cutoff > 1 && rct_cutoff < 10_000, "{stuck}");
    assert_eq!(failed["window"], serde_json::Value::Null, "{stuck}");
    assert_eq!(failed["persistent"], false, "{stuck}");
    let why = stuck["health_failure"].as_str().unwrap();
    assert!(
        why.starts_with(&format!(
            "RepetitionCount test (RCT): a run of 10000 identical samples reached the cutoff \
             {rct_cutoff}"
        )),
        "{why}"
    );

    let biased = source("page_fault_timing");
    assert_eq!(biased["healthy"], false, "{biased}");
    let failed = &biased["failed_test"];
    assert_eq!(failed["test"], "apt", "{biased}");
    assert_eq!(failed["window"], 512, "{biased}");
    let (observed, apt_cutoff) = (
        failed["observed"].as_u64().unwrap(),
        failed["cutoff"].as_u64().unwrap(),
    );
    // Four samples in five are one value: about 410 in most windows.
    assert!(observed >= apt_cutoff && observed <= 512, "{biased}");
    assert!(observed >= 400, "{biased}");
    assert!(
        biased["health_failure"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "AdaptiveProportion test (APT): one value {observed} times in a 512-sample \
                 window reached the cutoff {apt_cutoff}"
            )),
        "{biased}"
    );

    // The text table says it too, in a few words. (A second run: the counts are the
    // same for the stuck source, and for the biased one its cutoff comes from fresh samples.)
    let out = wellspring_command()
        .args(bench)
        .env(key, value)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", report(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_owned()
    };
    let stuck_line = line("branch_timing");
    assert!(
        stuck_line.contains("FAILED (RCT: run of 10000, cutoff "),
        "{text}"
    );
    let biased_line = line("page_fault_timing");
    assert!(biased_line.contains("FAILED (APT: "), "{text}");
    assert!(biased_line.contains(" of 512, cutoff "), "{text}");

    // probe: the same reason, and what its two entropy figures are.
    let probe = ["probe", "page_fault_timing", "--samples", "20000"];
    let mut command = wellspring_command();
    command.env(key, value);
    let json = stdout_json_of(command, &[&probe[..], &["--json"]].concat());
    assert_eq!(json["failed_test"]["test"], "apt", "{json}");
    assert_eq!(
        json["failed_test"]["cutoff"], json["health"]["apt_cutoff"],
        "{json}"
    );
    assert_eq!(
        json["failed_test"]["observed"], json["health"]["max_apt_count"],
        "{json}"
    );
    let out = wellspring_command()
        .args(probe)
        .env(key, value)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", report(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("non-IID assessment of all 20000 samples"),
        "{text}"
    );
    assert!(
        text.contains("health        FAILED (APT: ")
            && text.contains("on the second half (10000 samples)"),
        "{text}"
    );
    assert!(
        text.contains("the first half's own assessment (10000 samples)"),
        "{text}"
    );
    assert!(
        text.contains("AdaptiveProportion test (APT): one value "),
        "{text}"
    );
}
