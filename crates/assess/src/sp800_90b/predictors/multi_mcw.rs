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
    let mut counts = vec![[0u64; 4]; k];
    let mut last_pos = vec![[0usize; 4]; k];
    let mut max_count = [0u64; 4];
    let mut frequent = [0u8; 4];
    let mut scoreboard = [0u64; 4];
    let mut winner = 0usize;
    let (mut correct, mut run, mut longest) = (0u64, 0u64, 0u64);

    for (i, &s) in data.iter().enumerate().take(WINDOWS[3]) {
        for j in 0..4 {
            if i < WINDOWS[j] {
                counts[s as usize][j] += 1;
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
        if frequent[winner] == s {
            correct += 1;
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
        for j in 0..4 {
            if i >= WINDOWS[j] && frequent[j] == s {
                scoreboard[j] += 1;
                if scoreboard[j] >= scoreboard[winner] {
                    winner = j;
                }
            }
        }
        for j in 0..4 {
            if i < WINDOWS[j] {
                continue;
            }
            let old = data[i - WINDOWS[j]];
            counts[old as usize][j] -= 1;
            counts[s as usize][j] += 1;
            last_pos[s as usize][j] = i;
            if old != frequent[j] && max_count[j] <= counts[s as usize][j] {
                max_count[j] = counts[s as usize][j];
                frequent[j] = s;
            } else if old == frequent[j] {
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
        correct,
        predictions: (len - WINDOWS[0]) as u64,
        longest_run: longest,
    })
}

/// MultiMCW min-entropy per symbol; `None` with fewer than 4096 samples.
pub fn multi_mcw(data: &[u8], k: usize) -> Option<f64> {
    multi_mcw_counts(data, k).map(|c| prediction_estimate(c, k.max(2)))
}
