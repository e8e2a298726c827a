//! Lag prediction estimate (SP 800-90B §6.3.8): 128 predictors, the d-th predicting the
//! symbol d steps back; a scoreboard picks the lag. On ties (`>=`) the larger lag wins,
//! as in NIST's tool.
//!
//! Only the lags whose prediction was right change score, so for each sample
//! `general` visits the previous occurrences of the same symbol within 128 steps (a
//! ring of positions per symbol), most recent first, which is the order the scoreboard
//! rule needs.
//!
//! Binary data (`binary`) go 64 steps at a time, on bits packed into words, after the
//! first 128 steps (done by the scalar rule). `high` is always the top score and never decreases,
//! so a lag whose end-of-block score (its score now plus the popcount of its 64-bit match
//! mask) is below `high` at the block's start can never pass the `>=` test during the
//! block: it just takes its popcount. The other lags, the candidates, are replayed step
//! by step in the scalar order, which gives the same winners, hence the same counts. The
//! winner is always a candidate; on random bits it is nearly always the only one, and then
//! it stays the winner all block and its match mask is the block's prediction outcomes.

use super::{PredictorCounts, prediction_estimate};

/// Number of lags (§6.3.8 step 1: D = 128).
const D: usize = 128;

/// Predictor counts of the Lag predictor on `data` (symbols below `k`); `None` with fewer
/// than three samples.
pub fn lag_counts(data: &[u8], k: usize) -> Option<PredictorCounts> {
    if data.len() < 3 {
        return None;
    }
    // The check keeps out-of-range symbols on the general path, which rejects them.
    let tally = if k <= 2 && data.iter().all(|&s| s < 2) {
        binary(data)
    } else {
        general(data, k)
    };
    Some(PredictorCounts {
        correct: tally.correct,
        predictions: (data.len() - 1) as u64,
        longest_run: tally.longest,
    })
}

/// Lag min-entropy per symbol; `None` with fewer than three samples.
pub fn lag(data: &[u8], k: usize) -> Option<f64> {
    lag_counts(data, k).map(|c| prediction_estimate(c, k.max(2)))
}

/// Scoreboard and prediction outcomes.
struct Tally {
    scoreboard: [u64; D],
    winner: usize,
    high: u64,
    correct: u64,
    run: u64,
    longest: u64,
}

impl Tally {
    fn new() -> Self {
        Tally {
            scoreboard: [0; D],
            winner: 0,
            high: 0,
            correct: 0,
            run: 0,
            longest: 0,
        }
    }

    /// Records whether the winner's prediction was right (without branches: on random
    /// data the outcome is a coin flip).
    fn predicted(&mut self, right: bool) {
        let right = u64::from(right);
        self.correct += right;
        self.run = (self.run + 1) * right;
        self.longest = self.longest.max(self.run);
    }

    /// Records the outcomes of `steps` predictions, bit j set when the j-th was right.
    fn predicted_block(&mut self, right: u64, steps: usize) {
        self.correct += u64::from(right.count_ones());
        let valid = u64::MAX >> (64 - steps);
        if right == valid {
            self.run += steps as u64;
            self.longest = self.longest.max(self.run);
            return;
        }
        self.longest = self
            .longest
            .max(self.run + u64::from(right.trailing_ones()));
        // Longest run of ones inside: each pass shortens every run by one. Runs are below
        // 64 here, so no need once `longest` is that long.
        if self.longest < 63 {
            let (mut x, mut inner) = (right, 0);
            while x != 0 {
                x &= x >> 1;
                inner += 1;
            }
            self.longest = self.longest.max(inner);
        }
        self.run = u64::from((right << (64 - steps)).leading_ones());
    }

    /// Lag `offset` predicted right; within a step, call in increasing offset order.
    fn hit(&mut self, offset: usize) {
        self.scoreboard[offset] += 1;
        if self.scoreboard[offset] >= self.high {
            self.winner = offset;
            self.high = self.scoreboard[offset];
        }
    }
}

