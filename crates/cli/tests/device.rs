//! `wellspring device`: a FIFO that readers can come and go from.

mod common;

use common::{ChildGuard, report, require_tool, running_as_root, tool_path, wellspring_command};

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ws-device-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// How long a step may take before the test calls it a hang (not a speed limit: on a busy
/// machine the device's first blocks wait for its sources' start-up tests).
const HANG: Duration = Duration::from_secs(60);

/// Starts `wellspring device` on `path` (stderr kept for failure messages) and waits for
/// the FIFO; the guard kills the device if the test fails first.
fn start_device(path: &Path, extra: &[&str]) -> ChildGuard {
    let mut device = ChildGuard::spawn_logged(
        wellspring_command()
            .arg("device")
            .arg(path)
            .args(["--conditioning", "drbg"])
            .args(extra)
            .stdout(Stdio::null()),
    );
    let start = Instant::now();
    while !path.exists() {
        if start.elapsed() > HANG || device.child().try_wait().unwrap().is_some() {
            panic!("the FIFO never appeared: {}", device.describe());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    device
}

/// Reads exactly `buffer.len()` bytes from the FIFO, failing with the device's stderr.
fn read_fifo(fifo: &Path, device: &mut ChildGuard, buffer: &mut [u8]) {
    let read = std::fs::File::open(fifo).and_then(|mut f| f.read_exact(buffer));
    if let Err(e) = read {
        panic!(
            "reading {}: {e}; the device: {}",
            fifo.display(),
            device.describe()
        );
    }
}

/// Stops the device with SIGTERM, as an init system would, and returns how it exited.
fn stop(device: ChildGuard) -> std::process::ExitStatus {
    device.terminate(HANG)
}

#[test]
fn two_readers_in_a_row_each_read_a_mebibyte_and_the_fifo_is_removed_on_exit() {
    let dir = scratch("two");
    let fifo = dir.join("random.fifo");
    let mut child = start_device(&fifo, &[]);
    let meta = std::fs::metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let mut first = vec![0u8; 1 << 20];
    let mut second = vec![0u8; 1 << 20];
    read_fifo(&fifo, &mut child, &mut first);
    read_fifo(&fifo, &mut child, &mut second);
    assert_ne!(first[..4096], second[..4096]);
    let status = stop(child);
    assert!(status.success(), "{status:?}");
    assert!(!fifo.exists(), "FIFO left behind");
}

#[test]
fn refuses_to_replace_a_regular_file() {
    let dir = scratch("regular");
    let file = dir.join("precious.txt");
    std::fs::write(&file, b"keep me").unwrap();
    let out = wellspring_command()
        .arg("device")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a FIFO"),
        "{}",
        report(&out)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
}

#[test]
fn mode_flag_sets_permissions_and_bad_modes_are_usage_errors() {
    let dir = scratch("mode");
    let fifo = dir.join("shared.fifo");
    let child = start_device(&fifo, &["--mode", "0640"]);
    assert_eq!(
        std::fs::metadata(&fifo).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert!(stop(child).success());
    let out = wellspring_command()
        .args([
            "device",
            dir.join("x.fifo").to_str().unwrap(),
            "--mode",
            "999",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
}

#[test]
fn rngtest_reads_the_fifo_and_passes_fips_140_2() {
    if !require_tool("rngtest", "rng-tools5") {
        return;
    }
    let dir = scratch("rngtest");
    let fifo = dir.join("fips.fifo");
    let mut child = start_device(&fifo, &[]);
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("rngtest -c 100 < {}", fifo.display()))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stderr).to_string();
    let device = child.describe();
    assert!(stop(child).success(), "{device}");
    assert!(
        report.contains("FIPS 140-2 successes: "),
        "{report}\nthe device: {device}"
    );
    // FIPS 140-2's tests reject about 0.08% of good 20,000-bit blocks; 3+ of 100 is < 1e-4.
    let failures: u32 = report
        .lines()
        .find_map(|l| l.split("FIPS 140-2 failures: ").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(failures <= 2, "{report}");
}

/// rngd (rng-tools5) takes the FIFO as its entropy source. As root it keeps running and
/// holds the FIFO open while it feeds /dev/random. Without root the kernel refuses what it
/// offers (RNDADDENTROPY needs CAP_SYS_ADMIN), and rngd gets that far only after reading a
/// 20,000-bit block from the FIFO that passed its FIPS 140-2 tests: so then it must exit
/// saying exactly that.
#[test]
fn rngd_can_read_from_the_fifo() {
    if !require_tool("rngd", "rng-tools5") {
        return;
    }
    let dir = scratch("rngd");
    let fifo = dir.join("rngd.fifo");
    let mut device = start_device(&fifo, &[]);
    let mut rngd = Command::new(tool_path("rngd").unwrap());
    rngd.args(["-f", "-d", "1", "-n", "1", "-r"])
        .arg(&fifo)
        .arg("-p")
        .arg(dir.join("rngd.pid"))
        .stdout(Stdio::null());
    if running_as_root() {
        let mut rngd = ChildGuard::spawn_logged(&mut rngd);
        // rngd opens the FIFO as its entropy source and keeps running with it open.
        let start = Instant::now();
        loop {
            if rngd.child().try_wait().unwrap().is_some() {
                panic!(
                    "rngd exited: {}; the device: {}",
                    rngd.describe(),
                    device.describe()
                );
            }
            let fds: Vec<PathBuf> = std::fs::read_dir(format!("/proc/{}/fd", rngd.child().id()))
                .unwrap()
                .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                .collect();
            if fds.iter().any(|p| p == &fifo) {
                break;
            }
            if start.elapsed() > HANG {
                panic!(
                    "rngd did not open the FIFO: {fds:?}; rngd: {}; the device: {}",
                    rngd.describe(),
                    device.describe()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(rngd);
        let described = device.describe();
        assert!(stop(device).success(), "{described}");
    } else {
        let rngd = ChildGuard::spawn_logged(&mut rngd);
        let out = rngd.wait_exit(HANG);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let described = device.describe();
        assert!(stop(device).success(), "{described}");
        assert!(
            stderr.contains("RNDADDENTROPY failed"),
            "not root: rngd should read a good block from the FIFO and then be refused by \
             the kernel; it said: {stderr}\nthe device: {described}"
        );
    }
}
