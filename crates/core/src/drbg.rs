//! CTR_DRBG with AES-256 and no derivation function (NIST SP 800-90A Rev. 1, §10.2.1).
//!
//! Seeded with a 384-bit full-entropy input (seedlen = keylen 256 + blocklen 128, as §10.2.1
//! requires when no derivation function is used). The reseed policy is wellspring's, stricter
//! than 90A's limits: a reseed is required after [`DrbgPolicy::reseed_bytes`] of output or
//! [`DrbgPolicy::reseed_after`] of time, and `generate` refuses to run past either limit.
//! A `fork()` (seen through a `pthread_atfork` child handler) also forces a reseed, so a child never repeats its
//! parent's output. Key and counter are zeroized on drop.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aes::Aes256;
use aes::cipher::generic_array::GenericArray;
use aes::cipher::{BlockEncrypt, KeyInit};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bytes of seed material: 256-bit key + 128-bit block (SP 800-90A Table 3, AES-256).
pub const SEED_LEN: usize = 48;
const KEY_LEN: usize = 32;
const BLOCK_LEN: usize = 16;
/// Largest request per generate call: 2^19 bits (SP 800-90A Table 3, AES).
pub const MAX_REQUEST: usize = 1 << 16;
/// Blocks encrypted per batch when producing output: enough for the AES-NI pipeline.
const BATCH_BLOCKS: usize = 64;

/// When the DRBG must be reseeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrbgPolicy {
    /// Output bytes allowed between reseeds (default 1 MiB).
    pub reseed_bytes: u64,
    /// Time allowed between reseeds (default 60 s).
    pub reseed_after: Duration,
}

impl Default for DrbgPolicy {
    fn default() -> Self {
        DrbgPolicy {
            reseed_bytes: 1 << 20,
            reseed_after: Duration::from_secs(60),
        }
    }
}

/// Why `generate` refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DrbgError {
    /// The reseed limit (bytes, time or a fork) was reached: call `reseed` first.
    #[error("the DRBG must be reseeded before it generates more output")]
    ReseedRequired,
    /// More than [`MAX_REQUEST`] bytes were asked for in one call.
    #[error("a single DRBG request is limited to {MAX_REQUEST} bytes")]
    RequestTooLarge,
}

/// An instantiated CTR_DRBG (AES-256, no df).
///
/// ```
/// use wellspring_core::drbg::{CtrDrbg, DrbgPolicy};
///
/// let seed = [7u8; 48]; // in real use: 384 bits of full-entropy input
/// let mut drbg = CtrDrbg::new(&seed, DrbgPolicy::default());
/// let mut out = [0u8; 64];
/// drbg.generate(&mut out).unwrap();
/// ```
#[derive(ZeroizeOnDrop)]
pub struct CtrDrbg {
    key: [u8; KEY_LEN],
    v: [u8; BLOCK_LEN],
    #[zeroize(skip)]
    cipher: Aes256,
    #[zeroize(skip)]
    policy: DrbgPolicy,
    #[zeroize(skip)]
    bytes_since_seed: u64,
    #[zeroize(skip)]
    seeded_at: Instant,
    #[zeroize(skip)]
    fork_generation: u64,
}

/// Incremented in every child process by a `pthread_atfork` handler: a change tells a DRBG
/// that it was copied into a new process (cheaper than calling `getpid()` per request).
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_fork_child() {
    // Only an atomic increment: async-signal-safe, as a fork handler must be.
    FORK_GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// How many `fork()`s separate this process from the one that first asked (0 in the
/// original process's lineage until it forks).
pub(crate) fn fork_generation() -> u64 {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: registers a child handler that only performs an atomic increment; the
        // function pointer stays valid for the life of the process.
        unsafe { libc::pthread_atfork(None, None, Some(on_fork_child)) };
    });
    FORK_GENERATION.load(Ordering::SeqCst)
}

fn increment(v: &mut [u8; BLOCK_LEN]) {
    let next = u128::from_be_bytes(*v).wrapping_add(1);
    *v = next.to_be_bytes();
}

impl CtrDrbg {
    /// Instantiates from 384 bits of full-entropy input (no personalization string).
    pub fn new(entropy: &[u8; SEED_LEN], policy: DrbgPolicy) -> Self {
        let key = [0u8; KEY_LEN];
        let mut drbg = CtrDrbg {
            cipher: Aes256::new(GenericArray::from_slice(&key)),
            key,
            v: [0u8; BLOCK_LEN],
            policy,
            bytes_since_seed: 0,
            seeded_at: Instant::now(),
            fork_generation: fork_generation(),
        };
        drbg.update(entropy);
        drbg
    }

    /// CTR_DRBG_Update (§10.2.1.2): derives a new key and V from `provided` (seedlen bytes).
    fn update(&mut self, provided: &[u8; SEED_LEN]) {
        let mut temp = [0u8; SEED_LEN];
        for chunk in temp.chunks_exact_mut(BLOCK_LEN) {
            increment(&mut self.v);
            let mut block = GenericArray::clone_from_slice(&self.v);
            self.cipher.encrypt_block(&mut block);
            chunk.copy_from_slice(&block);
            block.zeroize();
        }
        for (t, p) in temp.iter_mut().zip(provided) {
            *t ^= p;
        }
        self.key.copy_from_slice(&temp[..KEY_LEN]);
        self.v.copy_from_slice(&temp[KEY_LEN..]);
        temp.zeroize();
        self.cipher = Aes256::new(GenericArray::from_slice(&self.key));
    }

