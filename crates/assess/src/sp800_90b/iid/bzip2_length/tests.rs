//! The counted length against libbz2's own on random and structured inputs, and each stage
//! against its slow reference.

use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256StarStar;

use super::blocks::rle1_blocks;
use super::naive_bwt;
use super::*;

/// The length by RLE1, the rotation-sorting transform and the bit counter, for any input.
fn reference_len(input: &[u8], level: u32) -> usize {
    let mut coder = Coder::default();
    let blocks = rle1_blocks(input, level);
    let bits: u64 = STREAM_HEADER_BITS
        + STREAM_TRAILER_BITS
        + blocks
            .iter()
            .map(|b| BLOCK_HEADER_BITS + coder.block_bits(&naive_bwt::bwt(b)))
            .sum::<u64>();
    bits.div_ceil(8) as usize
}

/// Samples of one of several shapes: uniform on `bits` bits, biased, periodic, sorted,
/// constant, or long runs.
fn samples(rng: &mut Xoshiro256StarStar, len: usize, shape: u64) -> Vec<u8> {
    let bits = 1 + rng.next_u64() % 8;
    let mask = ((1u16 << bits) - 1) as u8;
    let period = 1 + (rng.next_u64() % 40) as usize;
    let mut out: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8 & mask).collect();
    match shape % 6 {
        0 => {}
        1 => out
            .iter_mut()
            .for_each(|x| *x = if rng.next_u64() % 10 < 8 { 0 } else { *x }),
        2 => {
            for i in period..len {
                out[i] = out[i - period];
            }
        }
        3 => out.sort_unstable(),
        4 => out.fill(mask),
        _ => {
            let mut i = 0;
            while i < len {
                let run = 1 + (rng.next_u64() % 12) as usize;
                let x = out[i];
                out[i..(i + run).min(len)].fill(x);
                i += run;
            }
        }
    }
    out
}

#[test]
fn counted_length_of_any_bytes_matches_libbz2() {
    // Arbitrary bytes (runs of every length, all alphabets) through the reference transform:
    // this checks block cutting, RLE1, MTF/RLE2, table choice and the Huffman lengths.
    let mut rng = Xoshiro256StarStar::seed_from_u64(1);
    for case in 0..600u64 {
        let len = (rng.next_u64() % 3000) as usize;
        let alphabet = 1 + rng.next_u64() % 256;
        let mut input: Vec<u8> = (0..len)
            .map(|_| (rng.next_u64() % alphabet) as u8)
            .collect();
        if case % 3 == 0 {
            // Long runs, up to past RLE1's 255.
            let mut i = 0;
            while i < len {
                let run = (rng.next_u64() % 300) as usize;
                let x = input[i];
                input[i..(i + run).min(len)].fill(x);
                i += run.max(1);
            }
        }
        assert_eq!(
            reference_len(&input, 1),
            libbz2_len(&input, 1),
            "case {case}, len {len}"
        );
    }
}

#[test]
fn counted_length_across_blocks_matches_libbz2() {
    let mut rng = Xoshiro256StarStar::seed_from_u64(2);
    let limit = blocks::block_limit(1);
    for (case, len) in [limit - 1, limit, limit + 1, 2 * limit + 3, 250_000]
        .into_iter()
        .enumerate()
    {
        let alphabet = [4u64, 11, 256, 2, 40][case];
        let input: Vec<u8> = (0..len)
            .map(|_| (rng.next_u64() % alphabet) as u8)
            .collect();
        assert_eq!(reference_len(&input, 1), libbz2_len(&input, 1), "len {len}");
    }
}

#[test]
fn token_transform_equals_sorting_rotations() {
    let mut rng = Xoshiro256StarStar::seed_from_u64(3);
    let mut fast = TokenBwt::default();
    let mut out = Vec::new();
    let mut text = Vec::new();
    let mut checked = 0;
    for case in 0..2000u64 {
        let len = 1 + (rng.next_u64() % 400) as usize;
        decimal_text(&samples(&mut rng, len, case), &mut text);
        // Cut anywhere, as block boundaries do: mid-token, at a space, at either end.
        let a = (rng.next_u64() as usize) % text.len();
        let b = a + 1 + (rng.next_u64() as usize) % (text.len() - a);
        let block = &text[a..b];
        if fast.transform(block, &mut out) {
            assert_eq!(
                out,
                naive_bwt::bwt(block),
                "case {case}: {:?}",
                String::from_utf8_lossy(block)
            );
            checked += 1;
        } else {
            assert!(
                !block.contains(&b' ') || case % 6 == 4 || case % 6 == 2,
                "refused case {case}"
            );
        }
    }
    assert!(
        checked > 1500,
        "only {checked} blocks took the fast transform"
    );
    assert!(!fast.transform(b"12 x4 ", &mut out), "not decimal text");
    assert!(!fast.transform(b"1234", &mut out), "no space");
}

#[test]
fn ten_thousand_sample_texts_match_libbz2() {
    let mut rng = Xoshiro256StarStar::seed_from_u64(4);
    let mut bz = Bzip2Length::default();
    let mut text = Vec::new();
    let (mut counted, mut uniform) = (0, 0);
    for case in 0..10_000u64 {
        let len = match case % 10 {
            0 => (rng.next_u64() % 40_000) as usize,
            _ => (rng.next_u64() % 2_000) as usize,
        };
        decimal_text(&samples(&mut rng, len, case), &mut text);
        let level = if case % 2 == 0 { 1 } else { 5 };
        let fast = bz.counted_len(&text, level);
        assert_eq!(
            bz.compressed_len(&text, level),
            libbz2_len(&text, level),
            "case {case}"
        );
        if let Some(n) = fast {
            assert_eq!(n, libbz2_len(&text, level), "case {case}");
            counted += 1;
            uniform += usize::from(case % 6 == 0);
        }
    }
    // Every uniform case but the empty and single-sample texts takes the fast path.
    assert!(uniform >= 1650, "{uniform} of 1667 uniform cases counted");
    assert!(counted >= 7000, "{counted} of 10,000 counted");
}

#[test]
fn a_million_shuffled_samples_match_libbz2_at_nist_block_size() {
    // What the permutation test compresses: 1,000,000 samples of 8, 4 and 1 bits.
    let mut rng = Xoshiro256StarStar::seed_from_u64(5);
    let mut bz = Bzip2Length::default();
    let mut text = Vec::new();
    for bits in [8u32, 4, 1] {
        let samples: Vec<u8> = (0..1_000_000)
            .map(|_| (rng.next_u64() & ((1 << bits) - 1)) as u8)
            .collect();
        decimal_text(&samples, &mut text);
        let counted = bz
            .counted_len(&text, 5)
            .expect("uniform text takes the fast path");
        assert_eq!(counted, libbz2_len(&text, 5), "{bits}-bit samples");
    }
}

#[test]
fn text_is_written_as_nist_writes_it() {
    let mut text = Vec::new();
    decimal_text(&[], &mut text);
    assert_eq!(text, b"");
    let all: Vec<u8> = (0..=255).collect();
    decimal_text(&all, &mut text);
    let expected = all.iter().map(u8::to_string).collect::<Vec<_>>().join(" ");
    assert_eq!(text, expected.as_bytes());
}
