//! The `wellspring` binary as a user runs it: exit codes, exact byte counts, JSON shapes.

mod common;

use common::{report, running_as_root, stdout_json, wellspring, wellspring_ok};

use std::process::Command;

use base64::Engine as _;

#[test]
fn stream_writes_exactly_n_bytes_in_every_format() {
    let raw = wellspring_ok(&["stream", "--bytes", "1000", "--format", "raw"]);
    assert_eq!(raw.stdout.len(), 1000, "{}", report(&raw));

    let hex = wellspring_ok(&["stream", "--bytes", "1000", "--format", "hex"]);
    let text = std::str::from_utf8(&hex.stdout)
        .unwrap_or_else(|e| panic!("hex is not UTF-8 ({e}): {}", report(&hex)));
    let text = text.trim_end();
    assert_eq!(text.len(), 2000, "{}", report(&hex));
    assert!(
        text.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{}",
        report(&hex)
    );

    let b64 = wellspring_ok(&["stream", "--bytes", "1000", "--format", "base64"]);
    let decoded = decode_base64(&b64);
    assert_eq!(decoded.len(), 1000, "{}", report(&b64));

    // Sizes that are not a multiple of 3 or of the internal chunk size.
    for n in ["1", "2", "65539", "200001"] {
        let out = wellspring_ok(&[
            "stream",
            "--bytes",
            n,
            "--format",
            "base64",
            "--conditioning",
            "raw",
        ]);
        let decoded = decode_base64(&out);
        assert_eq!(decoded.len().to_string(), n, "{}", report(&out));
    }
}

/// The bytes a `--format base64` run wrote, failing with the child's status and stderr when
/// its stdout is not base64.
fn decode_base64(out: &std::process::Output) -> Vec<u8> {
    let text = std::str::from_utf8(&out.stdout)
        .unwrap_or_else(|e| panic!("base64 is not UTF-8 ({e}): {}", report(out)));
    base64::engine::general_purpose::STANDARD
        .decode(text.trim_end())
        .unwrap_or_else(|e| panic!("not base64 ({e}): {}", report(out)))
}

#[test]
fn conditioned_megabyte_has_uniform_byte_frequencies() {
    let out = wellspring_ok(&["stream", "--bytes", "1048576", "--format", "raw"]);
    assert_eq!(out.stdout.len(), 1 << 20, "{}", report(&out));
    let mut counts = [0f64; 256];
    for b in &out.stdout {
        counts[*b as usize] += 1.0;
    }
    let expected = (1 << 20) as f64 / 256.0;
    let chi2: f64 = counts
        .iter()
        .map(|c| (c - expected).powi(2) / expected)
        .sum();
    // 255 degrees of freedom: P(chi2 > 345) and P(chi2 < 175) are each below 1e-4.
    assert!(
        (175.0..345.0).contains(&chi2),
        "chi-square {chi2}: {}",
        report(&out)
    );
}

#[test]
fn scan_lists_at_least_eight_available_sources() {
    let json = stdout_json(&["scan", "--json"]);
    let sources = json["sources"].as_array().unwrap();
    let available = sources.iter().filter(|s| s["available"] == true).count();
    assert!(available >= 8, "{available}");
    let clock = sources
        .iter()
        .find(|s| s["name"] == "clock_jitter")
        .unwrap();
    assert_eq!(clock["category"], "timing");
    assert!(clock["reason"].is_null());
    assert!(clock["description"].as_str().unwrap().len() > 50);
}

#[test]
fn probe_reports_count_entropy_and_time() {
    // branch_timing: strong enough everywhere for health cutoffs (a source too weak to
    // credit, as clock_jitter is on an AMD EPYC VM, reports `"health": null`).
    let json = stdout_json(&["probe", "branch_timing", "--samples", "5000", "--json"]);
    assert_eq!(json["name"], "branch_timing");
    assert_eq!(json["samples"], 5000);
    let shannon = json["shannon"].as_f64().unwrap();
    assert!(shannon > 0.0 && shannon <= 8.0);
    assert!(json["seconds"].as_f64().unwrap() > 0.0);
    assert!(json["min_entropy"].as_f64().unwrap() <= shannon);
    assert!(json["health"]["rct_cutoff"].as_u64().unwrap() >= 2);
}

