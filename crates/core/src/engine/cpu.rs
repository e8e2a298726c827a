//! CPU accounting of the engine's own threads: the idle budget (what harvesting and
//! measurement may spend while nobody reads), a thread's CPU clock, and its priority.

use std::sync::atomic::Ordering;

use super::Inner;
use super::blocks::reservoir_full;
use crate::clock::read_clock;

/// While the reservoir is full, charges `spent_ns` of CPU to the idle budget: idle-time
/// measurement then waits until the average stays within `idle_cpu_budget`.
pub(super) fn charge_idle(inner: &Inner, spent_ns: u64) {
    if !reservoir_full(inner) {
        return;
    }
    let cost = (spent_ns as f64 / inner.config.idle_cpu_budget) as u64;
    let now = inner.elapsed_ns();
    let _ = inner
        .idle_next_ns
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
            Some(next.max(now) + cost)
        });
}

/// Whether idle-time measurement may run now.
pub(super) fn idle_allows(inner: &Inner) -> bool {
    inner.elapsed_ns() >= inner.idle_next_ns.load(Ordering::Relaxed)
}

pub(super) fn thread_cpu_ns() -> u64 {
    read_clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// Runs the calling thread at scheduling priority `nice` (19 is the lowest), so its work
/// yields to whatever serves output. Best effort: on failure the thread keeps its priority.
pub(super) fn lower_priority(nice: i32) {
    // SAFETY: gettid has no preconditions; setpriority only reads its integer arguments and
    // changes the priority of this very thread (Linux applies PRIO_PROCESS to a thread id).
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, nice) };
}
