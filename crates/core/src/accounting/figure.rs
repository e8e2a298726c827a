//! Which figure a source may be credited at, and from when: a source's [`Account`].
//!
//! A figure earns credit only from a creditable origin (this run's full-size assessment, a
//! checked stored one, or a trusted vendor claim), at the lowest of the last
//! [`RECENT_FIGURES`] such figures, and never below [`MIN_CREDITABLE_H`]. Each creditable
//! figure opens an epoch; credit recorded under an epoch is revalued (never raised) when a
//! later figure comes in lower, and to zero when the source fails persistently
//! ([`Account::fail`]).

use super::{AssessmentOrigin, MIN_CREDITABLE_H, RECENT_FIGURES, credit_per_sample};

/// One creditable epoch: the `h` it was opened with and the lowest `h` assessed since.
#[derive(Debug, Clone, Copy)]
struct Epoch {
    h: f64,
    effective: f64,
}

/// A source's standing in the accounts: its current figure, where it came from, and the
/// history of epochs that credit recorded in ledgers refers to.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// The figure credit is computed from: for a creditable origin, the lowest of `recent`.
    h: Option<f64>,
    /// The last [`RECENT_FIGURES`] creditable figures, oldest first.
    recent: std::collections::VecDeque<f64>,
    origin: Option<AssessmentOrigin>,
    assessment_samples: u64,
    epochs: Vec<Epoch>,
    safety: f64,
    group_size: usize,
    /// Whether the source may earn credit at all (not a public feed, not an untrusted
    /// platform generator).
    eligible: bool,
}

/// What a new figure did to a source's accounts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Change {
    /// No creditable epoch was affected (a start-up figure, or the first epoch).
    None,
    /// A new epoch opened at an `h` no lower than the previous epoch's.
    Kept,
    /// A new epoch opened lower: earlier credit is recomputed (`old` → `new`).
    Lowered { old: f64, new: f64 },
}

impl Account {
    pub(crate) fn new(safety: f64, group_size: usize, eligible: bool) -> Self {
        Account {
            h: None,
            recent: std::collections::VecDeque::with_capacity(RECENT_FIGURES),
            origin: None,
            assessment_samples: 0,
            epochs: Vec::new(),
            safety,
            group_size: group_size.max(1),
            eligible,
        }
    }

    /// Records a new figure. A creditable one opens a new epoch and lowers the effective
    /// `h` of every earlier epoch that was higher.
    pub(crate) fn assess(&mut self, h: f64, origin: AssessmentOrigin, samples: u64) -> Change {
        let h = if h.is_finite() {
            h.clamp(0.0, 8.0)
        } else {
            0.0
        };
        self.origin = Some(origin);
        self.assessment_samples = samples;
        if !origin.earns_credit() {
            self.h = Some(h);
            return Change::None;
        }
        if self.recent.len() == RECENT_FIGURES {
            self.recent.pop_front();
        }
        self.recent.push_back(h);
        // The lowest recent figure: a decrease at once, an increase once it holds.
        let h = self.recent.iter().copied().fold(f64::INFINITY, f64::min);
        self.h = Some(h);
        let previous = self.epochs.last().map(|e| e.h);
        for epoch in &mut self.epochs {
            epoch.effective = epoch.effective.min(h);
        }
        self.epochs.push(Epoch { h, effective: h });
        match previous {
            None => Change::None,
            Some(old) if h < old => Change::Lowered { old, new: h },
            Some(_) => Change::Kept,
        }
    }

    /// A persistent health failure: the source's output since its last passed test cannot
    /// be trusted, and which samples those are is not worth arguing over, so every epoch's
    /// credit is worth nothing from now on. What was already served stays served; what
    /// waits in a queue, a reservoir block or a DRBG seed is revalued to zero and revoked
    /// if its block falls short. The source earns again only from a new full-size figure
    /// (a new epoch), after a passing re-test.
    pub(crate) fn fail(&mut self) {
        for epoch in &mut self.epochs {
            epoch.effective = 0.0;
        }
    }

    /// The current figure, if any: for a creditable origin, the lowest recent one.
    pub(crate) fn h(&self) -> Option<f64> {
        self.h
    }

    /// The latest creditable figure, if any.
    pub(crate) fn latest(&self) -> Option<f64> {
        self.recent.back().copied()
    }

    pub(crate) fn origin(&self) -> Option<AssessmentOrigin> {
        self.origin
    }

    pub(crate) fn assessment_samples(&self) -> u64 {
        self.assessment_samples
    }

    pub(crate) fn eligible(&self) -> bool {
        self.eligible
    }

    pub(crate) fn group_size(&self) -> usize {
        self.group_size
    }

    /// True when the current figure is creditable but below [`MIN_CREDITABLE_H`].
    pub(crate) fn too_weak(&self) -> bool {
        self.h.is_some_and(|h| h < MIN_CREDITABLE_H)
            && self.origin.is_some_and(AssessmentOrigin::earns_credit)
    }

    /// The epoch new credit is recorded under.
    pub(crate) fn epoch(&self) -> u32 {
        self.epochs.len().saturating_sub(1) as u32
    }

    /// Credit per sample earned now (0 unless eligible, creditable and not too weak).
    /// Trusted figures are vendor claims already: no safety factor, no group.
    pub(crate) fn per_sample(&self) -> f64 {
        match (self.eligible, self.h, self.origin) {
            (true, Some(h), Some(AssessmentOrigin::Trusted)) => h,
            (true, Some(h), Some(origin)) if origin.earns_credit() && h >= MIN_CREDITABLE_H => {
                credit_per_sample(h, self.safety, self.group_size)
            }
            _ => 0.0,
        }
    }

