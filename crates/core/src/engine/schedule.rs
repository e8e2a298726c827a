//! How a family harvester spends its share of the CPU budget: mostly on the sources that
//! earn the most credit per CPU-nanosecond, in proportion to what they earn, while every
//! other source keeps a small, bounded share of time so that its health tests, its
//! re-assessment and the mixing of its samples continue.
//!
//! Measured on the 2-core test VM (`full_entropy_rate` example): the best source earned
//! 4,200 credited bits per CPU-millisecond and the median one 140, so sharing the budget
//! equally by batch (the first scheduler) left most of it with sources earning a thirtieth
//! of the best.

use std::time::{Duration, Instant};

/// Sources earning at least this fraction of the best yield share the budget in proportion
/// to their yield; the rest get [`LOW_SHARE`] each. The band is wide on purpose: each
/// harvester sees the others' best yields a round late, and a family whose queue just
/// filled drops out of the comparison, so with a narrow band (0.8 was tried) the family the
/// blocks waited for often counted as low-yield and the rate fell to 40%.
const HIGH_YIELD_FRACTION: f64 = 0.25;
/// Share of one core's wall time for each low-yield source's batches: with 28 sources at
/// most ~20% of a harvester's time goes to the low-yield ones together.
const LOW_SHARE: f64 = 1.0 / 128.0;
/// Longest a source in service goes without a batch, whatever its share: its health tests
/// and its samples in the mix go on even when its batches are long (a source made slow by
/// its kernel path or a fault once waited minutes for its wall-time share to come round).
const LIVENESS: Duration = Duration::from_secs(5);
/// Target CPU time of a low-yield source's batch.
const LOW_SLICE_NS: f64 = 1e6;
/// Target CPU time of the best source's batch: long enough that locking, health tests and
/// conditioning are a small part of it, short enough that a family's other members and the
/// budget check come round often.
const SLICE_NS: f64 = 4e6;
/// Smallest batch once a source's speed is known (the health tests run continuously across
/// batches, so small batches cost only overhead).
const MIN_BATCH: usize = 256;
/// Largest batch.
const MAX_BATCH: usize = 65_536;
/// Share of the CPU budget that start-ups (the first batch of a source, with its SP 800-90B
/// assessment: ~20 ms of CPU each) may use once a family has a source running. Each family
/// starts its first source at once, and the others join over the next seconds instead of
/// all at once: 28 start-up assessments are ~0.6 s of CPU, which would otherwise come before
/// most of the output in a short run.
pub(super) const STARTUP_SHARE: f64 = 0.25;

/// What a family harvester knows about its members.
pub(super) struct FamilySchedule {
    /// Whether each member has run its first batch.
    started: Vec<bool>,
    /// Credited bits per CPU-nanosecond of each member's recent credited batches (NaN until
    /// known: a source still waiting for its first full-size assessment earns nothing, and
    /// that says nothing of what it will earn).
    yield_per_ns: Vec<f64>,
    /// CPU-nanoseconds per sample of each member's last batch (NaN until known).
    ns_per_sample: Vec<f64>,
    /// When each member's last batch ended.
    last_run: Vec<Option<Instant>>,
}

impl FamilySchedule {
    pub(super) fn new(members: usize) -> Self {
        FamilySchedule {
            started: vec![false; members],
            yield_per_ns: vec![f64::NAN; members],
            ns_per_sample: vec![f64::NAN; members],
            last_run: vec![None; members],
        }
    }

    /// The best yield among this family's members that can use more samples now (0 when
    /// none is known). A member whose correlation family's queue is full (`saturated`)
    /// earns nothing until the other families catch up, so its yield must not be the
    /// yardstick: when it was, the families the blocks waited for counted as low-yield and
    /// got only [`LOW_SHARE`], and two sources of one category made ~1 KB/s between them.
    /// The same holds for a member out of service (quarantined or switched off): the caller
    /// marks both in `unavailable`.
    pub(super) fn best(&self, unavailable: &[bool]) -> f64 {
        self.yield_per_ns
            .iter()
            .zip(unavailable)
            .filter(|(y, u)| y.is_finite() && !**u)
            .fold(0.0, |best, (y, _)| best.max(*y))
    }

    /// Whether any member has run.
    pub(super) fn any_started(&self) -> bool {
        self.started.iter().any(|s| *s)
    }

