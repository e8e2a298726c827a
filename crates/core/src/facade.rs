//! [`EntropyPool`], the friendly facade over [`Engine`](crate::engine::Engine), and the quick
//! quality helpers: what a user arriving from openentropy reaches for first.
//!
//! ```no_run
//! let pool = wellspring_core::EntropyPool::auto()?;
//! let key = pool.get_random_bytes(32)?; // full entropy: 352 measured bits behind each 32 bytes
//! # Ok::<(), wellspring_core::engine::EngineError>(())
//! ```

use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::EntropySource;
use crate::engine::{AssessmentStore, Engine, EngineConfig, EngineError, EngineRng, SourceReport};
use crate::pool::Conditioning;
use crate::registry::Registry;

/// A running pool of entropy sources with background harvesting, health tests, measured
/// accounting and SHA-256 conditioning. Cloning shares it.
#[derive(Clone)]
pub struct EntropyPool {
    engine: Engine,
    /// A DRBG handle kept for [`EntropyPool::rng`]'s callers who want bulk output through the
    /// pool itself (see [`EntropyPool::fill_drbg`]).
    drbg: Arc<Mutex<EngineRng>>,
}

/// What [`EntropyPool::health_report`] returns: how many sources are healthy, and each one's
/// state (the same fields as `pool --json`).
#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    /// Sources in service (not quarantined).
    pub healthy: usize,
    /// All sources.
    pub total: usize,
    /// Sources that earn credit now.
    pub credited: usize,
    /// Per-source state.
    pub sources: Vec<SourceReport>,
}

impl EntropyPool {
    /// A pool over every available fast source that measures physical noise (platform
    /// generators excluded), keeping full-size assessments in the default cache
    /// (`~/.cache/wellspring/assessments.json`) so the next start is fast.
    pub fn auto() -> Result<Self, EngineError> {
        let sources = Registry::builtin()
            .select(None)
            .map_err(|e| EngineError::InvalidConfig(e.to_string()))?;
        let mut config = EngineConfig::new(sources);
        config.assessment_store = AssessmentStore::at_default_path();
        Self::with_config(config)
    }

    /// A pool over `sources`, with the engine's defaults (no assessment cache).
    ///
    /// ```no_run
    /// use wellspring_core::{EntropyPool, registry::Registry};
    ///
    /// let sources = Registry::builtin().select(Some("memory_timing,branch_timing")).unwrap();
    /// let pool = EntropyPool::new(sources)?;
    /// # Ok::<(), wellspring_core::engine::EngineError>(())
    /// ```
    pub fn new(sources: Vec<Arc<dyn EntropySource>>) -> Result<Self, EngineError> {
        Self::with_config(EngineConfig::new(sources))
    }

    /// A pool with every engine setting under the caller's control.
    pub fn with_config(config: EngineConfig) -> Result<Self, EngineError> {
        let engine = Engine::start(config)?;
        let drbg = engine.rng(Conditioning::Drbg)?;
        Ok(EntropyPool {
            engine,
            drbg: Arc::new(Mutex::new(drbg)),
        })
    }

    /// `n` bytes of full-entropy output (each 32-byte block backed by measured min-entropy).
    pub fn get_random_bytes(&self, n: usize) -> Result<Vec<u8>, EngineError> {
        let mut out = vec![0u8; n];
        self.fill(&mut out)?;
        Ok(out)
    }

    /// Fills `out` with full-entropy output.
    pub fn fill(&self, out: &mut [u8]) -> Result<(), EngineError> {
        self.engine.fill_full_entropy(out)
    }

    /// Fills `out` from the pool's shared CTR_DRBG (seeded and reseeded from full-entropy
    /// blocks): bulk speed.
    pub fn fill_drbg(&self, out: &mut [u8]) -> Result<(), EngineError> {
        self.drbg
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .try_fill(out)
    }

    /// A `rand_core` RNG of its own (a CTR_DRBG seeded from the pool), for `rand`'s
    /// distributions: `TryRng` + `TryCryptoRng`.
    pub fn rng(&self) -> Result<EngineRng, EngineError> {
        self.engine.rng(Conditioning::Drbg)
    }