#[test]
fn pool_json_reports_every_selected_source() {
    // Each source's first full-size measurement usually ends within 5 s; on a loaded machine
    // it may not, so the run is repeated, longer each time, until both are measured (the
    // test is about what is reported, not how fast).
    let measured = |json: &serde_json::Value| {
        json["sources"]
            .as_array()
            .is_some_and(|s| s.iter().all(|s| s["min_entropy"].is_f64()))
    };
    let mut json = serde_json::Value::Null;
    for seconds in ["5", "15", "45"] {
        json = stdout_json(&[
            "pool",
            "--sources",
            "clock_jitter,branch_timing",
            "--seconds",
            seconds,
            "--json",
        ]);
        if measured(&json) {
            break;
        }
    }
    let sources = json["sources"].as_array().unwrap();
    let names: Vec<&str> = sources
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clock_jitter", "branch_timing"]);
    assert_eq!(json["sources_total"], 2);
    for source in sources {
        assert!(source["samples"].as_u64().unwrap() > 0, "{source}");
        // Measured (on a full-size sample: nothing else is reported).
        assert!(source["min_entropy"].as_f64().unwrap() > 0.0, "{source}");
        assert!(source["quarantined"].is_boolean());
    }
    // Credit is the sum of the sources' credit, and blocks never outrun it.
    let credited = json["credited_bits"].as_f64().unwrap();
    let per_source: f64 = sources
        .iter()
        .map(|s| s["credited_bits"].as_f64().unwrap())
        .sum();
    assert!((credited - per_source).abs() < 1e-6 * credited.max(1.0));
    assert!(json["blocks_produced"].as_f64().unwrap() * 320.0 <= credited + 1e-6);
    assert!(json["reseeds"].is_u64() && json["quarantined"].is_array());
    // The accounting contract (docs/API.md and docs/CONDITIONING.md, "pool --json").
    assert!(json["blocks_revoked"].is_u64());
    assert_eq!(json["diversity"], "ok", "two correlation families");
    assert_eq!(json["max_family_share"], 0.5);
    assert!(json["family_shares"].is_object());
    for source in sources {
        let origin = source["assessment"].as_str().unwrap_or("null");
        assert!(
            ["startup", "stored", "full", "trusted", "null"].contains(&origin),
            "{source}"
        );
        assert!(source["family"].is_string() && source["assessment_samples"].is_u64());
        if origin == "startup" {
            assert_eq!(
                source["credited_bits"], 0.0,
                "a start-up estimate earns nothing"
            );
        }
    }
}

