//! Entropy accounting: which sources earn credit, how much, and how credit is taken back.
//!
//! Every rule that decides what counts as entropy lives here, so an auditor can read it in
//! one place (docs/CONDITIONING.md states the same rules with the figures measured):
//!
//! - **Credit only under a full-size assessment.** A source earns credit only while its
//!   min-entropy per sample `h` comes from an SP 800-90B assessment of at least
//!   [`FULL_ASSESSMENT_SAMPLES`] consecutive samples taken in the engine's own operating
//!   conditions ([`AssessmentOrigin::Full`], or [`AssessmentOrigin::Stored`] from this
//!   machine). An estimate on a small sample ([`AssessmentOrigin::Startup`], made when a
//!   quarantined source is re-tested) sets provisional health-test cutoffs and earns nothing:
//!   on 4,096 samples the estimators run up to 2.6× high.
//! - **The credit formula**, written once: [`credit_per_sample`] = `h × safety ÷ group`.
//! - **Too weak to credit:** below [`MIN_CREDITABLE_H`] bits per sample a source earns nothing
//!   (the estimators cannot separate such a source from a counter).
//! - **Platform generators** earn nothing unless trusted by name, and then only their
//!   documented vendor claim ([`trust`]), never an estimate of their conditioned output.
//! - **The lowest recent figure.** A source is credited at the lowest of its last
//!   [`RECENT_FIGURES`] creditable figures (this run's full-size assessments, and a stored
//!   one it started from): a decrease takes effect at once, an increase only once it holds
//!   over that many assessments. Consecutive full-size figures of one source swing by up to
//!   8× (cache_contention 0.017 → 0.147 on the reference VM), so crediting the latest one
//!   chased lucky figures upwards. The health tests take their cutoffs from the latest
//!   figure, which describes the source as it is now.
//! - **Epochs and revocation.** Each creditable assessment opens a new epoch. Credit is
//!   recorded per (source, epoch) in a [`Ledger`]; when a later assessment lowers `h`, every
//!   earlier epoch's credit is recomputed under the lower value (credit is never raised
//!   retroactively), and blocks that fall below 320 bits are revoked.
//! - **Diversity** ([`Assembler`]): with two or more correlation families selected, no family
//!   supplies more than `max_family_share` of a block's credited bits.
//!
//! One file per question: `figure` (which figure a source is credited at, and from when:
//! [`Account`]), `seed` (whether a seed is still valid; whether a due reseed may wait),
//! `revocation` (what a lower figure or a failure takes back from unserved blocks),
//! `assembler` (how a block is assembled under the family cap), `ledger` (what a block was
//! made of), `trust` (platform generators' vendor claims).

mod assembler;
mod figure;
mod ledger;
#[cfg(test)]
mod props;
mod revocation;
mod seed;
pub mod trust;

pub use assembler::{Assembler, FamilyShares};
pub(crate) use figure::{Account, Change};
pub use ledger::Ledger;
pub(crate) use revocation::revoke_short_blocks;
pub(crate) use seed::{SeedReady, reaches_full_entropy, when_blocks_are_short};

use serde::Serialize;

/// Samples in a full-size assessment: the least an assessment must rest on to earn credit.
pub const FULL_ASSESSMENT_SAMPLES: usize = 65_536;

/// How many of a source's latest creditable figures its credit is the lowest of.
pub const RECENT_FIGURES: usize = 4;

/// Below this many bits of assessed min-entropy per sample a source is too weak to credit.
pub const MIN_CREDITABLE_H: f64 = 0.05;

/// The credit one sample earns: assessed min-entropy × safety factor, divided among the
/// members of the source's correlation group (an attacker who models the mechanism models
/// all of them at once).
///
/// ```
/// use wellspring_core::accounting::credit_per_sample;
/// assert_eq!(credit_per_sample(2.0, 0.5, 4), 0.25);
/// ```
pub fn credit_per_sample(h: f64, safety: f64, group_size: usize) -> f64 {
    h * safety / group_size.max(1) as f64
}

/// Where a source's min-entropy figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssessmentOrigin {
    /// An estimate on a small sample (a re-admission test's): provisional health-test
    /// cutoffs only, never credit.
    Startup,
    /// A full-size assessment from an earlier run on this machine (see `AssessmentStore`).
    Stored,
    /// This run's background assessment of a full-size sample.
    Full,
    /// A platform generator the user trusts by name: its documented vendor claim.
    Trusted,
}

impl AssessmentOrigin {
    /// The name used in JSON and tables: `startup`, `stored`, `full` or `trusted`.
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentOrigin::Startup => "startup",
            AssessmentOrigin::Stored => "stored",
            AssessmentOrigin::Full => "full",
            AssessmentOrigin::Trusted => "trusted",
        }
    }

    /// Whether a figure of this origin may earn credit.
    pub fn earns_credit(self) -> bool {
        !matches!(self, AssessmentOrigin::Startup)
    }
}

/// What credit recorded under a source's epoch is worth now, as a fraction of its recorded
/// value: implemented by the engine's per-source state and by plain account lists.
pub trait Ratios {
    /// The ratio for `source`'s `epoch` (1 when unknown: nothing was lowered).
    fn ratio(&self, source: usize, epoch: u32) -> f64;
}

impl Ratios for [Account] {
    fn ratio(&self, source: usize, epoch: u32) -> f64 {
        self.get(source).map_or(1.0, |a| a.ratio(epoch))
    }
}

impl Ratios for Vec<Account> {
    fn ratio(&self, source: usize, epoch: u32) -> f64 {
        self.as_slice().ratio(source, epoch)
    }
}

/// A constant ratio of 1: nothing is revised (a forked child's one-off accounts).
pub(crate) struct Unrevised;

impl Ratios for Unrevised {
    fn ratio(&self, _: usize, _: u32) -> f64 {
        1.0
    }
}
