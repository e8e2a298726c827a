//! The output engine: background harvesting, health tests, measured entropy accounting,
//! vetted conditioning into full-entropy blocks, and the output modes built on them.
//!
//! ```text
//! harvesters (one per source family) ─▶ health tests ─▶ credit = samples × H × safety
//!        ─▶ SHA-256 / HMAC conditioner ─▶ reservoir of full-entropy blocks
//!        ─▶ `sha256` output, or seeds for the CTR_DRBG (`drbg` output)
//! `raw` output collects on demand and never touches the credited path.
//! ```
//!
//! The modules form no import circle: `harvest` (the threads) runs `batch` (one batch's
//! steps), which starts `assess` (background assessments); both end in `blocks` (assembly
//! into the reservoir) and `fork::publish`; `cpu` keeps the idle budget below them all. The
//! rules of the accounting live in `accounting`, each in the file named for its question
//! (`figure`: which figure a source is credited at; `seed`: whether a seed is still valid
//! and whether a due reseed may wait; `revocation`: what a lower figure or a failure takes
//! back; `assembler`: how a block is assembled under the family cap). The engine only
//! schedules harvests and moves samples and blocks through them.

mod assess;
mod batch;
mod blocks;
mod config;
mod cpu;
mod fork;
mod harvest;
mod rng;
mod schedule;
mod setup;
mod slot;
mod status;
mod store;
mod workers;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

pub use crate::accounting::AssessmentOrigin;
pub use crate::error::EngineError;
pub use config::{
    Assessor, CorrelationGroup, DEFAULT_CORRELATED_GROUPS, EngineConfig, REASSESS_SAMPLES,
    default_assessor,
};
pub use rng::{EngineRng, RawOutput};
pub use slot::SourceReport;
pub use status::EngineStatus;
pub use store::AssessmentStore;

use crate::accounting::{
    Assembler, Ledger, SeedReady, reaches_full_entropy, when_blocks_are_short,
};
use crate::collect::ParallelCollector;
use crate::conditioning::BLOCK_BYTES;
use crate::pool::{ByteSource, Conditioning};
use slot::Slot;

/// A full-entropy block waiting in the reservoir, with what it was made of.
pub(crate) struct Block {
    pub(crate) bytes: Zeroizing<[u8; BLOCK_BYTES]>,
    pub(crate) ledger: Ledger,
    /// When the oldest credited sample in it was harvested.
    pub(crate) oldest: Instant,
}

pub(crate) struct Shared {
    pub(crate) slots: Vec<Slot>,
    pub(crate) assembler: Assembler,
    pub(crate) reservoir: VecDeque<Block>,
    pub(crate) blocks_produced: u64,
    pub(crate) blocks_served: u64,
    pub(crate) blocks_revoked: u64,
    pub(crate) credited_bits: f64,
    /// When the last full-entropy block was assembled.
    pub(crate) last_block_at: Option<Instant>,
}

impl Shared {
    /// Revokes every reservoir block whose credit, recomputed under the accounts as they
    /// stand, no longer reaches 320 bits; returns how many.
    pub(crate) fn revoke_short_blocks(&mut self, source: usize) -> usize {
        let revoked = crate::accounting::revoke_short_blocks(
            &mut self.reservoir,
            |block| &block.ledger,
            source,
            self.slots.as_slice(),
            &self.assembler,
        );
        self.blocks_revoked += revoked as u64;
        revoked
    }
}

/// What a forked child reads about each source without the lock.
#[derive(Default)]
pub(crate) struct Published {
    /// Credit per sample granted now (f64 bits).
    pub(crate) per_sample: AtomicU64,
    /// The entropy the health-test cutoffs come from (f64 bits).
    pub(crate) test_h: AtomicU64,
}

