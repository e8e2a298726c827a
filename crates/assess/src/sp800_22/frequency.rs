//! Frequency (monobit) test, SP 800-22 §2.1: p = erfc(|S_n| / √(2n)).

use super::Bits;
use super::special::erfc;

/// The frequency test's p-value (`None` for an empty sequence).
pub fn frequency(bits: &Bits) -> Option<f64> {
    let n = bits.len();
    if n == 0 {
        return None;
    }
    let ones = bits.count_ones(0, n) as f64;
    let s = 2.0 * ones - n as f64;
    Some(erfc(s.abs() / (2.0 * n as f64).sqrt()))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The first 100 bits of π's binary expansion: the 100-bit example of SP 800-22 §2.
    pub(in crate::sp800_22) const PI_100: &[u8] =
        b"1100100100001111110110101010001000100001011010001100001000110100110001001100011001100010100010111000";

    #[test]
    fn worked_examples_of_section_2_1_8() {
        let p = frequency(&Bits::from_ascii(b"1011010101")).unwrap();
        assert!((p - 0.527_089).abs() < 1e-6, "{p}");
        let p = frequency(&Bits::from_ascii(PI_100)).unwrap();
        assert!((p - 0.109_599).abs() < 1e-6, "{p}");
    }

    #[test]
    fn all_ones_is_rejected_and_balanced_is_one() {
        assert!(frequency(&Bits::from_bytes(&[0xff; 125])).unwrap() < 1e-100);
        assert_eq!(frequency(&Bits::from_bytes(&[0xaa; 125])).unwrap(), 1.0);
        assert_eq!(frequency(&Bits::from_bytes(&[])), None);
    }
}