    /// What credit recorded in `epoch` is worth now, as a fraction of what it was recorded
    /// at (1 unless a later assessment came in lower).
    pub(crate) fn ratio(&self, epoch: u32) -> f64 {
        match self.epochs.get(epoch as usize) {
            Some(e) if e.h > 0.0 => e.effective / e.h,
            Some(_) => 0.0,
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persistent_failure_takes_back_every_epoch_and_a_new_figure_does_not_restore_it() {
        let mut a = Account::new(0.5, 1, true);
        a.assess(2.0, AssessmentOrigin::Full, 65_536);
        a.assess(3.0, AssessmentOrigin::Full, 65_536);
        assert_eq!((a.ratio(0), a.ratio(1)), (1.0, 1.0));
        a.fail();
        assert_eq!((a.ratio(0), a.ratio(1)), (0.0, 0.0));
        // Re-admitted and measured again: new credit counts, the old stays worth nothing.
        a.assess(2.5, AssessmentOrigin::Full, 65_536);
        assert_eq!((a.ratio(0), a.ratio(1), a.ratio(2)), (0.0, 0.0, 1.0));
    }

    #[test]
    fn credit_follows_the_lowest_recent_figure() {
        // The audit's swing: cache_contention re-assessed 0.017 → 0.147 within minutes.
        let mut a = Account::new(0.5, 1, true);
        a.assess(0.017, AssessmentOrigin::Full, 65_536);
        assert_eq!(
            a.assess(0.147, AssessmentOrigin::Full, 65_536),
            Change::Kept
        );
        assert_eq!(a.h(), Some(0.017), "a lucky figure is not credited at once");
        // A decrease takes effect at once.
        assert_eq!(
            a.assess(0.010, AssessmentOrigin::Full, 65_536),
            Change::Lowered {
                old: 0.017,
                new: 0.010
            }
        );
        // An increase counts once it held over RECENT_FIGURES assessments.
        for _ in 1..RECENT_FIGURES {
            a.assess(0.147, AssessmentOrigin::Full, 65_536);
            assert_eq!(a.h(), Some(0.010));
        }
        a.assess(0.150, AssessmentOrigin::Full, 65_536);
        assert_eq!(a.h(), Some(0.147));
        // A stored figure counts as one of the recent ones.
        let mut b = Account::new(0.5, 1, true);
        b.assess(0.3, AssessmentOrigin::Stored, 65_536);
        b.assess(0.9, AssessmentOrigin::Full, 65_536);
        assert_eq!(b.h(), Some(0.3));
    }

    #[test]
    fn start_up_figures_earn_nothing() {
        let mut a = Account::new(0.5, 1, true);
        assert_eq!(a.assess(3.0, AssessmentOrigin::Startup, 4096), Change::None);
        assert_eq!(a.per_sample(), 0.0);
        assert_eq!(a.assess(2.0, AssessmentOrigin::Full, 65_536), Change::None);
        assert_eq!(a.per_sample(), 1.0);
    }

    #[test]
    fn a_lower_assessment_lowers_every_earlier_epoch_and_never_raises() {
        let mut a = Account::new(0.5, 2, true);
        a.assess(4.0, AssessmentOrigin::Stored, 65_536);
        assert_eq!(a.epoch(), 0);
        // A higher figure opens an epoch at the lowest recent figure, 4.
        assert_eq!(a.assess(6.0, AssessmentOrigin::Full, 65_536), Change::Kept);
        assert_eq!(
            a.assess(1.0, AssessmentOrigin::Full, 65_536),
            Change::Lowered { old: 4.0, new: 1.0 }
        );
        assert_eq!(a.ratio(0), 0.25);
        assert_eq!(a.ratio(1), 0.25);
        assert_eq!(a.ratio(2), 1.0);
        // A higher figure later opens a new epoch at the lowest recent figure; old ones stay
        // lowered.
        a.assess(3.0, AssessmentOrigin::Full, 65_536);
        assert_eq!(a.ratio(0), 0.25);
        assert_eq!(a.ratio(3), 1.0);
        assert_eq!(a.per_sample(), 1.0 * 0.5 / 2.0);
        // Once the 1.0 has left the recent figures, 3.0 holds.
        for _ in 0..RECENT_FIGURES {
            a.assess(3.0, AssessmentOrigin::Full, 65_536);
        }
        assert_eq!(a.per_sample(), 3.0 * 0.5 / 2.0);
        assert_eq!(a.ratio(0), 0.25, "never raised retroactively");
    }

    #[test]
    fn too_weak_and_ineligible_sources_earn_nothing() {
        let mut a = Account::new(0.5, 1, true);
        a.assess(0.04, AssessmentOrigin::Full, 65_536);
        assert!(a.too_weak());
        assert_eq!(a.per_sample(), 0.0);
        let mut public = Account::new(0.5, 1, false);
        public.assess(7.0, AssessmentOrigin::Full, 65_536);
        assert_eq!(public.per_sample(), 0.0);
        let mut trusted = Account::new(0.5, 4, true);
        trusted.assess(4.0, AssessmentOrigin::Trusted, 0);
        assert_eq!(
            trusted.per_sample(),
            4.0,
            "a vendor claim is credited as stated"
        );
    }
}
