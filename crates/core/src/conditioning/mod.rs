//! Vetted conditioning (SP 800-90B §3.1.5.1.1): SHA-256 or HMAC-SHA256 over credited input.
//!
//! A 256-bit output block is *full entropy* only when at least 256 + 64 = 320 bits of
//! min-entropy were credited to its input (SP 800-90B §3.1.5.1.2: h_out = n_out when
//! h_in ≥ n_out + 64). The conditioner refuses to release a block before that.

mod sha256;

use sha256::Sha256State;
use zeroize::Zeroize;

/// Credited input bits needed per 256-bit full-entropy block (SP 800-90B §3.1.5.1.2).
pub const FULL_ENTROPY_CREDIT_BITS: f64 = 320.0;
/// Bytes in one output block.
pub const BLOCK_BYTES: usize = 32;

/// Which vetted function conditions the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionerKind {
    /// SHA-256 (SP 800-90B §3.1.5.1.1, hash function).
    Sha256,
    /// HMAC-SHA256 with a fixed, public key (SP 800-90B allows an arbitrary key).
    HmacSha256,
}

/// The HMAC key: public by design; conditioning strength rests on the input's min-entropy.
const HMAC_KEY: &[u8] = b"wellspring vetted conditioning key v1";

/// HMAC-SHA256 (RFC 2104) over our zeroizing SHA-256: the inner hash runs as input
/// arrives; the outer one is computed when the block is released.
const HMAC_BLOCK: usize = 64;

fn hmac_pad(byte: u8) -> [u8; HMAC_BLOCK] {
    // HMAC_KEY is shorter than the block, so it is used as is, zero-padded.
    let mut pad = [byte; HMAC_BLOCK];
    for (p, k) in pad.iter_mut().zip(HMAC_KEY) {
        *p ^= k;
    }
    pad
}

/// Accumulates samples and their credit; releases a block once 320 bits are credited.
///
/// ```
/// use wellspring_core::conditioning::{Conditioner, ConditionerKind};
///
/// let mut c = Conditioner::new(ConditionerKind::Sha256);
/// c.absorb(&[1, 2, 3], 100.0);
/// assert!(c.squeeze().is_none()); // 100 bits < 320
/// c.absorb(&[4, 5, 6], 220.0);
/// assert!(c.squeeze().is_some());
/// ```
pub struct Conditioner {
    kind: ConditionerKind,
    state: Sha256State,
    credit_bits: f64,
    blocks: u64,
}

impl Conditioner {
    /// A conditioner with nothing absorbed.
    pub fn new(kind: ConditionerKind) -> Self {
        let mut conditioner = Conditioner {
            kind,
            state: Sha256State::new(),
            credit_bits: 0.0,
            blocks: 0,
        };
        conditioner.reset();
        conditioner
    }

    fn reset(&mut self) {
        self.credit_bits = 0.0;
        self.state = Sha256State::new();
        if self.kind == ConditionerKind::HmacSha256 {
            self.state.update(&hmac_pad(0x36));
        }
        // Domain separation between blocks, so two identical inputs never yield one output.
        let counter = self.blocks.to_le_bytes();
        self.update(&counter);
    }

    fn update(&mut self, data: &[u8]) {
        self.state.update(data);
    }

    /// Mixes in `samples`, crediting them with `credit_bits` of min-entropy (may be 0 for
    /// uncredited input, which is mixed but never counted).
    pub fn absorb(&mut self, samples: &[u8], credit_bits: f64) {
        self.update(samples);
        self.credit_bits += credit_bits.max(0.0);
    }

    /// Credit absorbed since the last block.
    pub fn credit_bits(&self) -> f64 {
        self.credit_bits
    }

    /// Releases a full-entropy block if enough credit went in, and starts the next one.
    pub fn squeeze(&mut self) -> Option<[u8; BLOCK_BYTES]> {
        if self.credit_bits < FULL_ENTROPY_CREDIT_BITS {
            return None;
        }
        Some(self.release())
    }

    /// Releases the block whatever the credit recorded here: for the block assembler, which
    /// counts credit per family itself and has checked that 320 bits went in.
    pub(crate) fn release(&mut self) -> [u8; BLOCK_BYTES] {
        let state = std::mem::replace(&mut self.state, Sha256State::new());
        let mut block = state.finalize();
        if self.kind == ConditionerKind::HmacSha256 {
            let mut outer = Sha256State::new();
            outer.update(&hmac_pad(0x5c));
            outer.update(&block);
            block.zeroize();
            block = outer.finalize();
        }
        self.blocks += 1;
        self.reset();
        block
    }
}

impl Drop for Conditioner {
    // The hash state zeroizes itself (it holds the pending input and the chaining value).
    fn drop(&mut self) {
        self.credit_bits.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    #[test]
    fn sha256_block_is_the_hash_of_counter_and_input() {
        let mut c = Conditioner::new(ConditionerKind::Sha256);
        c.absorb(b"abc", 400.0);
        let block = c.squeeze().unwrap();
        let mut expected = Sha256::new();
        expected.update(0u64.to_le_bytes());
        expected.update(b"abc");
        assert_eq!(block[..], expected.finalize()[..]);
        // The next block starts from zero credit with counter 1.
        assert_eq!(c.credit_bits(), 0.0);
        c.absorb(b"abc", 320.0);
        assert_ne!(c.squeeze().unwrap(), block);
    }

    #[test]
    fn no_block_below_320_bits() {
        let mut c = Conditioner::new(ConditionerKind::HmacSha256);
        c.absorb(&[0u8; 1000], 319.9);
        assert!(c.squeeze().is_none());
        c.absorb(&[0u8; 1], 0.1);
        assert!(c.squeeze().is_some());
    }

    #[test]
    fn hmac_block_matches_rfc_hmac() {
        let mut c = Conditioner::new(ConditionerKind::HmacSha256);
        c.absorb(b"noise", 320.0);
        let mut mac = Hmac::<Sha256>::new_from_slice(HMAC_KEY).unwrap();
        mac.update(&0u64.to_le_bytes());
        mac.update(b"noise");
        assert_eq!(c.squeeze().unwrap()[..], mac.finalize().into_bytes()[..]);
    }
}
