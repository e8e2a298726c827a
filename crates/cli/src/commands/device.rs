//! `wellspring device <path>`: a FIFO kept filled with random bytes.
//!
//! The FIFO is created with mkfifo (mode 0600 unless `--mode` says otherwise) and removed on
//! exit. Readers may come and go: a reader closing the FIFO (EPIPE) is normal, and the device
//! waits for the next one. SIGINT/SIGTERM only set a flag (signal-hook; nothing allocates in
//! the handler); every wait is a bounded poll that checks it.

use std::ffi::CString;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wellspring_core::engine::Engine;

use crate::args::DeviceArgs;
use crate::commands::stream::conditioning;
use crate::error::{CliError, CliResult};

/// How often blocked waits wake up to check for a signal.
const POLL_MS: i32 = 100;

/// Removes the FIFO when the command ends, however it ends.
struct FifoGuard(PathBuf);

impl Drop for FifoGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn create_fifo(path: &Path, mode: u32) -> CliResult<FifoGuard> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_fifo() => {
            return Err(CliError::usage(format!(
                "{} already exists (a FIFO): remove it or choose another path",
                path.display()
            )));
        }
        Ok(_) => {
            return Err(CliError::usage(format!(
                "{} exists and is not a FIFO; refusing to replace it",
                path.display()
            )));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot inspect {}: {e}",
                path.display()
            )));
        }
    }
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| CliError::usage("the FIFO path contains a NUL byte"))?;
    // SAFETY: `c_path` is a valid NUL-terminated path for the duration of the call.
    if unsafe { libc::mkfifo(c_path.as_ptr(), mode as libc::mode_t) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(CliError::runtime(format!(
            "cannot create FIFO {}: {e}",
            path.display()
        )));
    }
    // mkfifo applies the umask; set the mode the user asked for exactly.
    let _ = std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode));
    Ok(FifoGuard(path.to_path_buf()))
}

/// Waits for a reader: a non-blocking open for writing fails with ENXIO until one exists.
fn open_for_writer(path: &CString, stop: &AtomicBool) -> CliResult<Option<i32>> {
    while !stop.load(Ordering::Relaxed) {
        // SAFETY: `path` is a valid NUL-terminated string; flags are plain constants.
        let fd = unsafe {
            libc::open(
                path.as_ptr(),
                libc::O_WRONLY | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if fd >= 0 {
            return Ok(Some(fd));
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::ENXIO) | Some(libc::EINTR) => {
                std::thread::sleep(Duration::from_millis(POLL_MS as u64))
            }
            _ => return Err(CliError::runtime(format!("cannot open the FIFO: {e}"))),
        }
    }
    Ok(None)
}

/// Writes `data` fully unless the reader leaves (Ok(false)) or a signal arrives.
fn write_all(fd: i32, mut data: &[u8], stop: &AtomicBool) -> CliResult<bool> {
    while !data.is_empty() {
        if stop.load(Ordering::Relaxed) {
            return Ok(false);
        }
        // SAFETY: `data` is a live slice; the kernel reads at most `data.len()` bytes from it.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n >= 0 {
            data = &data[n as usize..];
            continue;
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EINTR) => {
                let mut pfd = libc::pollfd {
                    fd,
                    events: libc::POLLOUT,
                    revents: 0,
                };
                // SAFETY: one valid pollfd, bounded timeout.
                unsafe { libc::poll(&mut pfd, 1, POLL_MS) };
            }
            // The reader went away: normal, wait for the next one.
            Some(libc::EPIPE) => return Ok(false),
            _ => return Err(CliError::runtime(format!("cannot write to the FIFO: {e}"))),
        }
    }
    Ok(true)
}

pub(crate) fn run(args: DeviceArgs) -> CliResult {
    let mode = u32::from_str_radix(args.mode.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| {
            CliError::usage(format!(
                "--mode '{}' is not an octal permission like 0600",
                args.mode
            ))
        })?;
    let sources = crate::camera::registry()?.select(args.sources.as_deref())?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| CliError::runtime(format!("cannot install signal handlers: {e}")))?;
    }
    let guard = create_fifo(&args.path, mode)?;
    let c_path = CString::new(guard.0.as_os_str().as_bytes()).expect("checked in create_fifo");
    let engine = Engine::start(crate::engine::config(sources)?).map_err(CliError::engine)?;
    let mut generator = engine
        .output(conditioning(args.conditioning, false))
        .map_err(CliError::engine)?;
    let mut buffer = vec![0u8; args.buffer_size as usize];
    eprintln!("wellspring: serving {} (Ctrl-C to stop)", guard.0.display());
    while let Some(fd) = open_for_writer(&c_path, &stop)? {
        let outcome = (|| -> CliResult {
            loop {
                generator
                    .fill(&mut buffer)
                    .map_err(|e| CliError::runtime(e.to_string()))?;
                if !write_all(fd, &buffer, &stop)? {
                    return Ok(());
                }
            }
        })();
        // SAFETY: `fd` was opened above and is closed exactly once.
        unsafe { libc::close(fd) };
        outcome?;
    }
    drop(guard);
    Ok(())
}
