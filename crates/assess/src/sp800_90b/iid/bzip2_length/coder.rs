//! The entropy-coding half of a bzip2 block (libbz2 1.0.8, `compress.c`), counted rather than
//! written: move-to-front with bzip2's run-length coding of zeros (RUNA/RUNB), the choice of
//! 2-6 Huffman tables and a table per 50 symbols refined over four passes, and the bits of the
//! symbol map, selectors, table lengths and data that libbz2 would emit.
//!
//! Every rule is libbz2's, because the permutation test's compression statistic is the exact
//! byte count: the table count from the number of symbols, the initial partition of the
//! symbol range (with its odd-step adjustment), the first-lowest cost wins, lengths from the
//! previous pass select the tables while the data is coded with the lengths built last.

use super::huffman::{MAX_ALPHA, code_lengths};

/// Symbols per selector group (`BZ_G_SIZE`).
const GROUP: usize = 50;
/// Refinement passes over the tables (`BZ_N_ITERS`).
const PASSES: usize = 4;
/// Longest code libbz2 1.0.3 and later produce.
const MAX_CODE_LEN: u8 = 17;
/// Initial cost of a symbol outside / inside a table's starting range.
const GREATER_COST: u8 = 15;
const LESSER_COST: u8 = 0;
/// Alphabets up to this size are costed from per-group histograms.
const SMALL_ALPHA: usize = 16;

/// Reusable buffers for [`block_bits`].
#[derive(Default)]
pub(crate) struct Coder {
    mtf: Vec<u16>,
    histograms: Vec<[u8; SMALL_ALPHA]>,
    selectors: Vec<u8>,
}

impl Coder {
    /// Bits libbz2 writes for a block from the symbol map to the end of the block data, given
    /// the block's Burrows–Wheeler output `bwt` (the last column of its sorted rotations).
    #[cfg(test)]
    pub(crate) fn block_bits(&mut self, bwt: &[u8]) -> u64 {
        let mut in_use = [false; 256];
        for &b in bwt {
            in_use[usize::from(b)] = true;
        }
        self.block_bits_with_map(bwt, &in_use)
    }

    /// [`Coder::block_bits`] when the caller knows which byte values the block uses.
    pub(crate) fn block_bits_with_map(&mut self, bwt: &[u8], in_use: &[bool; 256]) -> u64 {
        let map_bits = 16
            + 16 * (0..16)
                .filter(|&r| in_use[r * 16..r * 16 + 16].contains(&true))
                .count() as u64;
        let mut seq_of = [0u8; 256];
        let mut in_use_count = 0usize;
        for (byte, _) in in_use.iter().enumerate().filter(|(_, used)| **used) {
            seq_of[byte] = in_use_count as u8;
            in_use_count += 1;
        }
        let alpha = in_use_count + 2;
        let mut freq = [0u32; MAX_ALPHA];
        let small = alpha <= SMALL_ALPHA;
        let symbols = if small {
            self.move_to_front_small(bwt, &seq_of, in_use_count, &mut freq)
        } else {
            self.move_to_front(bwt, &seq_of, in_use_count, &mut freq)
        };
        map_bits + self.huffman_bits(&freq[..alpha], symbols, small)
    }

