//! Maurer's universal statistical test, SP 800-22 §2.9, as sts 2.1.2 runs it: L chosen from
//! n by sts's thresholds (n ≥ 387,840 → 6, ≥ 904,960 → 7, …), Q = 10·2^L initialisation
//! blocks, K = ⌊n/L⌋ - Q test blocks; φ = Σ log2(i - T[block]) / K;
//! σ = c·√(variance[L]/K) with c = 0.7 - 0.8/L + (4 + 32/L)·K^{-3/L}/15;
//! p = erfc(|φ - expected[L]| / (√2 σ)). Below L = 6 sts reports nothing.

use super::Bits;
use super::special::erfc;

/// sts's expectedValue and variance tables for L = 6..=16 (from Maurer's paper, as in
/// SP 800-22 §2.9.4).
const EXPECTED: [f64; 11] = [
    5.217_705_2,
    6.196_250_7,
    7.183_665_6,
    8.176_424_8,
    9.172_324_3,
    10.170_032,
    11.168_765,
    12.168_070,
    13.167_693,
    14.167_488,
    15.167_379,
];
const VARIANCE: [f64; 11] = [
    2.954, 3.125, 3.238, 3.311, 3.356, 3.384, 3.401, 3.410, 3.416, 3.419, 3.421,
];

/// sts's smallest n for each L = 6..=16.
const THRESHOLDS: [usize; 11] = [
    387_840,
    904_960,
    2_068_480,
    4_654_080,
    10_342_400,
    22_753_280,
    49_643_520,
    107_560_960,
    231_669_760,
    496_435_200,
    1_059_061_760,
];

/// Block length sts picks for n bits (5 means "too short").
fn block_length(n: usize) -> usize {
    5 + THRESHOLDS.iter().filter(|&&t| n >= t).count()
}

/// The universal test's p-value. Errors below 387,840 bits, where sts's L would be 5.
pub fn universal(bits: &Bits) -> Result<f64, String> {
    let n = bits.len();
    let l = block_length(n);
    if l < 6 {
        return Err("needs at least 387,840 bits".into());
    }
    let q = 10 << l;
    let k = n / l - q;
    let c =
        0.7 - 0.8 / l as f64 + (4.0 + 32.0 / l as f64) * (k as f64).powf(-3.0 / l as f64) / 15.0;
    let sigma = c * (VARIANCE[l - 6] / k as f64).sqrt();
    let mut last = vec![0usize; 1 << l];
    for i in 1..=q {
        last[bits.bits_at((i - 1) * l, l) as usize] = i;
    }
    let ln2 = 2f64.ln();
    let mut sum = 0.0;
    for i in q + 1..=q + k {
        let block = bits.bits_at((i - 1) * l, l) as usize;
        sum += ((i - last[block]) as f64).ln() / ln2;
        last[block] = i;
    }
    let phi = sum / k as f64;
    Ok(erfc((phi - EXPECTED[l - 6]).abs() / (2f64.sqrt() * sigma)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_length_follows_sts() {
        assert_eq!(block_length(387_839), 5);
        assert_eq!(block_length(387_840), 6);
        assert_eq!(block_length(1_000_000), 7);
        assert_eq!(block_length(10_000_000), 9);
        assert!(universal(&Bits::from_bytes(&[0; 1000])).is_err());
    }

    #[test]
    fn a_periodic_sequence_is_rejected() {
        // Period 7 × 8 = 56 bits: every 7-bit block recurs at distance 8, so φ = 3 ≪ 6.196.
        let bytes: Vec<u8> = (0..140_000).map(|i| (i % 7) as u8 * 37).collect();
        let p = universal(&Bits::from_bytes(&bytes)).unwrap();
        assert!(p < 1e-10, "{p}");
    }
}
