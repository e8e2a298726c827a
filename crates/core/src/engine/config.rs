//! Engine settings, each default with the reason it was chosen.

use std::sync::Arc;
use std::time::Duration;

use crate::EntropySource;
use crate::conditioning::ConditionerKind;
use crate::drbg::DrbgPolicy;

use super::AssessmentStore;

/// Measures min-entropy per sample from a sample slice; `None` when it cannot.
pub type Assessor = fn(&[u8]) -> Option<f64>;

/// Sources that measure the same mechanism through different windows, listed in
/// docs/SOURCES.md. Their sample streams show little linear correlation (`wellspring bench`
/// measures |r| < 0.1), but an attacker who models the mechanism models all of them at
/// once, so members of a group share one credit budget instead of adding up.
pub const DEFAULT_CORRELATED_GROUPS: &[&[&str]] = &[
    // The TSC against a vDSO-computed kernel clock.
    &[
        "clock_jitter",
        "monotonic_raw_jitter",
        "realtime_jitter",
        "boottime_jitter",
    ],
    // hrtimer expiry and wake-up after nanosleep.
    &["sleep_jitter", "timer_slack"],
    // The same block device queue.
    &["disk_io", "disk_read"],
    // Cache-line ownership transfers between the two cores.
    &["cache_contention", "atomic_contention"],
    // DRAM access latency.
    &[
        "memory_timing",
        "dram_row_buffer",
        "tlb_miss",
        "memory_clock_beat",
    ],
    // The loopback network stack's softirq processing.
    &["tcp_loopback", "udp_loopback"],
    // Scheduler wake-ups of a second thread.
    &["futex_wake", "pipe_wake", "cpu_io_beat"],
];

/// Samples in a full-size assessment: the background re-assessment's sample, and the least
/// an assessment kept across runs (see [`AssessmentStore`]) must rest on.
pub const REASSESS_SAMPLES: usize = 65_536;

/// How the engine harvests, accounts and conditions.
#[derive(Clone)]
pub struct EngineConfig {
    /// The sources to harvest.
    pub sources: Vec<Arc<dyn EntropySource>>,
    /// Fraction of the assessed min-entropy that is credited (default 0.5): a margin for
    /// estimator error and for what the estimators cannot see.
    pub safety_factor: f64,
    /// CPU the harvesters may use on average, in cores (default 1.0, leaving the rest of
    /// the machine usable).
    pub cpu_budget: f64,
    /// Samples collected from each source at start-up for its first assessment.
    pub startup_samples: usize,
    /// How long start-up waits for a source's first samples.
    pub startup_timeout: Duration,
    /// Samples accumulated before a source is re-assessed in the background.
    pub reassess_samples: usize,
    /// Least time between two re-assessments of one source: the full SP 800-90B assessment
    /// of 65,536 samples costs about as much CPU as a fast source's harvest of several
    /// seconds, so it is refreshed on a clock rather than on every 65,536 samples.
    pub reassess_interval: Duration,
    /// Full-entropy blocks kept ready; harvesting pauses when the reservoir is full.
    pub reservoir_blocks: usize,
    /// SHA-256 or HMAC-SHA256.
    pub conditioner: ConditionerKind,
    /// When the DRBG must be reseeded.
    pub drbg_policy: DrbgPolicy,
    /// Reseed the DRBG before every request.
    pub prediction_resistance: bool,
    /// How long a full-entropy request may wait for credit before failing.
    pub starvation_timeout: Duration,
    /// Groups of correlated source names that share one credit budget.
    pub correlated_groups: Vec<Vec<String>>,
    /// The min-entropy estimator.
    pub assessor: Assessor,
    /// Where full-size assessments are kept across runs (default none: every run assesses
    /// at start-up). See [`AssessmentStore`].
    pub assessment_store: Option<AssessmentStore>,
}

impl EngineConfig {
    /// Defaults for `sources`.
    pub fn new(sources: Vec<Arc<dyn EntropySource>>) -> Self {
        EngineConfig {
            sources,
            safety_factor: 0.5,
            cpu_budget: 1.0,
            startup_samples: 4096,
            startup_timeout: Duration::from_secs(2),
            reassess_samples: REASSESS_SAMPLES,
            reassess_interval: Duration::from_secs(60),
            // 64 KiB of full-entropy output: enough for 1,365 DRBG reseeds.
            reservoir_blocks: 2048,
            conditioner: ConditionerKind::Sha256,
            drbg_policy: DrbgPolicy::default(),
            prediction_resistance: false,
            starvation_timeout: Duration::from_secs(10),
            correlated_groups: DEFAULT_CORRELATED_GROUPS
                .iter()
                .map(|g| g.iter().map(|s| s.to_string()).collect())
                .collect(),
            assessor: default_assessor,
            assessment_store: None,
        }
    }
}

/// The default estimator: the full non-IID assessment of SP 800-90B §6.3 (all ten
/// estimators on the bytes and on their bitstring, combined as NIST's `ea_non_iid` does),
/// with each sample taken as 8 bits. `None` when the samples cannot be assessed (too few,
/// or too few for every estimator but MCV, which alone would over-credit short runs).
pub fn default_assessor(samples: &[u8]) -> Option<f64> {
    use wellspring_assess::sp800_90b::{AssessOptions, assess};
    // Sequential on the calling (harvester) thread, so the CPU budget is charged for it.
    let opts = AssessOptions {
        parallel: false,
        ..AssessOptions::default()
    };
    let report = assess(samples, &opts).ok()?;
    // A constant source has exactly zero; otherwise require the predictors to have run.
    if report.alphabet_size > 1 && report.estimators.original.lz78y.is_none() {
        return None;
    }
    Some(report.h_assessed)
}
