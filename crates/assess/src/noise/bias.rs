//! Per-bit bias and the byte histogram.
//!
//! Each bit position of the samples is tested for P(1) = ½ with the exact binomial test,
//! two-sided by doubling the smaller tail (exact for p₀ = ½, where the distribution is
//! symmetric; this is also R's `binom.test` value there): P(X ≤ k) = I_{½}(n−k, k+1) and
//! P(X ≥ k) = I_{½}(k, n−k+1), with I the regularized incomplete beta function. The byte
//! histogram is tested against a uniform distribution over the values that occur, with
//! Pearson's χ² (k − 1 degrees of freedom for k values seen).

use serde::Serialize;
use statrs::function::beta::beta_reg;

use crate::sp800_22::special::igamc;

/// One bit position's test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BitBias {
    /// Bit position (0 = least significant).
    pub bit: u8,
    /// Samples with the bit set.
    pub ones: u64,
    /// Samples.
    pub n: u64,
    /// Two-sided exact binomial p-value for P(1) = ½.
    pub p_value: f64,
}

/// Two-sided exact binomial p-value of `k` successes in `n` trials when p₀ = ½.
///
/// ```
/// use wellspring_assess::noise::bias::binomial_half;
/// // R: binom.test(60, 100)$p.value = 0.05688793
/// assert!((binomial_half(60, 100) - 0.056_887_93).abs() < 1e-8);
/// ```
pub fn binomial_half(k: u64, n: u64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let (k, n) = (k as f64, n as f64);
    let lower = if k >= n {
        1.0
    } else {
        beta_reg(n - k, k + 1.0, 0.5)
    };
    let upper = if k <= 0.0 {
        1.0
    } else {
        beta_reg(k, n - k + 1.0, 0.5)
    };
    (2.0 * lower.min(upper)).min(1.0)
}

/// The binomial test of each of the low `bits` bit positions of `samples`.
pub fn bit_bias(samples: &[u8], bits: u8) -> Vec<BitBias> {
    let n = samples.len() as u64;
    (0..bits.min(8))
        .map(|bit| {
            let ones = samples.iter().filter(|&&s| s >> bit & 1 == 1).count() as u64;
            BitBias {
                bit,
                ones,
                n,
                p_value: binomial_half(ones, n),
            }
        })
        .collect()
}

/// Pearson's χ² of `counts` (the values that occur) against equal frequencies: the
/// statistic, its degrees of freedom and the p-value.
///
/// ```
/// use wellspring_assess::noise::bias::chi_square_uniform;
/// // (10, 20, 30) against 20 each: χ² = 10 with 2 degrees of freedom, p = e^{-5}.
/// let (stat, df, p) = chi_square_uniform(&[10, 20, 30]);
/// assert_eq!((stat, df), (10.0, 2));
/// assert!((p - (-5.0f64).exp()).abs() < 1e-12);
/// ```
pub fn chi_square_uniform(counts: &[u64]) -> (f64, usize, f64) {
    let seen: Vec<f64> = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64)
        .collect();
    if seen.len() < 2 {
        return (0.0, 0, 1.0);
    }
    let expected = seen.iter().sum::<f64>() / seen.len() as f64;
    let stat: f64 = seen
        .iter()
        .map(|o| (o - expected) * (o - expected) / expected)
        .sum();
    let df = seen.len() - 1;
    (stat, df, igamc(df as f64 / 2.0, stat / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_known_values() {
        // R: binom.test(60, 100) → 0.05688793; binom.test(5, 10) → 1;
        // binom.test(0, 10) → 0.001953125 (= 2 · 2^-10).
        assert!((binomial_half(60, 100) - 0.056_887_93).abs() < 1e-8);
        assert!((binomial_half(40, 100) - 0.056_887_93).abs() < 1e-8);
        assert_eq!(binomial_half(5, 10), 1.0);
        assert!((binomial_half(0, 10) - 0.001_953_125).abs() < 1e-15);
        assert!((binomial_half(10, 10) - 0.001_953_125).abs() < 1e-15);
    }

    #[test]
    fn a_stuck_bit_is_found_and_fair_bits_are_not() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let samples: Vec<u8> = (0..100_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 32) as u8 | 0b1000_0000 // bit 7 stuck at 1
            })
            .collect();
        let tests = bit_bias(&samples, 8);
        assert!(tests[7].p_value < 1e-100);
        assert!(tests[..7].iter().all(|t| t.p_value > 1e-4), "{tests:?}");
    }
}
