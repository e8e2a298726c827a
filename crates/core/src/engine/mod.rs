//! The output engine: background harvesting, health tests, measured entropy accounting,
//! vetted conditioning into full-entropy blocks, and the output modes built on them.
//!
//! ```text
//! harvesters (one per source family) ─▶ health tests ─▶ credit = samples × H × safety
//!        ─▶ SHA-256 / HMAC conditioner ─▶ reservoir of full-entropy blocks
//!        ─▶ `sha256` output, or seeds for the CTR_DRBG (`drbg` output)
//! `raw` output collects on demand and never touches the credited path.
//! ```

mod config;
mod fork;
mod harvest;
mod rng;
mod schedule;
mod slot;
mod status;
mod store;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use config::{
    Assessor, DEFAULT_CORRELATED_GROUPS, EngineConfig, REASSESS_SAMPLES, default_assessor,
};
pub use rng::{EngineRng, RawOutput};
pub use slot::{AssessmentOrigin, SourceReport};
pub use status::EngineStatus;
pub use store::AssessmentStore;

use crate::collect::ParallelCollector;
use crate::conditioning::{BLOCK_BYTES, Conditioner};
use crate::pool::{ByteSource, Conditioning};
use slot::Slot;

/// Why the engine could not deliver.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    /// No credited source is healthy and the wait for credit ran out.
    #[error("no full-entropy output: {0}")]
    Starved(String),
    /// The engine was given no sources.
    #[error("the engine needs at least one source")]
    NoSources,
    /// Raw output was asked for through a cryptographic interface.
    #[error("raw output is unconditioned and not a cryptographic RNG; use Engine::output")]
    NotCryptographic,
    /// Raw collection failed for every source.
    #[error("no source delivered raw samples: {0}")]
    RawFailed(String),
}

pub(crate) struct Shared {
    pub(crate) slots: Vec<Slot>,
    pub(crate) conditioner: Conditioner,
    pub(crate) reservoir: VecDeque<[u8; BLOCK_BYTES]>,
    pub(crate) blocks_produced: u64,
    pub(crate) blocks_served: u64,
    pub(crate) credited_bits: f64,
}

