//! Cumulative sums, SP 800-22 §2.13, as sts computes it: z is the largest excursion of the
//! ±1 walk; the reverse z comes from the same forward walk as max(sup - S_n, S_n - inf), with
//! sup ≥ 0 ≥ inf including S_0; the summation bounds use C integer division (truncation toward
//! zero).

use super::Bits;
use super::special::normal_cdf;

fn p_value(n: i64, z: i64) -> f64 {
    if z == 0 {
        return 1.0;
    }
    let (nf, zf) = (n as f64, z as f64);
    let sqrt_n = nf.sqrt();
    let mut sum1 = 0.0;
    let mut k = (-n / z + 1) / 4;
    while k <= (n / z - 1) / 4 {
        let kf = k as f64;
        sum1 +=
            normal_cdf((4.0 * kf + 1.0) * zf / sqrt_n) - normal_cdf((4.0 * kf - 1.0) * zf / sqrt_n);
        k += 1;
    }
    let mut sum2 = 0.0;
    let mut k = (-n / z - 3) / 4;
    while k <= (n / z - 1) / 4 {
        let kf = k as f64;
        sum2 +=
            normal_cdf((4.0 * kf + 3.0) * zf / sqrt_n) - normal_cdf((4.0 * kf + 1.0) * zf / sqrt_n);
        k += 1;
    }
    1.0 - sum1 + sum2
}

/// The forward and backward p-values (`None` for an empty sequence).
pub fn cumulative_sums(bits: &Bits) -> Option<[f64; 2]> {
    let n = bits.len();
    if n == 0 {
        return None;
    }
    let (mut s, mut sup, mut inf) = (0i64, 0i64, 0i64);
    for i in 0..n {
        s += if bits.get(i) { 1 } else { -1 };
        sup = sup.max(s);
        inf = inf.min(s);
    }
    let forward = sup.max(-inf);
    let backward = (sup - s).max(s - inf);
    Some([p_value(n as i64, forward), p_value(n as i64, backward)])
}

#[cfg(test)]
mod tests {
    use super::super::frequency::tests::PI_100;
    use super::*;

    #[test]
    fn worked_examples_of_section_2_13_8() {
        // The document's values differ from sts in the sixth digit; compare to 1e-5.
        let [forward, _] = cumulative_sums(&Bits::from_ascii(b"1011010111")).unwrap();
        assert!((forward - 0.411_658_8).abs() < 1e-5, "{forward}");
        let [forward, backward] = cumulative_sums(&Bits::from_ascii(PI_100)).unwrap();
        assert!((forward - 0.219_194).abs() < 1e-5, "{forward}");
        assert!((backward - 0.114_866).abs() < 1e-5, "{backward}");
    }

    #[test]
    fn a_walk_straight_up_is_rejected_both_ways() {
        let [f, b] = cumulative_sums(&Bits::from_bytes(&[0xff; 32])).unwrap();
        assert!(f < 1e-10 && b < 1e-10, "{f} {b}");
    }
}