    /// How many sources are healthy and each one's state.
    pub fn health_report(&self) -> HealthReport {
        let status = self.engine.status();
        HealthReport {
            healthy: status.sources_healthy,
            total: status.sources_total,
            credited: status.credited_sources(),
            sources: status.sources,
        }
    }

    /// The engine underneath, for everything else (`status()`, raw output, ...).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// Shannon entropy of `data` in bits per byte (0..=8): how even its byte histogram is. It says
/// nothing about predictability; see [`quick_min_entropy`].
///
/// ```
/// assert_eq!(wellspring_core::quick_shannon(&[0, 1, 2, 3]), 2.0);
/// ```
pub fn quick_shannon(data: &[u8]) -> f64 {
    wellspring_assess::summary::shannon_entropy(data)
}

/// A quick min-entropy estimate in bits per byte: the SP 800-90B most-common-value estimate
/// (§6.3.1), an upper bound on what the full assessment (`wellspring assess`) reports for
/// data with structure. 0 for fewer than two bytes.
///
/// ```
/// let h = wellspring_core::quick_min_entropy(&[7u8; 1000]);
/// assert_eq!(h, 0.0);
/// ```
pub fn quick_min_entropy(data: &[u8]) -> f64 {
    wellspring_assess::sp800_90b::mcv::mcv(data, 256)
        .unwrap_or(0.0)
        .max(0.0)
}

/// A letter grade for a min-entropy per 8-bit sample, as `wellspring bench` grades: A ≥ 6,
/// B ≥ 4, C ≥ 2, D ≥ 0.5, else F.
///
/// ```
/// assert_eq!(wellspring_core::grade_min_entropy(6.5), "A");
/// assert_eq!(wellspring_core::grade_min_entropy(0.1), "F");
/// ```
pub fn grade_min_entropy(min_entropy: f64) -> &'static str {
    match min_entropy {
        h if h >= 6.0 => "A",
        h if h >= 4.0 => "B",
        h if h >= 2.0 => "C",
        h if h >= 0.5 => "D",
        _ => "F",
    }
}

/// [`quick_quality`]'s answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuickQuality {
    /// Bytes looked at.
    pub samples: usize,
    /// Shannon entropy, bits per byte.
    pub shannon: f64,
    /// Most-common-value min-entropy, bits per byte.
    pub min_entropy: f64,
    /// [`grade_min_entropy`] of `min_entropy`.
    pub grade: &'static str,
}

/// Shannon entropy, quick min-entropy and a grade for `data` in one call.
///
/// ```
/// let q = wellspring_core::quick_quality(&[1, 2, 3, 4, 5, 6, 7, 8]);
/// assert_eq!(q.shannon, 3.0);
/// assert_eq!(q.samples, 8);
/// ```
pub fn quick_quality(data: &[u8]) -> QuickQuality {
    let min_entropy = quick_min_entropy(data);
    QuickQuality {
        samples: data.len(),
        shannon: quick_shannon(data),
        min_entropy,
        grade: grade_min_entropy(min_entropy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_figures_match_hand_computed_values() {
        // 256 distinct bytes once each: Shannon 8 bits exactly.
        let all: Vec<u8> = (0..=255).collect();
        assert!((quick_shannon(&all) - 8.0).abs() < 1e-12);
        // MCV (SP 800-90B §6.3.1) on [0, 0, 1, 2]: p̂ = 0.5, upper bound
        // p_u = min(1, 0.5 + 2.576 × sqrt(0.5 × 0.5 / 3)) = 1 → 0 bits.
        assert_eq!(quick_min_entropy(&[0, 0, 1, 2]), 0.0);
        // Half zeros, half ones over 100,000 bytes: p̂ = 0.5, p_u = 0.5 + 2.576 ×
        // sqrt(0.25 / 99,999) = 0.504073 → -log2 = 0.98830 bits.
        let half: Vec<u8> = (0..100_000).map(|i| (i % 2) as u8).collect();
        assert!((quick_min_entropy(&half) - 0.98830).abs() < 1e-4);
        let q = quick_quality(&half);
        assert_eq!((q.shannon, q.grade), (1.0, "D"));
    }
}
