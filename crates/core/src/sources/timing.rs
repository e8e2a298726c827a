//! Timing sources: phase noise between clocks, sleep overshoot, and the jitter of a fixed
//! computation measured with the cycle counter.

use std::hint::black_box;

use crate::clock::{monotonic_ns, ticks};
use crate::sources::util::time_each;
use crate::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// Phase noise between the cycle counter and the monotonic clock.
#[derive(Debug, Default)]
pub struct ClockJitter;

static CLOCK_JITTER: SourceInfo = SourceInfo {
    name: "clock_jitter",
    category: SourceCategory::Timing,
    physics: "Counts cycle-counter ticks while the monotonic clock advances by one microsecond. \
              The two clocks are read through different paths (the TSC directly, the monotonic \
              clock through the vDSO and its scaling), and the moment the loop observes the \
              microsecond boundary varies with pipeline state, cache misses and interrupts, so \
              the low bits of the tick count carry the phase noise between the two domains.",
    speed: SpeedClass::Fast,
};

impl EntropySource for ClockJitter {
    fn info(&self) -> &SourceInfo {
        &CLOCK_JITTER
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let start = monotonic_ns();
            let t0 = ticks();
            while monotonic_ns().wrapping_sub(start) < 1_000 {
                std::hint::spin_loop();
            }
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
}

/// Overshoot of a short `nanosleep`.
#[derive(Debug, Default)]
pub struct SleepJitter;

static SLEEP_JITTER: SourceInfo = SourceInfo {
    name: "sleep_jitter",
    category: SourceCategory::Timing,
    physics: "Asks the kernel to sleep for one microsecond and measures, in cycle-counter ticks, \
              how long the thread was actually away. The overshoot is set by the timer \
              interrupt, the hrtimer queue, the scheduler's choice of what to run and the \
              wake-up path, all of which vary with everything else the machine is doing.",
    speed: SpeedClass::Fast,
};

impl EntropySource for SleepJitter {
    fn info(&self) -> &SourceInfo {
        &SLEEP_JITTER
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let request = libc::timespec {
            tv_sec: 0,
            tv_nsec: 1_000,
        };
        Ok(time_each(n, |_| {
            // SAFETY: `request` is a valid timespec; a null remainder pointer is allowed.
            unsafe { libc::nanosleep(&request, std::ptr::null_mut()) };
        }))
    }
}

/// Cycle-counter jitter of a fixed memory-and-arithmetic workload.
#[derive(Debug, Default)]
pub struct TscJitter;

static TSC_JITTER: SourceInfo = SourceInfo {
    name: "tsc_jitter",
    category: SourceCategory::Timing,
    physics: "Times a fixed workload (a short chain of dependent loads and stores over a 4 KiB \
              buffer) with the cycle counter. The work is identical every time; its duration \
              varies with cache and TLB state, branch-predictor history, frequency scaling and \
              interrupts, the same effect jitterentropy harvests.",
    speed: SpeedClass::Fast,
};

impl EntropySource for TscJitter {
    fn info(&self) -> &SourceInfo {
        &TSC_JITTER
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let mut buffer = vec![0u64; 512];
        let mut acc = 0u64;
        let out = time_each(n, |i| {
            for j in 0..64usize {
                let idx = (acc as usize ^ j.wrapping_mul(67)) & 511;
                acc = acc.rotate_left(7) ^ black_box(buffer[idx]).wrapping_add(j as u64);
                buffer[idx] = acc ^ i as u64;
            }
        });
        black_box(acc);
        Ok(out)
    }
}
