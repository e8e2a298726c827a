//! MultiMCW prediction estimate (SP 800-90B §6.3.7): four sliding windows (63, 255, 1023,
//! 4095 samples) each predict their most common value; a scoreboard picks the window.
//!
//! Tie-breaks as in NIST's tool: within a window the most recent of the tied values wins;
//! on the scoreboard `>=` lets the later (larger) window take a tie.

use super::{PredictorCounts, prediction_estimate};

/// Window sizes (§6.3.7 step 1: w1..w4 = 63, 255, 1023, 4095).
const WINDOWS: [usize; 4] = [63, 255, 1023, 4095];

/// Predictor counts of MultiMCW on `data` (symbols below `k`); `None` with fewer than
/// 4096 samples.
pub fn multi_mcw_counts(data: &[u8], k: usize) -> Option<PredictorCounts> {
    let len = data.len();
    if len < WINDOWS[3] + 1 {
        return None;
    }
    let k = k.max(2);
    if k == 2 && data.iter().all(|&s| s < 2) {
        let (correct, longest) = binary(data);
        return Some(PredictorCounts {
            correct,
            predictions: (len - WINDOWS[0]) as u64,
            longest_run: longest,
        });
    }
    let mut counts = vec![[0u64; 4]; k];
    // by_count[j][c]: how many symbols have count c in window j, so a mode that loses one
    // is rescanned only when another symbol may tie or pass it.
    let mut by_count: [Vec<u32>; 4] = std::array::from_fn(|j| {
        let mut h = vec![0u32; WINDOWS[j] + 3];
        h[0] = k as u32;
        h
    });
    let recount = |by_count: &mut [Vec<u32>; 4], j: usize, from: u64, to: u64| {
        by_count[j][from as usize] -= 1;
        by_count[j][to as usize] += 1;
    };
    let mut last_pos = vec![[0usize; 4]; k];
    let mut max_count = [0u64; 4];
    let mut frequent = [0u8; 4];
    let mut tally = Tally::default();

    for (i, &s) in data.iter().enumerate().take(WINDOWS[3]) {
        for j in 0..4 {
            if i < WINDOWS[j] {
                counts[s as usize][j] += 1;
                let c = counts[s as usize][j];
                recount(&mut by_count, j, c - 1, c);
                if max_count[j] <= counts[s as usize][j] {
                    max_count[j] = counts[s as usize][j];
                    frequent[j] = s;
                }
                last_pos[s as usize][j] = i;
            }
        }
    }
    for i in WINDOWS[0]..len {
        let s = data[i];
        tally.predicted(frequent[tally.winner] == s);
        for j in 0..4 {
            if i >= WINDOWS[j] && frequent[j] == s {
                tally.score(j);
            }
        }
        for j in 0..4 {
            if i < WINDOWS[j] {
                continue;
            }
            let old = data[i - WINDOWS[j]];
            counts[old as usize][j] -= 1;
            let c = counts[old as usize][j];
            recount(&mut by_count, j, c + 1, c);
            counts[s as usize][j] += 1;
            let c = counts[s as usize][j];
            recount(&mut by_count, j, c - 1, c);
            last_pos[s as usize][j] = i;
            if old != frequent[j] && max_count[j] <= counts[s as usize][j] {
                max_count[j] = counts[s as usize][j];
                frequent[j] = s;
            } else if old == frequent[j] {
                let m = counts[frequent[j] as usize][j] as usize;
                let h = &by_count[j];
                if h[m] == 1 && h[m + 1] == 0 && h[m + 2] == 0 {
                    // Still the only symbol with the top count: the rescan would keep it.
                    max_count[j] = m as u64;
                    continue;
                }
                // The mode lost one: rescan, ties to the most recently seen value.
                max_count[j] -= 1;
                let mut max_pos = i - WINDOWS[j];
                for (sym, (c, p)) in counts.iter().zip(&last_pos).enumerate() {
                    if max_count[j] < c[j] || (max_count[j] == c[j] && max_pos <= p[j]) {
                        max_count[j] = c[j];
                        frequent[j] = sym as u8;
                        max_pos = p[j];
                    }
                }
            }
        }
    }
    Some(PredictorCounts {
        correct: tally.correct,
        predictions: (len - WINDOWS[0]) as u64,
        longest_run: tally.longest,
    })
}

/// The four predictors' scoreboard and the winner's record.
#[derive(Default)]
struct Tally {
    scoreboard: [u64; 4],
    winner: usize,
    correct: u64,
    run: u64,
    longest: u64,
}

