//! Engine settings, each default with the reason it was chosen.

use std::sync::Arc;
use std::time::Duration;

use crate::EntropySource;
use crate::conditioning::ConditionerKind;
use crate::drbg::DrbgPolicy;

/// Measures min-entropy per sample from a sample slice; `None` when it cannot.
pub type Assessor = fn(&[u8]) -> Option<f64>;

/// Sources known to measure correlated phenomena (they share a clock or a mechanism), as
/// measured by `wellspring bench` on the reference VM and listed in docs/SOURCES.md. Members
/// of a group share one credit budget instead of adding up.
pub const DEFAULT_CORRELATED_GROUPS: &[&[&str]] = &[];

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
            reassess_samples: 65_536,
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
        }
    }
}

/// The default estimator: SP 800-90B's most-common-value estimate.
pub fn default_assessor(samples: &[u8]) -> Option<f64> {
    wellspring_assess::summary::mcv_min_entropy(samples)
}
