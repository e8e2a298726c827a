//! SIGTERM ends `stream`, `feed-kernel` and `monitor` promptly whatever the engine is doing
//! (first assessments running, or every source broken so that output waits for blocks that
//! never come): the goal is 2 s; the tests allow 5 s because the machine may be busy, and
//! print the measured time. The monitor also leaves the terminal as it found it. (`server`
//! and `device` have their own tests in shutdown.rs and device.rs.)

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{ChildGuard, FaultFile, TmuxSession as Session, require_tool, wellspring_command};

const SOURCES: &str = "branch_timing,page_fault_timing";
const LIMIT: Duration = Duration::from_secs(5);

/// Sends SIGTERM to `child`; returns the time until it exited.
fn time_sigterm(child: ChildGuard, what: &str) -> Duration {
    let sent = Instant::now();
    let status = child.terminate(LIMIT);
    let took = sent.elapsed();
    println!("{what}: exited {took:?} after SIGTERM ({status})");
    took
}

#[test]
fn stream_exits_promptly_on_sigterm_while_streaming_and_during_its_first_assessments() {
    // Warm: output flowing to a reader, background re-assessments running.
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
            .stdout(Stdio::piped()),
    );
    let mut stdout = child.child().stdout.take().unwrap();
    let read = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&read);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = stdout.read(&mut buf) {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    });
    let start = Instant::now();
    while read.load(Ordering::Relaxed) < 64 * 1024 {
        if start.elapsed() > Duration::from_secs(120) {
            panic!("no output: {}", child.describe());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    time_sigterm(child, "stream, streaming");
    reader.join().unwrap();

    // Cold: SIGTERM while the first full-size assessments run and nothing is output yet.
    let child = ChildGuard::spawn_logged(
        common::cold_wellspring_command()
            .args(["stream", "--bytes", "64", "--sources", SOURCES])
            .stdout(Stdio::null()),
    );
    std::thread::sleep(Duration::from_millis(300));
    time_sigterm(child, "stream, first assessments");
}

#[test]
fn feed_kernel_exits_promptly_on_sigterm_while_waiting_for_entropy() {
    // Every source stuck: the first block never comes, and feed-kernel waits for it.
    let faults = FaultFile::new("feed-kernel");
    faults.set("* = stuck\n");
    let (key, value) = faults.env();
    let mut child = ChildGuard::spawn_logged(
        wellspring_command()
            .args(["feed-kernel", "--sources", SOURCES])
            .env(key, value)
            .stdout(Stdio::null()),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.child().try_wait().unwrap().is_none(),
        "feed-kernel should still be waiting for its first block: {}",
        child.describe()
    );
    time_sigterm(child, "feed-kernel, starved");
}

#[test]
fn monitor_quits_on_sigterm_and_restores_the_terminal() {
    if !require_tool("tmux", "tmux") {
        return;
    }
    let session = Session(format!("ws-signals-{}", std::process::id()));
    let pid_file = std::env::temp_dir().join(format!("ws-monitor-pid-{}", std::process::id()));
    let _ = std::fs::remove_file(&pid_file);
    // The pane's shell records the monitor's pid (exec keeps it), then reports how it
    // ended and whether the terminal is back in canonical (cooked) mode.
    let command = format!(
        "sh -c 'echo $$ > {pid}; exec {bin} --assessment-cache off monitor --sources {SOURCES}'; \
         echo EXITED $?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon; sleep 60",
        pid = pid_file.display(),
        bin = env!("CARGO_BIN_EXE_wellspring"),
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
        ])
        .arg(&command)
        .env_remove("TMUX")
        .status()
        .unwrap();
    assert!(status.success());
    let screen = || {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &session.0])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let start = Instant::now();
    while !screen().contains("q quit") {
        // A bound on a hang, not a speed target.
        assert!(start.elapsed() < Duration::from_secs(60), "{}", screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let _ = std::fs::remove_file(&pid_file);
    let sent = Instant::now();
    assert!(
        Command::new("kill")
            .arg(pid.trim())
            .status()
            .unwrap()
            .success()
    );
    let text = loop {
        let text = screen();
        if text.contains("EXITED") && text.contains("icanon") {
            break text;
        }
        assert!(sent.elapsed() < LIMIT, "monitor still running:\n{text}");
        std::thread::sleep(Duration::from_millis(50));
    };
    println!("monitor: exited within {:?} of SIGTERM", sent.elapsed());
    assert!(text.contains("EXITED 0"), "{text}");
    assert!(
        text.lines().any(|l| l.trim() == "icanon"),
        "the terminal was left in raw mode:\n{text}"
    );
    assert!(
        !text.contains("wellspring monitor"),
        "left the alternate screen:\n{text}"
    );
}
