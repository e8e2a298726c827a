//! Permutation testing (SP 800-90B §5.1): 19 statistics of the 11 tests of §5.1.1–§5.1.12,
//! computed on the data and on 10,000 Fisher–Yates shuffles of it. A statistic is decided
//! as soon as at least 6 shuffles were ≥ and at least 6 were ≤ the original; one still
//! undecided after every shuffle rejects the IID hypothesis (§5.1 step 4: the original
//! lies in the extreme 0.05% tails).
//!
//! Data choices follow NIST's `ea_iid`: the excursion, covariance (non-binary data) and
//! compression statistics use the raw samples, the others the translated symbols; binary
//! data use Conversion I (ones per 8-bit block) and II (8-bit blocks as numbers) of §5.1.
//! Shuffles run on every rayon thread, each with its own xoshiro256** stream (jumped by
//! 2^128 per thread) and its own copy of the data, shuffled cumulatively as the tool does.

use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand_core::RngCore;
use rand_xoshiro::Xoshiro256StarStar;
use rayon::prelude::*;
use serde::Serialize;

use super::bzip2_length::{Bzip2Length, decimal_text};
use crate::sp800_90b::Progress;

/// Number of shuffles (§5.1 step 2: 10,000 permutations).
pub const PERMUTATIONS: usize = 10_000;
/// A statistic is decided once both C0 + C1 and C1 + C2 exceed this (§5.1 step 4).
const DECIDED: u32 = 5;
/// bzip2 block size for the compression statistic (NIST's tool: `BZ2_bzBuffToBuffCompress`
/// with blockSize100k = 5).
const BZIP2_LEVEL: u32 = 5;

/// Names of the 19 statistics in the tool's order.
pub const NAMES: [&str; 19] = [
    "excursion",
    "numDirectionalRuns",
    "lenDirectionalRuns",
    "numIncreasesDecreases",
    "numRunsMedian",
    "lenRunsMedian",
    "avgCollision",
    "maxCollision",
    "periodicity(1)",
    "periodicity(2)",
    "periodicity(8)",
    "periodicity(16)",
    "periodicity(32)",
    "covariance(1)",
    "covariance(2)",
    "covariance(8)",
    "covariance(16)",
    "covariance(32)",
    "compression",
];

/// Lags of the periodicity and covariance statistics (§5.1.10, §5.1.11).
const LAGS: [usize; 5] = [1, 2, 8, 16, 32];

/// The data one round of statistics looks at.
pub(crate) struct Context {
    /// Mean of the raw samples.
    pub raw_mean: f64,
    /// Median of the translated symbols (0.5 for binary data).
    pub median: f64,
    /// Alphabet size.
    pub k: usize,
}

/// One statistic's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statistic {
    /// The tool's name for it.
    pub name: &'static str,
    /// Its value on the unshuffled data.
    pub value: f64,
    /// Shuffles whose value was greater than, equal to and less than `value`.
    pub counts: [u32; 3],
    /// Whether the statistic was decided (not in the extreme tails).
    pub passed: bool,
}

/// Mean of the raw samples and median of the translated ones, as the tool computes them.
pub(crate) fn context(symbols: &[u8], raw: &[u8], k: usize) -> Context {
    let sum: u64 = raw.iter().map(|&x| u64::from(x)).sum();
    let raw_mean = sum as f64 / raw.len() as f64;
    let median = if k == 2 {
        0.5
    } else {
        let mut counts = [0usize; 256];
        for &s in symbols {
            counts[s as usize] += 1;
        }
        let nth = |rank: usize| {
            let mut seen = 0;
            for (v, &c) in counts.iter().enumerate() {
                seen += c;
                if seen > rank {
                    return v as f64;
                }
            }
            255.0
        };
        let half = symbols.len() / 2;
        if symbols.len() % 2 == 1 {
            nth(half)
        } else {
            (nth(half) + nth(half - 1)) / 2.0
        }
    };
    Context {
        raw_mean,
        median,
        k,
    }
}