/// Any alphabet (symbols below `k.max(2)`).
fn general(data: &[u8], k: usize) -> Tally {
    let k = k.max(2);
    // Per symbol: ring of its last ≤128 positions; head = number pushed.
    let mut rings = vec![[0u32; D]; k];
    let mut pushed = vec![0usize; k];
    let mut tally = Tally::new();
    rings[data[0] as usize][0] = 0;
    pushed[data[0] as usize] = 1;
    for i in 1..data.len() {
        let s = data[i] as usize;
        let winner = tally.winner;
        tally.predicted(i > winner && data[i] == data[i - winner - 1]);
        let ring = &mut rings[s];
        let count = pushed[s].min(D);
        let cutoff = i.saturating_sub(D);
        for back in 1..=count {
            let pos = ring[(pushed[s] - back) % D] as usize;
            if pos < cutoff {
                break;
            }
            tally.hit(i - pos - 1);
        }
        ring[pushed[s] % D] = i as u32;
        pushed[s] += 1;
    }
    tally
}

/// Symbols 0 and 1 only; the same tally as `general`.
fn binary(data: &[u8]) -> Tally {
    let len = data.len();
    let mut tally = Tally::new();
    // The first D steps, where some lags reach before the start, as the scalar rule.
    for i in 1..len.min(D) {
        let winner = tally.winner;
        tally.predicted(i > winner && data[i] == data[i - winner - 1]);
        for offset in 0..i {
            if data[i - offset - 1] == data[i] {
                tally.hit(offset);
            }
        }
    }
    if len <= D {
        return tally;
    }
    // words[w] bit t = data[64 w + t].
    let words: Vec<u64> = data
        .chunks(64)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u64, |w, (t, &s)| w | (u64::from(s) << t))
        })
        .collect();
    // masks[d] bit j: lag d predicts step start + j right.
    let mut masks = [0u64; D];
    let mut candidates = [0u8; D];
    // D is a multiple of 64, so blocks are word-aligned.
    for start in (D..len).step_by(64) {
        let w = start / 64;
        let steps = (len - start).min(64);
        let valid = u64::MAX >> (64 - steps);
        let cur = words[w];
        // The 192 bits before and at the block; lag d compares with the 64 bits that
        // start d + 1 before the block.
        let near = (u128::from(cur) << 64) | u128::from(words[w - 1]);
        let far = (u128::from(words[w - 1]) << 64) | u128::from(words[w - 2]);
        let mut n = 0;
        for (d, mask) in masks.iter_mut().enumerate() {
            let back = if d < 64 {
                (near >> (63 - d)) as u64
            } else {
                (far >> (127 - d)) as u64
            };
            *mask = !(cur ^ back) & valid;
            let end = tally.scoreboard[d] + u64::from(mask.count_ones());
            if end >= tally.high {
                candidates[n] = d as u8;
                n += 1;
            } else {
                tally.scoreboard[d] = end;
            }
        }
        // start ≥ D > winner, so the winner always predicts.
        if n == 1 {
            // The winner (its score is `high`) alone: it stays the winner all block.
            let m = masks[tally.winner];
            tally.scoreboard[tally.winner] += u64::from(m.count_ones());
            tally.high = tally.scoreboard[tally.winner];
            tally.predicted_block(m, steps);
            continue;
        }
        for j in 0..steps {
            tally.predicted((masks[tally.winner] >> j) & 1 == 1);
            for &d in &candidates[..n] {
                if (masks[d as usize] >> j) & 1 == 1 {
                    tally.hit(d as usize);
                }
            }
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64 bits, 1 with probability `p_one`.
    fn bits(n: usize, seed: u64, p_one: f64) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                u8::from(((x >> 11) as f64 / (1u64 << 53) as f64) < p_one)
            })
            .collect()
    }

    fn counts(t: &Tally) -> (u64, u64) {
        (t.correct, t.longest)
    }

    /// The counts, and the final scoreboard and winner too, which catch a wrong winner
    /// that happened not to change a prediction.
    fn assert_agree(data: &[u8], what: &str) {
        let (b, g) = (binary(data), general(data, 2));
        let state = |t: &Tally| (t.correct, t.longest, t.winner, t.high, t.scoreboard);
        assert_eq!(state(&b), state(&g), "{what}, {} bits", data.len());
    }

    #[test]
    fn binary_and_general_paths_agree() {
        assert_agree(&bits(200_000, 0x9E37_79B9_7F4A_7C15, 0.5), "random");
        assert_agree(&bits(200_000, 7, 0.9), "biased");
        assert_agree(&bits(100_000, 11, 0.02), "rare ones");
        for period in [7usize, 64, 128, 129, 200] {
            let pattern = bits(period, period as u64, 0.5);
            let data: Vec<u8> = pattern.iter().copied().cycle().take(50_000).collect();
            assert_agree(&data, &format!("period {period}"));
        }
        let mut mixed = vec![1u8; 5_000];
        mixed.extend(bits(20_000, 3, 0.5));
        mixed.extend(vec![0u8; 3_000]);
        mixed.extend(bits(20_000, 5, 0.7));
        assert_agree(&mixed, "constant then random");
        let mut runs = Vec::new();
        for (i, r) in bits(2_000, 13, 0.5).iter().enumerate() {
            let n = 1 + (i * 37 + usize::from(*r) * 101) % 300;
            runs.extend(std::iter::repeat_n(u8::from(i % 2 == 0), n));
        }
        assert_agree(&runs, "runs");
        assert_agree(&vec![1u8; 10_000], "all ones");
        for n in 3..=300 {
            assert_agree(&bits(n, n as u64, 0.5), "short random");
            assert_agree(&bits(n, n as u64 + 1_000, 0.95), "short biased");
            assert_agree(&vec![0u8; n], "short constant");
        }
    }

    /// Short sequences of segments, each repeating a pattern of 1 to 4 bits, where ties
    /// at the top of the scoreboard are common.
    #[test]
    fn binary_and_general_paths_agree_on_segmented_data() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for case in 0..10_000 {
            let mut data = Vec::new();
            let len = 130 + next(300) as usize;
            while data.len() < len {
                let n = 1 + next(70) as usize;
                let pattern: Vec<u8> = (0..=next(4)).map(|_| next(2) as u8).collect();
                data.extend(pattern.iter().copied().cycle().take(n));
            }
            assert_agree(&data, &format!("segmented case {case}"));
        }
    }

    /// Found by a search like the one above: in the block at step 128 a lag whose
    /// end-of-block score only equals `high` at the block's start ties it and wins; leaving
    /// such lags out of the candidates changes `correct` here.
    #[test]
    fn a_lag_that_only_ties_high_at_the_block_start_still_wins() {
        let text = concat!(
            "111111111111111111111111111111111111111111111111111111111111111111111",
            "010101010101010101010101010101010101010101001001001001000110011001100",
            "110011001100110011001100110011001100110011001",
        );
        let data: Vec<u8> = text.bytes().map(|b| b - b'0').collect();
        assert_agree(&data, "tie at a block start");
    }

    /// The winner's longest run of right predictions lies inside a block, away from its
    /// ends, and is longer than any before.
    #[test]
    fn a_record_run_inside_a_block_is_counted() {
        let mut data = bits(100_000, 21, 0.5);
        let winner = general(&data, 2).winner;
        // 100,000 = 64 * 1562 + 32: the next block starts at 100,032.
        data.extend(bits(40, 22, 0.5));
        for _ in 0..40 {
            data.push(data[data.len() - winner - 1]);
        }
        data.extend(bits(1_000, 23, 0.5));
        let t = general(&data, 2);
        assert!(t.longest >= 40, "longest {}", t.longest);
        assert_agree(&data, "record run inside a block");
    }

    #[test]
    fn lag_counts_uses_the_binary_path_only_for_binary_symbols() {
        let data = bits(10_000, 17, 0.5);
        let c = lag_counts(&data, 2).unwrap();
        assert_eq!((c.correct, c.longest_run), counts(&general(&data, 2)));
        assert_eq!(c.predictions, 9_999);
        assert_eq!(lag_counts(&data, 1), Some(c));
        assert_eq!(lag_counts(&[0, 1], 2), None);
    }
}
