//! Timing sources built on the scheduler: yield latency, futex wake-up latency, sleeps with
//! minimal timer slack, and the phase of the raw (un-slewed) monotonic clock.

use std::sync::mpsc;

use crate::clock::{read_clock, ticks};
use crate::sources::util::{io_error, simple_source, time_each};
use crate::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

simple_source!(
    /// Latency of `sched_yield()`.
    YieldJitter, "yield_jitter", Timing, Fast,
    "Times sched_yield() with the cycle counter. The call enters the scheduler, which \
     re-evaluates the run queue, accounts the thread's runtime and may switch to another \
     task; its cost depends on run-queue length, other runnable threads and interrupts.",
    |n| {
        Ok(time_each(n, |_| {
            // SAFETY: sched_yield has no arguments and no memory effects.
            unsafe { libc::sched_yield() };
        }))
    }
);

simple_source!(
    /// Futex wake-up latency between two threads.
    FutexWake, "futex_wake", Timing, Fast,
    "Two threads play ping-pong through blocking channels (futex waits underneath). Each \
     sample is the round-trip time in cycle-counter ticks: two wake-ups, each going through \
     the futex hash table, the scheduler's choice of CPU and the IPI or idle-exit path.",
    |n| {
        let (to_peer, from_main) = mpsc::sync_channel::<u8>(0);
        let (to_main, from_peer) = mpsc::sync_channel::<u8>(0);
        let peer = std::thread::Builder::new()
            .name("ws-futex".into())
            .spawn(move || {
                while let Ok(v) = from_main.recv() {
                    if to_main.send(v).is_err() {
                        break;
                    }
                }
            })
            .map_err(io_error("futex_wake"))?;
        let out = time_each(n, |i| {
            let _ = to_peer.send(i as u8);
            let _ = from_peer.recv();
        });
        drop(to_peer);
        let _ = peer.join();
        Ok(out)
    }
);

simple_source!(
    /// Overshoot of a 1 µs sleep with the thread's timer slack set to 1 ns.
    TimerSlack, "timer_slack", Timing, Fast,
    "Sets this thread's timer slack to 1 ns (prctl PR_SET_TIMERSLACK) so the kernel may not \
     coalesce its wake-ups, then times 1 µs nanosleeps. What remains is the hrtimer's real \
     expiry jitter, interrupt latency and the scheduler's wake-up path, without the default \
     50 µs slack window that sleep_jitter sees.",
    |n| {
        // SAFETY: PR_GET/SET_TIMERSLACK only read or set a per-thread integer.
        let previous = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
        // SAFETY: as above.
        unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1, 0, 0, 0) };
        let request = libc::timespec { tv_sec: 0, tv_nsec: 1_000 };
        let out = time_each(n, |_| {
            // SAFETY: `request` is a valid timespec; a null remainder is allowed.
            unsafe { libc::nanosleep(&request, std::ptr::null_mut()) };
        });
        if previous > 0 {
            // SAFETY: restores the thread's own timer slack.
            unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, previous as libc::c_ulong, 0, 0, 0) };
        }
        Ok(out)
    }
);

simple_source!(
    /// Phase noise between the cycle counter and CLOCK_MONOTONIC_RAW.
    MonotonicRawJitter, "monotonic_raw_jitter", Timing, Fast,
    "Counts cycle-counter ticks while CLOCK_MONOTONIC_RAW (the hardware clock without NTP \
     slewing) advances by 2 µs. The raw clock is scaled from a different clocksource \
     reading than the TSC read here, so where the loop sees the boundary wanders with read \
     latency, interrupts and the clocksource's own update timing.",
    |n| {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let start = read_clock(libc::CLOCK_MONOTONIC_RAW);
            let t0 = ticks();
            while read_clock(libc::CLOCK_MONOTONIC_RAW).wrapping_sub(start) < 2_000 {
                std::hint::spin_loop();
            }
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
);

/// Phase noise between the cycle counter and another kernel clock.
#[derive(Debug)]
pub struct ClockPhase {
    info: &'static SourceInfo,
    clock: libc::clockid_t,
}

static REALTIME: SourceInfo = SourceInfo {
    name: "realtime_jitter",
    category: SourceCategory::Timing,
    physics: "Counts cycle-counter ticks while CLOCK_REALTIME advances by 1.5 µs. The wall \
              clock is the monotonic clock plus an offset that NTP slews, computed through a \
              separate vDSO path, so the boundary the loop observes wanders differently from \
              clock_jitter's (the two share the TSC and are partly correlated).",
    speed: SpeedClass::Fast,
};

static BOOTTIME: SourceInfo = SourceInfo {
    name: "boottime_jitter",
    category: SourceCategory::Timing,
    physics: "Counts cycle-counter ticks while CLOCK_BOOTTIME (monotonic time including \
              suspend) advances by 2.5 µs: another kernel clock with its own offset \
              bookkeeping and read path, beating against the TSC.",
    speed: SpeedClass::Fast,
};

impl ClockPhase {
    /// CLOCK_REALTIME against the TSC.
    pub fn realtime() -> Self {
        ClockPhase {
            info: &REALTIME,
            clock: libc::CLOCK_REALTIME,
        }
    }

    /// CLOCK_BOOTTIME against the TSC.
    pub fn boottime() -> Self {
        ClockPhase {
            info: &BOOTTIME,
            clock: libc::CLOCK_BOOTTIME,
        }
    }
}

impl EntropySource for ClockPhase {
    fn info(&self) -> &SourceInfo {
        self.info
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        // Different windows per clock so the sources do not lock into the same pattern.
        let window = if self.clock == libc::CLOCK_REALTIME {
            1_500
        } else {
            2_500
        };
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let start = read_clock(self.clock);
            let t0 = ticks();
            while read_clock(self.clock).wrapping_sub(start) < window {
                std::hint::spin_loop();
            }
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
}
