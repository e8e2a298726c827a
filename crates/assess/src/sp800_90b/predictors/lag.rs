//! Lag prediction estimate (SP 800-90B §6.3.8): 128 predictors, the d-th predicting the
//! symbol d steps back; a scoreboard picks the lag. On ties (`>=`) the larger lag wins,
//! as in NIST's tool.
//!
//! Only the lags whose prediction was right change score, so for each sample we visit the
//! previous occurrences of the same symbol within 128 steps (a ring of positions per
//! symbol), most recent first, which is the order the scoreboard rule needs.

use super::{PredictorCounts, prediction_estimate};

/// Number of lags (§6.3.8 step 1: D = 128).
const D: usize = 128;

/// Predictor counts of the Lag predictor on `data` (symbols below `k`); `None` with fewer
/// than three samples.
pub fn lag_counts(data: &[u8], k: usize) -> Option<PredictorCounts> {
    let len = data.len();
    if len < 3 {
        return None;
    }
    let k = k.max(2);
    // Per symbol: ring of its last ≤128 positions; head = number pushed.
    let mut rings = vec![[0u32; D]; k];
    let mut pushed = vec![0usize; k];
    let mut scoreboard = [0u64; D];
    let mut winner = 0usize;
    let mut high = 0u64;
    let (mut correct, mut run, mut longest) = (0u64, 0u64, 0u64);
    rings[data[0] as usize][0] = 0;
    pushed[data[0] as usize] = 1;
    for i in 1..len {
        let s = data[i] as usize;
        if i > winner && data[i] == data[i - winner - 1] {
            correct += 1;
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
        let ring = &mut rings[s];
        let count = pushed[s].min(D);
        let cutoff = i.saturating_sub(D);
        for back in 1..=count {
            let pos = ring[(pushed[s] - back) % D] as usize;
            if pos < cutoff {
                break;
            }
            let offset = i - pos - 1;
            scoreboard[offset] += 1;
            if scoreboard[offset] >= high {
                winner = offset;
                high = scoreboard[offset];
            }
        }
        ring[pushed[s] % D] = i as u32;
        pushed[s] += 1;
    }
    Some(PredictorCounts {
        correct,
        predictions: (len - 1) as u64,
        longest_run: longest,
    })
}

/// Lag min-entropy per symbol; `None` with fewer than three samples.
pub fn lag(data: &[u8], k: usize) -> Option<f64> {
    lag_counts(data, k).map(|c| prediction_estimate(c, k.max(2)))
}
