//! [`EngineRng`]: an output handle in one conditioning mode, implementing the `rand_core`
//! traits so the engine drops into the `rand` ecosystem.

use std::sync::atomic::Ordering;

use rand_core::{TryCryptoRng, TryRng};

use super::{Engine, EngineError};
use crate::drbg::{CtrDrbg, DrbgError, MAX_REQUEST, SEED_LEN};
use crate::pool::{ByteSource, Conditioning, PoolError};

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
        })
    }

    /// The mode this handle serves.
    pub fn mode(&self) -> Conditioning {
        self.mode
    }

    fn seed(&self) -> Result<[u8; SEED_LEN], EngineError> {
        let mut seed = [0u8; SEED_LEN];
        self.engine.fill_full_entropy(&mut seed)?;
        self.engine.inner().reseeds.fetch_add(1, Ordering::Relaxed);
        Ok(seed)
    }

    fn fill_drbg(&mut self, out: &mut [u8]) -> Result<(), EngineError> {
        let config = &self.engine.inner().config;
        let (policy, prediction_resistance) = (config.drbg_policy, config.prediction_resistance);
        if self.drbg.is_none() || prediction_resistance {
            let mut seed = self.seed()?;
            match &mut self.drbg {
                Some(drbg) => drbg.reseed(&seed),
                None => self.drbg = Some(CtrDrbg::new(&seed, policy)),
            }
            zeroize::Zeroize::zeroize(&mut seed);
        }
        for chunk in out.chunks_mut(MAX_REQUEST) {
            loop {
                let drbg = self.drbg.as_mut().expect("instantiated above");
                match drbg.generate(chunk) {
                    Ok(()) => break,
                    Err(DrbgError::ReseedRequired) => {
                        let mut seed = self.seed()?;
                        self.drbg
                            .as_mut()
                            .expect("instantiated above")
                            .reseed(&seed);
                        zeroize::Zeroize::zeroize(&mut seed);
                    }
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
    fn fill(&mut self, out: &mut [u8]) -> Result<(), PoolError> {
        self.try_fill(out)
            .map_err(|e| PoolError::Failed(e.to_string()))
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
    fn fill(&mut self, out: &mut [u8]) -> Result<(), PoolError> {
        self.engine
            .fill_raw(out)
            .map_err(|e| PoolError::Failed(e.to_string()))
    }
}
