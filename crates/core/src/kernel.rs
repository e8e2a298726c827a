//! Crediting full-entropy blocks to the Linux kernel's pool with the `RNDADDENTROPY` ioctl
//! on /dev/random, as rngd does. The ioctl needs `CAP_SYS_ADMIN`.

use std::fs::OpenOptions;
use std::os::fd::AsRawFd;

/// `_IOW('R', 0x03, int[2])` from linux/random.h.
const RNDADDENTROPY: libc::c_ulong = 0x4008_5203;

/// Why the kernel refused the entropy.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The caller lacks CAP_SYS_ADMIN.
    #[error("crediting the kernel pool needs root (CAP_SYS_ADMIN): {0}")]
    Permission(std::io::Error),
    /// /dev/random could not be opened or the ioctl failed otherwise.
    #[error("cannot credit the kernel pool: {0}")]
    Io(std::io::Error),
}

/// Adds `data` to the kernel's input pool and credits it with `entropy_bits` bits.
///
/// Only full-entropy output should be passed here, credited at 8 bits per byte at most.
pub fn add_entropy(data: &[u8], entropy_bits: u32) -> Result<(), FeedError> {
    let classify = |e: std::io::Error| match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => FeedError::Permission(e),
        _ => FeedError::Io(e),
    };
    let file = OpenOptions::new()
        .write(true)
        .open("/dev/random")
        .map_err(classify)?;
    let bits = entropy_bits.min(8 * data.len() as u32);
    // struct rand_pool_info { int entropy_count; int buf_size; __u32 buf[]; }
    let mut request = Vec::with_capacity(8 + data.len().next_multiple_of(4));
    request.extend_from_slice(&(bits as i32).to_ne_bytes());
    request.extend_from_slice(&(data.len() as i32).to_ne_bytes());
    request.extend_from_slice(data);
    request.resize(8 + data.len().next_multiple_of(4), 0);
    // SAFETY: `request` is a live, properly laid-out rand_pool_info whose buf_size matches the
    // bytes that follow the header; the kernel only reads from it.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), RNDADDENTROPY as _, request.as_ptr()) };
    zeroize::Zeroize::zeroize(&mut request);
    if rc != 0 {
        return Err(classify(std::io::Error::last_os_error()));
    }
    Ok(())
}
