//! bench, completions, the config file and NO_COLOR.

mod common;

use common::require_tool;

use std::process::{Command, Output};

fn wellspring(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wellspring"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn bench_ranks_fast_sources_best_first_with_correlations() {
    let out = wellspring(&["bench", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
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
    let out = wellspring(&[
        "bench",
        "--sources",
        "clock_jitter",
        "--samples",
        "1000",
        "--explain",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("monotonic clock"));
    let probe = wellspring(&["probe", "clock_jitter", "--samples", "1000", "--explain"]);
    assert!(String::from_utf8_lossy(&probe.stdout).contains("monotonic clock"));
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = wellspring(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for command in ["stream", "probe", "monitor", "device"] {
            assert!(text.contains(command), "{shell} completion lacks {command}");
        }
    }
    assert_eq!(wellspring(&["completions", "tcsh"]).status.code(), Some(2));
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
        "sources = \"clock_jitter\"\nconditioning = \"drbg\"\n",
    );
    let path = path.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["--config", path, "pool", "--seconds", "0.2", "--json"];
        args.extend_from_slice(extra);
        let out = wellspring(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(&[]), ["clock_jitter"]);
    assert_eq!(run(&["--sources", "tsc_jitter"]), ["tsc_jitter"]);
    let streamed = wellspring(&["--config", path, "stream", "--bytes", "100"]);
    assert_eq!(streamed.stdout.len(), 100);
}

#[test]
fn bad_config_is_a_one_line_usage_error() {
    let path = write_config("bad", "sorces = \"clock_jitter\"\n");
    let out = wellspring(&["--config", path.to_str().unwrap(), "scan"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("sorces"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1);
    let out = wellspring(&["--config", "/nonexistent/ws.toml", "scan"]);
    assert_eq!(out.status.code(), Some(2));
    let bad_mode = write_config("mode", "conditioning = \"md5\"\n");
    assert_eq!(
        wellspring(&["--config", bad_mode.to_str().unwrap(), "scan"])
            .status
            .code(),
        Some(2)
    );
}

/// Runs `scan` on a pseudo-terminal (util-linux `script`), where styling is allowed.
fn scan_on_a_terminal(no_color: bool) -> String {
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
    let out = command.output().expect("run script");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_color_turns_styling_off_on_a_terminal() {
    // util-linux's `script`, packaged in Debian's bsdutils.
    if !require_tool("script", "bsdutils") {
        return;
    }
    let styled = scan_on_a_terminal(false);
    assert!(
        styled.contains("\x1b[1m"),
        "expected a bold header on a terminal: {styled:?}"
    );
    let plain = scan_on_a_terminal(true);
    assert!(
        plain.contains("SOURCE") && !plain.contains("\x1b["),
        "{plain:?}"
    );
    // And never when stdout is not a terminal.
    let piped = wellspring(&["scan"]);
    assert!(!String::from_utf8_lossy(&piped.stdout).contains("\x1b["));
}
