//! The number of bytes libbz2 (1.0.8) writes for an input, computed without compressing it:
//! the compression statistic of the permutation tests (SP 800-90B §5.1.11) is that length
//! for the shuffled samples written as decimal text, and libbz2 spends most of its time
//! sorting rotations for the Burrows–Wheeler transform and emitting bits nobody reads.
//!
//! Here the transform of such text comes from its tokens (`token_bwt`), the entropy coder
//! counts bits instead of writing them (`coder`, `huffman`), and blocks are cut as libbz2
//! cuts them (`blocks`). Any input the fast transform cannot take — a run of four equal
//! bytes, non-decimal text, long repeats — goes to libbz2 itself, so the answer is always
//! libbz2's. Tests compare the two on thousands of inputs.

mod blocks;
mod coder;
mod huffman;
#[cfg(test)]
mod naive_bwt;
mod token_bwt;

use coder::Coder;
use token_bwt::TokenBwt;

/// Bits of the stream header ("BZh" and the level) before the first block.
const STREAM_HEADER_BITS: u64 = 32;
/// Bits of a block header: 48-bit magic, 32-bit CRC, the randomised bit, 24-bit origin.
const BLOCK_HEADER_BITS: u64 = 48 + 32 + 1 + 24;
/// Bits of the stream trailer: 48-bit magic and the 32-bit combined CRC.
const STREAM_TRAILER_BITS: u64 = 48 + 32;

/// Computes libbz2's compressed length; keeps its buffers between calls.
///
/// ```
/// use wellspring_assess::sp800_90b::iid::bzip2_length::Bzip2Length;
///
/// let text = b"17 3 250 99 0 128 64 7 33 201";
/// let mut bz = Bzip2Length::default();
/// // The bytes `BZ2_bzBuffToBuffCompress(.., blockSize100k = 5, ..)` writes (`bzip2 -5` gives 57).
/// assert_eq!(bz.compressed_len(text, 5), 57);
/// ```
#[derive(Default)]
pub struct Bzip2Length {
    bwt: TokenBwt,
    coder: Coder,
    transformed: Vec<u8>,
}

impl Bzip2Length {
    /// Bytes `BZ2_bzBuffToBuffCompress` writes for `input` at block size `level` (1-9, in
    /// units of 100,000 bytes), with work factor 0.
    ///
    /// # Panics
    /// If `level` is not in 1..=9.
    pub fn compressed_len(&mut self, input: &[u8], level: u32) -> usize {
        assert!(
            (1..=9).contains(&level),
            "bzip2 block size {level} is not 1-9"
        );
        self.counted_len(input, level)
            .unwrap_or_else(|| libbz2_len(input, level))
    }

    /// The length by the fast transform and the bit counter; `None` when the input needs
    /// libbz2.
    fn counted_len(&mut self, input: &[u8], level: u32) -> Option<usize> {
        let blocks = blocks::plain_blocks(input, level)?;
        let mut bits = STREAM_HEADER_BITS + STREAM_TRAILER_BITS;
        for block in blocks {
            if !self.bwt.transform(&input[block], &mut self.transformed) {
                return None;
            }
            bits += BLOCK_HEADER_BITS
                + self
                    .coder
                    .block_bits_with_map(&self.transformed, self.bwt.in_use());
        }
        usize::try_from(bits.div_ceil(8)).ok()
    }
}

/// Writes `samples` as the compression statistic's text: decimal numbers separated by single
/// spaces (NIST's tool builds the same string).
///
/// ```
/// let mut text = Vec::new();
/// wellspring_assess::sp800_90b::iid::bzip2_length::decimal_text(&[7, 0, 255, 42], &mut text);
/// assert_eq!(text, b"7 0 255 42");
/// ```
pub fn decimal_text(samples: &[u8], text: &mut Vec<u8>) {
    // Each value's digits and a space as four bytes (little-endian) and its length: write
    // four bytes, keep as many as the value needs.
    const fn spelled(x: u8) -> (u32, usize) {
        let (h, t, o) = (x / 100, x / 10 % 10, x % 10);
        let (bytes, len) = if x >= 100 {
            ([b'0' + h, b'0' + t, b'0' + o, b' '], 4)
        } else if x >= 10 {
            ([b'0' + t, b'0' + o, b' ', 0], 3)
        } else {
            ([b'0' + o, b' ', 0, 0], 2)
        };
        (u32::from_le_bytes(bytes), len)
    }
    const TABLE: [(u32, usize); 256] = {
        let mut table = [(0, 0); 256];
        let mut x = 0;
        while x < 256 {
            table[x] = spelled(x as u8);
            x += 1;
        }
        table
    };
    text.clear();
    text.resize(samples.len() * 4 + 4, 0);
    let mut at = 0;
    for &x in samples {
        let (bytes, len) = TABLE[usize::from(x)];
        text[at..at + 4].copy_from_slice(&bytes.to_le_bytes());
        at += len;
    }
    // No space after the last value.
    text.truncate(at.saturating_sub(1));
}

/// Bytes libbz2 itself writes for `input` given all at once with `BZ_FINISH`, as
/// `BZ2_bzBuffToBuffCompress` (NIST's tool) does. Not through `BzEncoder`: that feeds the
/// input with `BZ_RUN` first, and when the last byte fills a block exactly it closes that
/// block and writes the pending run as one more, a few bytes longer than NIST's figure.
pub fn libbz2_len(input: &[u8], level: u32) -> usize {
    let mut compress = bzip2::Compress::new(bzip2::Compression::new(level), 0);
    // libbz2's documented bound: 1% more than the input, plus 600 bytes.
    let mut out = Vec::with_capacity(input.len() + input.len() / 100 + 600);
    loop {
        let consumed = usize::try_from(compress.total_in()).expect("input fits in memory");
        match compress.compress_vec(&input[consumed..], &mut out, bzip2::Action::Finish) {
            Ok(bzip2::Status::StreamEnd) => return out.len(),
            Ok(_) => out.reserve(out.capacity().max(4096)),
            Err(e) => unreachable!("libbz2 refused a finish with room to write: {e}"),
        }
    }
}

#[cfg(test)]
mod tests;