    /// CPU-nanoseconds per sample of member `k`'s last batch (NaN until known).
    pub(super) fn ns_per_sample(&self, k: usize) -> f64 {
        self.ns_per_sample[k]
    }

    /// Whether member `k` has run.
    pub(super) fn started(&self, k: usize) -> bool {
        self.started[k]
    }

    /// The batch member `k` harvests this round, or `None` to skip it. `global_best` is the
    /// best yield of any family; `occupied_ns` is the wall time member `k`'s batches have
    /// taken so far (outside its first measurement) and `elapsed_ns` the time since start;
    /// `default_batch` is used until the member's speed is known. A `saturated` member (its
    /// family's queue full) runs only within the low-yield share, to keep its health tests
    /// going.
    ///
    /// The low share is of wall time on one core, not of the CPU budget: several sources
    /// (thread_spawn, pipe_wake, dlopen_timing) wait on the kernel for most of a batch, and
    /// while they wait the harvester's other members wait too. Counted in CPU time, and
    /// scaled with `--cpu-budget 2`, they held compression_timing's harvester idle half the
    /// time and the harvesters used one core of the two.
    pub(super) fn plan(
        &self,
        k: usize,
        global_best: f64,
        occupied_ns: u64,
        elapsed_ns: f64,
        default_batch: usize,
        saturated: bool,
    ) -> Option<usize> {
        let (y, per_sample) = (self.yield_per_ns[k], self.ns_per_sample[k]);
        if !self.started[k] || !per_sample.is_finite() || global_best <= 0.0 {
            return Some(default_batch);
        }
        // A member that has never earned credit (too weak to credit, or not yet credited) is
        // low-yield: given its default batch every round instead, cpu_io_beat (never
        // creditable on the 2-core VM) took a quarter of the budget.
        let slice = if y.is_finite() && !saturated && y >= global_best * HIGH_YIELD_FRACTION {
            SLICE_NS * y / global_best
        } else if (occupied_ns as f64) < LOW_SHARE * elapsed_ns
            || self.last_run[k].is_some_and(|t| t.elapsed() >= LIVENESS)
        {
            LOW_SLICE_NS
        } else {
            return None;
        };
        Some(((slice / per_sample.max(1.0)) as usize).clamp(MIN_BATCH, MAX_BATCH))
    }

