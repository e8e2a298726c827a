//! A fast Burrows–Wheeler transform for the text the compression statistic compresses:
//! decimal numbers, each followed by one space.
//!
//! Cut the cyclic block after every space and it is a cycle of *tokens* ("17 ", "3 ", ...).
//! A token ends with the only space in it, and a space sorts below every digit, so comparing
//! two rotations that start at token starts is comparing their token sequences, one token at
//! a time in string order. Those rotations are sorted here by radix-sorting a 64-bit key of
//! their first few token ranks (ties, rare in shuffled data, are settled by the following
//! keys). Every other rotation starts inside a token t, at some suffix of it ("7 " of "17 "):
//! it sorts by that suffix and then by the rotation at token t + 1, so one pass over the
//! sorted token rotations drops every position into the bucket of its suffix, in order. The
//! transform needs only each position's preceding byte, which the suffix alone determines.
//!
//! The result equals the sorted-rotation transform libbz2 computes (identical rotations, where
//! any order is right, have the same preceding byte). Blocks that are not such text, or whose
//! ties would take long to settle (long repeats, as in constant data), are refused, and the
//! caller uses libbz2 itself.

/// Longest token handled: 15 digits and the space fit the 16 nibbles of a `u64` key.
const MAX_DIGITS: usize = 15;
/// Token kinds whose key fits in the top 12 bits (at most three digits) have a direct index.
const SHORT_KINDS: usize = 1 << 12;
/// Distinct longer tokens handled (each is looked up by a linear scan while ranking).
const MAX_LONG_KINDS: usize = 64;
/// Bits per radix pass.
const RADIX_DIGIT: usize = 11;

/// A token rotation while sorting: its key (leading token ranks), the token it starts at, and
/// the rank of the token before that one (carried along so placing needs no lookup).
type Rotation = (u64, u32, u16);

/// Entries per token kind handled by the fixed-length placing loop: the suffixes of a token of
/// up to three digits (more come after, one at a time).
const FIXED_ENTRIES: usize = 4;

/// Reusable buffers for [`TokenBwt::transform`].
pub(crate) struct TokenBwt {
    rotated: Vec<u8>,
    token_keys: Vec<u64>,
    ranks: Vec<u16>,
    packed: Vec<u64>,
    order: Vec<Rotation>,
    scratch: Vec<Rotation>,
    in_use: [bool; 256],
}

impl Default for TokenBwt {
    fn default() -> Self {
        Self {
            rotated: Vec::new(),
            token_keys: Vec::new(),
            ranks: Vec::new(),
            packed: Vec::new(),
            order: Vec::new(),
            scratch: Vec::new(),
            in_use: [false; 256],
        }
    }
}

impl TokenBwt {
    /// The byte values of the last transformed block.
    pub(crate) fn in_use(&self) -> &[bool; 256] {
        &self.in_use
    }

    /// Writes the transform of `block` to `out`; `false` (and `out` unspecified) when the
    /// block is not decimal text with at least one space, or its ties are too costly.
    pub(crate) fn transform(&mut self, block: &[u8], out: &mut Vec<u8>) -> bool {
        let Some(first_space) = block.iter().position(|&b| b == b' ') else {
            return false;
        };
        // Start the cycle at a token start, so it ends with a space.
        self.rotated.clear();
        self.rotated.extend_from_slice(&block[first_space + 1..]);
        self.rotated.extend_from_slice(&block[..=first_space]);
        if !self.tokenize() {
            return false;
        }
        let Some(kinds) = self.rank_tokens() else {
            return false;
        };
        if !self.sort_token_rotations(kinds.len()) {
            return false;
        }
        self.place(&kinds, out);
        true
    }

    /// Splits `rotated` into tokens, keyed by their digits as nibbles (digit + 1, then 0 for
    /// the space), so that key order is string order.
    fn tokenize(&mut self) -> bool {
        const SPACES: u32 = 0x2020_2020;
        const LOW_BITS: u32 = 0x0101_0101;
        const HIGH_BITS: u32 = 0x8080_8080;
        let text = &self.rotated;
        let only_digits_and_spaces = text.chunks(4096).all(|c| {
            c.iter().fold(true, |ok, &b| {
                ok & ((b == b' ') | (b.wrapping_sub(b'0') < 10))
            })
        });
        if !only_digits_and_spaces {
            return false;
        }
        self.token_keys.clear();
        let mut p = 0;
        while p < text.len() {
            // Tokens of up to three digits: find the space among four bytes at once.
            if let Some(word) = text.get(p..p + 4) {
                let w = u32::from_le_bytes(word.try_into().expect("four bytes"));
                let x = w ^ SPACES;
                let spaces = x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS;
                if spaces != 0 {
                    let digits = (spaces.trailing_zeros() / 8) as usize;
                    // Each digit byte minus 0x2F is digit + 1; bytes from the space on are
                    // masked off (a borrow from the space only reaches higher bytes).
                    let n = w.wrapping_sub(0x2f2f_2f2f) & ((1u64 << (8 * digits)) - 1) as u32;
                    let key = (u64::from(n & 0xf) << 60)
                        | (u64::from((n >> 8) & 0xf) << 56)
                        | (u64::from((n >> 16) & 0xf) << 52);
                    self.token_keys.push(key);
                    p += digits + 1;
                    continue;
                }
            }
            // Longer tokens, and the last few bytes, a byte at a time.
            let mut key = 0u64;
            let mut digits = 0;
            loop {
                let b = text[p];
                p += 1;
                if b == b' ' {
                    break;
                }
                if digits == MAX_DIGITS {
                    return false;
                }
                key |= u64::from(b - b'0' + 1) << (60 - 4 * digits);
                digits += 1;
            }
            self.token_keys.push(key);
        }
        true
    }

