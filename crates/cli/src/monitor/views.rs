//! The chart views `g` cycles through, each a series computed from the selected source's
//! recent raw samples (the engine keeps the last 4,096) or from the monitor's own history of
//! refreshes (Shannon, min-entropy and collection time per refresh, which the engine does not
//! keep: the monitor records one point per refresh).

/// One chart view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum View {
    /// Sample values, oldest to newest.
    OutputValue,
    /// Shannon entropy of the sample window, one point per refresh.
    Shannon,
    /// MCV min-entropy of the sample window, one point per refresh.
    MinEntropy,
    /// Harvest CPU per sample, one point per refresh.
    CollectionTime,
    /// Cumulative sum of (sample − 127.5): drift shows as a trend.
    RandomWalk,
    /// Histogram of the 256 byte values.
    ByteDistribution,
    /// Autocorrelation at lags 1, 2, …
    Autocorrelation,
}

impl View {
    pub(crate) const ALL: [View; 7] = [
        View::OutputValue,
        View::Shannon,
        View::MinEntropy,
        View::CollectionTime,
        View::RandomWalk,
        View::ByteDistribution,
        View::Autocorrelation,
    ];

    /// The next view, wrapping around.
    pub(crate) fn next(self) -> View {
        let i = View::ALL.iter().position(|v| *v == self).unwrap_or(0);
        View::ALL[(i + 1) % View::ALL.len()]
    }

    /// The chart's title.
    pub(crate) fn title(self) -> &'static str {
        match self {
            View::OutputValue => "sample values",
            View::Shannon => "Shannon per refresh",
            View::MinEntropy => "min-entropy per refresh",
            View::CollectionTime => "CPU ns/sample",
            View::RandomWalk => "random walk",
            View::ByteDistribution => "byte histogram",
            View::Autocorrelation => "autocorrelation",
        }
    }
}

/// Values for a sparkline `width` points wide, and the value its top stands for.
pub(crate) fn series(view: View, samples: &[u8], history: &[f64], width: usize) -> (Vec<u64>, u64) {
    let width = width.max(1);
    match view {
        View::OutputValue => (
            last(samples, width).iter().map(|&b| b as u64).collect(),
            255,
        ),
        View::Shannon | View::MinEntropy => scaled(last(history, width), 100.0, 800),
        View::CollectionTime => {
            let top = history.iter().copied().fold(1.0, f64::max);
            scaled(last(history, width), 1.0, top.ceil() as u64)
        }
        View::RandomWalk => {
            let mut sum = 0.0;
            let walk: Vec<f64> = samples
                .iter()
                .map(|&b| {
                    sum += b as f64 - 127.5;
                    sum
                })
                .collect();
            let points = spread(&walk, width);
            let low = points.iter().copied().fold(f64::INFINITY, f64::min);
            let high = points.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let shifted: Vec<u64> = points.iter().map(|p| (p - low).round() as u64).collect();
            (shifted, (high - low).max(1.0).round() as u64)
        }
        View::ByteDistribution => {
            let mut counts = [0u64; 256];
            for &b in samples {
                counts[b as usize] += 1;
            }
            let bins = width.min(256);
            let per_bin = 256usize.div_ceil(bins);
            let binned: Vec<u64> = counts.chunks(per_bin).map(|c| c.iter().sum()).collect();
            let top = binned.iter().copied().max().unwrap_or(1).max(1);
            (binned, top)
        }
        View::Autocorrelation => {
            let lags = width.min(samples.len() / 2).max(1);
            let values = (1..=lags)
                .map(|lag| ((autocorrelation(samples, lag) + 1.0) * 500.0).round() as u64)
                .collect();
            (values, 1000)
        }
    }
}

fn last<T>(values: &[T], n: usize) -> &[T] {
    &values[values.len().saturating_sub(n)..]
}

fn scaled(values: &[f64], factor: f64, top: u64) -> (Vec<u64>, u64) {
    (
        values
            .iter()
            .map(|v| (v * factor).max(0.0).round() as u64)
            .collect(),
        top,
    )
}

/// `width` points taken evenly from `values` (all of them when there are fewer).
fn spread(values: &[f64], width: usize) -> Vec<f64> {
    if values.len() <= width {
        return values.to_vec();
    }
    (0..width)
        .map(|i| values[i * (values.len() - 1) / (width - 1).max(1)])
        .collect()
}

/// Sample autocorrelation at `lag` (the usual estimator: lagged covariance over variance).
pub(crate) fn autocorrelation(samples: &[u8], lag: usize) -> f64 {
    let n = samples.len();
    if lag >= n || n < 2 {
        return 0.0;
    }
    let mean = samples.iter().map(|&b| b as f64).sum::<f64>() / n as f64;
    let var: f64 = samples.iter().map(|&b| (b as f64 - mean).powi(2)).sum();
    if var == 0.0 {
        return 0.0;
    }
    let cov: f64 = samples
        .windows(lag + 1)
        .map(|w| (w[0] as f64 - mean) * (w[lag] as f64 - mean))
        .sum();
    cov / var
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_cycle_through_all_seven() {
        let mut v = View::OutputValue;
        let mut seen = vec![v];
        for _ in 0..6 {
            v = v.next();
            seen.push(v);
        }
        assert_eq!(seen, View::ALL);
        assert_eq!(v.next(), View::OutputValue);
    }

    #[test]
    fn autocorrelation_of_known_sequences() {
        // Alternating 0, 255: lag 1 is -(n-1)/n, lag 2 is (n-2)/n (hand-computed, n = 100).
        let alt: Vec<u8> = (0..100).map(|i| if i % 2 == 0 { 0 } else { 255 }).collect();
        assert!((autocorrelation(&alt, 1) + 0.99).abs() < 1e-12);
        assert!((autocorrelation(&alt, 2) - 0.98).abs() < 1e-12);
        assert_eq!(autocorrelation(&[5; 10], 1), 0.0, "constant: no variance");
    }

    #[test]
    fn byte_distribution_counts_every_sample_once() {
        let samples: Vec<u8> = (0..=255).chain(0..=255).collect();
        let (bins, top) = series(View::ByteDistribution, &samples, &[], 64);
        assert_eq!(bins.len(), 64);
        assert_eq!(bins.iter().sum::<u64>(), 512);
        assert_eq!(top, 8, "each bin holds 4 values twice");
    }

    #[test]
    fn random_walk_of_a_biased_stream_climbs() {
        let (walk, _) = series(View::RandomWalk, &[200; 100], &[], 10);
        assert!(walk.windows(2).all(|w| w[1] > w[0]), "{walk:?}");
        assert_eq!(walk[0], 0);
    }
}