pub(crate) struct Inner {
    pub(crate) config: EngineConfig,
    pub(crate) shared: Mutex<Shared>,
    /// Signalled when blocks arrive.
    pub(crate) blocks_ready: Condvar,
    /// Signalled when blocks are taken (room in the reservoir), when a request wants fresh
    /// blocks, or on shutdown.
    pub(crate) space_ready: Condvar,
    pub(crate) stop: AtomicBool,
    pub(crate) reseeds: AtomicU64,
    pub(crate) reseed_failures: AtomicU64,
    pub(crate) drbg_bytes: AtomicU64,
    pub(crate) raw_bytes: AtomicU64,
    pub(crate) cpu_used_ns: AtomicU64,
    /// CPU spent on sources' first batches (start-up estimate and test), which may use only
    /// a share of the budget once every family has a source running.
    pub(crate) startup_cpu_ns: AtomicU64,
    /// The best credit per CPU-ns each harvester's unsaturated members earn (f64 bits),
    /// stored at the index of the harvester's first source; the others stay 0.
    pub(crate) best_yields: Vec<AtomicU64>,
    /// Full-size assessments running now (at most `assess::MAX_CONCURRENT`).
    pub(crate) assessors: AtomicUsize,
    /// The threads assessments run on.
    workers: workers::Workers,
    /// Nanoseconds since start before which idle-time measurement may not run again (the
    /// idle CPU budget as a token bucket).
    pub(crate) idle_next_ns: AtomicU64,
    /// Requests waiting for blocks harvested after they began (prediction resistance).
    pub(crate) fresh_waiters: AtomicUsize,
    /// Bumped whenever an assessment lowers a source's figure or a persistent failure takes
    /// its credit back: DRBG handles then check whether their seed was
    /// revoked.
    pub(crate) revision: AtomicU64,
    pub(crate) started: Instant,
    /// Per source, lock-free: a forked child (whose copy of the lock may be held by a thread
    /// that no longer exists) credits and tests its own samples with these.
    pub(crate) published: Vec<Published>,
    /// Correlation families among the sources that can earn credit.
    pub(crate) families_selected: usize,
    /// The fork generation the engine was started in.
    pub(crate) fork_generation: u64,
    raw: ParallelCollector,
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic in a harvester must not take the whole engine down with a poisoned lock.
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn elapsed_ns(&self) -> u64 {
        self.started.elapsed().as_nanos() as u64
    }