/// Ones in each 8-bit block (Conversion I; a short last block counts what it has).
fn conversion1(bits: &[u8]) -> Vec<u8> {
    bits.chunks(8).map(|c| c.iter().sum()).collect()
}

/// Each 8-bit block as a number, first bit most significant (Conversion II; a short last
/// block is left-aligned).
fn conversion2(bits: &[u8]) -> Vec<u8> {
    bits.chunks(8)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |acc, (i, &b)| acc | (b << (7 - i)))
        })
        .collect()
}

/// The excursion statistic (§5.1.1): the largest |x_1 + … + x_i − i·mean|. The running sum is
/// an integer (exact, as the tool's double sum of bytes is), so only a one-cycle add chains
/// from one sample to the next, and the maximum is kept in four lanes.
fn excursion(raw: &[u8], mean: f64) -> f64 {
    let mut sum = 0u64;
    let mut lanes = [0.0f64; 4];
    let mut i = 0usize;
    for chunk in raw.chunks(4) {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            sum += u64::from(x);
            i += 1;
            let d = (sum as f64 - i as f64 * mean).abs();
            if d > *lane {
                *lane = d;
            }
        }
    }
    lanes.into_iter().fold(0.0, f64::max)
}

/// Number of runs of a 0/1 sequence: one more than the number of changes (vectorizes).
fn run_count(seq: &[u8]) -> f64 {
    if seq.is_empty() {
        return 0.0;
    }
    let changes: usize = seq
        .iter()
        .zip(&seq[1..])
        .map(|(a, b)| usize::from(a != b))
        .sum();
    (changes + 1) as f64
}

/// Longest run of a 0/1 sequence, without branches on the data (shuffled data make every
/// such branch a coin toss).
fn longest_run(seq: &[u8]) -> f64 {
    let (mut longest, mut run) = (0u64, 0u64);
    let mut prev = 2u8; // no value yet
    for &x in seq {
        let same = u64::from(x == prev);
        run = (run & same.wrapping_neg()) + 1;
        longest = longest.max(run);
        prev = x;
    }
    longest as f64
}

/// Lengths of the collision segments of §5.1.7 (the tool's `find_collisions`): from the start,
/// the shortest stretch that repeats a value, then again from the element after it; a tail
/// without a repeat is dropped. One pass without branches on the data: each value's stamp
/// holds the segment it was last seen in.
fn collisions(data: &[u8]) -> (f64, f64) {
    let mut stamp = [0u64; 256];
    let mut segment = 1u64;
    let (mut sum, mut count, mut max, mut len) = (0u64, 0u64, 0u64, 0u64);
    for &x in data {
        let seen = &mut stamp[usize::from(x)];
        let hit = u64::from(*seen == segment);
        *seen = segment;
        len += 1;
        sum += len * hit;
        count += hit;
        max = max.max(len * hit);
        segment += hit;
        len *= 1 - hit;
    }
    let avg = if count == 0 {
        f64::NAN
    } else {
        sum as f64 / count as f64
    };
    (avg, max as f64)
}

/// bzip2 (block size 5) length of the samples written in decimal, space separated: libbz2's
/// length, counted by [`Bzip2Length`] without compressing (each thread keeps its buffers).
fn compressed_length(raw: &[u8]) -> f64 {
    thread_local! {
        static COUNTER: RefCell<(Bzip2Length, Vec<u8>)> = RefCell::default();
    }
    COUNTER.with_borrow_mut(|(counter, text)| {
        decimal_text(raw, text);
        counter.compressed_len(text, BZIP2_LEVEL) as f64
    })
}

