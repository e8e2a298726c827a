//! Sample autocorrelation and the Ljung-Box portmanteau test (Ljung & Box, "On a measure of
//! lack of fit in time series models", Biometrika 65, 1978).
//!
//! r_k = Σ_{i<n-k} (x_i - x̄)(x_{i+k} - x̄) / Σ (x_i - x̄)²; under independence each r_k is
//! approximately normal with mean 0 and variance 1/n, hence the ±1.96/√n band (95%), and
//! Q = n(n+2) Σ_{k=1..h} r_k² / (n-k) is approximately χ² with h degrees of freedom.

use crate::sp800_22::special::igamc;

/// r_1..=r_max_lag of `samples` (zeros when the series is constant or too short).
pub fn acf(samples: &[u8], max_lag: usize) -> Vec<f64> {
    let n = samples.len();
    if n < 2 {
        return vec![0.0; max_lag];
    }
    let mean = samples.iter().map(|&x| f64::from(x)).sum::<f64>() / n as f64;
    let centred: Vec<f64> = samples.iter().map(|&x| f64::from(x) - mean).collect();
    let variance: f64 = centred.iter().map(|d| d * d).sum();
    (1..=max_lag)
        .map(|k| {
            if k >= n || variance == 0.0 {
                return 0.0;
            }
            let sum: f64 = centred[..n - k]
                .iter()
                .zip(&centred[k..])
                .map(|(a, b)| a * b)
                .sum();
            sum / variance
        })
        .collect()
}

/// The 95% band of an independent series' autocorrelation: 1.96/√n.
pub fn band(n: usize) -> f64 {
    1.96 / (n.max(1) as f64).sqrt()
}

/// The Ljung-Box statistic Q over `acf` (lags 1..=acf.len()) of a series of `n` samples, and
/// its p-value under χ² with acf.len() degrees of freedom.
///
/// ```
/// use wellspring_assess::noise::autocorrelation::ljung_box;
/// // Q = 100·102·(0.1²/99 + 0.2²/98) = 5.1936, P(χ²₂ > Q) = e^{-Q/2} = 0.0745.
/// let (q, p) = ljung_box(&[0.1, 0.2], 100);
/// assert!((q - 5.193_57).abs() < 1e-4 && (p - 0.074_52).abs() < 1e-4);
/// ```
pub fn ljung_box(acf: &[f64], n: usize) -> (f64, f64) {
    let n_f = n as f64;
    let q = n_f
        * (n_f + 2.0)
        * acf
            .iter()
            .enumerate()
            .filter(|(k, _)| k + 1 < n)
            .map(|(k, r)| r * r / (n_f - (k + 1) as f64))
            .sum::<f64>();
    let df = acf.len() as f64;
    (q, igamc(df / 2.0, q / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alternating_series_has_r1_of_minus_n_minus_1_over_n() {
        let series: Vec<u8> = (0..100).map(|i| if i % 2 == 0 { 0 } else { 255 }).collect();
        let r = acf(&series, 2);
        assert!((r[0] + 99.0 / 100.0).abs() < 1e-12, "{}", r[0]);
        assert!((r[1] - 98.0 / 100.0).abs() < 1e-12, "{}", r[1]);
        assert_eq!(acf(&[5; 10], 3), vec![0.0; 3]);
    }

    #[test]
    fn ljung_box_matches_the_hand_computed_example() {
        let (q, p) = ljung_box(&[0.1, 0.2], 100);
        let expected = 100.0 * 102.0 * (0.01 / 99.0 + 0.04 / 98.0);
        assert!((q - expected).abs() < 1e-12);
        assert!((p - (-expected / 2.0).exp()).abs() < 1e-12);
    }

    #[test]
    fn a_known_ar1_series_shows_its_coefficient() {
        // x_t = 0.5 x_{t-1} + e_t, bytes around 128: r_1 ≈ 0.5, r_2 ≈ 0.25.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut x = 0.0f64;
        let series: Vec<u8> = (0..200_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let e = (state >> 11) as f64 / (1u64 << 53) as f64 * 40.0 - 20.0;
                x = 0.5 * x + e;
                (128.0 + x).round() as u8
            })
            .collect();
        let r = acf(&series, 2);
        assert!((r[0] - 0.5).abs() < 0.01, "{r:?}");
        assert!((r[1] - 0.25).abs() < 0.01, "{r:?}");
        let (_, p) = ljung_box(&acf(&series, 10), series.len());
        assert!(p < 1e-12);
    }
}
