//! Test doubles shared by the engine's integration tests: sources whose entropy is known.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use wellspring_core::engine::EngineConfig;
use wellspring_core::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// Uniform bytes from splitmix64 (8 bits per sample as far as any estimator can tell),
/// masked to `mask`; a constant while `stuck` is set, as a failed device would give.
pub(crate) struct Fake {
    info: SourceInfo,
    state: AtomicU64,
    mask: u8,
    pub(crate) stuck: Arc<AtomicBool>,
}

/// The next splitmix64 output of `state`.
pub(crate) fn splitmix(state: &AtomicU64) -> u64 {
    let mut z = state
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl EntropySource for Fake {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        if self.stuck.load(Ordering::Relaxed) {
            return Ok(vec![0x42; n]);
        }
        Ok((0..n)
            .map(|_| splitmix(&self.state) as u8 & self.mask)
            .collect())
    }
}

/// A fast fake named `name` in `category`, and the switch that makes it stuck.
pub(crate) fn fake_in(
    name: &'static str,
    category: SourceCategory,
    seed: u64,
) -> (Arc<Fake>, Arc<AtomicBool>) {
    let stuck = Arc::new(AtomicBool::new(false));
    let source = Arc::new(Fake {
        info: SourceInfo {
            name,
            category,
            physics: "test double",
            speed: SpeedClass::Fast,
        },
        state: AtomicU64::new(seed),
        mask: 0xff,
        stuck: Arc::clone(&stuck),
    });
    (source, stuck)
}

/// A fast timing-category fake.
pub(crate) fn fake(name: &'static str, seed: u64) -> (Arc<Fake>, Arc<AtomicBool>) {
    fake_in(name, SourceCategory::Timing, seed)
}

/// Engine settings for tests: small start-up batches and a short starvation timeout.
pub(crate) fn config(sources: Vec<Arc<dyn EntropySource>>) -> EngineConfig {
    let mut config = EngineConfig::new(sources);
    config.startup_samples = 2048;
    config.starvation_timeout = Duration::from_millis(1500);
    config
}
