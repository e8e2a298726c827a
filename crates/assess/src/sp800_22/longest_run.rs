//! Longest run of ones in a block, SP 800-22 §2.4, with sts's block sizes and class
//! probabilities: n < 6272 → M = 8; n < 750,000 → M = 128; else M = 10,000.

use super::Bits;
use super::special::igamc;

/// (block length, smallest class, class probabilities) per sts 2.1.2.
fn parameters(n: usize) -> (usize, usize, &'static [f64]) {
    if n < 6272 {
        (8, 1, &[0.21484375, 0.3671875, 0.23046875, 0.1875])
    } else if n < 750_000 {
        (
            128,
            4,
            &[
                0.1174035788,
                0.242955959,
                0.249363483,
                0.17517706,
                0.102701071,
                0.112398847,
            ],
        )
    } else {
        (
            10_000,
            10,
            &[0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727],
        )
    }
}

/// The longest-run test's p-value (`None` below 128 bits, where sts refuses to run).
pub fn longest_run(bits: &Bits) -> Option<f64> {
    let n = bits.len();
    if n < 128 {
        return None;
    }
    let (m, first, pi) = parameters(n);
    let k = pi.len() - 1;
    let blocks = n / m;
    let mut counts = vec![0f64; pi.len()];
    for b in 0..blocks {
        let (mut run, mut longest) = (0usize, 0usize);
        for i in b * m..(b + 1) * m {
            if bits.get(i) {
                run += 1;
                longest = longest.max(run);
            } else {
                run = 0;
            }
        }
        let class = longest.clamp(first, first + k) - first;
        counts[class] += 1.0;
    }
    let nb = blocks as f64;
    let chi2: f64 = counts
        .iter()
        .zip(pi)
        .map(|(c, p)| (c - nb * p).powi(2) / (nb * p))
        .sum();
    Some(igamc(k as f64 / 2.0, chi2 / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_section_2_4_8() {
        let bits = Bits::from_ascii(
            b"11001100000101010110110001001100111000000000001001\
              00110101010001000100111101011010000000110101111100\
              1100111001101101100010110010",
        );
        assert_eq!(bits.len(), 128);
        let p = longest_run(&bits).unwrap();
        assert!((p - 0.180_609).abs() < 1e-6, "{p}");
        assert_eq!(longest_run(&Bits::from_ascii(b"0101")), None);
    }
}
