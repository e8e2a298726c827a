//! The common tail of the four prediction estimators (SP 800-90B §6.3.7–§6.3.10): the
//! global bound from the count of correct predictions and the local bound from the longest
//! run of correct predictions, as NIST's `ea_non_iid` computes them.
//!
//! The local bound solves 0.99 = (1 - p·x) / ((r + 1 - r·x)·q) · x^-(N+1) for p, where x is
//! the fixed point of x = 1 + q·p^r·x^(r+1) (§6.3.7 step 11). The tool evaluates this in
//! 80-bit long double; here x is carried as y = x - 1 with `ln_1p`, which is at least as
//! accurate in plain f64, and the fixed-point iteration stops where the tool's does.

use crate::sp800_90b::numeric::{Z_ALPHA, bisect_decreasing};

/// Counts produced by running a predictor over a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PredictorCounts {
    /// C: number of correct predictions.
    pub correct: u64,
    /// N: number of predictions.
    pub predictions: u64,
    /// Longest run of correct predictions (the tool prints and uses this + 1 as r).
    pub longest_run: u64,
}

/// Long double's epsilon (2^-63), the tool's stopping tolerance for the fixed point.
const LDBL_EPSILON: f64 = 1.084_202_172_485_504_4e-19;

/// ln(1 - p·x) - ln((r + 1 - r·x)·q) - (N + 1)·ln(x), the log of the §6.3.7 step 11
/// equation's right-hand side, with r = longest run + 1.
fn local_equation(p: f64, r: f64, n: f64) -> f64 {
    let q = 1.0 - p;
    let scale = q * p.powf(r);
    // x = 1 + y; iterate y ← q·p^r·(1+y)^(r+1), at most 66 times as the tool does.
    let mut y = 0.0f64;
    for _ in 0..=65 {
        let next = scale * ((r + 1.0) * y.ln_1p()).exp();
        let step = next - y;
        y = next;
        if step <= LDBL_EPSILON * (1.0 + y) {
            break;
        }
    }
    // 1 - p·x = q - p·y ; r + 1 - r·x = 1 - r·y.
    (q - p * y).ln() - ((1.0 - r * y) * q).ln() - (n + 1.0) * y.ln_1p()
}

/// Min-entropy per symbol from predictor counts over an alphabet of `k` symbols.
pub fn prediction_estimate(counts: PredictorCounts, k: usize) -> f64 {
    let c = counts.correct as f64;
    let n = counts.predictions as f64;
    let r = (counts.longest_run + 1) as f64;
    let p_global = c / n;
    let p_global_prime = if p_global > 0.0 {
        (p_global + Z_ALPHA * (p_global * (1.0 - p_global) / (n - 1.0)).sqrt()).min(1.0)
    } else {
        1.0 - 0.01f64.powf(1.0 / n)
    };
    let mut p = (1.0 / k as f64).max(p_global_prime);
    let log_alpha = 0.99f64.ln();
    // The local bound can only raise p when the equation is still above ln(0.99) at p.
    if p < 1.0 && local_equation(p, r, n) > log_alpha {
        let p_local = bisect_decreasing(|x| local_equation(x, r, n), log_alpha, p, 1.0, 1.0);
        p = p.max(p_local);
    }
    -p.log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_sp800_90b_multi_mcw() {
        // SP 800-90B §6.3.7 example (N = 10 predictions, C = 5, longest run 2):
        // P_global' = 0.5 + 2.576·sqrt(0.025/9)... the document uses N - 1 = 9 as here.
        let h = prediction_estimate(
            PredictorCounts {
                correct: 5,
                predictions: 10,
                longest_run: 2,
            },
            3,
        );
        let pg = 0.5 + Z_ALPHA * (0.25f64 / 9.0).sqrt();
        assert!((h + pg.log2()).abs() < 1e-12, "{h}");
    }

    #[test]
    fn long_runs_raise_the_bound() {
        // 1000 predictions, a third correct, but one run of 200 correct: p_local dominates.
        let h = prediction_estimate(
            PredictorCounts {
                correct: 333,
                predictions: 1000,
                longest_run: 200,
            },
            3,
        );
        assert!(h < 0.1, "{h}");
    }
}
