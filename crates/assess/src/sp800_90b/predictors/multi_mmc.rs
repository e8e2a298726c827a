//! MultiMMC prediction estimate (SP 800-90B §6.3.9): Markov models of depth 1..16 count
//! which symbol followed each context; a scoreboard picks the depth.
//!
//! Rules of NIST's tool reproduced here: ties between postfix counts go to the larger
//! symbol; the scoreboard's `>=` favours the deeper model; each depth holds at most
//! 100,000 (context, postfix) entries; a deeper context is looked up only while the
//! shallower ones were found; a round where the current winner made no prediction neither
//! counts nor breaks the run. Binary data use flat count tables (the tool's fast path,
//! including its quirk of writing 1 rather than incrementing for an entry reached without
//! a lookup).

use super::{ContextMap, Postfixes, PredictorCounts, pack, prediction_estimate};

/// Deepest model (§6.3.9 step 1: D = 16).
const DEPTH: usize = 16;
/// Entries per depth (§6.3.9: "MAX_ENTRIES = 100,000").
const MAX_ENTRIES: usize = 100_000;

/// Running totals of correct predictions by the winning depth.
#[derive(Default)]
struct Tally {
    scoreboard: [u64; DEPTH],
    winner: usize,
    correct: u64,
    run: u64,
    longest: u64,
}

impl Tally {
    /// Records depth `d`'s prediction outcome while `cur_winner` is the round's winner.
    fn record(&mut self, d: usize, cur_winner: usize, right: bool) {
        if right {
            self.scoreboard[d] += 1;
            if self.scoreboard[d] >= self.scoreboard[self.winner] {
                self.winner = d;
            }
            if d == cur_winner {
                self.correct += 1;
                self.run += 1;
                self.longest = self.longest.max(self.run);
            }
        } else if d == cur_winner {
            self.run = 0;
        }
    }
}

/// Predictor counts of MultiMMC on `data` (symbols below `k`); `None` with fewer than
/// four samples.
pub fn multi_mmc_counts(data: &[u8], k: usize) -> Option<PredictorCounts> {
    if data.len() < 4 {
        return None;
    }
    let tally = if k <= 2 { binary(data) } else { general(data) };
    Some(PredictorCounts {
        correct: tally.correct,
        predictions: (data.len() - 2) as u64,
        longest_run: tally.longest,
    })
}

/// MultiMMC min-entropy per symbol; `None` with fewer than four samples.
pub fn multi_mmc(data: &[u8], k: usize) -> Option<f64> {
    multi_mmc_counts(data, k).map(|c| prediction_estimate(c, k.max(2)))
}

fn binary(s: &[u8]) -> Tally {
    // tables[d]: counts for contexts of d + 1 bits, two counts per context.
    let mut tables: Vec<Vec<u32>> = (0..DEPTH).map(|d| vec![0u32; 2 << (d + 1)]).collect();
    let mut entries = [0usize; DEPTH];
    let mut pattern = 0usize;
    for d in 0..DEPTH.min(s.len() - 1) {
        pattern = (pattern << 1) | (s[d] & 1) as usize;
        tables[d][2 * pattern + (s[d + 1] & 1) as usize] = 1;
        entries[d] = 1;
    }
    let mut tally = Tally::default();
    // The symbols before step i, the most recent in bit 0: depth d's context is its low
    // d + 1 bits.
    let mut history = (s[0] & 1) as usize;
    for i in 2..s.len() {
        let cur_winner = tally.winner;
        let next = (s[i] & 1) as usize;
        history = ((history << 1) | (s[i - 1] & 1) as usize) & ((1 << DEPTH) - 1);
        let mut found = false;
        for d in 0..DEPTH.min(i - 1) {
            let base = 2 * (history & ((2 << d) - 1));
            if d == 0 || found {
                let (c0, c1) = (tables[d][base], tables[d][base + 1]);
                let (prediction, count) = if c0 > c1 { (0, c0) } else { (1, c1) };
                found = count != 0;
                if found {
                    tally.record(d, cur_winner, prediction == next);
                }
            }
            let entry = &mut tables[d][base + next];
            if found && *entry != 0 {
                *entry += 1;
            } else if entries[d] < MAX_ENTRIES {
                *entry = 1;
                entries[d] += 1;
            }
        }
    }
    tally
}

/// Non-binary data, one depth at a time: a depth's dictionary depends only on the data and on
/// which contexts the next shallower depth found, and the scoreboard only on which depths
/// predicted and were right. So each depth runs alone, leaving two bits per sample behind,
/// and the scoreboard replays them afterwards. Peak memory is one depth's dictionary instead
/// of sixteen (on 65,536 bytes: ~10 MB instead of ~170 MB), with the same counts.
fn general(s: &[u8]) -> Tally {
    // found[i] / right[i]: bit d set when depth d predicted at i / predicted s[i].
    let mut found = vec![0u16; s.len()];
    let mut right = vec![0u16; s.len()];
    for d in 0..DEPTH.min(s.len() - 2) {
        run_depth(s, d, &mut found, &mut right);
    }
    let mut tally = Tally::default();
    for i in 2..s.len() {
        let cur_winner = tally.winner;
        let mut predicted = found[i];
        while predicted != 0 {
            let d = predicted.trailing_zeros() as usize;
            predicted &= predicted - 1;
            tally.record(d, cur_winner, (right[i] >> d) & 1 == 1);
        }
    }
    tally
}

/// Runs depth `d`'s model over the data, reading `found` for depth `d - 1` (a deeper context
/// is looked up only where the shallower one was found) and setting bit `d` of `found` and
/// `right`.
fn run_depth(s: &[u8], d: usize, found: &mut [u16], right: &mut [u16]) {
    // Sized once: a depth holds at most one entry per sample (and MAX_ENTRIES), and growing
    // the table step by step cost a fifth of the estimator's time on start-up-sized data.
    let mut model: ContextMap<Postfixes> =
        ContextMap::with_capacity_and_hasher(s.len().min(MAX_ENTRIES), Default::default());
    model
        .entry(pack(&s[..=d]))
        .or_default()
        .increment(s[d + 1], true);
    let mut entries = 1usize;
    let mask = if d + 1 == DEPTH {
        u128::MAX
    } else {
        (1u128 << (8 * (d + 1))) - 1
    };
    // The context s[i - d - 1 .. i], kept rolling.
    let mut key = pack(&s[1..=d]);
    for i in d + 2..s.len() {
        key = ((key << 8) | u128::from(s[i - 1])) & mask;
        let look = d == 0 || (found[i] >> (d - 1)) & 1 == 1;
        let hit = if look { model.get_mut(&key) } else { None };
        if let Some(postfixes) = hit {
            let (prediction, _) = postfixes.predict();
            found[i] |= 1 << d;
            if prediction == s[i] {
                right[i] |= 1 << d;
            }
            if postfixes.increment(s[i], entries < MAX_ENTRIES) {
                entries += 1;
            }
        } else if entries < MAX_ENTRIES {
            model.entry(key).or_default().increment(s[i], true);
            entries += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_general_paths_agree() {
        let mut x = 99u64;
        let bits: Vec<u8> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                u8::from(x % 10 < 7)
            })
            .collect();
        let a = binary(&bits);
        let b = general(&bits);
        assert_eq!((a.correct, a.longest), (b.correct, b.longest));
    }
}
