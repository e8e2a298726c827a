//! Runs test, SP 800-22 §2.3. As sts does, when the ones' proportion π fails the
//! prerequisite |π - ½| > 2/√n (strictly), the p-value is 0 without running the test.

use super::Bits;
use super::special::erfc;

/// The runs test's p-value (`None` for fewer than two bits).
pub fn runs(bits: &Bits) -> Option<f64> {
    let n = bits.len();
    if n < 2 {
        return None;
    }
    let pi = bits.count_ones(0, n) as f64 / n as f64;
    if (pi - 0.5).abs() > 2.0 / (n as f64).sqrt() {
        return Some(0.0);
    }
    let changes = (1..n).filter(|&i| bits.get(i) != bits.get(i - 1)).count();
    let v = (changes + 1) as f64;
    let nf = n as f64;
    let expected = 2.0 * nf * pi * (1.0 - pi);
    Some(erfc(
        (v - expected).abs() / (2.0 * (2.0 * nf).sqrt() * pi * (1.0 - pi)),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::frequency::tests::PI_100;
    use super::*;

    #[test]
    fn worked_examples_of_section_2_3_8() {
        let p = runs(&Bits::from_ascii(b"1001101011")).unwrap();
        assert!((p - 0.147_232).abs() < 1e-6, "{p}");
        let p = runs(&Bits::from_ascii(PI_100)).unwrap();
        assert!((p - 0.500_798).abs() < 1e-6, "{p}");
    }

    #[test]
    fn failing_the_prerequisite_gives_zero() {
        assert_eq!(runs(&Bits::from_bytes(&[0xff; 16])), Some(0.0));
    }
}