pub(crate) struct Inner {
    pub(crate) config: EngineConfig,
    pub(crate) shared: Mutex<Shared>,
    /// Signalled when blocks arrive.
    pub(crate) blocks_ready: Condvar,
    /// Signalled when blocks are taken (room in the reservoir) or on shutdown.
    pub(crate) space_ready: Condvar,
    pub(crate) stop: AtomicBool,
    pub(crate) reseeds: AtomicU64,
    pub(crate) drbg_bytes: AtomicU64,
    pub(crate) raw_bytes: AtomicU64,
    pub(crate) cpu_used_ns: AtomicU64,
    /// CPU spent on sources' first batches (start-up assessment and test), which may use only
    /// a share of the budget once every family has a source running.
    pub(crate) startup_cpu_ns: AtomicU64,
    /// The best credit per CPU-ns any family earns lately (f64 bits, a decaying maximum):
    /// sources far below it get only a small share of the budget (see `schedule`).
    pub(crate) best_yield: AtomicU64,
    /// A background re-assessment is running (one at a time per engine).
    pub(crate) assessor_busy: AtomicBool,
    pub(crate) started: Instant,
    /// Per source, the credit per sample (f64 bits) currently granted, readable without the
    /// lock: a forked child, whose copy of the lock may be held by a thread that no longer
    /// exists, conditions fresh samples with these.
    pub(crate) claims: Vec<AtomicU64>,
    /// The fork generation the engine was started in.
    pub(crate) fork_generation: u64,
    raw: ParallelCollector,
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic in a harvester must not take the whole engine down with a poisoned lock.
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct Running {
    inner: Arc<Inner>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        self.inner.space_ready.notify_all();
        self.inner.blocks_ready.notify_all();
        // Harvesters see the flag after their current batch and exit; they are not joined,
        // so dropping the engine never waits on a slow source.
        self.threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// A running engine. Cloning shares it; harvesting stops when the last clone is dropped.
///
/// ```no_run
/// use wellspring_core::engine::{Engine, EngineConfig};
/// use wellspring_core::registry::Registry;
///
/// let engine = Engine::start(EngineConfig::new(Registry::builtin().select(None)?))?;
/// let mut key = [0u8; 32];
/// engine.fill_full_entropy(&mut key)?; // SHA-256 block backed by 320 credited bits
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    running: Arc<Running>,
}

impl Engine {
    /// Starts one harvester thread per source family and returns at once. Each harvester
    /// first assesses its sources on a start-up sample and runs the start-up health test;
    /// output waits only for the first credited blocks, not for the slowest source.
    pub fn start(config: EngineConfig) -> Result<Engine, EngineError> {
        if config.sources.is_empty() {
            return Err(EngineError::NoSources);
        }
        let slots = new_slots(&config);
        let n_sources = slots.len();
        let inner = Arc::new(Inner {
            shared: Mutex::new(Shared {
                slots,
                conditioner: Conditioner::new(config.conditioner),
                reservoir: VecDeque::with_capacity(config.reservoir_blocks),
                blocks_produced: 0,
                blocks_served: 0,
                credited_bits: 0.0,
            }),
            raw: ParallelCollector::new(config.sources.clone(), config.startup_timeout),
            config,
            blocks_ready: Condvar::new(),
            space_ready: Condvar::new(),
            stop: AtomicBool::new(false),
            reseeds: AtomicU64::new(0),
            drbg_bytes: AtomicU64::new(0),
            raw_bytes: AtomicU64::new(0),
            cpu_used_ns: AtomicU64::new(0),
            startup_cpu_ns: AtomicU64::new(0),
            best_yield: AtomicU64::new(0),
            assessor_busy: AtomicBool::new(false),
            started: Instant::now(),
            claims: (0..n_sources).map(|_| AtomicU64::new(0)).collect(),
            fork_generation: crate::drbg::fork_generation(),
        });
        let threads = harvest::spawn_harvesters(&inner);
        Ok(Engine {
            running: Arc::new(Running {
                inner,
                threads: Mutex::new(threads),
            }),
        })
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.running.inner
    }