/// Computes the statistics flagged in `wanted` into `out`.
pub(crate) fn statistics(
    symbols: &[u8],
    raw: &[u8],
    ctx: &Context,
    wanted: &[bool; 19],
    out: &mut [f64; 19],
) {
    let binary = ctx.k == 2;
    if wanted[0] {
        out[0] = excursion(raw, ctx.raw_mean);
    }
    let conv1 = (binary && wanted[1..=3].iter().chain(&wanted[8..=17]).any(|&w| w))
        .then(|| conversion1(symbols));
    let series: &[u8] = conv1.as_deref().unwrap_or(symbols);
    if wanted[1..=3].iter().any(|&w| w) && series.len() >= 2 {
        // 1 where the series does not decrease (§5.1.2's +1), as bytes so the passes vectorize.
        let ups: Vec<u8> = series
            .iter()
            .zip(&series[1..])
            .map(|(a, b)| u8::from(a <= b))
            .collect();
        if wanted[1] {
            out[1] = run_count(&ups);
        }
        if wanted[2] {
            out[2] = longest_run(&ups);
        }
        if wanted[3] {
            let up: usize = ups.iter().map(|&u| usize::from(u)).sum();
            out[3] = up.max(ups.len() - up) as f64;
        }
    }
    if wanted[4] || wanted[5] {
        // Symbols are integers, so s >= median exactly when s >= ceil(median).
        let threshold = ctx.median.ceil();
        let above: Vec<u8> = symbols
            .iter()
            .map(|&s| u8::from(f64::from(s) >= threshold))
            .collect();
        if wanted[4] {
            out[4] = run_count(&above);
        }
        if wanted[5] {
            out[5] = longest_run(&above);
        }
    }
    if wanted[6] || wanted[7] {
        let (avg, max) = if binary {
            collisions(&conversion2(symbols))
        } else {
            collisions(symbols)
        };
        out[6] = avg;
        out[7] = max;
    }
    for (slot, &lag) in LAGS.iter().enumerate() {
        if wanted[8 + slot] && series.len() >= lag {
            out[8 + slot] = series
                .iter()
                .zip(&series[lag..])
                .filter(|(a, b)| a == b)
                .count() as f64;
        }
        if wanted[13 + slot] {
            let data: &[u8] = if binary { series } else { raw };
            if data.len() >= lag {
                out[13 + slot] = data
                    .iter()
                    .zip(&data[lag..])
                    .map(|(&a, &b)| u64::from(a) * u64::from(b))
                    .sum::<u64>() as f64;
            }
        }
    }
    if wanted[18] {
        out[18] = compressed_length(raw);
    }
}

/// The 19 statistics of the unshuffled data, in the order of [`NAMES`] (deterministic:
/// these are the numbers to compare with NIST's "Unpermuted result" lines).
pub fn original_statistics(symbols: &crate::sp800_90b::Symbols) -> [f64; 19] {
    let ctx = context(&symbols.symbols, &symbols.raw, symbols.k);
    let mut out = [0.0; 19];
    statistics(&symbols.symbols, &symbols.raw, &ctx, &[true; 19], &mut out);
    out
}

/// Fisher–Yates (Durstenfeld) shuffle of `data`, each index a uniform integer from Lemire's
/// nearly divisionless method (as the tool uses) on 32-bit draws, two from each 64-bit output
/// of `rng` (indices of data under 4 GiB fit; larger data use whole 64-bit draws).
fn shuffle(data: &mut [u8], rng: &mut Xoshiro256StarStar) {
    if u32::try_from(data.len()).is_err() {
        for i in (1..data.len()).rev() {
            let range = i as u64 + 1;
            let mut m = u128::from(rng.next_u64()) * u128::from(range);
            if (m as u64) < range {
                let threshold = range.wrapping_neg() % range;
                while (m as u64) < threshold {
                    m = u128::from(rng.next_u64()) * u128::from(range);
                }
            }
            data.swap(i, (m >> 64) as usize);
        }
        return;
    }
    let mut spare: Option<u32> = None;
    let mut draw = move |rng: &mut Xoshiro256StarStar| match spare.take() {
        Some(x) => x,
        None => {
            let x = rng.next_u64();
            spare = Some((x >> 32) as u32);
            x as u32
        }
    };
    for i in (1..data.len()).rev() {
        let range = i as u64 + 1; // at most 2^32 - 1
        let mut m = u64::from(draw(rng)) * range;
        if (m as u32 as u64) < range {
            let threshold = ((1u64 << 32) - range) % range;
            while (m as u32 as u64) < threshold {
                m = u64::from(draw(rng)) * range;
            }
        }
        data.swap(i, (m >> 32) as usize);
    }
}

