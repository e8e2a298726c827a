//! [`EngineRng`]: an output handle in one conditioning mode, implementing the `rand_core`
//! traits so the engine drops into the `rand` ecosystem.

use std::sync::atomic::Ordering;
use std::time::Instant;

use rand_core::{TryCryptoRng, TryRng};

use super::{Engine, EngineError};
use zeroize::Zeroizing;

use crate::accounting::{Ledger, SeedReady};
use crate::drbg::{CtrDrbg, DrbgError, MAX_REQUEST, SEED_LEN};
use crate::pool::{ByteSource, Conditioning};

/// Cryptographic output from the engine: `sha256` (full entropy) or `drbg` (CTR_DRBG seeded
/// and reseeded from full-entropy blocks, and reseeded after a `fork()`).
///
/// ```no_run
/// use rand_core::TryRng;
/// use wellspring_core::{engine::{Engine, EngineConfig}, pool::Conditioning, registry::Registry};
///
/// let engine = Engine::start(EngineConfig::new(Registry::builtin().select(None)?))?;
/// let mut rng = engine.rng(Conditioning::Drbg)?;
/// let n: u64 = rng.try_next_u64()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct EngineRng {
    engine: Engine,
    mode: Conditioning,
    drbg: Option<CtrDrbg>,
    /// The ledgers of the blocks in the current seed, re-checked whenever the engine revises
    /// an assessment downwards.
    seed_ledgers: Vec<Ledger>,
    seen_revision: u64,
}

impl EngineRng {
    pub(super) fn new(engine: Engine, mode: Conditioning) -> Result<Self, EngineError> {
        if mode == Conditioning::Raw {
            return Err(EngineError::NotCryptographic);
        }
        Ok(EngineRng {
            engine,
            mode,
            drbg: None,
            seed_ledgers: Vec::new(),
            seen_revision: 0,
        })
    }

    /// The mode this handle serves.
    pub fn mode(&self) -> Conditioning {
        self.mode
    }

    /// (Re)seeds the DRBG from full-entropy blocks; with `fresh_since`, only from blocks
    /// harvested after that moment (prediction resistance).
    fn reseed(&mut self, fresh_since: Option<Instant>) -> Result<(), EngineError> {
        let inner = self.engine.inner();
        let revision = inner.revision.load(Ordering::SeqCst);
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        let mut ledgers = Vec::with_capacity(2);
        if let Err(e) = self
            .engine
            .take_blocks(&mut seed[..], fresh_since, Some(&mut ledgers))
        {
            inner.reseed_failures.fetch_add(1, Ordering::Relaxed);
            return Err(e);
        }
        let policy = inner.config.drbg_policy;
        match &mut self.drbg {
            Some(drbg) => drbg.reseed(&seed),
            None => self.drbg = Some(CtrDrbg::new(&seed, policy)),
        }
        self.seed_ledgers = ledgers;
        self.seen_revision = revision;
        inner.reseeds.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Reseeds if full-entropy blocks can be had at once; otherwise keeps the current seed
    /// (its reseed is due, not yet required) while credited sources are healthy, and waits
    /// for blocks as [`EngineRng::reseed`] does when none is, so output after the sources
    /// fail still stops at the due point.
    fn reseed_if_ready(&mut self) -> Result<(), EngineError> {
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        let mut ledgers = Vec::with_capacity(2);
        let revision = self.engine.inner().revision.load(Ordering::SeqCst);
        match self.engine.try_take_seed(&mut seed[..], &mut ledgers) {
            SeedReady::Taken => {
                self.drbg.as_mut().expect("seeded before").reseed(&seed);
                self.seed_ledgers = ledgers;
                self.seen_revision = revision;
                self.engine.inner().reseeds.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            SeedReady::NotYet => Ok(()),
            SeedReady::NoCredit => self.reseed(None),
        }
    }

    /// True when the engine lowered an assessment since the seed was taken and a block of
    /// the seed no longer reaches 320 bits.
    fn seed_revoked(&mut self) -> bool {
        let revision = self.engine.inner().revision.load(Ordering::SeqCst);
        if revision == self.seen_revision {
            return false;
        }
        self.seen_revision = revision;
        self.engine.seed_revoked(&self.seed_ledgers)
    }

    fn fill_drbg(&mut self, out: &mut [u8]) -> Result<(), EngineError> {
        let request_began = Instant::now();
        let prediction_resistance = self.engine.inner().config.prediction_resistance;
        for chunk in out.chunks_mut(MAX_REQUEST) {
            if prediction_resistance {
                // Every generate call reseeds from credit harvested after the request began.
                self.reseed(Some(request_began))?;
            } else if self.drbg.is_none() || self.seed_revoked() {
                // Checked before every 64 KiB chunk, not once per call: one large call
                // must not run on from a seed revoked while it runs. The revoked state is
                // dropped (zeroized) first, so a reseed that fails leaves nothing to
                // generate from: the next call must reseed too.
                self.drbg = None;
                self.reseed(None)?;
            } else if self.drbg.as_ref().is_some_and(CtrDrbg::reseed_due) {
                self.reseed_if_ready()?;
            }
            loop {
                let drbg = self.drbg.as_mut().expect("seeded above");
                match drbg.generate(chunk) {
                    Ok(()) => break,
                    Err(DrbgError::ReseedRequired) => self.reseed(None)?,
                    Err(DrbgError::RequestTooLarge) => unreachable!("chunks are MAX_REQUEST bytes"),
                }
            }
        }
        self.engine
            .inner()
            .drbg_bytes
            .fetch_add(out.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Fills `out` in this handle's mode.
    pub fn try_fill(&mut self, out: &mut [u8]) -> Result<(), EngineError> {
        match self.mode {
            Conditioning::Sha256 => self.engine.fill_full_entropy(out),
            _ => self.fill_drbg(out),
        }
    }
}

impl ByteSource for EngineRng {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), EngineError> {
        self.try_fill(out)
    }
}

impl TryRng for EngineRng {
    type Error = EngineError;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.try_fill(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.try_fill(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.try_fill(dst)
    }
}

/// Both modes an `EngineRng` can have are cryptographic: full-entropy blocks, or a CTR_DRBG
/// seeded from them. Raw output is a separate type ([`RawOutput`]) without this marker.
impl TryCryptoRng for EngineRng {}

/// Unconditioned output for research: the XOR of fresh raw samples. Not a cryptographic RNG.
pub struct RawOutput {
    pub(super) engine: Engine,
}

impl ByteSource for RawOutput {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), EngineError> {
        self.engine.fill_raw(out)
    }
}