    /// Fills `out` with full-entropy output: each 32-byte block backed by at least 320 bits
    /// of credited min-entropy. Waits (without spinning) while credit runs short; fails after
    /// the starvation timeout passes with no new block, naming the failed sources.
    pub fn fill_full_entropy(&self, out: &mut [u8]) -> Result<(), EngineError> {
        let inner = self.inner();
        if crate::drbg::fork_generation() != inner.fork_generation {
            return fork::fill_in_child(inner, out);
        }
        let mut shared = inner.lock();
        let mut written = 0;
        let mut last_progress = Instant::now();
        while written < out.len() {
            if let Some(block) = shared.reservoir.pop_front() {
                let take = (out.len() - written).min(BLOCK_BYTES);
                out[written..written + take].copy_from_slice(&block[..take]);
                written += take;
                shared.blocks_served += 1;
                last_progress = Instant::now();
                inner.space_ready.notify_all();
                continue;
            }
            let waited = last_progress.elapsed();
            if waited >= inner.config.starvation_timeout {
                return Err(EngineError::Starved(starvation_message(&shared, waited)));
            }
            let left = inner.config.starvation_timeout - waited;
            shared = inner
                .blocks_ready
                .wait_timeout(shared, left.min(Duration::from_millis(500)))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(())
    }

    /// Fills `out` from full-entropy blocks already in the reservoir, without waiting;
    /// returns false (and takes nothing) when there are not enough.
    pub fn try_fill_full_entropy(&self, out: &mut [u8]) -> bool {
        let inner = self.inner();
        if crate::drbg::fork_generation() != inner.fork_generation {
            return false;
        }
        let mut shared = inner.lock();
        if shared.reservoir.len() * BLOCK_BYTES < out.len() {
            return false;
        }
        for chunk in out.chunks_mut(BLOCK_BYTES) {
            let block = shared.reservoir.pop_front().expect("length checked above");
            chunk.copy_from_slice(&block[..chunk.len()]);
            shared.blocks_served += 1;
        }
        inner.space_ready.notify_all();
        true
    }

    /// Fills `out` with unconditioned output: the XOR of fresh raw samples from every source
    /// that answers in time. For studying the noise; never credited, never mixed with the
    /// credited path.
    pub fn fill_raw(&self, out: &mut [u8]) -> Result<(), EngineError> {
        let inner = self.inner();
        for chunk in out.chunks_mut(1 << 16) {
            let round = inner.raw.collect(chunk.len());
            let mut got = false;
            chunk.fill(0);
            for collected in &round {
                if let Ok(samples) = &collected.outcome {
                    got = true;
                    for (o, s) in chunk.iter_mut().zip(samples) {
                        *o ^= s;
                    }
                }
            }
            if !got {
                let why: Vec<String> = round
                    .iter()
                    .map(|c| format!("{}: {}", c.name, c.outcome.as_ref().err().map_or("", |e| e)))
                    .collect();
                return Err(EngineError::RawFailed(why.join("; ")));
            }
        }
        inner
            .raw_bytes
            .fetch_add(out.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// A cryptographic handle (`sha256` or `drbg`; a DRBG handle owns its own CTR_DRBG state).
    pub fn rng(&self, mode: Conditioning) -> Result<EngineRng, EngineError> {
        EngineRng::new(self.clone(), mode)
    }

    /// A byte source in any mode, including unconditioned `raw` output.
    pub fn output(&self, mode: Conditioning) -> Box<dyn ByteSource + Send> {
        match self.rng(mode) {
            Ok(rng) => Box::new(rng),
            Err(_) => Box::new(RawOutput {
                engine: self.clone(),
            }),
        }
    }

    /// The latest raw samples harvested from the named source (up to 512), for display.
    pub fn recent_samples(&self, name: &str) -> Option<Vec<u8>> {
        let shared = self.inner().lock();
        shared
            .slots
            .iter()
            .find(|s| s.source.name() == name)
            .map(|s| s.recent.clone())
    }

    /// A snapshot of credit, output and per-source state.
    pub fn status(&self) -> EngineStatus {
        status::snapshot(self.inner())
    }
}

fn starvation_message(shared: &Shared, waited: Duration) -> String {
    let failed: Vec<String> = shared
        .slots
        .iter()
        .filter(|s| s.quarantined() || s.h.is_none())
        .map(|s| {
            let why = if s.quarantined() {
                s.last_error.clone().unwrap_or_else(|| "quarantined".into())
            } else {
                "no entropy measured".into()
            };
            format!("{} ({why})", s.source.name())
        })
        .collect();
    let credited = shared.slots.iter().filter(|s| s.credited()).count();
    format!(
        "waited {:.1} s for credit; {credited} credited source(s) healthy; failed: {}",
        waited.as_secs_f64(),
        if failed.is_empty() {
            "none".to_owned()
        } else {
            failed.join(", ")
        }
    )
}

/// How soon a source started from a stored assessment is measured again in this run.
const STORED_RECHECK: Duration = Duration::from_secs(5);

fn new_slots(config: &EngineConfig) -> Vec<Slot> {
    let stored = config
        .assessment_store
        .as_ref()
        .map(AssessmentStore::load)
        .unwrap_or_default();
    config
        .sources
        .iter()
        .map(|source| {
            let group_size = config
                .correlated_groups
                .iter()
                .find(|g| g.iter().any(|n| n == source.name()))
                .map_or(1, |g| g.len());
            let mut slot = Slot::new(Arc::clone(source), group_size, config.safety_factor);
            if let Some(&h) = stored.get(source.name()) {
                slot.set_entropy(Some(h), AssessmentOrigin::Stored);
                // The stored value serves start-up; this run's own measurement follows after
                // STORED_RECHECK rather than the full interval, since the stored one may come
                // from another context (`bench` runs every source at once).
                slot.last_assessed = Instant::now()
                    .checked_sub(config.reassess_interval.saturating_sub(STORED_RECHECK));
            }
            slot
        })
        .collect()
}
