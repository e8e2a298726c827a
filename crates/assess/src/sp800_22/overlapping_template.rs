//! Overlapping template matching, SP 800-22 §2.8, as sts 2.1.2 runs it: the template is m
//! ones; N = ⌊n/1032⌋ blocks of M = 1032 bits; ν_i counts blocks with i overlapping matches
//! (i = 0..4, and ≥ 5); p = igamc(5/2, χ²/2).
//!
//! The class probabilities come from sts's `Pr(u, η)` with η = λ/2, λ = (M-m+1)/2^m
//! (for m = 9: 0.367879, 0.183940, 0.137955, 0.099634, 0.069935, rest 0.140657), not from the
//! corrected table printed in rev1a, which sts overwrites; NIST's published results follow
//! the code.

use super::Bits;
use super::special::igamc;

/// sts's fixed block length.
const BLOCK: usize = 1032;
/// sts's number of classes minus one.
const K: usize = 5;

/// ln Γ(k) for a positive integer k, that is ln (k-1)!.
fn ln_gamma_int(k: u32) -> f64 {
    (2..k).map(|i| (i as f64).ln()).sum()
}

/// sts's Pr(u, η): probability of u overlapping matches in a block.
fn class_probability(u: u32, eta: f64) -> f64 {
    if u == 0 {
        return (-eta).exp();
    }
    (1..=u)
        .map(|l| {
            (-eta - u as f64 * 2f64.ln() + l as f64 * eta.ln() - ln_gamma_int(l + 1)
                + ln_gamma_int(u)
                - ln_gamma_int(l)
                - ln_gamma_int(u - l + 1))
            .exp()
        })
        .sum()
}

/// The class probabilities π_0..π_5 for templates of m ones.
fn probabilities(m: usize) -> [f64; K + 1] {
    let lambda = (BLOCK - m + 1) as f64 / 2f64.powi(m as i32);
    let eta = lambda / 2.0;
    let mut pi = [0.0; K + 1];
    let mut sum = 0.0;
    for (u, p) in pi.iter_mut().take(K).enumerate() {
        *p = class_probability(u as u32, eta);
        sum += *p;
    }
    pi[K] = 1.0 - sum;
    pi
}

/// The overlapping template test's p-value for a template of `m` ones (m in 1..=32). Errors
/// without a full 1032-bit block.
pub fn overlapping_template(bits: &Bits, m: usize) -> Result<f64, String> {
    if !(1..=32).contains(&m) {
        return Err(format!("template length m = {m} is outside 1..=32"));
    }
    let blocks = bits.len() / BLOCK;
    if blocks == 0 {
        return Err(format!("needs at least {BLOCK} bits"));
    }
    let ones = if m == 32 { u32::MAX } else { (1u32 << m) - 1 };
    let mut nu = [0u64; K + 1];
    for b in 0..blocks {
        let matches = bits
            .windows(b * BLOCK, BLOCK - m + 1, m)
            .filter(|&w| w == ones)
            .count();
        nu[matches.min(K)] += 1;
    }
    let pi = probabilities(m);
    let n = blocks as f64;
    let chi2: f64 = nu
        .iter()
        .zip(pi)
        .map(|(&v, p)| (v as f64 - n * p).powi(2) / (n * p))
        .sum();
    Ok(igamc(K as f64 / 2.0, chi2 / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_are_the_ones_sts_computes() {
        // The values sts's Pr(u, η) gives for m = 9 (listed in the notes and in rev1a §3.8
        // as the uncorrected table).
        let want = [
            0.367_879, 0.183_940, 0.137_955, 0.099_634, 0.069_935, 0.140_657,
        ];
        for (p, w) in probabilities(9).iter().zip(want) {
            assert!((p - w).abs() < 1e-6, "{p} vs {w}");
        }
    }

    #[test]
    fn all_ones_is_rejected() {
        // Every block has 1024 overlapping matches of 1^9: all in the last class.
        let p = overlapping_template(&Bits::from_bytes(&[0xff; 129 * 100]), 9).unwrap();
        assert!(p < 1e-10, "{p}");
        assert!(overlapping_template(&Bits::from_bytes(&[0xff; 128]), 9).is_err());
    }
}