#[test]
fn platform_generators_alone_fail_fast_naming_the_flag() {
    let start = std::time::Instant::now();
    let out = wellspring(&[
        "--assessment-cache",
        "off",
        "stream",
        "--sources",
        "os_random",
        "--bytes",
        "32",
    ]);
    let elapsed = start.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(5),
        "took {elapsed:?}: {}",
        report(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let stderr = std::str::from_utf8(&out.stderr)
        .unwrap_or_else(|e| panic!("stderr is not UTF-8 ({e}): {}", report(&out)));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{}", report(&out));
    assert!(stderr.contains("--trust-platform"), "{}", report(&out));
    assert!(out.stdout.is_empty(), "{}", report(&out));
    // Raw output of the same source is research, not credit: it works.
    let raw = wellspring_ok(&[
        "stream",
        "--sources",
        "os_random",
        "--unconditioned",
        "--bytes",
        "32",
    ]);
    assert_eq!(raw.stdout.len(), 32, "{}", report(&raw));
    // Trusted by name, it is credited at its vendor claim.
    let json = stdout_json(&[
        "--assessment-cache",
        "off",
        "--trust-platform",
        "os_random",
        "pool",
        "--sources",
        "os_random",
        "--seconds",
        "0.5",
        "--json",
    ]);
    assert_eq!(json["sources"][0]["assessment"], "trusted");
    assert_eq!(json["diversity"], "single-family");
}

/// An error the program writes itself: exit 2 and one line naming the problem.
fn assert_usage_error(args: &[&str], mentions: &str) {
    let out = wellspring(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
    let stderr = std::str::from_utf8(&out.stderr)
        .unwrap_or_else(|e| panic!("{args:?}: stderr is not UTF-8 ({e}): {}", report(&out)));
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{args:?}: one line: {}",
        report(&out)
    );
    assert!(stderr.contains(mentions), "{args:?}: {}", report(&out));
    assert!(out.stdout.is_empty(), "{args:?}: {}", report(&out));
}

/// A mistake the argument parser finds: exit 2 and clap's whole message, naming the problem
/// and ending with the pointer to `--help` (tests/parser_errors.rs has the rest).
fn assert_parser_error(args: &[&str], mentions: &str) {
    let out = wellspring(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
    let stderr = std::str::from_utf8(&out.stderr)
        .unwrap_or_else(|e| panic!("{args:?}: stderr is not UTF-8 ({e}): {}", report(&out)));
    assert!(
        stderr.contains(mentions)
            && stderr.trim_end().lines().count() > 1
            && stderr.contains("For more information, try '--help'"),
        "{args:?}: {}",
        report(&out)
    );
    assert!(out.stdout.is_empty(), "{args:?}: {}", report(&out));
}

#[test]
fn bad_usage_exits_2_naming_the_problem() {
    assert_usage_error(&["probe", "no_such_source"], "no_such_source");
    assert_usage_error(
        &["stream", "--sources", "clock_jitter,nope", "--bytes", "8"],
        "nope",
    );
    assert_parser_error(&["stream", "--format", "octal"], "octal");
    assert_parser_error(&["stream", "--bytes", "-5"], "-5");
    assert_parser_error(&["stream", "--frobnicate"], "--frobnicate");
    assert_parser_error(&["probe", "clock_jitter", "--samples", "0"], "0");
    assert_parser_error(&["no-such-command"], "no-such-command");
    assert_usage_error(
        &["--trust-platform", "clock_jitter", "stream", "--bytes", "8"],
        "clock_jitter",
    );
    for budget in ["0", "1000", "NaN", "two"] {
        assert_parser_error(&["--cpu-budget", budget, "pool"], "--cpu-budget");
    }
    assert_parser_error(&["--cpu-budget", "-1", "pool"], "-1");
}

/// A source the user names that does not exist, or cannot run here (`camera` without a
/// `[camera]` table), is a usage error in every command that takes one: exit 2, one line.
#[test]
fn an_unknown_or_unavailable_source_is_a_usage_error_everywhere() {
    let dir = std::env::temp_dir().join(format!("ws-named-sources-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // An empty config file of our own, so no `[camera]` table of the user's makes the camera
    // available.
    let config = dir.join("config.toml");
    std::fs::write(&config, "").unwrap();
    let config = config.to_str().unwrap();
    let sessions = dir.join("sessions");
    let sessions = sessions.to_str().unwrap();
    for (source, mentions) in [
        ("camera", "is not available here"),
        ("clock_jiter", "clock_jiter"),
    ] {
        for command in [
            &["probe", source][..],
            &["stream", "--sources", source, "--bytes", "8"],
            &["bench", "--sources", source],
            &["pool", "--sources", source, "--seconds", "0.5"],
            &[
                "record",
                "--sources",
                source,
                "--samples",
                "10",
                "--output",
                sessions,
            ],
            &["assess", "--source", source, "--samples", "100"],
            &["report", "--source", source, "--samples", "100"],
            &["analyze", "--sources", source, "--samples", "1024"],
        ] {
            let mut args = vec!["--config", config];
            args.extend_from_slice(command);
            assert_usage_error(&args, mentions);
        }
    }
    assert!(
        !std::path::Path::new(sessions).exists(),
        "record made a session folder"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_cpu_budget_reaches_the_engine() {
    let json = stdout_json(&[
        "--cpu-budget",
        "0.75",
        "pool",
        "--sources",
        "clock_jitter",
        "--seconds",
        "1",
        "--json",
    ]);
    assert_eq!(json["cpu_budget"], 0.75);
    let json = stdout_json(&[
        "pool",
        "--sources",
        "clock_jitter",
        "--seconds",
        "1",
        "--json",
    ]);
    assert_eq!(json["cpu_budget"], 1.0, "the default is one core");
    // After the subcommand too; there it wins over the one before it.
    let json = stdout_json(&[
        "--cpu-budget",
        "0.5",
        "pool",
        "--sources",
        "clock_jitter",
        "--seconds",
        "1",
        "--cpu-budget",
        "0.75",
        "--json",
    ]);
    assert_eq!(json["cpu_budget"], 0.75);
}

/// `--cpu-budget` and `--trust-platform` are the engine's: only the commands that run it list
/// and take them (before or after the subcommand); any other refuses them instead of
/// ignoring them.
#[test]
fn engine_flags_belong_to_the_engine_commands_only() {
    let help = |command: &str| {
        let out = wellspring_ok(&[command, "--help"]);
        String::from_utf8(out.stdout).unwrap()
    };
    for command in [
        "compare", "analyze", "assess", "report", "record", "scan", "probe",
    ] {
        let text = help(command);
        assert!(
            !text.contains("--cpu-budget") && !text.contains("--trust-platform"),
            "{command} --help:\n{text}"
        );
    }
    for command in [
        "stream",
        "pool",
        "feed-kernel",
        "device",
        "monitor",
        "server",
    ] {
        let text = help(command);
        assert!(
            text.contains("--cpu-budget") && text.contains("--trust-platform"),
            "{command} --help:\n{text}"
        );
    }
    let text = help("--help");
    assert!(
        text.contains("--cpu-budget") && text.contains("--trust-platform"),
        "{text}"
    );
    // Before another command: one line, exit 2, naming the flag.
    assert_usage_error(&["--cpu-budget", "1", "scan"], "--cpu-budget");
    assert_usage_error(&["--trust-platform", "rdseed", "scan"], "--trust-platform");
    // After it: the parser's own error.
    assert_parser_error(&["scan", "--cpu-budget", "1"], "--cpu-budget");
}

#[test]
fn help_succeeds_and_shows_examples() {
    let out = wellspring_ok(&["stream", "--help"]);
    let help = std::str::from_utf8(&out.stdout)
        .unwrap_or_else(|e| panic!("help is not UTF-8 ({e}): {}", report(&out)));
    assert!(help.contains("Examples"), "{help}\n{}", report(&out));
}

#[test]
fn feed_kernel_credits_as_root_and_fails_clearly_without_privilege() {
    let am_root = running_as_root();
    if am_root {
        let out = wellspring_ok(&[
            "feed-kernel",
            "--count",
            "1",
            "--interval",
            "0",
            "--bytes",
            "32",
        ]);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("256 bits"),
            "{}",
            report(&out)
        );
    }
    // As an unprivileged user (dropped with util-linux setpriv when we are root).
    let mut command = if am_root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_wellspring"),
        ]);
        c
    } else {
        common::wellspring_command()
    };
    let out = command
        .args(["feed-kernel", "--count", "1"])
        .output()
        .expect("run wellspring");
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let stderr = std::str::from_utf8(&out.stderr)
        .unwrap_or_else(|e| panic!("stderr is not UTF-8 ({e}): {}", report(&out)));
    assert!(stderr.contains("needs root"), "{}", report(&out));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{}", report(&out));
}
