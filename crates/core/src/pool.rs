//! The first pool: parallel collection, raw XOR output and SHA-256 conditioned output.
//!
//! This pool is deliberately simple and makes no entropy claims: it hashes everything it
//! collected. The accounted engine (health tests, measured credit, CTR_DRBG) replaces it
//! behind the same [`ByteSource`] seam.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::EntropySource;
use crate::collect::{Collected, ParallelCollector};
use std::sync::Arc;

/// Anything that fills buffers with random bytes: the pool, the engine, a DRBG.
pub trait ByteSource {
    /// Fills `out` completely or fails.
    fn fill(&mut self, out: &mut [u8]) -> Result<(), PoolError>;
}

/// How output is derived from the collected samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conditioning {
    /// XOR of the sources' raw samples: for studying the noise, never for keys.
    Raw,
    /// SHA-256 over collected samples.
    Sha256,
    /// CTR_DRBG seeded from SHA-256 conditioned output.
    Drbg,
}

impl Conditioning {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Conditioning::Raw => "raw",
            Conditioning::Sha256 => "sha256",
            Conditioning::Drbg => "drbg",
        }
    }
}

/// Why the pool could not produce output.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// Every source failed in a round; the messages say why.
    #[error("no source delivered samples: {0}")]
    NoSamples(String),
    /// The requested mode is not provided by this pool.
    #[error("conditioning mode {0} is not supported by this pool")]
    Unsupported(&'static str),
}

/// Settings of the first pool.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Samples asked of each source per round.
    pub samples_per_round: usize,
    /// How long a round waits for a source.
    pub source_timeout: Duration,
    /// Bytes of samples hashed per byte of conditioned output (at least 2).
    pub compression: usize,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            samples_per_round: 8192,
            source_timeout: Duration::from_secs(5),
            compression: 2,
        }
    }
}

/// The first pool over a set of sources.
pub struct Pool {
    collector: ParallelCollector,
    config: PoolConfig,
    mode: Conditioning,
    round: u64,
    buffered: Vec<u8>,
    last_round: Vec<Collected>,
}

impl Pool {
    /// A pool over `sources` serving `mode`.
    pub fn new(
        sources: Vec<Arc<dyn EntropySource>>,
        mode: Conditioning,
        config: PoolConfig,
    ) -> Result<Self, PoolError> {
        if mode == Conditioning::Drbg {
            return Err(PoolError::Unsupported("drbg"));
        }
        Ok(Pool {
            collector: ParallelCollector::new(sources, config.source_timeout),
            config,
            mode,
            round: 0,
            buffered: Vec::new(),
            last_round: Vec::new(),
        })
    }

    /// The outcome of the most recent collection round, per source.
    pub fn last_round(&self) -> &[Collected] {
        &self.last_round
    }

    /// Runs one collection round and returns its per-source outcomes.
    pub fn collect_round(&mut self) -> &[Collected] {
        self.last_round = self.collector.collect(self.config.samples_per_round);
        &self.last_round
    }

    fn refill(&mut self) -> Result<(), PoolError> {
        self.collect_round();
        let good: Vec<&[u8]> = self
            .last_round
            .iter()
            .filter_map(|c| c.outcome.as_deref().ok())
            .collect();
        if good.is_empty() {
            let why: Vec<String> = self
                .last_round
                .iter()
                .map(|c| {
                    format!(
                        "{}: {}",
                        c.name,
                        c.outcome.as_ref().err().map_or("ok", String::as_str)
                    )
                })
                .collect();
            return Err(PoolError::NoSamples(why.join("; ")));
        }
        self.round += 1;
        match self.mode {
            Conditioning::Raw => {
                let len = good.iter().map(|s| s.len()).min().unwrap_or(0);
                let mut xor = vec![0u8; len];
                for samples in &good {
                    for (o, s) in xor.iter_mut().zip(samples.iter()) {
                        *o ^= s;
                    }
                }
                self.buffered.extend_from_slice(&xor);
            }
            Conditioning::Sha256 | Conditioning::Drbg => {
                let mut base = Sha256::new();
                base.update(b"wellspring first pool v1");
                base.update(self.round.to_le_bytes());
                for samples in &good {
                    base.update((samples.len() as u64).to_le_bytes());
                    base.update(samples);
                }
                let total: usize = good.iter().map(|s| s.len()).sum();
                let blocks = (total / self.config.compression.max(2) / 32).max(1);
                for block in 0..blocks as u64 {
                    let mut h = base.clone();
                    h.update(block.to_le_bytes());
                    self.buffered.extend_from_slice(&h.finalize());
                }
            }
        }
        Ok(())
    }
}

impl ByteSource for Pool {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), PoolError> {
        let mut written = 0;
        while written < out.len() {
            if self.buffered.is_empty() {
                self.refill()?;
            }
            let take = self.buffered.len().min(out.len() - written);
            out[written..written + take].copy_from_slice(&self.buffered[..take]);
            self.buffered.drain(..take);
            written += take;
        }
        Ok(())
    }
}