    /// Ranks every token among the distinct tokens of the block; returns the distinct keys
    /// in order (rank = index), or `None` when there are many tokens of four or more digits
    /// (not the text of 8-bit samples, where only the token across the block's ends can be).
    fn rank_tokens(&mut self) -> Option<Vec<u64>> {
        let mut short_rank = vec![u16::MAX; SHORT_KINDS];
        let mut long: Vec<u64> = Vec::new();
        let low_mask = (1u64 << 52) - 1;
        for &key in &self.token_keys {
            if key & low_mask == 0 {
                short_rank[(key >> 52) as usize] = 0;
            } else if !long.contains(&key) {
                if long.len() == MAX_LONG_KINDS {
                    return None;
                }
                long.push(key);
            }
        }
        let mut kinds: Vec<u64> = short_rank
            .iter()
            .enumerate()
            .filter(|(_, r)| **r == 0)
            .map(|(i, _)| (i as u64) << 52)
            .chain(long.iter().copied())
            .collect();
        kinds.sort_unstable();
        for (rank, &key) in kinds.iter().enumerate() {
            if key & low_mask == 0 {
                short_rank[(key >> 52) as usize] = rank as u16;
            }
        }
        self.ranks.clear();
        self.ranks.extend(self.token_keys.iter().map(|&key| {
            if key & low_mask == 0 {
                short_rank[(key >> 52) as usize]
            } else {
                kinds.binary_search(&key).expect("a listed kind") as u16
            }
        }));
        Some(kinds)
    }

    /// Sorts the token rotations into `self.order`; `false` when settling
    /// ties would take more than a few passes over the block.
    fn sort_token_rotations(&mut self, kinds: usize) -> bool {
        let m = self.ranks.len();
        let bits = (usize::BITS - (kinds.max(2) - 1).leading_zeros()) as usize;
        let per_key = 64 / bits;
        let used = bits * per_key;
        let mask = if used == 64 {
            u64::MAX
        } else {
            (1u64 << used) - 1
        };
        let ranks = &self.ranks;
        self.packed.clear();
        let mut key = (0..per_key).fold(0u64, |k, i| (k << bits) | u64::from(ranks[i % m]));
        let mut incoming = per_key % m;
        for _ in 0..m {
            self.packed.push(key);
            key = ((key << bits) | u64::from(ranks[incoming])) & mask;
            incoming += 1;
            if incoming == m {
                incoming = 0;
            }
        }
        self.order.clear();
        self.order
            .extend(self.packed.iter().enumerate().map(|(t, &k)| {
                let before = if t == 0 { m - 1 } else { t - 1 };
                (k, t as u32, ranks[before])
            }));
        // Radix-sort by enough leading bits to tell most rotations apart (about log2(m) + 2
        // bits of information, taking a token of k kinds to carry log2(k - 1) bits: one kind
        // may be the token across the block's ends), then sort the runs that share them.
        let per_token = ((kinds.max(3) - 1) as f64).log2();
        let wanted = ((m as f64).log2() + 2.0) / per_token * bits as f64;
        let top = used.min((wanted as usize).div_ceil(RADIX_DIGIT) * RADIX_DIGIT);
        let shift = used - top;
        radix_sort(&mut self.order, &mut self.scratch, shift, top);

        // Settle runs by the whole key and then the keys that follow, within a budget.
        let packed = &self.packed;
        let mut budget = 2 * m as i64 + 100_000;
        let mut i = 0;
        while i < m {
            let prefix = self.order[i].0 >> shift;
            let mut j = i + 1;
            while j < m && self.order[j].0 >> shift == prefix {
                j += 1;
            }
            if j - i > 1 {
                self.order[i..j].sort_unstable_by(|a, b| {
                    if a.0 != b.0 {
                        return a.0.cmp(&b.0);
                    }
                    let (a, b) = (a.1 as usize, b.1 as usize);
                    let mut offset = per_key;
                    while offset < m + per_key {
                        budget -= 1;
                        let (x, y) = (packed[(a + offset) % m], packed[(b + offset) % m]);
                        if x != y {
                            return x.cmp(&y);
                        }
                        offset += per_key;
                    }
                    std::cmp::Ordering::Equal
                });
                if budget < 0 {
                    return false;
                }
            }
            i = j;
        }
        true
    }

