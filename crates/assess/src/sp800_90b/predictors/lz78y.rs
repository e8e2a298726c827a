//! LZ78Y prediction estimate (SP 800-90B §6.3.10): a dictionary of contexts of length
//! 1..16 with postfix counts; the longest-to-shortest scan keeps the prediction with the
//! strictly largest count.
//!
//! As in NIST's tool, the dictionary stops growing at 65,536 contexts in all, but a
//! context already present always counts new postfixes. Binary data use flat count tables.

use super::{ContextMap, Postfixes, PredictorCounts, pack, prediction_estimate};

/// Longest context (§6.3.10 step 1: B = 16).
const B: usize = 16;
/// Dictionary capacity (§6.3.10 step 1: maxDictionarySize = 65,536).
const MAX_DICTIONARY: usize = 65_536;

/// Predictor counts of LZ78Y on `data` (symbols below `k`); `None` with fewer than 19
/// samples.
pub fn lz78y_counts(data: &[u8], k: usize) -> Option<PredictorCounts> {
    if data.len() < B + 3 {
        return None;
    }
    let (correct, longest) = if k <= 2 { binary(data) } else { general(data) };
    Some(PredictorCounts {
        correct,
        predictions: (data.len() - B - 1) as u64,
        longest_run: longest,
    })
}

/// LZ78Y min-entropy per symbol; `None` with fewer than 19 samples.
pub fn lz78y(data: &[u8], k: usize) -> Option<f64> {
    lz78y_counts(data, k).map(|c| prediction_estimate(c, k.max(2)))
}

fn binary(s: &[u8]) -> (u64, u64) {
    // tables[j - 1]: counts for contexts of j bits, two per context (most recent bit lowest).
    let mut tables: Vec<Vec<u32>> = (1..=B).map(|j| vec![0u32; 2 << j]).collect();
    let mut size = 0usize;
    let mut pattern = 0usize;
    for j in 0..B {
        pattern |= ((s[B - j - 1] & 1) as usize) << j;
        tables[j][2 * pattern + (s[B] & 1) as usize] = 1;
        size += 1;
    }
    let (mut correct, mut run, mut longest) = (0u64, 0u64, 0u64);
    // The last B symbols, the most recent in bit 0.
    let mut full = s[1..=B]
        .iter()
        .fold(0usize, |acc, &b| (acc << 1) | (b & 1) as usize);
    for &symbol in &s[B + 1..] {
        let next = (symbol & 1) as usize;
        let mut best = 0u32;
        let mut prediction = None;
        for j in (1..=B).rev() {
            let base = 2 * (full & ((1 << j) - 1));
            let table = &mut tables[j - 1];
            let (c0, c1) = (table[base], table[base + 1]);
            let (guess, count) = if c0 > c1 { (0, c0) } else { (1, c1) };
            if count > 0 {
                if count > best {
                    best = count;
                    prediction = Some(guess);
                }
                table[base + next] += 1;
            } else if size < MAX_DICTIONARY {
                table[base + next] = 1;
                size += 1;
            }
        }
        if prediction == Some(next) {
            correct += 1;
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
        full = ((full << 1) | next) & ((1 << B) - 1);
    }
    (correct, longest)
}

fn general(s: &[u8]) -> (u64, u64) {
    let mut dicts: Vec<ContextMap<Postfixes>> = (0..B).map(|_| ContextMap::default()).collect();
    let mut size = 0usize;
    for j in 1..=B {
        dicts[j - 1]
            .entry(pack(&s[B - j..B]))
            .or_default()
            .increment(s[B], true);
        size += 1;
    }
    let (mut correct, mut run, mut longest) = (0u64, 0u64, 0u64);
    let mut keys = [0u128; B + 1];
    for i in B + 1..s.len() {
        let mut best = 0u64;
        let mut prediction = None;
        // keys[j] = pack(&s[i - j..i]), built from the shorter one instead of re-packed.
        for j in 1..=B {
            keys[j] = (u128::from(s[i - j]) << (8 * (j - 1))) | keys[j - 1];
        }
        for j in (1..=B).rev() {
            let key = keys[j];
            if let Some(entry) = dicts[j - 1].get_mut(&key) {
                let (guess, count) = entry.predict();
                if count > best {
                    best = count;
                    prediction = Some(guess);
                }
                entry.increment(s[i], true);
            } else if size < MAX_DICTIONARY {
                dicts[j - 1].entry(key).or_default().increment(s[i], true);
                size += 1;
            }
        }
        if prediction == Some(s[i]) {
            correct += 1;
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    (correct, longest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_general_paths_agree() {
        let mut x = 7u64;
        let bits: Vec<u8> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                u8::from(x % 10 < 6)
            })
            .collect();
        assert_eq!(binary(&bits), general(&bits));
    }
}
