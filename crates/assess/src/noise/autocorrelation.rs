//! Sample autocorrelation and the Ljung-Box portmanteau test (Ljung & Box, "On a measure of
//! lack of fit in time series models", Biometrika 65, 1978).
//!
//! r_k = Σ_{i<n-k} (x_i - x̄)(x_{i+k} - x̄) / Σ (x_i - x̄)²; under independence each r_k is
//! approximately normal with mean 0 and variance 1/n, hence the ±1.96/√n band (95%), and
//! Q = n(n+2) Σ_{k=1..h} r_k² / (n-k) is approximately χ² with h degrees of freedom.

use crate::sp800_22::special::igamc;

/// r_1..=r_max_lag of `samples` (zeros when the series is constant or too short).
///
/// The centred sums come from exact integer sums (Σ x_i x_{i+k}, and Σ x over the two
/// ranges), since Σ (x_i - x̄)(x_{i+k} - x̄) equals Σ x_i x_{i+k} minus
/// x̄ (Σ_{i<n-k} x_i + Σ_{i≥k} x_i) plus (n - k) x̄². Integer products of bytes vectorize,
/// where a running f64 sum over 1,000,000 products for each of 256 lags did not (it cost
/// more than the rest of `analyze` outside the SP 800-90B assessment).
pub fn acf(samples: &[u8], max_lag: usize) -> Vec<f64> {
    let n = samples.len();
    if n < 2 {
        return vec![0.0; max_lag];
    }
    let total: u64 = samples.iter().map(|&x| u64::from(x)).sum();
    let squares = lagged_products(samples, 0);
    // n Σx² - (Σx)², exact: zero exactly when the series is constant.
    let spread = u128::from(squares) * n as u128 - u128::from(total) * u128::from(total);
    if spread == 0 {
        return vec![0.0; max_lag];
    }
    let nf = n as f64;
    let mean = total as f64 / nf;
    let variance = spread as f64 / nf;
    // prefix[k] = Σ_{i<k} x_i and suffix[k] = Σ_{i≥n-k} x_i, for k up to max_lag.
    let lags = max_lag.min(n - 1);
    let mut prefix = vec![0u64; lags + 1];
    let mut suffix = vec![0u64; lags + 1];
    for k in 1..=lags {
        prefix[k] = prefix[k - 1] + u64::from(samples[k - 1]);
        suffix[k] = suffix[k - 1] + u64::from(samples[n - k]);
    }
    (1..=max_lag)
        .map(|k| {
            if k >= n {
                return 0.0;
            }
            let products = lagged_products(samples, k) as f64;
            let ends = ((total - suffix[k]) + (total - prefix[k])) as f64;
            (products - mean * ends + (n - k) as f64 * mean * mean) / variance
        })
        .collect()
}

/// Σ x_i x_{i+k} over i < n - k, exactly: each product of bytes is below 2^16, so 65,536 of
/// them fit a u32, summed in such pieces.
fn lagged_products(samples: &[u8], k: usize) -> u64 {
    let (a, b) = (&samples[..samples.len() - k], &samples[k..]);
    a.chunks(1 << 16)
        .zip(b.chunks(1 << 16))
        .map(|(p, q)| {
            let piece: u32 = p
                .iter()
                .zip(q)
                .map(|(&u, &v)| u32::from(u) * u32::from(v))
                .sum();
            u64::from(piece)
        })
        .sum()
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
    fn the_integer_sums_agree_with_the_centred_definition() {
        let mut x = 12345u64;
        let series: Vec<u8> = (0..70_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 200) as u8 / 2 + (i % 7) as u8 * 9
            })
            .collect();
        let n = series.len();
        let mean = series.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
        let c: Vec<f64> = series.iter().map(|&v| f64::from(v) - mean).collect();
        let variance: f64 = c.iter().map(|d| d * d).sum();
        let r = acf(&series, 20);
        for (k, &rk) in r.iter().enumerate().map(|(i, r)| (i + 1, r)) {
            let direct: f64 = c[..n - k]
                .iter()
                .zip(&c[k..])
                .map(|(a, b)| a * b)
                .sum::<f64>()
                / variance;
            assert!((rk - direct).abs() < 1e-9, "lag {k}: {rk} vs {direct}");
        }
        assert!(
            r[6] > 0.2,
            "the period-7 component shows at lag 7: {}",
            r[6]
        );
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