    /// Reseeds from 384 bits of full-entropy input (§10.2.1.4, no additional input).
    pub fn reseed(&mut self, entropy: &[u8; SEED_LEN]) {
        self.update(entropy);
        self.bytes_since_seed = 0;
        self.seeded_at = Instant::now();
        self.fork_generation = fork_generation();
    }

    /// True when the next `generate` of `len` bytes would be refused for want of a reseed.
    pub fn needs_reseed(&self, len: usize) -> bool {
        self.bytes_since_seed + len as u64 > self.policy.reseed_bytes
            || self.seeded_at.elapsed() >= self.policy.reseed_after
            || self.fork_generation != FORK_GENERATION.load(Ordering::SeqCst)
    }

    /// CTR_DRBG_Generate (§10.2.1.5.1) without additional input: fills `out`.
    pub fn generate(&mut self, out: &mut [u8]) -> Result<(), DrbgError> {
        if out.len() > MAX_REQUEST {
            return Err(DrbgError::RequestTooLarge);
        }
        if self.needs_reseed(out.len()) {
            return Err(DrbgError::ReseedRequired);
        }
        let mut batch = [GenericArray::<u8, _>::default(); BATCH_BLOCKS];
        for piece in out.chunks_mut(BATCH_BLOCKS * BLOCK_LEN) {
            let blocks = piece.len().div_ceil(BLOCK_LEN);
            for block in &mut batch[..blocks] {
                increment(&mut self.v);
                block.copy_from_slice(&self.v);
            }
            self.cipher.encrypt_blocks(&mut batch[..blocks]);
            for (chunk, block) in piece.chunks_mut(BLOCK_LEN).zip(&batch) {
                chunk.copy_from_slice(&block[..chunk.len()]);
            }
        }
        for block in &mut batch {
            block.zeroize();
        }
        self.update(&[0u8; SEED_LEN]);
        self.bytes_since_seed += out.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The NIST CAVP known answer from shared/vectors/ctr_drbg_aes256_nodf.txt
    /// (CTR_DRBG.rsp, [AES-256 no df], PredictionResistance = False, COUNT = 0):
    /// instantiate, generate 512 bits and discard, generate 512 bits = ReturnedBits.
    #[test]
    fn reproduces_the_cavp_known_answer() {
        let entropy = hex::decode(
            "df5d73faa468649edda33b5cca79b0b05600419ccb7a879ddfec9db32ee494e5531b51de16a30f769262474c73bec010",
        )
        .unwrap();
        let expected = hex::decode(
            "d1c07cd95af8a7f11012c84ce48bb8cb87189e99d40fccb1771c619bdf82ab2280b1dc2f2581f39164f7ac0c510494b3a43c41b7db17514c87b107ae793e01c5",
        )
        .unwrap();
        let mut drbg = CtrDrbg::new(&entropy.try_into().unwrap(), DrbgPolicy::default());
        let mut out = [0u8; 64];
        drbg.generate(&mut out).unwrap();
        drbg.generate(&mut out).unwrap();
        assert_eq!(out.to_vec(), expected);
    }

    #[test]
    fn refuses_past_the_byte_limit_until_reseeded() {
        let policy = DrbgPolicy {
            reseed_bytes: 1000,
            reseed_after: Duration::from_secs(3600),
        };
        let mut drbg = CtrDrbg::new(&[1u8; SEED_LEN], policy);
        let mut out = [0u8; 600];
        drbg.generate(&mut out).unwrap();
        assert_eq!(drbg.generate(&mut out), Err(DrbgError::ReseedRequired));
        drbg.reseed(&[2u8; SEED_LEN]);
        drbg.generate(&mut out).unwrap();
    }

    #[test]
    fn refuses_past_the_time_limit() {
        let policy = DrbgPolicy {
            reseed_bytes: u64::MAX,
            reseed_after: Duration::ZERO,
        };
        let mut drbg = CtrDrbg::new(&[1u8; SEED_LEN], policy);
        assert_eq!(
            drbg.generate(&mut [0u8; 16]),
            Err(DrbgError::ReseedRequired)
        );
    }

    #[test]
    fn odd_lengths_are_prefixes_of_the_same_keystream() {
        // Two DRBGs in the same state: a 37-byte request is the prefix of a 48-byte one,
        // since both encrypt V+1, V+2, V+3 before the final update.
        let mut a = CtrDrbg::new(&[9u8; SEED_LEN], DrbgPolicy::default());
        let mut b = CtrDrbg::new(&[9u8; SEED_LEN], DrbgPolicy::default());
        let (mut x, mut y) = ([0u8; 37], [0u8; 48]);
        a.generate(&mut x).unwrap();
        b.generate(&mut y).unwrap();
        assert_eq!(x[..], y[..37]);
        assert_eq!(
            a.generate(&mut [0u8; MAX_REQUEST + 1]),
            Err(DrbgError::RequestTooLarge)
        );
    }
}
