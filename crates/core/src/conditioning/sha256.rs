//! SHA-256 whose whole state is ours to zeroize.
//!
//! The conditioner's hash state holds the last partial block of raw samples and the chaining
//! value that determines the next output block, so it must not linger in memory. The `sha2`
//! hasher types cannot be zeroized, so this type keeps the state, the pending block and the
//! length in its own fields, runs `sha2`'s compression function over them (FIPS 180-4 §6.2),
//! does the padding itself (§5.1.1), and wipes everything on drop and after finalizing.

use sha2::digest::generic_array::GenericArray;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// FIPS 180-4 §5.3.3: the initial hash value.
const INITIAL: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A streaming SHA-256 that zeroizes its state.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Sha256State {
    h: [u32; 8],
    block: [u8; 64],
    filled: usize,
    length: u64,
}

impl Sha256State {
    pub(crate) fn new() -> Self {
        Sha256State {
            h: INITIAL,
            block: [0; 64],
            filled: 0,
            length: 0,
        }
    }

    fn compress(&mut self) {
        let block = GenericArray::from_slice(&self.block);
        sha2::compress256(&mut self.h, std::slice::from_ref(block));
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let take = (64 - self.filled).min(data.len());
            self.block[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
            if self.filled == 64 {
                self.compress();
                self.filled = 0;
            }
        }
    }

    /// The digest; the state is wiped afterwards.
    pub(crate) fn finalize(mut self) -> [u8; 32] {
        let bits = self.length.wrapping_mul(8);
        self.block[self.filled] = 0x80;
        self.block[self.filled + 1..].fill(0);
        if self.filled >= 56 {
            self.compress();
            self.block.fill(0);
        }
        self.block[56..].copy_from_slice(&bits.to_be_bytes());
        self.compress();
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.h) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn matches_fips_180_examples_and_the_sha2_crate_at_every_length() {
        // FIPS 180-4 example "abc".
        let mut s = Sha256State::new();
        s.update(b"abc");
        assert_eq!(
            hex::encode(s.finalize()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Every padding case (lengths around 55, 56, 63, 64 and multiples), fed in pieces.
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..data.len() {
            let mut s = Sha256State::new();
            for piece in data[..len].chunks(13) {
                s.update(piece);
            }
            assert_eq!(
                s.finalize()[..],
                Sha256::digest(&data[..len])[..],
                "length {len}"
            );
        }
    }
}
