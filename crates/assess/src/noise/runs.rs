//! The Wald-Wolfowitz runs test about the median (Wald & Wolfowitz, "On a test whether two
//! samples are from the same population", Ann. Math. Stat. 11, 1940): samples above the
//! median are A, below are B (ties with the median are dropped); under independence the
//! number of runs R has mean μ = 2n₁n₂/(n₁+n₂) + 1 and variance
//! σ² = 2n₁n₂(2n₁n₂ − n₁ − n₂) / ((n₁+n₂)²(n₁+n₂−1)), and z = (R − μ)/σ is approximately
//! standard normal; the p-value is two-sided.

use serde::Serialize;

use crate::sp800_22::special::erfc;

/// The runs test's result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RunsTest {
    /// Runs counted.
    pub runs: u64,
    /// Samples above the median.
    pub above: u64,
    /// Samples below the median.
    pub below: u64,
    /// (R − μ)/σ.
    pub z: f64,
    /// Two-sided p-value (NaN when one side is empty).
    pub p_value: f64,
}

/// The runs test on a sequence of above (`true`) / below (`false`) marks.
pub fn runs_of(marks: &[bool]) -> RunsTest {
    let above = marks.iter().filter(|&&m| m).count() as f64;
    let below = marks.len() as f64 - above;
    let runs = if marks.is_empty() {
        0
    } else {
        1 + marks.windows(2).filter(|w| w[0] != w[1]).count() as u64
    };
    let total = above + below;
    let mean = 2.0 * above * below / total + 1.0;
    let variance =
        2.0 * above * below * (2.0 * above * below - total) / (total * total * (total - 1.0));
    let z = (runs as f64 - mean) / variance.sqrt();
    RunsTest {
        runs,
        above: above as u64,
        below: below as u64,
        z,
        p_value: if variance > 0.0 {
            erfc(z.abs() / std::f64::consts::SQRT_2)
        } else {
            f64::NAN
        },
    }
}

/// The runs test about the median of `samples`.
pub fn runs_about_median(samples: &[u8]) -> RunsTest {
    let mut counts = [0u64; 256];
    for &s in samples {
        counts[s as usize] += 1;
    }
    // The lower median (for bytes: the value at which half the samples are at or below).
    let half = samples.len() as u64 / 2;
    let mut seen = 0;
    let median = (0..256)
        .find(|&v| {
            seen += counts[v];
            seen > half
        })
        .unwrap_or(0) as u8;
    let marks: Vec<bool> = samples
        .iter()
        .filter(|&&s| s != median)
        .map(|&s| s > median)
        .collect();
    runs_of(&marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(text: &str) -> Vec<bool> {
        text.chars().map(|c| c == 'A').collect()
    }

    #[test]
    fn textbook_values() {
        // AA|BBB|A|B|AA|B: 6 runs, n₁ = n₂ = 5: μ = 6, so z = 0 and p = 1.
        let t = runs_of(&marks("AABBBABAAB"));
        assert_eq!((t.runs, t.above, t.below), (6, 5, 5));
        assert!(t.z.abs() < 1e-12 && (t.p_value - 1.0).abs() < 1e-12);
        // AAAAABBBBB: 2 runs; σ² = 2·25·40/(100·9) = 20/9; z = -4/√(20/9) = -2.6833,
        // p = 0.007290.
        let t = runs_of(&marks("AAAAABBBBB"));
        assert_eq!(t.runs, 2);
        assert!((t.z + 2.683_281_6).abs() < 1e-6, "{}", t.z);
        assert!((t.p_value - 0.007_290_358).abs() < 1e-8, "{}", t.p_value);
    }

    #[test]
    fn a_slow_counter_has_far_too_few_runs() {
        // openentropy's failure case: the low byte of a slowly rising counter.
        let series: Vec<u8> = (0u32..100_000).map(|i| (i / 7) as u8).collect();
        let t = runs_about_median(&series);
        assert!(t.p_value < 1e-100, "{t:?}");
    }
}
