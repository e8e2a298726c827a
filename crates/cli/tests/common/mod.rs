//! Helpers shared by the CLI's integration tests.

// Each test file is its own crate and uses a different subset of these.
#![allow(dead_code)]

pub(crate) mod server;

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output};
use std::time::{Duration, Instant};

/// The `wellspring` binary built for these tests, with its assessment cache in a directory
/// of this test process's own, so that no test depends on what earlier runs left in the
/// user's `~/.cache` (nor writes there).
pub(crate) fn wellspring_command() -> Command {
    let cache = std::env::temp_dir().join(format!("ws-cli-test-cache-{}", std::process::id()));
    let mut command = Command::new(env!("CARGO_BIN_EXE_wellspring"));
    command.env("XDG_CACHE_HOME", cache);
    command
}

/// Runs the `wellspring` binary built for these tests.
pub(crate) fn wellspring(args: &[&str]) -> Output {
    wellspring_command()
        .args(args)
        .output()
        .expect("run wellspring")
}

/// Runs `wellspring`, requires success, and parses its stdout as one JSON document.
pub(crate) fn stdout_json(args: &[&str]) -> serde_json::Value {
    let out = wellspring(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// Whether the tests run as root (real uid 0), read from /proc so no `unsafe` is needed.
pub(crate) fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"))
}

/// Whether a test that needs the external program `tool` (from the Debian package `package`)
/// can run: true when [`tool_path`] finds it. When it is missing the test fails, naming the
/// package to install, unless `WELLSPRING_ALLOW_SKIP=1` is set: then this prints a note and
/// returns false, and the test returns early. A missing tool never passes silently.
pub(crate) fn require_tool(tool: &str, package: &str) -> bool {
    if tool_path(tool).is_some() {
        return true;
    }
    allow_skip(&format!(
        "`{tool}` is not installed (Debian package {package}: apt-get install {package})"
    ))
}

/// Fails the calling test with `why`, or, when `WELLSPRING_ALLOW_SKIP=1` is set, prints
/// `why` as a skip note and returns false.
pub(crate) fn allow_skip(why: &str) -> bool {
    if std::env::var_os("WELLSPRING_ALLOW_SKIP").is_some_and(|v| v == "1") {
        eprintln!("SKIPPED (WELLSPRING_ALLOW_SKIP=1): {why}");
        false
    } else {
        panic!("{why}; set WELLSPRING_ALLOW_SKIP=1 to skip this test instead");
    }
}

/// The executable `tool` in a directory of `PATH` or, for daemons such as rngd that an
/// ordinary user's `PATH` leaves out, in an sbin directory.
pub(crate) fn tool_path(tool: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(tool))
        .find(|file| {
            std::fs::metadata(file)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// A child process that is killed and reaped when the guard drops, so a test that panics
/// (a failed assertion, a timeout) leaves no process behind. [`ChildGuard::stop`] hands
/// the child back for a test that ends it itself.
pub(crate) struct ChildGuard(Option<Child>);

impl ChildGuard {
    pub(crate) fn new(child: Child) -> Self {
        ChildGuard(Some(child))
    }

    /// The guarded child.
    pub(crate) fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("the child is guarded until stopped")
    }

    /// Sends SIGTERM (with kill(1), as an init system would) and waits up to `limit` for
    /// the child to exit; fails the test (and the guard kills the child) if it does not.
    pub(crate) fn terminate(mut self, limit: Duration) -> ExitStatus {
        let pid = self.child().id().to_string();
        let sent = Command::new("kill").arg(&pid).status().expect("run kill");
        assert!(sent.success(), "kill {pid}: {sent:?}");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child().try_wait().unwrap() {
                self.0 = None;
                return status;
            }
            assert!(
                start.elapsed() < limit,
                "process {pid} did not exit within {limit:?} of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to `limit` for the child to exit by itself; fails the test (and the guard
    /// kills the child) if it does not.
    pub(crate) fn wait_exit(mut self, limit: Duration) -> Output {
        let start = Instant::now();
        while self.child().try_wait().unwrap().is_none() {
            assert!(
                start.elapsed() < limit,
                "process {} did not exit within {limit:?}",
                self.child().id()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.0.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A fault file (`WELLSPRING_FAULT_FILE`, read by binaries built with
/// `wellspring-core/fault-injection`, as test builds are) of this test's own, removed when
/// dropped.
pub(crate) struct FaultFile(PathBuf);

impl FaultFile {
    pub(crate) fn new(name: &str) -> FaultFile {
        let path =
            std::env::temp_dir().join(format!("ws-faults-{name}-{}.txt", std::process::id()));
        std::fs::write(&path, "").unwrap();
        FaultFile(path)
    }

    pub(crate) fn set(&self, text: &str) {
        // Write then rename, so the engine never reads half a file.
        let next = self.0.with_extension("next");
        std::fs::write(&next, text).unwrap();
        std::fs::rename(&next, &self.0).unwrap();
    }

    pub(crate) fn env(&self) -> (&'static str, &str) {
        ("WELLSPRING_FAULT_FILE", self.0.to_str().unwrap())
    }
}

impl Drop for FaultFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A tmux session (named by the test), killed when dropped.
pub(crate) struct TmuxSession(pub(crate) String);

impl Drop for TmuxSession {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}
