//! High-resolution time stamps for timing sources.
//!
//! On x86_64 the time-stamp counter (`rdtsc`) is read directly: it is the finest clock
//! available and costs a few nanoseconds. Elsewhere the monotonic clock in nanoseconds is
//! used. Back-to-back readings carry almost no entropy (on a KVM guest they differ by the
//! same 26 ticks 97-99% of the time), so every timing source times real work between reads.

/// Reads the finest available cycle or nanosecond counter.
#[inline]
pub fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: `rdtsc` has no preconditions on x86_64 and only reads the TSC.
        unsafe { core::arch::x86_64::_rdtsc() }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        monotonic_ns()
    }
}

/// Reads `CLOCK_MONOTONIC` in nanoseconds.
#[inline]
pub fn monotonic_ns() -> u64 {
    read_clock(libc::CLOCK_MONOTONIC)
}

/// Reads any POSIX clock in nanoseconds (0 if the clock cannot be read).
#[inline]
pub fn read_clock(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return 0;
    }
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}
