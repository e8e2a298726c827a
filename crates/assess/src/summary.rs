//! Quick summary statistics of a byte stream: Shannon entropy and the most-common-value
//! min-entropy estimate of SP 800-90B §6.3.1.

/// Frequencies of each byte value.
pub fn histogram(samples: &[u8]) -> [u64; 256] {
    let mut counts = [0u64; 256];
    for &s in samples {
        counts[s as usize] += 1;
    }
    counts
}

/// Shannon entropy in bits per byte (0 for an empty slice).
///
/// ```
/// let uniform: Vec<u8> = (0..=255).collect();
/// assert!((wellspring_assess::summary::shannon_entropy(&uniform) - 8.0).abs() < 1e-12);
/// ```
pub fn shannon_entropy(samples: &[u8]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let n = samples.len() as f64;
    histogram(samples)
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The SP 800-90B §6.3.1 most-common-value estimate of min-entropy per sample, with the
/// 99% upper confidence bound on the most common value's probability (Z = 2.576, n - 1 as
/// NIST's tool uses). `None` for fewer than two samples.
pub fn mcv_min_entropy(samples: &[u8]) -> Option<f64> {
    if samples.len() < 2 {
        return None;
    }
    let n = samples.len() as f64;
    let max = *histogram(samples).iter().max()? as f64;
    let p = max / n;
    let upper = (p + 2.575_829_303_548_901 * (p * (1.0 - p) / (n - 1.0)).sqrt()).min(1.0);
    Some(-upper.log2())
}

/// Pearson correlation of two sample streams over their common length; `None` when either
/// is constant or shorter than two samples.
///
/// ```
/// use wellspring_assess::summary::pearson;
/// let a = [1u8, 2, 3, 4];
/// assert!((pearson(&a, &[2, 4, 6, 8]).unwrap() - 1.0).abs() < 1e-12);
/// assert!((pearson(&a, &[8, 6, 4, 2]).unwrap() + 1.0).abs() < 1e-12);
/// assert_eq!(pearson(&a, &[5, 5, 5, 5]), None);
/// ```
pub fn pearson(a: &[u8], b: &[u8]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let (a, b) = (&a[..n], &b[..n]);
    let mean = |x: &[u8]| x.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (x as f64 - ma, y as f64 - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa == 0.0 || sbb == 0.0 {
        return None;
    }
    Some(sab / (saa * sbb).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shannon_of_constant_is_zero_and_of_two_values_is_one() {
        assert_eq!(shannon_entropy(&[7u8; 100]), 0.0);
        let halves: Vec<u8> = (0..1000).map(|i| (i % 2) as u8).collect();
        assert!((shannon_entropy(&halves) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn pearson_of_independent_streams_is_near_zero() {
        // Two different LCG streams' high bytes: |r| ~ 1/sqrt(n) = 0.003 for n = 100,000.
        let mut x = 1u32;
        let mut y = 7u32;
        let a: Vec<u8> = (0..100_000)
            .map(|_| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (x >> 24) as u8
            })
            .collect();
        let b: Vec<u8> = (0..100_000)
            .map(|_| {
                y = y.wrapping_mul(22_695_477).wrapping_add(1);
                (y >> 24) as u8
            })
            .collect();
        assert!(pearson(&a, &b).unwrap().abs() < 0.02);
    }

    #[test]
    fn mcv_matches_hand_computation() {
        // 1000 samples, value 0 appears 500 times: p = 0.5,
        // p_u = 0.5 + 2.575_829_303_548_901 * sqrt(0.25 / 999) = 0.540747..., h = 0.886944...
        let samples: Vec<u8> = (0..1000)
            .map(|i| if i % 2 == 0 { 0 } else { (i % 200) as u8 + 1 })
            .collect();
        let h = mcv_min_entropy(&samples).unwrap();
        let p_u: f64 = 0.5 + 2.575_829_303_548_901 * (0.25f64 / 999.0).sqrt();
        assert!((h - (-p_u.log2())).abs() < 1e-12);
        assert!((h - 0.886_972).abs() < 1e-5, "{h}");
        assert_eq!(mcv_min_entropy(&[1]), None);
    }
}