    /// [`Coder::move_to_front`] for at most 14 byte values: the MTF list is 4-bit fields of
    /// a `u64` (found and moved without a loop), and the symbols go straight into per-group
    /// histograms instead of a list.
    fn move_to_front_small(
        &mut self,
        bwt: &[u8],
        seq_of: &[u8; 256],
        in_use: usize,
        freq: &mut [u32],
    ) -> usize {
        const ONES: u64 = 0x1111_1111_1111_1111;
        const HIGHS: u64 = 0x8888_8888_8888_8888;
        debug_assert!(in_use + 2 <= SMALL_ALPHA);
        // Field i holds the symbol at MTF position i; unused fields hold 0xF, no symbol.
        let mut order = u64::MAX;
        for i in 0..in_use {
            order = (order & !(0xf << (4 * i))) | ((i as u64) << (4 * i));
        }
        let hist = &mut self.histograms;
        hist.clear();
        let mut open = [0u8; SMALL_ALPHA];
        let mut in_group = 0usize;
        let mut emit = |symbol: usize| {
            open[symbol] += 1;
            in_group += 1;
            if in_group == GROUP {
                hist.push(std::mem::take(&mut open));
                in_group = 0;
            }
        };
        let mut zeros = 0u32;
        for &b in bwt {
            let s = u64::from(seq_of[usize::from(b)]);
            if order & 0xf == s {
                zeros += 1;
                continue;
            }
            for_zero_run(zeros, &mut emit);
            zeros = 0;
            // The lowest 4-bit field equal to s: the lowest zero field of order ^ s·ONES.
            let x = order ^ (s * ONES);
            let j = ((x.wrapping_sub(ONES) & !x & HIGHS).trailing_zeros() / 4) as usize;
            let moved = (1u64 << (4 * (j + 1))) - 1;
            order = (order & !moved) | ((order << 4) & moved) | s;
            emit(j + 1);
        }
        for_zero_run(zeros, &mut emit);
        emit(in_use + 1);
        if in_group > 0 {
            hist.push(open);
        }
        let symbols = (hist.len() - usize::from(in_group > 0)) * GROUP + in_group;
        for h in hist.iter() {
            for (f, &c) in freq.iter_mut().zip(h) {
                *f += u32::from(c);
            }
        }
        symbols
    }

    /// Fills `self.mtf` with libbz2's MTF/RLE2 symbols and `freq` with their counts.
    fn move_to_front(
        &mut self,
        bwt: &[u8],
        seq_of: &[u8; 256],
        in_use: usize,
        freq: &mut [u32],
    ) -> usize {
        let mtf = &mut self.mtf;
        mtf.clear();
        mtf.reserve(bwt.len() + 1);
        let mut order = [0u8; 256];
        for (i, slot) in order.iter_mut().enumerate().take(in_use) {
            *slot = i as u8;
        }
        let mut zeros = 0u32;
        for &b in bwt {
            let s = seq_of[usize::from(b)];
            if order[0] == s {
                zeros += 1;
                continue;
            }
            for_zero_run(zeros, |d| {
                mtf.push(d as u16);
                freq[d] += 1;
            });
            zeros = 0;
            let mut j = 1;
            let mut carried = order[0];
            while order[j] != s {
                std::mem::swap(&mut carried, &mut order[j]);
                j += 1;
            }
            order[j] = carried;
            order[0] = s;
            let symbol = j + 1;
            mtf.push(symbol as u16);
            freq[symbol] += 1;
        }
        for_zero_run(zeros, |d| {
            mtf.push(d as u16);
            freq[d] += 1;
        });
        let end = in_use + 1;
        mtf.push(end as u16);
        freq[end] += 1;
        mtf.len()
    }

