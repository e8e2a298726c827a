//! The live monitor, driven as a person would: under tmux in an 80×24 terminal, with keys
//! sent and the screen read back.

mod common;

use common::{FaultFile, TmuxSession as Session, require_tool};

use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screen(session: &Session) -> String {
    tmux(&["capture-pane", "-p", "-t", &session.0])
}

fn wait_for(session: &Session, what: &str) -> String {
    let start = Instant::now();
    loop {
        let text = screen(session);
        if text.contains(what) {
            // The frame may have been caught half drawn: read it again once drawing is done
            // (a frame takes well under a millisecond; the next one comes 0.3 s later).
            std::thread::sleep(Duration::from_millis(150));
            let settled = screen(session);
            return if settled.contains(what) {
                settled
            } else {
                text
            };
        }
        // A bound on a hang, not a speed target: on a busy machine the first credit waits
        // for the first full-size assessments.
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never saw {what:?} on screen:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn keys(session: &Session, keys: &[&str]) {
    let mut args = vec!["send-keys", "-t", &session.0];
    args.extend_from_slice(keys);
    tmux(&args);
}

#[test]
fn monitor_drives_every_key_and_quits_cleanly() {
    if !require_tool("tmux", "tmux") {
        return;
    }
    let session = Session(format!("ws-monitor-{}", std::process::id()));
    let dir = std::env::temp_dir().join(format!("ws-monitor-snap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let command = format!(
        "{} --assessment-cache off monitor --refresh 0.3 --sources clock_jitter,branch_timing; echo EXITED $?; sleep 60",
        env!("CARGO_BIN_EXE_wellspring")
    );
    let status = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session.0,
            "-x",
            "80",
            "-y",
            "24",
            "-c",
            dir.to_str().unwrap(),
            &command,
        ])
        .env_remove("TMUX")
        .status()
        .unwrap();
    assert!(status.success());

    // The footer is the last line drawn: once it is there, so is the rest of the first frame.
    wait_for(&session, "credited");
    let first = wait_for(&session, "q quit");
    assert!(first.contains("wellspring monitor"), "{first}");
    assert!(
        first.contains("*clock_jitter"),
        "first source selected:\n{first}"
    );
    assert!(first.contains("branch_timing"), "{first}");
    assert!(first.contains("sample values"), "{first}");
    // Everything fits in 80 columns and 24 rows, keys included.
    assert!(first.lines().count() <= 24);
    assert!(first.lines().all(|l| l.chars().count() <= 80), "{first}");
    assert!(first.contains("g view"), "{first}");

    // Enter selects: the physics panel is titled with the selected source.
    keys(&session, &["Down", "Enter"]);
    let selected = wait_for(&session, "*branch_timing");
    assert!(selected.contains(" branch_timing "), "{selected}");

    // g cycles the seven charts and comes back.
    for title in [
        "Shannon per refresh",
        "min-entropy per refresh",
        "CPU ns/sample",
        "random walk",
        "byte histogram",
        "autocorrelation",
        "sample values",
    ] {
        keys(&session, &["g"]);
        wait_for(&session, title);
    }

    // p pauses and resumes.
    keys(&session, &["p"]);
    wait_for(&session, "[paused]");
    keys(&session, &["p"]);
    wait_for(&session, "running");

    // + and - change the refresh, n the sample window.
    keys(&session, &["+"]);
    wait_for(&session, "refresh every 0.15 s");
    keys(&session, &["-"]);
    wait_for(&session, "refresh every 0.30 s");
    keys(&session, &["n"]);
    wait_for(&session, "sample window 1024");

    // s writes a JSON snapshot to the working directory and says where.
    keys(&session, &["s"]);
    wait_for(&session, "snapshot written to");
    let snapshot = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a snapshot file");
    // Named by its UTC time, e.g. wellspring-monitor-20261205T221503Z.json.
    let name = snapshot.file_name().unwrap().to_str().unwrap().to_owned();
    let stamp = name
        .strip_prefix("wellspring-monitor-")
        .and_then(|n| n.strip_suffix(".json"))
        .unwrap_or_else(|| panic!("{name}"));
    assert_eq!(stamp.len(), "20261205T221503Z".len(), "{name}");
    assert!(
        stamp[..8].bytes().all(|b| b.is_ascii_digit())
            && &stamp[8..9] == "T"
            && stamp[9..15].bytes().all(|b| b.is_ascii_digit())
            && stamp.ends_with('Z'),
        "{name}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&snapshot).unwrap()).unwrap();
    assert_eq!(json["selected"], "branch_timing");
    assert_eq!(json["window"], 1024);
    assert!(json["status"]["sources"].is_array());

    // Space switches the source under the cursor off in the engine, and back on.
    keys(&session, &["Space"]);
    let off = wait_for(&session, "branch_timing off");
    assert!(off.contains(" off "), "the table marks it:\n{off}");
    keys(&session, &["Space"]);
    wait_for(&session, "branch_timing on");

    keys(&session, &["r", "q"]);
    let after = wait_for(&session, "EXITED");
    assert!(after.contains("EXITED 0"), "{after}");
    // The alternate screen is gone: the dashboard is no longer drawn.
    assert!(
        !after.contains("wellspring monitor"),
        "terminal not restored:\n{after}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A quarantined source's row says why, within 80 columns: the failed test and the cutoff its
/// count reached (`QUAR apt≥512`), and the selected source's panel gives the count.
#[test]
fn monitor_shows_why_a_source_is_quarantined() {
    if !require_tool("tmux", "tmux") {
        return;
    }
    let faults = FaultFile::new("monitor");
    faults.set("branch_timing = stuck\n");
    let (key, value) = faults.env();
    let session = Session(format!("ws-monitor-quar-{}", std::process::id()));
    let command = format!(
        "env {key}={value} {} --assessment-cache off monitor --refresh 0.3 --sources \
         branch_timing,page_fault_timing; echo EXITED $?; sleep 60",
        env!("CARGO_BIN_EXE_wellspring")
    );
    let status = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session.0,
            "-x",
            "80",
            "-y",
            "24",
            &command,
        ])
        .env_remove("TMUX")
        .status()
        .unwrap();
    assert!(status.success());

    // A source stuck from the start fails its start-up test: at the provisional cutoffs
    // (no stored figure), the APT's (a whole 512-sample window) before the RCT's (801).
    let screen = wait_for(&session, "QUAR apt≥512");
    let row = screen
        .lines()
        .find(|l| l.contains("branch_timing"))
        .unwrap_or_else(|| panic!("no branch_timing row:\n{screen}"));
    assert!(row.contains("QUAR apt≥512"), "{screen}");
    // No source name is cut to make room.
    assert!(row.contains(" branch_timing "), "{screen}");
    assert!(screen.contains("page_fault_timing "), "{screen}");
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "{screen}");
    // Selected, its panel gives the count the test saw against the cutoff.
    let first = screen.contains("*branch_timing");
    if !first {
        keys(&session, &["Down", "Enter"]);
    }
    // (The panel is 28 columns wide: the line wraps after "of".)
    let panel = wait_for(&session, "quarantined: APT: 512 of");
    assert!(panel.contains("512, cutoff 512"), "{panel}");
    keys(&session, &["q"]);
    let after = wait_for(&session, "EXITED");
    assert!(after.contains("EXITED 0"), "{after}");
}

/// A monitor whose terminal goes away (the tmux session killed, as a closed window or a
/// dropped SSH session would) exits: before, it kept polling the dead terminal at half a core
/// for ever, and every failed run of the tests above left one behind.
#[test]
fn a_monitor_exits_when_its_terminal_goes_away() {
    if !require_tool("tmux", "tmux") {
        return;
    }
    let session = Session(format!("ws-monitor-hangup-{}", std::process::id()));
    // `exec`: the pane's process is the monitor itself, so its pid is the pane's.
    let command = format!(
        "exec {} --assessment-cache off monitor --refresh 0.3 --sources branch_timing",
        env!("CARGO_BIN_EXE_wellspring")
    );
    let status = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session.0,
            "-x",
            "80",
            "-y",
            "24",
            &command,
        ])
        .env_remove("TMUX")
        .status()
        .unwrap();
    assert!(status.success());
    wait_for(&session, "branch_timing");
    let pid = tmux(&["list-panes", "-t", &session.0, "-F", "#{pane_pid}"])
        .trim()
        .to_owned();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_dir.exists(), "no process {pid}");
    tmux(&["kill-session", "-t", &session.0]);
    // A bound on a hang: the watchdog ends it 2 s after the hangup.
    let start = Instant::now();
    while proc_dir.exists() && !is_zombie(&proc_dir) {
        if start.elapsed() > Duration::from_secs(30) {
            // Do not leave it spinning behind a failed test.
            let _ = Command::new("kill").args(["-9", &pid]).status();
            panic!("the monitor (pid {pid}) was still running 30 s after its terminal went away");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn is_zombie(proc_dir: &std::path::Path) -> bool {
    std::fs::read_to_string(proc_dir.join("stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(true)
}