    /// Drops every byte position into the bucket of the token suffix it starts, walking the
    /// token rotations in order, and writes the byte before each position to `out`.
    fn place(&mut self, kinds: &[u64], out: &mut Vec<u8>) {
        // Each kind's suffixes: nibble key of the suffix, and the byte before it.
        let mut suffixes: Vec<(u64, u8)> = Vec::new();
        self.in_use = [false; 256];
        self.in_use[usize::from(b' ')] = true;
        let mut first_suffix = Vec::with_capacity(kinds.len() + 1);
        for &key in kinds {
            first_suffix.push(suffixes.len());
            let digits = (0..16)
                .take_while(|&i| (key >> (60 - 4 * i)) & 0xf != 0)
                .count();
            for j in 0..=digits {
                let before = if j == 0 {
                    b' '
                } else {
                    b'0' + ((key >> (60 - 4 * (j - 1))) & 0xf) as u8 - 1
                };
                self.in_use[usize::from(before)] = true;
                suffixes.push((key << (4 * j), before));
            }
        }
        first_suffix.push(suffixes.len());
        let mut buckets: Vec<u64> = suffixes.iter().map(|s| s.0).collect();
        buckets.sort_unstable();
        buckets.dedup();
        let bucket_of: Vec<usize> = suffixes
            .iter()
            .map(|s| buckets.binary_search(&s.0).expect("a listed suffix"))
            .collect();

        let mut per_kind = vec![0usize; kinds.len()];
        for &r in &self.ranks {
            per_kind[usize::from(r)] += 1;
        }
        let mut next = vec![0usize; buckets.len()];
        for (kind, &count) in per_kind.iter().enumerate() {
            for &b in &bucket_of[first_suffix[kind]..first_suffix[kind + 1]] {
                next[b] += count;
            }
        }
        let mut total = 0;
        for slot in &mut next {
            (*slot, total) = (total, total + *slot);
        }
        // One byte past the transform takes the writes of padding entries.
        out.clear();
        out.resize(total + 1, 0);
        // Per kind: its first suffixes as (bucket slot, byte before, step), padded to a fixed
        // count with steps of 0 into the spare slot, then any further suffixes.
        let spare = buckets.len();
        let mut fixed = vec![[(spare as u32, 0u8, 0u32); FIXED_ENTRIES]; kinds.len()];
        for (kind, f) in fixed.iter_mut().enumerate() {
            let mine = first_suffix[kind]..first_suffix[kind + 1];
            for (slot, s) in f.iter_mut().zip(mine) {
                *slot = (bucket_of[s] as u32, suffixes[s].1, 1);
            }
        }
        let mut next: Vec<u32> = next.iter().map(|&n| n as u32).collect();
        next.push(total as u32);
        for &(_, _, kind) in &self.order {
            let kind = usize::from(kind);
            for &(b, before, step) in &fixed[kind] {
                let slot = &mut next[b as usize];
                out[*slot as usize] = before;
                *slot += step;
            }
            let mine = first_suffix[kind]..first_suffix[kind + 1];
            if mine.len() > FIXED_ENTRIES {
                for s in mine.skip(FIXED_ENTRIES) {
                    let slot = &mut next[bucket_of[s]];
                    out[*slot as usize] = suffixes[s].1;
                    *slot += 1;
                }
            }
        }
        out.truncate(total);
    }
}

/// Stable LSD radix sort of `items` by bits `low..low + bits` of their keys.
fn radix_sort(items: &mut Vec<Rotation>, scratch: &mut Vec<Rotation>, low: usize, bits: usize) {
    const DIGIT: usize = RADIX_DIGIT;
    scratch.clear();
    scratch.resize(items.len(), (0, 0, 0));
    let mut shift = low;
    while shift < low + bits {
        let mut count = vec![0usize; 1 << DIGIT];
        for &(k, _, _) in items.iter() {
            count[((k >> shift) as usize) & ((1 << DIGIT) - 1)] += 1;
        }
        if count.contains(&items.len()) {
            shift += DIGIT;
            continue;
        }
        let mut total = 0;
        for c in &mut count {
            (*c, total) = (total, total + *c);
        }
        for &item in items.iter() {
            let d = ((item.0 >> shift) as usize) & ((1 << DIGIT) - 1);
            scratch[count[d]] = item;
            count[d] += 1;
        }
        std::mem::swap(items, scratch);
        shift += DIGIT;
    }
}