    /// Bits of the selectors, table lengths and data for `n` symbols, held in
    /// `self.histograms` when `small`, else in `self.mtf`.
    fn huffman_bits(&mut self, freq: &[u32], n: usize, small: bool) -> u64 {
        let alpha = freq.len();
        let tables = match n {
            0..200 => 2,
            200..600 => 3,
            600..1200 => 4,
            1200..2400 => 5,
            _ => 6,
        };
        let mut len = [[GREATER_COST; MAX_ALPHA]; 6];
        initial_tables(freq, tables, n, &mut len);

        let groups = n.div_ceil(GROUP);
        let mut rfreq = [[0u32; MAX_ALPHA]; 6];
        self.selectors.clear();
        self.selectors.resize(groups, 0);
        for _ in 0..PASSES {
            for r in &mut rfreq[..tables] {
                r[..alpha].fill(0);
            }
            if small {
                let mut lens = [[0u16; SMALL_ALPHA]; 6];
                for (t, l) in lens.iter_mut().enumerate().take(tables) {
                    for v in 0..alpha {
                        l[v] = u16::from(len[t][v]);
                    }
                }
                for (hist, sel) in self.histograms.iter().zip(&mut self.selectors) {
                    let best = cheapest(tables, |t| {
                        hist.iter()
                            .zip(&lens[t])
                            .map(|(&h, &l)| u32::from(h) * u32::from(l))
                            .sum()
                    });
                    *sel = best as u8;
                    for (r, &h) in rfreq[best].iter_mut().zip(hist) {
                        *r += u32::from(h);
                    }
                }
            } else {
                for (chunk, sel) in self.mtf.chunks(GROUP).zip(&mut self.selectors) {
                    let best = cheapest(tables, |t| {
                        chunk
                            .iter()
                            .map(|&s| u32::from(len[t][usize::from(s)]))
                            .sum()
                    });
                    *sel = best as u8;
                    for &s in chunk {
                        rfreq[best][usize::from(s)] += 1;
                    }
                }
            }
            for t in 0..tables {
                code_lengths(&rfreq[t][..alpha], MAX_CODE_LEN, &mut len[t][..alpha]);
            }
        }

        // Selectors: 3 bits of table count, 15 of selector count, then each selector
        // move-to-front coded in unary.
        let mut bits = 3 + 15;
        let mut order = [0u8, 1, 2, 3, 4, 5];
        for &sel in &self.selectors {
            let j = order
                .iter()
                .position(|&t| t == sel)
                .expect("a selector names a table");
            order.copy_within(0..j, 1);
            order[0] = sel;
            bits += j as u64 + 1;
        }
        // Table lengths: 5 bits of the first, then per symbol 2 bits per unit of change and a
        // stop bit.
        for l in &len[..tables] {
            let mut current = l[0];
            bits += 5;
            for &x in &l[..alpha] {
                bits += 2 * u64::from(current.abs_diff(x)) + 1;
                current = x;
            }
        }
        // Data: each symbol coded with the final lengths of the table its group selected.
        for t in 0..tables {
            bits += rfreq[t][..alpha]
                .iter()
                .zip(&len[t][..alpha])
                .map(|(&f, &l)| u64::from(f) * u64::from(l))
                .sum::<u64>();
        }
        bits
    }
}

/// Calls `emit` with the digits of a run of `zeros` MTF zeros: bzip2's bijective base 2,
/// RUNA (0) and RUNB (1), least significant first.
fn for_zero_run(zeros: u32, mut emit: impl FnMut(usize)) {
    if zeros == 0 {
        return;
    }
    let mut z = zeros - 1;
    loop {
        emit((z & 1) as usize);
        if z < 2 {
            break;
        }
        z = (z - 2) / 2;
    }
}

/// The first table of lowest cost.
fn cheapest(tables: usize, cost: impl Fn(usize) -> u32) -> usize {
    let mut best = 0;
    let mut best_cost = u32::MAX;
    for t in 0..tables {
        let c = cost(t);
        if c < best_cost {
            best = t;
            best_cost = c;
        }
    }
    best
}

/// libbz2's starting tables: the symbol range cut into `tables` parts of about equal
/// frequency, each table cheap on its part; every other cut steps back one symbol.
fn initial_tables(freq: &[u32], tables: usize, symbols: usize, len: &mut [[u8; MAX_ALPHA]; 6]) {
    let alpha = freq.len();
    let mut parts = tables;
    let mut remaining = symbols as i64;
    let mut start = 0i64;
    while parts > 0 {
        let target = remaining / parts as i64;
        let mut end = start - 1;
        let mut taken = 0i64;
        while taken < target && end < alpha as i64 - 1 {
            end += 1;
            taken += i64::from(freq[end as usize]);
        }
        if end > start && parts != tables && parts != 1 && (tables - parts) % 2 == 1 {
            taken -= i64::from(freq[end as usize]);
            end -= 1;
        }
        for (v, l) in len[parts - 1][..alpha].iter_mut().enumerate() {
            *l = if (start..=end).contains(&(v as i64)) {
                LESSER_COST
            } else {
                GREATER_COST
            };
        }
        parts -= 1;
        start = end + 1;
        remaining -= taken;
    }
}
