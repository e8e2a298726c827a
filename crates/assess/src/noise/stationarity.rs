//! Stationarity: the series cut into K windows of equal length, with each window's mean,
//! variance and MCV min-entropy (SP 800-90B §6.3.1: the most common value's proportion with
//! its 99% upper bound, h = −log₂ p_u), and Pearson's χ² test of homogeneity of the value
//! distributions across windows (the K × V contingency table over the V values that occur;
//! (K − 1)(V − 1) degrees of freedom). Drift is flagged when homogeneity is rejected at
//! α = 0.001 (a stationary source is flagged one time in a thousand), and its size is the
//! largest distance of a window's mean from the overall mean, in overall standard deviations.

use serde::Serialize;

use crate::sp800_22::special::igamc;

/// The false-alarm rate of the drift flag.
pub const DRIFT_ALPHA: f64 = 0.001;

/// One window's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Window {
    /// Mean sample value.
    pub mean: f64,
    /// Sample variance.
    pub variance: f64,
    /// MCV min-entropy per sample.
    pub min_entropy: f64,
}

/// The stationarity figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stationarity {
    /// Per window.
    pub windows: Vec<Window>,
    /// χ² homogeneity p-value across windows.
    pub homogeneity_p: f64,
    /// Whether homogeneity is rejected at [`DRIFT_ALPHA`].
    pub drift: bool,
    /// The largest |window mean − overall mean| in overall standard deviations.
    pub drift_size: f64,
}

/// SP 800-90B's MCV estimate of `counts` over `n` samples.
pub fn mcv_min_entropy(counts: &[u64], n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let max = counts.iter().copied().max().unwrap_or(0) as f64;
    let n = n as f64;
    let p = max / n;
    let upper = if n > 1.0 {
        (p + 2.576 * (p * (1.0 - p) / (n - 1.0)).sqrt()).min(1.0)
    } else {
        1.0
    };
    -upper.log2()
}

/// The stationarity figures of `samples` over `k` windows (fewer when too short: at least
/// 64 samples a window); `None` below two windows.
pub fn stationarity(samples: &[u8], k: usize) -> Option<Stationarity> {
    let k = k.min(samples.len() / 64);
    if k < 2 {
        return None;
    }
    let len = samples.len() / k;
    let mut table = vec![[0u64; 256]; k];
    let mut windows = Vec::with_capacity(k);
    for (w, chunk) in samples.chunks_exact(len).take(k).enumerate() {
        let counts = &mut table[w];
        for &s in chunk {
            counts[s as usize] += 1;
        }
        let n = chunk.len() as f64;
        let mean = chunk.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let variance = chunk
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        windows.push(Window {
            mean,
            variance,
            min_entropy: mcv_min_entropy(counts, chunk.len() as u64),
        });
    }
    let column: Vec<u64> = (0..256)
        .map(|v| table.iter().map(|row| row[v]).sum())
        .collect();
    let values: Vec<usize> = (0..256).filter(|&v| column[v] > 0).collect();
    let total = (len * k) as f64;
    let mut chi = 0.0;
    for row in &table {
        let row_total = len as f64;
        for &v in &values {
            let expected = row_total * column[v] as f64 / total;
            chi += (row[v] as f64 - expected).powi(2) / expected;
        }
    }
    let df = ((k - 1) * values.len().saturating_sub(1)) as f64;
    let homogeneity_p = if df > 0.0 {
        igamc(df / 2.0, chi / 2.0)
    } else {
        1.0
    };
    let used = &samples[..len * k];
    let mean = used.iter().map(|&x| f64::from(x)).sum::<f64>() / total;
    let sd = (used
        .iter()
        .map(|&x| (f64::from(x) - mean).powi(2))
        .sum::<f64>()
        / (total - 1.0))
        .sqrt();
    let drift_size = if sd > 0.0 {
        windows
            .iter()
            .map(|w| (w.mean - mean).abs() / sd)
            .fold(0.0, f64::max)
    } else {
        0.0
    };
    Some(Stationarity {
        windows,
        homogeneity_p,
        drift: homogeneity_p < DRIFT_ALPHA,
        drift_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn mcv_matches_the_formula() {
        // 600 of 1,000 samples on one value: p = 0.6, p_u = 0.6 + 2.576·√(0.24/999) = 0.63993.
        let mut counts = [0u64; 256];
        counts[3] = 600;
        counts[4] = 400;
        let h = mcv_min_entropy(&counts, 1000);
        let p_u = 0.6 + 2.576 * (0.24f64 / 999.0).sqrt();
        assert!((h + p_u.log2()).abs() < 1e-12);
    }

    #[test]
    fn a_stationary_series_is_not_flagged_and_a_drifting_one_is() {
        let mut state = 5u64;
        let steady: Vec<u8> = (0..160_000)
            .map(|_| (xorshift(&mut state) >> 60) as u8)
            .collect();
        let s = stationarity(&steady, 16).unwrap();
        assert_eq!(s.windows.len(), 16);
        assert!(!s.drift, "p = {}", s.homogeneity_p);
        // 4 bits of true min-entropy; the MCV estimate on 10,000 samples sits below it (the
        // largest of 16 counts and a 99% upper bound): about 3.75.
        assert!(
            s.windows
                .iter()
                .all(|w| (3.5..4.0).contains(&w.min_entropy)),
            "{s:?}"
        );
        // The same noise with a slow upward drift of 4 units over the series.
        let drifting: Vec<u8> = steady
            .iter()
            .enumerate()
            .map(|(i, &x)| x + (4 * i / steady.len()) as u8)
            .collect();
        let d = stationarity(&drifting, 16).unwrap();
        assert!(
            d.drift && d.homogeneity_p < 1e-100,
            "p = {}",
            d.homogeneity_p
        );
        // The first and last windows sit 1.5 below and above the overall mean; the overall
        // standard deviation is √(4.61² + 1.25) ≈ 4.74: a size of about 0.32.
        assert!((0.25..0.4).contains(&d.drift_size), "{}", d.drift_size);
        assert!(stationarity(&[1, 2, 3], 16).is_none());
    }
}
