//! Frequency within a block, SP 800-22 §2.2: N = ⌊n/M⌋ blocks (the tail is discarded),
//! χ² = 4M Σ(π_i - ½)², p = igamc(N/2, χ²/2).

use super::Bits;
use super::special::igamc;

/// The block frequency test's p-value for block length `m` (`None` without a full block).
pub fn block_frequency(bits: &Bits, m: usize) -> Option<f64> {
    if m == 0 {
        return None;
    }
    let blocks = bits.len() / m;
    if blocks == 0 {
        return None;
    }
    let chi2: f64 = (0..blocks)
        .map(|b| {
            let pi = bits.count_ones(b * m, (b + 1) * m) as f64 / m as f64;
            (pi - 0.5).powi(2)
        })
        .sum::<f64>()
        * 4.0
        * m as f64;
    Some(igamc(blocks as f64 / 2.0, chi2 / 2.0))
}

#[cfg(test)]
mod tests {
    use super::super::frequency::tests::PI_100;
    use super::*;

    #[test]
    fn worked_examples_of_section_2_2_8() {
        let p = block_frequency(&Bits::from_ascii(b"0110011010"), 3).unwrap();
        assert!((p - 0.801_252).abs() < 1e-6, "{p}");
        let p = block_frequency(&Bits::from_ascii(PI_100), 10).unwrap();
        assert!((p - 0.706_438).abs() < 1e-6, "{p}");
        assert_eq!(block_frequency(&Bits::from_ascii(b"01"), 3), None);
    }
}
