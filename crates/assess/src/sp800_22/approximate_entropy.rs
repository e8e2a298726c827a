//! Approximate entropy, SP 800-22 §2.12, as sts 2.1.2 computes it: overlapping m- and
//! (m+1)-bit patterns counted with wrap-around (the first bits appended), natural logs,
//! ApEn = φ_m - φ_{m+1}, χ² = 2n(ln 2 - ApEn), p = igamc(2^{m-1}, χ²/2).

use super::Bits;
use super::special::igamc;

/// Counts of every k-bit pattern over the n circular windows of `bits`.
pub(crate) fn circular_counts(bits: &Bits, k: usize) -> Vec<u64> {
    let n = bits.len();
    let mut counts = vec![0u64; 1 << k];
    let wrapped = bits.wrapped(k - 1);
    for w in wrapped.windows(0, n, k) {
        counts[w as usize] += 1;
    }
    counts
}

/// Counts of k-1-bit patterns from those of k-bit patterns (circular windows: the
/// (k-1)-window at i is the prefix of the k-window at i).
pub(crate) fn fold(counts: &[u64]) -> Vec<u64> {
    counts.chunks(2).map(|pair| pair[0] + pair[1]).collect()
}

/// φ for one pattern length: Σ c·ln(c/n) / n over the counts, in pattern order.
fn phi(counts: &[u64], n: f64) -> f64 {
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64 * (c as f64 / n).ln())
        .sum::<f64>()
        / n
}

/// The approximate entropy p-value for block length m (0..=20). Errors for an empty
/// sequence or an m past 20.
pub fn approximate_entropy(bits: &Bits, m: usize) -> Result<f64, String> {
    if m > 20 {
        return Err(format!("block length m = {m} is above 20"));
    }
    let n = bits.len();
    if n <= m {
        return Err(format!("needs more than m = {m} bits"));
    }
    let nf = n as f64;
    let upper = circular_counts(bits, m + 1);
    let phi_m1 = phi(&upper, nf);
    let phi_m = if m == 0 { 0.0 } else { phi(&fold(&upper), nf) };
    let apen = phi_m - phi_m1;
    let chi2 = 2.0 * nf * (2f64.ln() - apen);
    Ok(igamc(2f64.powi(m as i32 - 1), chi2 / 2.0))
}

#[cfg(test)]
mod tests {
    use super::super::frequency::tests::PI_100;
    use super::*;

    #[test]
    fn worked_examples_of_section_2_12() {
        // §2.12.4: ε = 0100110101, m = 3 → ApEn = 0.502193 nats short of ln 2, P = 0.261961.
        let p = approximate_entropy(&Bits::from_ascii(b"0100110101"), 3).unwrap();
        assert!((p - 0.261_961).abs() < 1e-6, "{p}");
        // §2.12.8: the 100 bits of π, m = 2 → P = 0.235301.
        let p = approximate_entropy(&Bits::from_ascii(PI_100), 2).unwrap();
        assert!((p - 0.235_301).abs() < 1e-6, "{p}");
    }

    #[test]
    fn folded_counts_equal_direct_counts() {
        let bits = Bits::from_bytes(&[0x3c, 0xa5, 0x0f, 0x99, 0x12]);
        assert_eq!(fold(&circular_counts(&bits, 5)), circular_counts(&bits, 4));
        // 0x3c, 0xa5, 0x0f, 0x99, 0x12 hold 4 + 4 + 4 + 4 + 2 = 18 ones.
        assert_eq!(circular_counts(&bits, 1), vec![22, 18]);
    }

    #[test]
    fn a_periodic_sequence_is_rejected() {
        let p = approximate_entropy(&Bits::from_bytes(&[0x96; 10_000]), 10).unwrap();
        assert!(p < 1e-10, "{p}");
    }
}
