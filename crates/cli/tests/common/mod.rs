//! Helpers shared by the CLI's integration tests.

// Each test file is its own crate and uses a different subset of these.
#![allow(dead_code)]

pub(crate) mod server;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The `wellspring` binary built for these tests, with a cache and state directory of this
/// command's own, seeded with the shared warm assessments of [`warm_assessments`]: the
/// engine starts from full-size figures measured on this boot instead of measuring every
/// source while the rest of the suite loads the machine, no test depends on what earlier
/// runs left in the user's `~/.cache` (nor writes there), and no test's faults (a source
/// made stuck) reach another test's figures.
pub(crate) fn wellspring_command() -> Command {
    let home = fresh_home();
    let warm = warm_assessments();
    std::fs::create_dir_all(home.join("cache/wellspring")).unwrap();
    std::fs::copy(
        warm.join("cache/wellspring/assessments.json"),
        home.join("cache/wellspring/assessments.json"),
    )
    .unwrap();
    copy_dir_files(
        &warm.join("state/wellspring"),
        &home.join("state/wellspring"),
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_wellspring"));
    command
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"));
    command
}

/// The `wellspring` binary with a cache and state directory of its own that start empty:
/// for tests about what a first run on a machine does.
pub(crate) fn cold_wellspring_command() -> Command {
    let home = fresh_home();
    let mut command = Command::new(env!("CARGO_BIN_EXE_wellspring"));
    command
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"));
    command
}

/// A new, empty directory for one command's cache and state, under Cargo's scratch folder
/// for integration tests.
fn fresh_home() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-homes")
        .join(format!("{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    home
}

fn copy_dir_files(from: &Path, to: &Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    std::fs::create_dir_all(to).unwrap();
    for entry in entries {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            let target = to.join(entry.file_name());
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A directory (`cache/` and `state/`, as `XDG_CACHE_HOME` and `XDG_STATE_HOME`) holding
/// full-size assessments of the default sources, made by `wellspring bench --samples 65536`
/// once per boot and half-day and shared by every CLI test binary (they run one after
/// another; two that race each make one and the first rename wins). Its name carries the
/// boot id, because stored figures count only on the boot that measured them.
pub(crate) fn warm_assessments() -> &'static Path {
    static WARM: OnceLock<PathBuf> = OnceLock::new();
    WARM.get_or_init(|| {
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .unwrap_or_default()
            .trim()
            .to_owned();
        let half_day = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / (12 * 3600);
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let warm = base.join(format!("warm-assessments-{boot}-{half_day}"));
        if warm.join("cache/wellspring/assessments.json").is_file() {
            return warm;
        }
        let making = base.join(format!("warm-assessments-making-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&making);
        std::fs::create_dir_all(&making).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_wellspring"))
            .args(["bench", "--samples", "65536", "--json"])
            .env("XDG_CACHE_HOME", making.join("cache"))
            .env("XDG_STATE_HOME", making.join("state"))
            .output()
            .expect("run wellspring bench");
        assert!(
            out.status.success() && making.join("cache/wellspring/assessments.json").is_file(),
            "making the warm assessments: {}",
            report(&out)
        );
        if std::fs::rename(&making, &warm).is_err() {
            // Another test binary made it first.
            let _ = std::fs::remove_dir_all(&making);
        }
        warm
    })
}

/// Runs the `wellspring` binary built for these tests.
pub(crate) fn wellspring(args: &[&str]) -> Output {
    wellspring_command()
        .args(args)
        .output()
        .expect("run wellspring")
}

/// Runs `wellspring` and requires exit status 0, failing with the status and stderr.
pub(crate) fn wellspring_ok(args: &[&str]) -> Output {
    let out = wellspring(args);
    assert!(out.status.success(), "{args:?}: {}", report(&out));
    out
}

/// What a finished child said about itself, for assertion messages: its exit status and
/// its stderr (and the size of its stdout).
pub(crate) fn report(out: &Output) -> String {
    format!(
        "{}, {} byte(s) on stdout, stderr:\n{}",
        out.status,
        out.stdout.len(),
        String::from_utf8_lossy(&out.stderr).trim_end()
    )
}

/// Runs `wellspring`, requires success, and parses its stdout as one JSON document.
pub(crate) fn stdout_json(args: &[&str]) -> serde_json::Value {
    parse_json(args, wellspring_ok(args))
}

/// [`stdout_json`] with `command` (a [`wellspring_command`] the caller adjusted).
pub(crate) fn stdout_json_of(mut command: Command, args: &[&str]) -> serde_json::Value {
    let out = command.args(args).output().expect("run wellspring");
    assert!(out.status.success(), "{args:?}: {}", report(&out));
    parse_json(args, out)
}

fn parse_json(args: &[&str], out: Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}): {}", report(&out)))
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

/// A loopback port that was free a moment ago (the OS picked it for a listener that is then
/// closed).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process that is killed and reaped when the guard drops, so a test that panics
/// (a failed assertion, a timeout) leaves no process behind. [`ChildGuard::terminate`] and
/// [`ChildGuard::wait_exit`] hand back how the child ended. A child started with
/// [`ChildGuard::spawn_logged`] writes its stderr to a file, which every failure message
/// of the guard quotes.
pub(crate) struct ChildGuard {
    child: Option<Child>,
    stderr_log: Option<PathBuf>,
}

impl ChildGuard {
    pub(crate) fn new(child: Child) -> Self {
        ChildGuard {
            child: Some(child),
            stderr_log: None,
        }
    }

    /// Spawns `command` with its stderr written to a file of its own (its stdout is left
    /// as the command set it).
    pub(crate) fn spawn_logged(command: &mut Command) -> Self {
        let log = fresh_home().join("stderr.log");
        let file = std::fs::File::create(&log).unwrap();
        let child = command.stderr(file).spawn().expect("spawn the child");
        ChildGuard {
            child: Some(child),
            stderr_log: Some(log),
        }
    }

    /// The guarded child.
    pub(crate) fn child(&mut self) -> &mut Child {
        self.child
            .as_mut()
            .expect("the child is guarded until stopped")
    }

    /// The child's exit status if it has ended, and its stderr so far (when logged), for
    /// assertion messages.
    pub(crate) fn describe(&mut self) -> String {
        let status = match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(Some(status))) => status.to_string(),
            Some(Ok(None)) => "still running".to_owned(),
            Some(Err(e)) => format!("unknown ({e})"),
            None => "stopped".to_owned(),
        };
        match &self.stderr_log {
            Some(log) => format!(
                "{status}, stderr:\n{}",
                std::fs::read_to_string(log).unwrap_or_default().trim_end()
            ),
            None => status,
        }
    }

    /// Sends SIGTERM (with kill(1), as an init system would) and waits up to `limit` for
    /// the child to exit; fails the test (and the guard kills the child) if it does not.
    /// `limit` bounds a hang, not a speed: the tests that measure shutdown time say so.
    pub(crate) fn terminate(mut self, limit: Duration) -> ExitStatus {
        let pid = self.child().id().to_string();
        let sent = Command::new("kill").arg(&pid).status().expect("run kill");
        assert!(sent.success(), "kill {pid}: {sent:?}");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child().try_wait().unwrap() {
                self.child = None;
                return status;
            }
            if start.elapsed() >= limit {
                panic!(
                    "process {pid} did not exit within {limit:?} of SIGTERM: {}",
                    self.describe()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to `limit` for the child to exit by itself; fails the test (and the guard
    /// kills the child) if it does not.
    pub(crate) fn wait_exit(mut self, limit: Duration) -> Output {
        let start = Instant::now();
        while self.child().try_wait().unwrap().is_none() {
            if start.elapsed() >= limit {
                panic!(
                    "process {} did not exit within {limit:?}: {}",
                    self.child().id(),
                    self.describe()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut out = self.child.take().unwrap().wait_with_output().unwrap();
        if let Some(log) = &self.stderr_log {
            out.stderr = std::fs::read(log).unwrap_or_default();
        }
        out
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
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
