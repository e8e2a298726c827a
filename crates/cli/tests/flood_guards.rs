//! Defaults that must not flood: `stream` with no flags refuses to write endless binary to a
//! terminal (one line, exit 2) but still streams to a pipe, and to a terminal with
//! `--bytes`; `record` states the expected size before it starts and `--max-bytes` stops it
//! at or under the cap. The terminal is a pseudo-terminal made by util-linux `script`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{ChildGuard, report, require_tool, wellspring_command, wellspring_ok};

/// A fresh folder of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ws-floods-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `wellspring ARGS` on a pseudo-terminal (stdout and stderr both the terminal), with
/// the warm cache of [`wellspring_command`]; what the terminal showed is the output's
/// stdout, and `script -e` exits with the command's status. At most `limit`: a command that
/// floods the terminal forever fails the test instead of hanging it. `name` names the
/// scratch folder.
fn on_a_terminal(name: &str, args: &str, limit: Duration) -> Output {
    let dir = scratch(name);
    let shown = dir.join("terminal.txt");
    let mut command = Command::new("script");
    command
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_wellspring")),
            "/dev/null",
        ])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&shown).unwrap());
    for (key, value) in wellspring_command().get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    let mut out = ChildGuard::spawn_logged(&mut command).wait_exit(limit);
    out.stdout = std::fs::read(&shown).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn stream_with_no_flags_refuses_a_terminal_with_one_line() {
    // util-linux's `script`, packaged in Debian's bsdutils.
    if !require_tool("script", "bsdutils") {
        return;
    }
    let out = on_a_terminal("no-flags", "stream", Duration::from_secs(30));
    let shown = &out.stdout;
    assert!(
        shown.len() < 400
            && shown
                .iter()
                .all(|&b| b == b'\r' || b == b'\n' || (0x20..0x7f).contains(&b)),
        "binary or too much on the terminal ({} bytes): {:?}\nscript: {}",
        shown.len(),
        String::from_utf8_lossy(&shown[..shown.len().min(400)]),
        report(&out)
    );
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    let text = String::from_utf8_lossy(shown);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{text:?}");
    for hint in ["--format hex", "--bytes", "redirect"] {
        assert!(lines[0].contains(hint), "no {hint:?} in {:?}", lines[0]);
    }
}

#[test]
fn stream_still_writes_binary_to_a_pipe_and_a_counted_amount_to_a_terminal() {
    let out = wellspring_ok(&["stream", "--bytes", "16"]);
    assert_eq!(out.stdout.len(), 16, "{}", report(&out));
    if !require_tool("script", "bsdutils") {
        return;
    }
    // Asked for by the user: 16 bytes of binary on a terminal are their business.
    let out = on_a_terminal("counted", "stream --bytes 16", Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
}

/// What `record` said on stderr before recording: the lines starting `expected size: `.
fn expected_size_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("expected size: "))
        .map(str::to_owned)
        .collect()
}

/// The only session folder under `dir`.
fn only_session(dir: &Path) -> PathBuf {
    let folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders[0].clone()
}

#[test]
fn record_states_the_expected_size_before_it_starts() {
    let dir = scratch("plan");
    // A twentieth of a second: fewer samples than an assessment takes, so it ends at once.
    let out = wellspring_ok(&[
        "record",
        "--sources",
        "branch_timing",
        "--duration",
        "0.05s",
        "--output",
        dir.to_str().unwrap(),
    ]);
    let lines = expected_size_lines(&out);
    assert_eq!(lines.len(), 2, "{}", report(&out));
    // e.g. "expected size: branch_timing at 559,818 samples/s for 0.05 s: about 27.37 KiB"
    assert!(
        lines[0].starts_with("expected size: branch_timing at ")
            && lines[0].contains(" samples/s for ")
            && lines[0].contains(": about "),
        "{lines:?}"
    );
    assert!(
        lines[1].contains(" in all, in ") && lines[1].contains("--max-bytes"),
        "{lines:?}"
    );
    // Said before anything else (the session's path comes at the end, on stdout).
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("expected size: "), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn max_bytes_stops_recording_at_or_under_the_cap_and_says_so() {
    let dir = scratch("cap");
    let cap: u64 = 48 * 1024;
    // 30 s would be megabytes; the cap ends it within a fraction of a second.
    let out = wellspring_ok(&[
        "record",
        "--sources",
        "branch_timing,clock_jitter",
        "--duration",
        "30s",
        "--max-bytes",
        "48K",
        "--output",
        dir.to_str().unwrap(),
    ]);
    let lines = expected_size_lines(&out);
    assert_eq!(lines.len(), 3, "{}", report(&out));
    assert!(
        lines[2].contains("capped at 48.00 KiB by --max-bytes"),
        "{lines:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stopped at the --max-bytes cap of 48.00 KiB"),
        "{stderr}"
    );

    let session = only_session(&dir);
    let raw: u64 = std::fs::read_dir(session.join("raw"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    // At or under the cap, and at it to within an index line.
    assert!(raw <= cap && raw + 64 > cap, "raw files hold {raw} bytes");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(session.join("session.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert_eq!(
        manifest["end_reason"],
        format!("size cap reached: {cap} bytes")
    );
    assert_eq!(manifest["requested"]["max_bytes"], cap as f64);
    // The manifest's samples are the files' samples: the batch that crossed the cap was cut.
    for source in manifest["sources"].as_array().unwrap() {
        let bin = session
            .join("raw")
            .join(format!("{}.bin", source["name"].as_str().unwrap()));
        assert_eq!(source["samples"], std::fs::metadata(bin).unwrap().len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