    /// Records member `k`'s batch: `credit` bits earned for `spent_ns` of CPU over `samples`;
    /// `credited` tells whether the source could earn credit during the batch (the yield is
    /// learnt only from such batches: not while it had no assessment, nor while its
    /// family's queue was full).
    pub(super) fn record(
        &mut self,
        k: usize,
        credit: f64,
        spent_ns: u64,
        samples: usize,
        credited: bool,
    ) {
        self.started[k] = true;
        self.last_run[k] = Some(Instant::now());
        let spent = spent_ns.max(1) as f64;
        if credited {
            let y = credit / spent;
            // Smoothed: one noisy batch (a page-fault storm, a preemption) moves it only halfway.
            let old = self.yield_per_ns[k];
            self.yield_per_ns[k] = if old.is_finite() { 0.5 * (old + y) } else { y };
        }
        if samples > 0 {
            self.ns_per_sample[k] = spent / samples as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_members_run_their_default_batch() {
        let s = FamilySchedule::new(2);
        assert_eq!(s.plan(0, 1.0, 0, 0.0, 4096, false), Some(4096));
        assert_eq!(s.best(&[false, false]), 0.0);
        assert!(!s.any_started());
    }

    #[test]
    fn a_member_that_never_earned_credit_runs_only_within_the_low_share() {
        let mut s = FamilySchedule::new(2);
        s.record(0, 400.0 * 4096.0, 100 * 4096, 4096, true);
        // Member 1 ran, 10 µs per sample, but earned nothing: its yield stays unknown.
        s.record(1, 0.0, 10_000 * 4096, 4096, false);
        assert_eq!(s.best(&[false, false]), 4.0);
        let share = (LOW_SHARE * 1e9) as u64;
        // A low-yield batch (1 ms = 100 samples, raised to MIN_BATCH) while under its share ...
        assert_eq!(s.plan(1, 4.0, share - 1, 1e9, 4096, false), Some(MIN_BATCH));
        // ... and nothing past it, not its default batch.
        assert_eq!(s.plan(1, 4.0, share + 1, 1e9, 4096, false), None);
    }

    #[test]
    fn a_member_over_its_share_still_runs_every_few_seconds() {
        let mut s = FamilySchedule::new(2);
        s.record(0, 400.0 * 4096.0, 100 * 4096, 4096, true);
        s.record(1, 1.0, 100 * 4096, 4096, true);
        let over = (LOW_SHARE * 1e9) as u64 + 1;
        assert_eq!(s.plan(1, 4.0, over, 1e9, 4096, false), None);
        s.last_run[1] = Some(Instant::now() - LIVENESS);
        // A low-yield batch: 1 ms of CPU at 100 ns a sample.
        assert_eq!(s.plan(1, 4.0, over, 1e9, 4096, false), Some(10_000));
        // Saturated members too: their health tests go on.
        assert_eq!(s.plan(1, 4.0, over, 1e9, 4096, true), Some(10_000));
    }

    #[test]
    fn high_yield_members_get_time_in_proportion_to_yield() {
        let mut s = FamilySchedule::new(2);
        // Member 0: 4 bits/ns at 100 ns/sample; member 1: 2 bits/ns at 100 ns/sample.
        s.record(0, 400.0 * 4096.0, 100 * 4096, 4096, true);
        s.record(1, 200.0 * 4096.0, 100 * 4096, 4096, true);
        assert_eq!(s.best(&[false, false]), 4.0);
        // The best gets SLICE_NS = 4 ms = 40,000 samples; half the yield, half the time.
        assert_eq!(s.plan(0, 4.0, 0, 0.0, 1, false), Some(40_000));
        assert_eq!(s.plan(1, 4.0, 0, 0.0, 1, false), Some(20_000));
        // Batches stay within bounds.
        s.record(0, 4.0, 1, 1, true);
        assert_eq!(s.plan(0, 4.0, 0, 0.0, 1, false), Some(MAX_BATCH));
    }

    #[test]
    fn low_yield_members_run_only_within_their_share() {
        let mut s = FamilySchedule::new(1);
        s.record(0, 1.0 * 1000.0, 1_000_000, 1000, true); // 0.001 bits/ns, 1 µs per sample
        let best = 1.0;
        // Under its share (1/128 of the time so far): a low-yield batch, >= MIN_BATCH.
        assert_eq!(s.plan(0, best, 0, 1e9, 1, false), Some(1000));
        let share = (LOW_SHARE * 1e9) as u64;
        assert_eq!(s.plan(0, best, share - 1, 1e9, 1, false), Some(1000));
        assert_eq!(s.plan(0, best, share + 1, 1e9, 1, false), None);
    }

    #[test]
    fn yields_are_smoothed() {
        let mut s = FamilySchedule::new(1);
        s.record(0, 100.0, 100, 10, true);
        s.record(0, 300.0, 100, 10, true);
        s.record(0, 0.0, 100, 10, false);
        assert_eq!(s.best(&[false]), 2.0);
    }

    #[test]
    fn a_saturated_member_is_not_the_yardstick_and_gets_only_the_low_share() {
        // Member 0 earns 100× what member 1 does (both at 100 ns per sample), but its
        // family's queue is full: the blocks wait for member 1's family.
        let mut s = FamilySchedule::new(2);
        s.record(0, 100.0 * 4096.0, 100 * 4096, 4096, true);
        s.record(1, 4096.0, 100 * 4096, 4096, true);
        assert_eq!(s.best(&[false, false]), 1.0);
        assert_eq!(s.best(&[true, false]), 0.01);
        // With member 0 as the yardstick, member 1 is low-yield and stops at its share ...
        let share = (LOW_SHARE * 1e9) as u64;
        assert_eq!(s.plan(1, 1.0, share + 1, 1e9, 1, false), None);
        // ... measured against the members that can use samples, it gets the full slice.
        assert_eq!(s.plan(1, 0.01, share + 1, 1e9, 1, false), Some(40_000));
        // The saturated member keeps a quarter-slice within its share, then stops.
        assert_eq!(s.plan(0, 0.01, 0, 1e9, 1, true), Some(10_000));
        assert_eq!(s.plan(0, 0.01, share + 1, 1e9, 1, true), None);
    }
}
