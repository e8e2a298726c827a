//! The quality figures `probe` and `bench` report for a batch of samples, computed one way.

use wellspring_assess::summary::shannon_entropy;
use wellspring_core::engine::default_assessor;
use wellspring_core::health::HealthTests;

use crate::output::grade;

/// The engine's safety factor: health tests check the credited claim `h × 0.5`, as the
/// engine does (crates/core/src/engine/slot.rs).
const CLAIM_FACTOR: f64 = 0.5;

/// Speed, entropy and health of one batch.
pub(crate) struct Quality {
    pub(crate) samples_per_second: f64,
    pub(crate) shannon: f64,
    pub(crate) min_entropy: f64,
    pub(crate) grade: &'static str,
    pub(crate) health: HealthTests,
}

pub(crate) fn measure(samples: &[u8], seconds: f64) -> Quality {
    // The engine's own measurement (SP 800-90B non-IID, all ten estimators); too few samples
    // for the predictors measure nothing, so they show 0 rather than an optimistic MCV.
    let min_entropy = default_assessor(samples).unwrap_or(0.0);
    let mut health = HealthTests::new((min_entropy * CLAIM_FACTOR).max(0.01), false);
    health.feed_all(samples);
    Quality {
        samples_per_second: samples.len() as f64 / seconds.max(1e-9),
        shannon: shannon_entropy(samples),
        min_entropy,
        grade: grade(min_entropy),
        health,
    }
}
