//! The live monitor, driven as a person would: under tmux in an 80×24 terminal, with keys
//! sent and the screen read back.

use std::process::Command;
use std::time::{Duration, Instant};

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}

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
            return text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never saw {what:?} on screen:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn monitor_shows_sources_selects_with_keys_and_quits_cleanly() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let session = Session(format!("ws-monitor-{}", std::process::id()));
    let command = format!(
        "{} monitor --refresh 0.3 --sources clock_jitter,memory_timing; echo EXITED $?; sleep 60",
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

    let first = wait_for(&session, "credited");
    assert!(first.contains("wellspring monitor"), "{first}");
    assert!(
        first.contains("*clock_jitter"),
        "first source selected:\n{first}"
    );
    assert!(first.contains("memory_timing"), "{first}");
    assert!(first.contains("clock_jitter samples"), "{first}");
    // Everything fits in 80 columns and 24 rows.
    assert!(first.lines().count() <= 24);
    assert!(first.lines().all(|l| l.chars().count() <= 80), "{first}");

    tmux(&["send-keys", "-t", &session.0, "Down", "Space"]);
    let selected = wait_for(&session, "memory_timing samples");
    assert!(selected.contains("*memory_timing"), "{selected}");

    tmux(&["send-keys", "-t", &session.0, "r"]);
    wait_for(&session, "healthy");

    tmux(&["send-keys", "-t", &session.0, "q"]);
    let after = wait_for(&session, "EXITED");
    assert!(after.contains("EXITED 0"), "{after}");
    // The alternate screen is gone: the dashboard is no longer drawn.
    assert!(
        !after.contains("wellspring monitor"),
        "terminal not restored:\n{after}"
    );
}
