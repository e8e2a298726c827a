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

/// Counts a block's bits; keeps its buffers between blocks.
#[derive(Default)]
pub(crate) struct Coder {
    mtf: Vec<u16>,
    symbols: Vec<u8>,
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

    /// The bits libbz2 writes for a block from the symbol map to the end of the block data,
    /// given its Burrows–Wheeler output `bwt` and the byte values the block uses.
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

    /// [`Coder::move_to_front`] for at most 14 byte values, without branching on the data
    /// (in a shuffled text every such branch is a coin toss): the MTF list is 4-bit fields
    /// of a `u64`, searched and moved without a loop; zero runs are written as RUNA/RUNB
    /// digits speculatively (a run of up to six zeros has at most two digits; longer runs
    /// take a slow path); then the symbols are counted per group of 50.
    fn move_to_front_small(
        &mut self,
        bwt: &[u8],
        seq_of: &[u8; 256],
        in_use: usize,
        freq: &mut [u32],
    ) -> usize {
        const ONES: u64 = 0x1111_1111_1111_1111;
        const HIGHS: u64 = 0x8888_8888_8888_8888;
        // Field i of `order` holds the symbol at MTF position i; unused fields hold 0xF.
        let mut order = u64::MAX;
        for i in 0..in_use {
            order = (order & !(0xf << (4 * i))) | ((i as u64) << (4 * i));
        }
        let out = &mut self.symbols;
        out.clear();
        out.resize(bwt.len() + 4, 0); // RLE2 never lengthens; 3 bytes of slack for guesses
        let mut w = 0usize;
        let mut zeros = 0u32;
        for &b in bwt {
            let s = u64::from(seq_of[usize::from(b)]);
            // The lowest 4-bit field equal to s: the lowest zero field of order ^ s·ONES.
            let x = order ^ (s * ONES);
            let j = (x.wrapping_sub(ONES) & !x & HIGHS).trailing_zeros() / 4;
            let shifted = (1u64 << (4 * (j + 1))) - 1;
            order = (order & !shifted) | ((order << 4) & shifted) | s;
            let position = j as u8;
            let moved = usize::from(position != 0);
            // Digits of the pending zero run: the bits of zeros + 1 below its top bit.
            let v = zeros + 1;
            let digits = (31 - v.leading_zeros()) as usize;
            if digits > 2 && moved == 1 {
                for d in 0..digits {
                    out[w + d] = ((v >> d) & 1) as u8;
                }
            } else {
                out[w] = (v & 1) as u8;
                out[w + 1] = ((v >> 1) & 1) as u8;
            }
            out[w + (digits & moved.wrapping_neg())] = position + 1;
            w += (digits + 1) * moved;
            zeros = (zeros + 1) * (1 - moved as u32);
        }
        let v = zeros + 1;
        let digits = (31 - v.leading_zeros()) as usize;
        for d in 0..digits {
            out[w + d] = ((v >> d) & 1) as u8;
        }
        w += digits;
        out[w] = (in_use + 1) as u8;
        w += 1;

        let hist = &mut self.histograms;
        hist.clear();
        for group in out[..w].chunks(GROUP) {
            let mut h = [0u8; SMALL_ALPHA];
            for &symbol in group {
                h[usize::from(symbol)] += 1;
            }
            for (f, &c) in freq.iter_mut().zip(&h) {
                *f += u32::from(c);
            }
            hist.push(h);
        }
        w
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
