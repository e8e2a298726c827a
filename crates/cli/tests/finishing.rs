//! bench, completions, the config file and NO_COLOR.

mod common;

use common::{report, require_tool, stdout_json, wellspring, wellspring_ok};

use std::process::{Command, Output};

#[test]
fn bench_ranks_fast_sources_best_first_with_correlations() {
    let json = stdout_json(&["bench", "--json"]);
    let sources = json["sources"].as_array().unwrap();
    assert!(sources.len() >= 5);
    let h: Vec<f64> = sources
        .iter()
        .map(|s| s["min_entropy"].as_f64().unwrap())
        .collect();
    assert!(h.windows(2).all(|w| w[0] >= w[1]), "not ranked: {h:?}");
    for s in sources {
        for key in [
            "name",
            "category",
            "samples_per_second",
            "shannon",
            "min_entropy",
            "grade",
            "healthy",
        ] {
            assert!(!s[key].is_null(), "{key} missing in {s}");
        }
        assert_ne!(s["category"], "platform", "platform generators are opt-in");
        assert!(s["min_entropy"].as_f64().unwrap() > 0.0, "{s}");
    }
    let correlations = json["correlations"].as_array().unwrap();
    assert!(!correlations.is_empty());
    assert!(
        correlations
            .iter()
            .all(|c| c["r"].as_f64().unwrap().abs() <= 1.0)
    );
}

#[test]
fn bench_explain_prints_the_physics_note() {
    let out = wellspring_ok(&[
        "bench",
        "--sources",
        "clock_jitter",
        "--samples",
        "1000",
        "--explain",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("monotonic clock"), "{text}\n{}", report(&out));
    let probe = wellspring_ok(&["probe", "clock_jitter", "--samples", "1000", "--explain"]);
    let text = String::from_utf8_lossy(&probe.stdout);
    assert!(
        text.contains("monotonic clock"),
        "{text}\n{}",
        report(&probe)
    );
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = wellspring_ok(&["completions", shell]);
        let text = std::str::from_utf8(&out.stdout)
            .unwrap_or_else(|e| panic!("{shell}: not UTF-8 ({e}): {}", report(&out)));
        for command in ["stream", "probe", "monitor", "device"] {
            assert!(
                text.contains(command),
                "{shell} completion lacks {command}: {}",
                report(&out)
            );
        }
    }
    let out = wellspring(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
}

fn write_config(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("ws-config-{}-{name}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn config_file_supplies_defaults_and_flags_override_it() {
    let path = write_config(
        "ok",
        // branch_timing: a source credited on every machine the suite has met (clock_jitter
        // is too weak to credit on an AMD EPYC VM, so `stream` would wait and fail there).
        "sources = \"branch_timing\"\nconditioning = \"drbg\"\n",
    );
    let path = path.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["--config", path, "pool", "--seconds", "0.2", "--json"];
        args.extend_from_slice(extra);
        let json = stdout_json(&args);
        json["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(&[]), ["branch_timing"]);
    assert_eq!(run(&["--sources", "tsc_jitter"]), ["tsc_jitter"]);
    let streamed = wellspring_ok(&["--config", path, "stream", "--bytes", "100"]);
    assert_eq!(streamed.stdout.len(), 100, "{}", report(&streamed));
}

#[test]
fn bad_config_is_a_one_line_usage_error() {
    let path = write_config("bad", "sorces = \"clock_jitter\"\n");
    let out = wellspring(&["--config", path.to_str().unwrap(), "scan"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    let stderr = std::str::from_utf8(&out.stderr)
        .unwrap_or_else(|e| panic!("stderr is not UTF-8 ({e}): {}", report(&out)));
    assert!(stderr.contains("sorces"), "{}", report(&out));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{}", report(&out));
    let out = wellspring(&["--config", "/nonexistent/ws.toml", "scan"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    let bad_mode = write_config("mode", "conditioning = \"md5\"\n");
    let out = wellspring(&["--config", bad_mode.to_str().unwrap(), "scan"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    // An unquoted value: TOML alone said "invalid boolean"; the message says what the key
    // takes.
    let bare = write_config("bare", "sources = timing\n");
    let out = wellspring(&["--config", bare.to_str().unwrap(), "scan"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sources takes a comma-separated string or a list of strings"),
        "{}",
        report(&out)
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{}", report(&out));
}

/// Runs `scan` on a pseudo-terminal (util-linux `script`), where styling is allowed; what
/// `script` saw, the terminal's text (the child's stdout and stderr) on its stdout.
fn scan_on_a_terminal(no_color: bool) -> Output {
    let mut command = Command::new("script");
    command.args([
        "-qec",
        &format!("{} scan", env!("CARGO_BIN_EXE_wellspring")),
        "/dev/null",
    ]);
    if no_color {
        command.env("NO_COLOR", "1");
    } else {
        command.env_remove("NO_COLOR");
    }
    command.output().expect("run script")
}

#[test]
fn no_color_turns_styling_off_on_a_terminal() {
    // util-linux's `script`, packaged in Debian's bsdutils.
    if !require_tool("script", "bsdutils") {
        return;
    }
    let out = scan_on_a_terminal(false);
    let styled = String::from_utf8_lossy(&out.stdout);
    assert!(
        styled.contains("\x1b[1m"),
        "expected a bold header on a terminal: {styled:?}\nscript: {}",
        report(&out)
    );
    let out = scan_on_a_terminal(true);
    let plain = String::from_utf8_lossy(&out.stdout);
    assert!(
        plain.contains("SOURCE") && !plain.contains("\x1b["),
        "{plain:?}\nscript: {}",
        report(&out)
    );
    // And never when stdout is not a terminal.
    let piped = wellspring(&["scan"]);
    assert!(
        !String::from_utf8_lossy(&piped.stdout).contains("\x1b["),
        "{}",
        report(&piped)
    );
}
