//! The longest-repeated-substring test of SP 800-90B §5.2.3 as NIST's `ea_iid` runs it:
//! with P_col = Σ p_i² and W the LRS length, the data pass iff the probability of at
//! least one W-long repeat among the C(n - W + 1, 2) pairs is at least 1/1000.

use serde::Serialize;

use super::chi_square::proportions;
use crate::sp800_90b::tuple::longest_repeat;

/// Outcome of the LRS test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LrsTest {
    /// Length of the longest repeated substring.
    pub w: usize,
    /// Collision probability P_col = Σ p_i².
    pub p_col: f64,
    /// Pr(X ≥ 1) = 1 - (1 - P_col^W)^C(n-W+1, 2).
    pub p_value: f64,
    /// Pr(X ≥ 1) ≥ 0.001.
    pub passed: bool,
}

/// Runs the LRS test on symbols below `k`.
pub fn lrs_test(data: &[u8], k: usize) -> LrsTest {
    let p = proportions(data, k);
    let p_col: f64 = p.iter().map(|&x| x * x).sum();
    // A (nearly) constant sequence: the tool passes it without computing W.
    if p_col > 1.0 - f64::EPSILON {
        return LrsTest {
            w: 0,
            p_col,
            p_value: 1.0,
            passed: true,
        };
    }
    let w = longest_repeat(data);
    let pairs = {
        let m = (data.len() - w + 1) as f64;
        (m * m - m) / 2.0
    };
    let log_no_collision = pairs * (-p_col.powi(w as i32)).ln_1p();
    let p_value = -log_no_collision.exp_m1();
    LrsTest {
        w,
        p_col,
        p_value,
        // ln(0.999) ≥ N·ln(1 - P_col^W), as the tool compares.
        passed: 0.999f64.ln() >= log_no_collision,
    }
}