/// Shared tallies of the shuffles.
struct Tally {
    counts: [[u32; 3]; 19],
    undecided: [bool; 19],
}

/// Runs the permutation tests; `rng` seeds the per-thread streams.
pub(crate) fn permutation_tests(
    symbols: &[u8],
    raw: &[u8],
    ctx: &Context,
    rng: Xoshiro256StarStar,
    progress: Option<Progress<'_>>,
) -> Vec<Statistic> {
    let mut original = [0.0f64; 19];
    statistics(symbols, raw, ctx, &[true; 19], &mut original);
    let tally = Mutex::new(Tally {
        counts: [[0; 3]; 19],
        undecided: [true; 19],
    });
    let next = AtomicUsize::new(0);
    let translated = symbols != raw;
    let mut symbol_of = [0u8; 256];
    for (&s, &r) in symbols.iter().zip(raw) {
        symbol_of[usize::from(r)] = s;
    }
    let workers = rayon::current_num_threads().max(1);
    (0..workers).into_par_iter().for_each(|w| {
        let mut rng = rng.clone();
        for _ in 0..w {
            rng.jump();
        }
        // Only the raw samples are shuffled: the symbols are a function of them (dense
        // ranks), rebuilt by a table in one sequential pass, or the same bytes when dense.
        let mut raw_data = raw.to_vec();
        let mut data = if translated {
            symbols.to_vec()
        } else {
            Vec::new()
        };
        let mut values = [0.0f64; 19];
        loop {
            let round = next.fetch_add(1, Ordering::Relaxed);
            if round >= PERMUTATIONS {
                break;
            }
            let wanted = tally.lock().map(|t| t.undecided).unwrap_or([false; 19]);
            if !wanted.iter().any(|&x| x) {
                break;
            }
            shuffle(&mut raw_data, &mut rng);
            let shuffled: &[u8] = if translated {
                for (d, &r) in data.iter_mut().zip(&raw_data) {
                    *d = symbol_of[usize::from(r)];
                }
                &data
            } else {
                &raw_data
            };
            statistics(shuffled, &raw_data, ctx, &wanted, &mut values);
            let Ok(mut t) = tally.lock() else { break };
            for j in 0..19 {
                if !(wanted[j] && t.undecided[j]) {
                    continue;
                }
                let c = &mut t.counts[j];
                if values[j] > original[j] {
                    c[0] += 1;
                } else if values[j] == original[j] {
                    c[1] += 1;
                } else {
                    c[2] += 1;
                }
                if c[0] + c[1] > DECIDED && c[1] + c[2] > DECIDED {
                    t.undecided[j] = false;
                }
            }
            if let Some(progress) = progress {
                progress(
                    "permutation tests",
                    (round + 1) as f64 / PERMUTATIONS as f64,
                );
            }
        }
    });
    let t = tally.into_inner().unwrap_or_else(|e| e.into_inner());
    (0..19)
        .map(|j| {
            let c = t.counts[j];
            Statistic {
                name: NAMES[j],
                value: original[j],
                counts: c,
                passed: c[0] + c[1] > DECIDED && c[1] + c[2] > DECIDED,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    // libbz2's one-shot API (in the libbz2 that bzip2-sys builds and links; its Rust
    // bindings leave this function out).
    unsafe extern "C" {
        fn BZ2_bzBuffToBuffCompress(
            dest: *mut std::os::raw::c_char,
            dest_len: *mut std::os::raw::c_uint,
            source: *mut std::os::raw::c_char,
            source_len: std::os::raw::c_uint,
            block_size_100k: std::os::raw::c_int,
            verbosity: std::os::raw::c_int,
            work_factor: std::os::raw::c_int,
        ) -> std::os::raw::c_int;
    }

    /// `BZ2_bzBuffToBuffCompress(dest, &len, source, n, level, 0, 0)`, as NIST's tool calls it.
    fn buff_to_buff_len(data: &[u8], level: i32) -> usize {
        let mut out = vec![0u8; data.len() + data.len() / 100 + 600];
        let mut len = out.len() as std::os::raw::c_uint;
        // SAFETY: `out` has `len` writable bytes and `data` is readable for its length; the
        // call writes at most `len` bytes and stores the count in `len`.
        let rc = unsafe {
            BZ2_bzBuffToBuffCompress(
                out.as_mut_ptr().cast(),
                &mut len,
                data.as_ptr().cast_mut().cast(),
                data.len() as std::os::raw::c_uint,
                level,
                0,
                0,
            )
        };
        assert_eq!(rc, bzip2_sys::BZ_OK as std::os::raw::c_int);
        len as usize
    }

    #[test]
    fn compression_length_is_the_one_nist_tool_gets() {
        // 499,981 distinct-neighbour bytes fill a level-5 block and one more is pending: the
        // last input byte fills the block. Fed all at once (NIST), the pending byte joins that
        // block; fed through BzEncoder, it becomes a block of its own.
        let edge: Vec<u8> = (0..=499_981u32).map(|i| (i % 251) as u8).collect();
        let encoder_len = {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(5));
            e.write_all(&edge).unwrap();
            e.finish().unwrap().len()
        };
        let nist = buff_to_buff_len(&edge, 5);
        assert_ne!(encoder_len, nist, "the edge case this test is about");
        assert_eq!(super::super::bzip2_length::libbz2_len(&edge, 5), nist);
        assert_eq!(Bzip2Length::default().compressed_len(&edge, 5), nist);
        // And on the statistic's own input: decimal text of random samples.
        let mut state = 0x1234_5678_9abc_def0u64;
        let raw: Vec<u8> = (0..200_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 56) as u8
            })
            .collect();
        let mut text = Vec::new();
        for (i, x) in raw.iter().enumerate() {
            if i > 0 {
                text.push(b' ');
            }
            let _ = write!(text, "{x}");
        }
        assert_eq!(compressed_length(&raw), buff_to_buff_len(&text, 5) as f64);
        // Decimal text whose last byte fills the first block, counted without libbz2.
        let mut counter = Bzip2Length::default();
        for cut in [499_980, 499_981, 499_982, 499_983] {
            let text = &text[..cut];
            let nist = buff_to_buff_len(text, 5);
            assert_eq!(counter.compressed_len(text, 5), nist, "{cut} bytes");
        }
    }

    #[test]
    fn conversions_of_section_5_1() {
        // SP 800-90B §5.1 example: 0110 0110 0101 1001 ... Conversion I counts ones per 8 bits.
        let bits = [0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1];
        assert_eq!(conversion1(&bits), vec![4, 3]);
        assert_eq!(conversion2(&bits), vec![0b0110_0110, 0b0101_1000]);
    }

    #[test]
    fn excursion_is_the_largest_distance_from_the_mean_line() {
        // 3, 0, 0: mean 1; partial sums 3, 3, 3 against 1, 2, 3: distances 2, 1, 0.
        assert_eq!(excursion(&[3, 0, 0], 1.0), 2.0);
        // 0, 0, 6: distances 2, 4, 0.
        assert_eq!(excursion(&[0, 0, 6], 2.0), 4.0);
        let data: Vec<u8> = (0..10_001u32).map(|i| (i * 97 % 256) as u8).collect();
        let mean = data.iter().map(|&x| f64::from(x)).sum::<f64>() / data.len() as f64;
        let mut by_definition = 0.0f64;
        let mut sum = 0.0;
        for (i, &x) in data.iter().enumerate() {
            sum += f64::from(x);
            by_definition = by_definition.max((sum - (i + 1) as f64 * mean).abs());
        }
        assert_eq!(excursion(&data, mean), by_definition);
    }

    #[test]
    fn collision_segments() {
        // 2,1,1 | 2,0,1,0 | 3 (tail without a repeat is dropped): lengths 3 and 4.
        let (avg, max) = collisions(&[2, 1, 1, 2, 0, 1, 0, 3]);
        assert_eq!((avg, max), (3.5, 4.0));
        assert!(collisions(&[1, 2, 3]).0.is_nan(), "no repeat: no segment");
        assert_eq!(collisions(&[5, 5, 5, 5, 5]), (2.0, 2.0));
        // Against the definition, segment by segment, on data of several alphabets.
        use rand_core::SeedableRng;
        let mut rng = Xoshiro256StarStar::seed_from_u64(3);
        for k in [2u64, 3, 16, 200, 256] {
            let data: Vec<u8> = (0..20_000).map(|_| (rng.next_u64() % k) as u8).collect();
            let mut lengths = Vec::new();
            let mut start = 0;
            while start < data.len() {
                let mut seen = std::collections::HashSet::new();
                match (start..data.len()).find(|&i| !seen.insert(data[i])) {
                    Some(end) => {
                        lengths.push((end - start + 1) as f64);
                        start = end + 1;
                    }
                    None => break,
                }
            }
            let avg = lengths.iter().sum::<f64>() / lengths.len() as f64;
            let max = lengths.iter().copied().fold(0.0, f64::max);
            assert_eq!(collisions(&data), (avg, max), "alphabet {k}");
        }
    }

    #[test]
    fn runs_count_and_length() {
        let seq = [1, 1, 0, 1, 1, 1];
        assert_eq!((run_count(&seq), longest_run(&seq)), (3.0, 3.0));
        assert_eq!((run_count(&[0]), longest_run(&[0])), (1.0, 1.0));
        assert_eq!((run_count(&[]), longest_run(&[])), (0.0, 0.0));
        assert_eq!(
            (run_count(&[0, 1, 0, 0]), longest_run(&[0, 1, 0, 0])),
            (3.0, 2.0)
        );
    }

    #[test]
    fn shuffles_are_uniform() {
        use rand_core::SeedableRng;
        let mut rng = Xoshiro256StarStar::seed_from_u64(7);
        // All 24 orders of four elements equally often: chi-square, 23 degrees of freedom;
        // 60 is beyond its 99.99th percentile (~55).
        let mut seen = std::collections::HashMap::new();
        let rounds = 48_000;
        for _ in 0..rounds {
            let mut d = [0u8, 1, 2, 3];
            shuffle(&mut d, &mut rng);
            *seen.entry(d).or_insert(0u32) += 1;
        }
        assert_eq!(seen.len(), 24);
        let expected = f64::from(rounds) / 24.0;
        let chi2: f64 = seen
            .values()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 60.0, "chi-square {chi2:.1}: {seen:?}");
        // Element 0 of 1,000 lands in each tenth of the positions equally often (9 degrees
        // of freedom; 35 is beyond the 99.99th percentile, ~33.7).
        let mut tenths = [0u32; 10];
        for _ in 0..10_000 {
            let mut d = vec![0u8; 1000];
            d[0] = 1;
            shuffle(&mut d, &mut rng);
            tenths[d.iter().position(|&x| x == 1).expect("the mark") / 100] += 1;
        }
        let chi2: f64 = tenths
            .iter()
            .map(|&c| (f64::from(c) - 1000.0).powi(2) / 1000.0)
            .sum();
        assert!(chi2 < 35.0, "chi-square {chi2:.1}: {tenths:?}");
    }
}