impl Tally {
    /// Records whether the winning window's prediction was right.
    fn predicted(&mut self, right: bool) {
        if right {
            self.correct += 1;
            self.run += 1;
            self.longest = self.longest.max(self.run);
        } else {
            self.run = 0;
        }
    }

    /// Window `j` predicted right: on ties (`>=`) the later window takes the lead.
    fn score(&mut self, j: usize) {
        self.scoreboard[j] += 1;
        if self.scoreboard[j] >= self.scoreboard[self.winner] {
            self.winner = j;
        }
    }
}

/// Binary data: with two symbols and odd windows a window's mode is its majority (no ties),
/// so each window needs only its count of ones.
fn binary(data: &[u8]) -> (u64, u64) {
    let mut ones: [usize; 4] =
        std::array::from_fn(|j| data[..WINDOWS[j]].iter().filter(|&&b| b == 1).count());
    let mut tally = Tally::default();
    for (i, &s) in data.iter().enumerate().skip(WINDOWS[0]) {
        let mode = |j: usize| u8::from(2 * ones[j] > WINDOWS[j]);
        tally.predicted(mode(tally.winner) == s);
        for (j, &w) in WINDOWS.iter().enumerate() {
            if i >= w && mode(j) == s {
                tally.score(j);
            }
        }
        for (j, count) in ones.iter_mut().enumerate() {
            if i >= WINDOWS[j] {
                *count = *count + usize::from(s) - usize::from(data[i - WINDOWS[j]]);
            }
        }
    }
    (tally.correct, tally.longest)
}

/// MultiMCW min-entropy per symbol; `None` with fewer than 4096 samples.
pub fn multi_mcw(data: &[u8], k: usize) -> Option<f64> {
    multi_mcw_counts(data, k).map(|c| prediction_estimate(c, k.max(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The predictor by its definition: each window's mode recounted from scratch at every
    /// step, ties going to the value seen most recently.
    fn by_definition(data: &[u8], k: usize) -> (u64, u64) {
        let mut scoreboard = [0u64; 4];
        let mut winner = 0usize;
        let (mut correct, mut run, mut longest) = (0u64, 0u64, 0u64);
        let mode = |from: usize, to: usize| {
            let mut counts = vec![0usize; k];
            let mut last = vec![0usize; k];
            for (at, &s) in data.iter().enumerate().take(to).skip(from) {
                counts[s as usize] += 1;
                last[s as usize] = at;
            }
            (0..k)
                .max_by_key(|&s| (counts[s], last[s]))
                .map(|s| s as u8)
                .unwrap()
        };
        for (i, &symbol) in data.iter().enumerate().skip(WINDOWS[0]) {
            let modes: Vec<Option<u8>> = WINDOWS
                .iter()
                .map(|&w| (i >= w).then(|| mode(i - w, i)))
                .collect();
            if modes[winner] == Some(symbol) {
                correct += 1;
                run += 1;
                longest = longest.max(run);
            } else {
                run = 0;
            }
            for j in 0..4 {
                if modes[j] == Some(symbol) {
                    scoreboard[j] += 1;
                    if scoreboard[j] >= scoreboard[winner] {
                        winner = j;
                    }
                }
            }
        }
        (correct, longest)
    }

    #[test]
    fn agrees_with_the_definition_where_modes_tie_and_change() {
        let mut x = 7u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let biased: Vec<u8> = (0..9_000).map(|_| (next() % 10).min(2) as u8).collect();
        let uniform3: Vec<u8> = (0..9_000).map(|_| (next() % 3) as u8).collect();
        let periodic: Vec<u8> = (0..9_000).map(|i| [0, 1, 2, 1][i % 4]).collect();
        let drifting: Vec<u8> = (0..9_000usize)
            .map(|i| u8::from(next() % 9_000 < i as u64))
            .collect();
        let bits: Vec<u8> = (0..9_000).map(|_| (next() % 2) as u8).collect();
        for (name, data, k) in [
            ("random bits", &bits, 2),
            ("biased", &biased, 3),
            ("uniform over 3", &uniform3, 3),
            ("periodic", &periodic, 3),
            ("drifting bits", &drifting, 2),
        ] {
            let counts = multi_mcw_counts(data, k).unwrap();
            assert_eq!(
                (counts.correct, counts.longest_run),
                by_definition(data, k),
                "{name}"
            );
        }
    }
}