    /// The family cap in force: `max_family_share` with two or more families, else none.
    pub(crate) fn cap_share(config: &EngineConfig, families: usize) -> f64 {
        if families >= 2 {
            config.max_family_share
        } else {
            1.0
        }
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
    /// Validates `config`, then starts one harvester thread per source category and returns
    /// at once. Each source runs its start-up health test, then earns credit once a
    /// full-size assessment (this run's, or a stored one from this machine) is in.
    pub fn start(config: EngineConfig) -> Result<Engine, EngineError> {
        config.validate()?;
        let (slots, families_selected) = setup::new_slots(&config);
        let assembler = Assembler::new(
            config.conditioner,
            slots.iter().map(Slot::family).collect(),
            setup::family_names(&config),
            Inner::cap_share(&config, families_selected),
        );
        let n_sources = slots.len();
        let inner = Arc::new(Inner {
            shared: Mutex::new(Shared {
                slots,
                assembler,
                reservoir: VecDeque::with_capacity(config.reservoir_blocks),
                blocks_produced: 0,
                blocks_served: 0,
                last_block_at: None,
                blocks_revoked: 0,
                credited_bits: 0.0,
            }),
            raw: ParallelCollector::new(config.sources.clone(), config.startup_timeout),
            config,
            blocks_ready: Condvar::new(),
            space_ready: Condvar::new(),
            stop: AtomicBool::new(false),
            reseeds: AtomicU64::new(0),
            reseed_failures: AtomicU64::new(0),
            drbg_bytes: AtomicU64::new(0),
            raw_bytes: AtomicU64::new(0),
            cpu_used_ns: AtomicU64::new(0),
            startup_cpu_ns: AtomicU64::new(0),
            best_yields: (0..n_sources).map(|_| AtomicU64::new(0)).collect(),
            assessors: AtomicUsize::new(0),
            workers: workers::Workers::start(),
            idle_next_ns: AtomicU64::new(0),
            fresh_waiters: AtomicUsize::new(0),
            revision: AtomicU64::new(0),
            started: Instant::now(),
            published: (0..n_sources).map(|_| Published::default()).collect(),
            families_selected,
            fork_generation: crate::drbg::fork_generation(),
        });
        {
            let shared = inner.lock();
            for (index, slot) in shared.slots.iter().enumerate() {
                fork::publish(&inner, index, slot);
            }
        }
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
    /// the starvation timeout passes with no new block, naming the failed sources, and at
    /// once when no selected source can earn credit at all.
    pub fn fill_full_entropy(&self, out: &mut [u8]) -> Result<(), EngineError> {
        self.take_blocks(out, None, None)
    }

    /// Full-entropy output for a DRBG seed: as [`fill_full_entropy`](Self::fill_full_entropy),
    /// also returning each block's ledger (so the seed can be revoked), and, with
    /// `fresh_since`, only blocks whose credited samples were all harvested after it.
    pub(crate) fn take_blocks(
        &self,
        out: &mut [u8],
        fresh_since: Option<Instant>,
        mut ledgers: Option<&mut Vec<Ledger>>,
    ) -> Result<(), EngineError> {
        let inner = self.inner();
        if crate::drbg::fork_generation() != inner.fork_generation {
            return fork::fill_in_child(inner, out);
        }
        if inner.families_selected == 0 {
            return Err(EngineError::NothingCreditable(uncreditable_names(inner)));
        }
        let _fresh = fresh_since.map(|_| FreshWaiter::new(inner));
        let mut shared = inner.lock();
        let mut written = 0;
        let mut last_progress = Instant::now();
        while written < out.len() {
            let next = match fresh_since {
                None => shared.reservoir.pop_front(),
                Some(since) => {
                    let at = shared.reservoir.iter().rposition(|b| b.oldest >= since);
                    at.and_then(|i| shared.reservoir.remove(i))
                }
            };
            if let Some(block) = next {
                let take = (out.len() - written).min(BLOCK_BYTES);
                out[written..written + take].copy_from_slice(&block.bytes[..take]);
                written += take;
                shared.blocks_served += 1;
                if let Some(list) = ledgers.as_deref_mut() {
                    list.push(block.ledger);
                }
                last_progress = Instant::now();
                inner.space_ready.notify_all();
                continue;
            }
            let waited = last_progress.elapsed();
            if waited >= inner.config.starvation_timeout {
                if !first_measurements_pending(inner, &shared) {
                    return Err(EngineError::Starved(starvation_message(&shared, waited)));
                }
                // The sources' first measurements are progress towards credit: the wait
                // for credit starts once they are done (a busy machine slows them down).
                last_progress = Instant::now();
            }
            let left = inner.config.starvation_timeout - last_progress.elapsed();
            shared = inner
                .blocks_ready
                .wait_timeout(shared, left.min(Duration::from_millis(500)))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(())
    }

    /// Takes `out.len()` bytes of full-entropy blocks for a reseed that is due but not yet
    /// required, without waiting: not for the engine's lock (a harvester may hold it while it
    /// conditions a batch), nor for blocks while a credited source is healthy. Takes nothing
    /// unless it can take all.
    pub(crate) fn try_take_seed(&self, out: &mut [u8], ledgers: &mut Vec<Ledger>) -> SeedReady {
        let inner = self.inner();
        if crate::drbg::fork_generation() != inner.fork_generation {
            // A child must never touch the lock; its DRBG's reseed is required anyway.
            return SeedReady::NotYet;
        }
        let mut shared = match inner.shared.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return SeedReady::NotYet,
        };
        if shared.reservoir.len() * BLOCK_BYTES < out.len() {
            let any_credited = shared.slots.iter().any(Slot::credited);
            return when_blocks_are_short(shared.last_block_at, any_credited, Instant::now());
        }
        serve_ready(&mut shared, out, Some(ledgers));
        inner.space_ready.notify_all();
        SeedReady::Taken
    }

    /// Whether any of `ledgers` (a DRBG seed's blocks) no longer reaches 320 bits under the
    /// accounts as they stand; such blocks are counted as revoked. False in a forked child:
    /// it must not take the lock (a parent thread may have held it at the fork), and its
    /// DRBG reseeds from the child's own samples before any output anyway.
    pub(crate) fn seed_revoked(&self, ledgers: &[Ledger]) -> bool {
        if crate::drbg::fork_generation() != self.inner().fork_generation {
            return false;
        }
        let mut shared = self.inner().lock();
        let revoked = ledgers
            .iter()
            .filter(|l| !reaches_full_entropy(l, shared.slots.as_slice(), &shared.assembler))
            .count();
        shared.blocks_revoked += revoked as u64;
        revoked > 0
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
        serve_ready(&mut shared, out, None);
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

    /// The most full-entropy output the reservoir can ever hold at once, in bytes: a request
    /// for more can only be served while harvesting keeps up with it, never from what is
    /// ready.
    pub fn reservoir_capacity_bytes(&self) -> usize {
        self.inner().config.reservoir_blocks * BLOCK_BYTES
    }

    /// A counter that grows whenever credit already granted is revised downwards (a lowered
    /// assessment, or a persistent health failure taking a source's credit back). DRBG
    /// output made before it grew may come from a seed that is now revoked: whoever keeps
    /// such output for later (the server's buffer) drops it when this changes.
    pub fn credit_revision(&self) -> u64 {
        self.inner().revision.load(Ordering::SeqCst)
    }

    /// A cryptographic handle (`sha256` or `drbg`; a DRBG handle owns its own CTR_DRBG state).
    pub fn rng(&self, mode: Conditioning) -> Result<EngineRng, EngineError> {
        EngineRng::new(self.clone(), mode)
    }

    /// A byte source in `mode`: a cryptographic handle for `sha256` and `drbg`, unconditioned
    /// samples for `raw`. Never falls back from one mode to another.
    pub fn output(&self, mode: Conditioning) -> Result<Box<dyn ByteSource + Send>, EngineError> {
        Ok(match mode {
            Conditioning::Raw => Box::new(RawOutput {
                engine: self.clone(),
            }),
            mode => Box::new(self.rng(mode)?),
        })
    }

    /// Switches the named source off (it is no longer harvested and earns nothing; credit it
    /// already earned stays, since it was measured) or back on (it runs the SP 800-90B start-up
    /// test again before it earns). The accounting rules are untouched: the family cap still
    /// counts every selected family, so switching a family off can make blocks wait.
    pub fn set_source_enabled(&self, name: &str, enabled: bool) -> Result<(), EngineError> {
        let mut shared = self.inner().lock();
        let index = shared
            .slots
            .iter()
            .position(|s| s.name() == name)
            .ok_or_else(|| EngineError::UnknownSource(name.to_owned()))?;
        shared.slots[index].set_enabled(enabled);
        fork::publish(self.inner(), index, &shared.slots[index]);
        drop(shared);
        self.inner().space_ready.notify_all();
        Ok(())
    }

    /// The latest raw samples harvested from the named source (up to 4,096), for display;
    /// `None` in a forked child, which has no harvesters.
    pub fn recent_samples(&self, name: &str) -> Option<Vec<u8>> {
        if crate::drbg::fork_generation() != self.inner().fork_generation {
            return None;
        }
        let shared = self.inner().lock();
        shared
            .slots
            .iter()
            .find(|s| s.name() == name)
            .map(|s| s.recent().to_vec())
    }

    /// `n` (at most 4,096) fresh raw samples of the named source, collected for display
    /// only: they are never mixed into output, unlike [`recent_samples`](Self::recent_samples),
    /// whose samples went into the pool and must not be shown to anyone who could also see
    /// that output. Collects on the calling thread (a slow source takes its time).
    pub fn preview_samples(&self, name: &str, n: usize) -> Result<Vec<u8>, EngineError> {
        let source = self
            .inner()
            .config
            .sources
            .iter()
            .find(|s| s.name() == name)
            .cloned()
            .ok_or_else(|| EngineError::UnknownSource(name.to_owned()))?;
        source
            .collect(n.min(4096))
            .map_err(|e| EngineError::RawFailed(e.to_string()))
    }

    /// A snapshot of credit, output and per-source state (in a forked child, what the
    /// parent published, read without the lock).
    pub fn status(&self) -> EngineStatus {
        let inner = self.inner();
        if crate::drbg::fork_generation() != inner.fork_generation {
            return status::child_snapshot(inner);
        }
        status::snapshot(inner)
    }
}

/// Counts a request waiting for fresh blocks while it lives, so harvesters keep making
/// blocks even when the reservoir is full.
struct FreshWaiter<'a>(&'a Inner);

impl<'a> FreshWaiter<'a> {
    fn new(inner: &'a Inner) -> Self {
        inner.fresh_waiters.fetch_add(1, Ordering::SeqCst);
        inner.space_ready.notify_all();
        FreshWaiter(inner)
    }
}

impl Drop for FreshWaiter<'_> {
    fn drop(&mut self) {
        self.0.fresh_waiters.fetch_sub(1, Ordering::SeqCst);
    }
}

fn uncreditable_names(inner: &Inner) -> String {
    inner
        .config
        .sources
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fills `out` from the front of the reservoir, which the caller checked holds enough
/// blocks, keeping their ledgers when asked.
fn serve_ready(shared: &mut Shared, out: &mut [u8], mut ledgers: Option<&mut Vec<Ledger>>) {
    for chunk in out.chunks_mut(BLOCK_BYTES) {
        let block = shared
            .reservoir
            .pop_front()
            .expect("length checked by the caller");
        chunk.copy_from_slice(&block.bytes[..chunk.len()]);
        shared.blocks_served += 1;
        if let Some(list) = ledgers.as_deref_mut() {
            list.push(block.ledger);
        }
    }
}

/// How long after start a source's first full-size measurement still counts as progress
/// towards credit (see [`first_measurements_pending`]): a bound on the extra wait, so a
/// source that can never be measured does not hold output off for ever.
const FIRST_MEASUREMENT_GRACE: Duration = Duration::from_secs(120);

/// Whether, within [`FIRST_MEASUREMENT_GRACE`] of start, a source in service still waits for
/// this run's first full-size measurement. While one does, a request that finds no block is
/// not starving: on a loaded machine the first measurements (65,536 samples each, then the
/// estimators) can take longer than the starvation timeout, and failing then would make a
/// cold start on a busy machine an error.
fn first_measurements_pending(inner: &Inner, shared: &Shared) -> bool {
    inner.started.elapsed() < FIRST_MEASUREMENT_GRACE
        && shared.slots.iter().any(Slot::first_measurement_pending)
}

fn starvation_message(shared: &Shared, waited: Duration) -> String {
    let failed: Vec<String> = shared
        .slots
        .iter()
        .filter(|s| s.measured() && !s.credited())
        .map(|s| {
            let why = if s.quarantined() {
                s.last_error().unwrap_or("quarantined").to_owned()
            } else if s.account().too_weak() {
                "too weak to credit".to_owned()
            } else {
                "no full-size assessment yet".to_owned()
            };
            format!("{} ({why})", s.name())
        })
        .collect();
    let credited = shared.slots.iter().filter(|s| s.credited()).count();
    format!(
        "waited {:.1} s for credit; {credited} credited source(s) healthy; not credited: {}",
        waited.as_secs_f64(),
        if failed.is_empty() {
            "none".to_owned()
        } else {
            failed.join(", ")
        }
    )
}
