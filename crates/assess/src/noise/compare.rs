//! Do two series of samples differ? The statistics behind `wellspring compare`: the difference
//! in SP 800-90B min-entropy with a block-bootstrap confidence interval, a two-sample test of
//! the value distributions, and a test of the difference in autocorrelation structure, with
//! a verdict whose false-alarm rate is stated (docs/ANALYSIS.md, "compare").
//!
//! - **Min-entropy.** `h_a` and `h_b` are the SP 800-90B assessments of each whole series, and
//!   `h_difference = h_b − h_a`. The whole-series figure is the minimum of ten estimators and
//!   jumps between them, so its sampling spread is not what a bootstrap of pieces of the
//!   series measures (two 65,536-sample series from one generator gave 6.38 and 6.81). The
//!   interval is therefore for a quantity the bootstrap does measure: both series are cut
//!   into windows of one common length (so the estimators' small-sample bias is the same on
//!   both sides), each window is assessed, and `h_window_difference` is the difference of the
//!   mean window figures; the windows of each side are resampled with replacement
//!   ([`RESAMPLES`] times, a fixed seed, so the interval is reproducible) and the interval is
//!   the percentile interval of the resampled difference. Windows are the blocks: dependence
//!   within a window is kept, dependence between windows is assumed small. The verdict does
//!   not read the interval's 99.9% tails (16 window values cannot show them; it cried wolf
//!   on two recordings of one generator): it uses a permutation test of the window figures
//!   (`h_window_p`: the windows of both sides pooled and relabelled at random [`RESAMPLES`]
//!   times; exact under exchangeable windows).
//! - **Distributions.** Pearson's χ² test of homogeneity on the 2 × k table of value counts;
//!   values expected fewer than 5 times in either row are pooled into one cell. Its null
//!   distribution is χ² with k − 1 degrees of freedom for independent samples; dependent
//!   samples make it reject more often, which the documentation says.
//! - **Autocorrelation.** At lags 1..=[`ACF_LAGS`], the difference of the two sample
//!   autocorrelations divided by its standard error under Bartlett's formula
//!   (var r_k ≈ (1 + 2 Σ_{j<k} r_j²)/n for each side), two-sided normal p-values, Holm over
//!   the lags; the smallest adjusted p-value is reported.
//! - **Verdict.** The series differ when the distribution test or the autocorrelation test
//!   rejects at [`DIFFER_ALPHA`], or when the permutation test of the window min-entropy
//!   figures does: for two series from one stationary source each test errs about
//!   once in a thousand.

use std::sync::atomic::{AtomicU64, Ordering};

use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256StarStar;
use rayon::prelude::*;
use serde::Serialize;

use super::autocorrelation::acf;
use super::holm::holm;
use crate::sp800_22::special::{erfc, igamc};
use crate::sp800_90b::{AssessError, AssessOptions, assess};

/// Significance level of each of the three tests.
pub const DIFFER_ALPHA: f64 = 0.001;
/// Lags of the autocorrelation comparison.
pub const ACF_LAGS: usize = 32;
/// Bootstrap resamples.
pub const RESAMPLES: usize = 10_000;
/// Windows wanted per side for the bootstrap (fewer when the series are short).
const WINDOWS: usize = 16;
/// Shortest window assessed (the SP 800-90B estimators need a few thousand samples).
const MIN_WINDOW: usize = 4096;
/// Fewest windows on a side for an interval.
const MIN_WINDOWS: usize = 4;
/// Most windows on a side (the longer series of two very unequal ones).
const MAX_WINDOWS: usize = 256;
/// Cells with fewer expected counts than this are pooled.
const MIN_EXPECTED: f64 = 5.0;

/// What to compare with.
#[derive(Debug, Clone, Copy)]
pub struct CompareOptions {
    /// Bits per sample of both series (1..=8).
    pub bits_per_sample: u8,
    /// Seed of the bootstrap.
    pub seed: u64,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            bits_per_sample: 8,
            seed: 0x5eed_c0de,
        }
    }
}

/// The comparison of series `a` and `b` (the `compare --json` fields of one source).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Samples of `a` and `b`.
    pub samples_a: usize,
    /// Samples of `b`.
    pub samples_b: usize,
    /// SP 800-90B min-entropy of `a`, bits per sample.
    pub h_a: f64,
    /// The same for `b`.
    pub h_b: f64,
    /// `h_b − h_a`.
    pub h_difference: f64,
    /// Mean SP 800-90B figure of `a`'s windows, and of `b`'s (null without windows).
    pub h_window_a: Option<f64>,
    /// The same for `b`.
    pub h_window_b: Option<f64>,
    /// `h_window_b − h_window_a`: what the interval is for.
    pub h_window_difference: Option<f64>,
    /// 95% block-bootstrap interval of the window difference (null when either series is
    /// too short for four windows).
    pub h_difference_ci: Option<[f64; 2]>,
    /// Permutation p-value of the window difference (two-sided), what the verdict uses.
    pub h_window_p: Option<f64>,
    /// Window length and count per side of the bootstrap.
    pub bootstrap_window: Option<usize>,
    /// Windows of `a` and of `b`.
    pub bootstrap_windows: Option<[usize; 2]>,
    /// χ² homogeneity statistic of the value distributions.
    pub distribution_chi2: f64,
    /// Its degrees of freedom.
    pub distribution_df: usize,
    /// Its p-value.
    pub distribution_p: f64,
    /// Smallest Holm-adjusted p-value of the autocorrelation differences at lags
    /// 1..=`acf_lags`.
    pub acf_difference_p: f64,
    /// Lags compared.
    pub acf_lags: usize,
    /// Lags whose difference is significant after Holm's correction (at `DIFFER_ALPHA`).
    pub acf_differing_lags: Vec<usize>,
    /// Whether the series differ.
    pub differ: bool,
    /// Why (each naming the statistic and its value), or what was found when they do not.
    pub reasons: Vec<String>,
}

/// Compares two series of samples.
pub fn compare(a: &[u8], b: &[u8], opts: &CompareOptions) -> Result<Comparison, AssessError> {
    compare_with_progress(a, b, opts, &|_| {})
}

/// The window length and the windows of each side for series of `len_a` and `len_b`
/// samples (an interval needs [`MIN_WINDOWS`] on each side).
fn windows(len_a: usize, len_b: usize) -> (usize, usize, usize) {
    let window = (len_a.min(len_b) / WINDOWS).max(MIN_WINDOW);
    (
        window,
        (len_a / window).min(MAX_WINDOWS),
        (len_b / window).min(MAX_WINDOWS),
    )
}

/// The work [`compare`] does on series of `len_a` and `len_b` samples, for a progress
/// display: samples put through SP 800-90B, each whole series and each window (most of the
/// time goes there). [`compare_with_progress`] reports exactly this many units.
///
/// ```
/// use wellspring_assess::noise::compare::work;
/// // Two whole series, then 16 windows of 4,096 samples on each side.
/// assert_eq!(work(65_536, 65_536), 2 * 65_536 + 2 * 16 * 4_096);
/// // Too short for four windows a side: only the whole series.
/// assert_eq!(work(10_000, 10_000), 20_000);
/// ```
pub fn work(len_a: usize, len_b: usize) -> u64 {
    let (window, windows_a, windows_b) = windows(len_a, len_b);
    let windowed = if windows_a >= MIN_WINDOWS && windows_b >= MIN_WINDOWS {
        (windows_a + windows_b) * window
    } else {
        0
    };
    (len_a + len_b + windowed) as u64
}

/// [`compare`], calling `progress` with each piece of work done (units of [`work`]; from
/// worker threads, as each SP 800-90B estimator of a whole series and each window finishes).
/// On success the pieces add up to `work(a.len(), b.len())`.
pub fn compare_with_progress(
    a: &[u8],
    b: &[u8],
    opts: &CompareOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Comparison, AssessError> {
    let assess_opts = AssessOptions {
        bits_per_sample: opts.bits_per_sample,
        ..AssessOptions::default()
    };
    // A whole series counts its samples as its estimators finish (the share of them done).
    let whole = |data: &[u8]| {
        let len = data.len() as u64;
        let reported = AtomicU64::new(0);
        let report_up_to = |units: u64| {
            let before = reported.fetch_max(units, Ordering::Relaxed);
            if units > before {
                progress(units - before);
            }
        };
        let stage = |_: &str, fraction: f64| {
            report_up_to((fraction.clamp(0.0, 1.0) * len as f64) as u64);
        };
        let opts = AssessOptions {
            progress: Some(&stage),
            ..assess_opts
        };
        let h = assess(data, &opts).map(|r| r.h_assessed);
        report_up_to(len);
        h
    };
    let (h_a, h_b) = rayon::join(|| whole(a), || whole(b));
    let (h_a, h_b) = (h_a?, h_b?);
    let h_difference = h_b - h_a;

    let (window, windows_a, windows_b) = windows(a.len(), b.len());
    let (mut intervals, mut windowed) = (None, None);
    if windows_a >= MIN_WINDOWS && windows_b >= MIN_WINDOWS {
        let per_window = |data: &[u8], count: usize| -> Result<Vec<f64>, AssessError> {
            data.chunks_exact(window)
                .take(count)
                .collect::<Vec<_>>()
                .par_iter()
                .map(|w| {
                    let h = assess(w, &assess_opts).map(|r| r.h_assessed);
                    progress(window as u64);
                    h
                })
                .collect()
        };
        let (wa, wb) = rayon::join(|| per_window(a, windows_a), || per_window(b, windows_b));
        let (wa, wb) = (wa?, wb?);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        windowed = Some((mean(&wa), mean(&wb)));
        intervals = Some((
            bootstrap_interval(&wa, &wb, 0.95, opts.seed),
            permutation_p(&wa, &wb, opts.seed),
        ));
    }

    let (distribution_chi2, distribution_df, distribution_p) = homogeneity(&counts(a), &counts(b));
    let (acf_difference_p, acf_differing_lags) = acf_difference(a, b, ACF_LAGS);

    let mut reasons = Vec::new();
    if distribution_p < DIFFER_ALPHA {
        reasons.push(format!(
            "{}: the value distributions differ (χ² = {distribution_chi2:.1}, \
             {distribution_df} df)",
            super::p_statement("distribution_p", distribution_p)
        ));
    }
    if acf_difference_p < DIFFER_ALPHA {
        let lags: Vec<String> = acf_differing_lags
            .iter()
            .take(5)
            .map(usize::to_string)
            .collect();
        reasons.push(format!(
            "{}: the autocorrelation differs at lag(s) {}",
            super::p_statement("acf_difference_p", acf_difference_p),
            lags.join(", ")
        ));
    }
    let window_difference = windowed.map(|(wa, wb)| wb - wa);
    if let (Some(([low, high], p)), Some(d)) = (intervals, window_difference)
        && p < DIFFER_ALPHA
    {
        reasons.push(format!(
            "h_window_difference = {d:+.4} bits/sample, permutation p = {p:.1e} (95% interval \
             [{low:+.4}, {high:+.4}]; h_difference = {h_difference:+.4})"
        ));
    }
    let differ = !reasons.is_empty();
    if !differ {
        reasons.push(format!(
            "no test rejects at {DIFFER_ALPHA}: distribution_p = {distribution_p:.3}, \
             acf_difference_p = {acf_difference_p:.3}, h_difference = {h_difference:+.4}{}",
            match (intervals, window_difference) {
                (Some(([low, high], p)), Some(d)) => format!(
                    ", h_window_difference = {d:+.4} (permutation p = {p:.3}, 95% interval \
                     [{low:+.4}, {high:+.4}])"
                ),
                _ => " (no interval: too few samples for 4 windows)".to_owned(),
            }
        ));
    }
    Ok(Comparison {
        samples_a: a.len(),
        samples_b: b.len(),
        h_a,
        h_b,
        h_difference,
        h_window_a: windowed.map(|(wa, _)| wa),
        h_window_b: windowed.map(|(_, wb)| wb),
        h_window_difference: window_difference,
        h_difference_ci: intervals.map(|(ci, _)| ci),
        h_window_p: intervals.map(|(_, p)| p),
        bootstrap_window: intervals.map(|_| window),
        bootstrap_windows: intervals.map(|_| [windows_a, windows_b]),
        distribution_chi2,
        distribution_df,
        distribution_p,
        acf_difference_p,
        acf_lags: ACF_LAGS,
        acf_differing_lags,
        differ,
        reasons,
    })
}

fn counts(samples: &[u8]) -> [u64; 256] {
    let mut c = [0u64; 256];
    for &s in samples {
        c[s as usize] += 1;
    }
    c
}

/// Pearson's χ² test of homogeneity of two count vectors: `(statistic, df, p)`. Values
/// expected fewer than 5 times in either row are pooled into one cell (dropped if that cell
/// is still too thin).
///
/// ```
/// use wellspring_assess::noise::compare::homogeneity;
/// // Hand-computed: expected 15, 20, 25 in both rows; χ² = 2·(25/15 + 0 + 25/25) = 16/3.
/// let (chi, df, p) = homogeneity(&[10, 20, 30], &[20, 20, 20]);
/// assert!((chi - 16.0 / 3.0).abs() < 1e-12 && df == 2);
/// assert!((p - (-8.0f64 / 3.0).exp()).abs() < 1e-12);
/// ```
pub fn homogeneity(a: &[u64], b: &[u64]) -> (f64, usize, f64) {
    let (na, nb) = (a.iter().sum::<u64>() as f64, b.iter().sum::<u64>() as f64);
    let n = na + nb;
    if na == 0.0 || nb == 0.0 {
        return (0.0, 0, 1.0);
    }
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let mut pooled = (0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let column = (x + y) as f64;
        if column == 0.0 {
            continue;
        }
        if column * na.min(nb) / n < MIN_EXPECTED {
            pooled.0 += x as f64;
            pooled.1 += y as f64;
        } else {
            cells.push((x as f64, y as f64));
        }
    }
    if (pooled.0 + pooled.1) * na.min(nb) / n >= MIN_EXPECTED {
        cells.push(pooled);
    }
    if cells.len() < 2 {
        return (0.0, 0, 1.0);
    }
    let (ta, tb) = cells
        .iter()
        .fold((0.0, 0.0), |(s, t), (x, y)| (s + x, t + y));
    let total = ta + tb;
    let chi: f64 = cells
        .iter()
        .map(|&(x, y)| {
            let column = x + y;
            let (ea, eb) = (column * ta / total, column * tb / total);
            (x - ea).powi(2) / ea + (y - eb).powi(2) / eb
        })
        .sum();
    let df = cells.len() - 1;
    (chi, df, igamc(df as f64 / 2.0, chi / 2.0))
}

/// The smallest Holm-adjusted p-value of the lag-by-lag autocorrelation differences at lags
/// 1..=`lags`, and the lags significant at [`DIFFER_ALPHA`] (see the module documentation).
pub fn acf_difference(a: &[u8], b: &[u8], lags: usize) -> (f64, Vec<usize>) {
    let lags = lags.min(a.len().min(b.len()).saturating_sub(2));
    if lags == 0 {
        return (1.0, Vec::new());
    }
    let (ra, rb) = (acf(a, lags), acf(b, lags));
    let bartlett = |r: &[f64], n: usize| -> Vec<f64> {
        let mut sum = 0.0;
        r.iter()
            .map(|rk| {
                let v = (1.0 + 2.0 * sum) / n as f64;
                sum += rk * rk;
                v
            })
            .collect()
    };
    let (va, vb) = (bartlett(&ra, a.len()), bartlett(&rb, b.len()));
    let p: Vec<f64> = (0..lags)
        .map(|k| {
            let se = (va[k] + vb[k]).sqrt();
            let z = if se > 0.0 { (ra[k] - rb[k]) / se } else { 0.0 };
            if z.is_finite() {
                erfc(z.abs() / std::f64::consts::SQRT_2)
            } else {
                1.0
            }
        })
        .collect();
    let adjusted = holm(&p);
    let min = adjusted.iter().copied().fold(1.0, f64::min);
    let differing = adjusted
        .iter()
        .enumerate()
        .filter(|(_, p)| **p < DIFFER_ALPHA)
        .map(|(k, _)| k + 1)
        .collect();
    (min, differing)
}

/// Two-sided permutation p-value of `mean(b) − mean(a)`: the values pooled and split at
/// random [`RESAMPLES`] times, counting splits at least as far apart as the observed one
/// ((count + 1) / (resamples + 1), so never 0).
///
/// ```
/// use wellspring_assess::noise::compare::permutation_p;
/// // Completely separated groups of 8: only 2 of the 12,870 splits are as extreme.
/// let p = permutation_p(&[1.0; 8], &[2.0; 8], 3);
/// assert!(p < 0.002);
/// assert_eq!(permutation_p(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], 3), 1.0);
/// ```
pub fn permutation_p(a: &[f64], b: &[f64], seed: u64) -> f64 {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let observed = (mean(b) - mean(a)).abs();
    let mut pool: Vec<f64> = a.iter().chain(b).copied().collect();
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed ^ 0x7065_726d);
    let total: f64 = pool.iter().sum();
    let mut extreme = 0usize;
    for _ in 0..RESAMPLES {
        for i in (1..pool.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            pool.swap(i, j);
        }
        let sum_a: f64 = pool[..a.len()].iter().sum();
        let d = ((total - sum_a) / b.len() as f64 - sum_a / a.len() as f64).abs();
        // A relative tolerance, so that ties with the observed split count as ties.
        if d >= observed * (1.0 - 1e-12) {
            extreme += 1;
        }
    }
    (extreme + 1) as f64 / (RESAMPLES + 1) as f64
}

/// The percentile bootstrap interval at `level` of `mean(b) − mean(a)`, resampling the
/// window values of each side with replacement.
///
/// ```
/// use wellspring_assess::noise::compare::bootstrap_interval;
/// // Identical windows on each side: no spread, the interval is the difference itself.
/// assert_eq!(bootstrap_interval(&[1.0; 8], &[2.0; 8], 0.95, 7), [1.0, 1.0]);
/// ```
pub fn bootstrap_interval(a: &[f64], b: &[f64], level: f64, seed: u64) -> [f64; 2] {
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
    let mut pick = |v: &[f64]| -> f64 {
        let sum: f64 = (0..v.len())
            .map(|_| v[(rng.next_u64() % v.len() as u64) as usize])
            .sum();
        sum / v.len() as f64
    };
    let mut differences: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let (ma, mb) = (pick(a), pick(b));
            mb - ma
        })
        .collect();
    differences.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        let at = (q * (differences.len() - 1) as f64).round() as usize;
        differences[at.min(differences.len() - 1)]
    };
    let tail = (1.0 - level) / 2.0;
    [quantile(tail), quantile(1.0 - tail)]
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

    fn uniform(n: usize, seed: u64, bits: u32) -> Vec<u8> {
        let mut s = seed;
        (0..n)
            .map(|_| (xorshift(&mut s) >> (64 - bits)) as u8)
            .collect()
    }

    #[test]
    fn homogeneity_pools_thin_cells() {
        // Value 3 is seen twice in all: expected < 5 in each row, so it joins the pool, which
        // is itself too thin and dropped; the rest is the hand-computed table of the doctest.
        let (chi, df, _) = homogeneity(&[10, 20, 30, 1], &[20, 20, 20, 1]);
        assert!((chi - 16.0 / 3.0).abs() < 1e-12, "{chi}");
        assert_eq!(df, 2);
        // Identical rows: χ² = 0, p = 1.
        assert_eq!(homogeneity(&[5, 50, 500], &[5, 50, 500]).0, 0.0);
    }

    #[test]
    fn bootstrap_interval_covers_the_spread_of_window_means() {
        // Windows of b vary by ±1 around 3; a is constant at 1. The resampled mean of eight
        // ±1 values has standard deviation 1/√8 ≈ 0.354; a 95% interval of the difference is
        // about 2 ± 0.69 (whole multiples of 0.25 here).
        let a = [1.0; 8];
        let b = [2.0, 4.0, 2.0, 4.0, 2.0, 4.0, 2.0, 4.0];
        let [low, high] = bootstrap_interval(&a, &b, 0.95, 1);
        assert!(
            (1.25..=1.5).contains(&low) && (2.5..=2.75).contains(&high),
            "{low} {high}"
        );
        let [low999, high999] = bootstrap_interval(&a, &b, 0.999, 1);
        assert!(low999 <= low && high999 >= high);
    }

    #[test]
    fn an_ar1_series_differs_from_white_noise_in_its_autocorrelation() {
        // x_t = x_{t-1}/2 + e_t has r_1 = 0.5: compared with white noise, lag 1 differs.
        let mut s = 9u64;
        let mut x = 0.0f64;
        let ar: Vec<u8> = (0..100_000)
            .map(|_| {
                x = 0.5 * x + ((xorshift(&mut s) >> 60) as f64 - 7.5);
                (x + 128.0).clamp(0.0, 255.0) as u8
            })
            .collect();
        let white = uniform(100_000, 3, 4);
        let (p, lags) = acf_difference(&ar, &white, ACF_LAGS);
        assert!(p < 1e-100, "{p}");
        assert_eq!(lags[0], 1);
        // Two white series: no lag differs.
        let (p, lags) = acf_difference(&uniform(100_000, 5, 4), &white, ACF_LAGS);
        assert!(p > DIFFER_ALPHA && lags.is_empty(), "{p} {lags:?}");
    }

    #[test]
    fn progress_adds_up_to_the_work_in_many_steps() {
        let (a, b) = (uniform(65_536, 41, 8), uniform(70_000, 42, 8));
        let (done, steps) = (AtomicU64::new(0), AtomicU64::new(0));
        let progress = |units: u64| {
            done.fetch_add(units, Ordering::Relaxed);
            steps.fetch_add(1, Ordering::Relaxed);
        };
        compare_with_progress(&a, &b, &CompareOptions::default(), &progress).unwrap();
        assert_eq!(done.into_inner(), work(a.len(), b.len()));
        // The estimators of each whole series and each of the 2 × 16 windows report.
        assert!(
            steps.into_inner() > 2 * 16 + 2,
            "too few steps for a percentage"
        );
    }

    #[test]
    fn two_recordings_of_one_uniform_source_do_not_differ() {
        let a = uniform(131_072, 21, 8);
        let b = uniform(131_072, 22, 8);
        let c = compare(&a, &b, &CompareOptions::default()).unwrap();
        assert!(!c.differ, "{:?}", c.reasons);
        let [low, high] = c.h_difference_ci.unwrap();
        let d = c.h_window_difference.unwrap();
        assert!(low <= d && d <= high && low < 0.0 && high > 0.0, "{c:?}");
        assert_eq!(c.bootstrap_windows, Some([16, 16]));
    }

    #[test]
    fn the_interval_does_not_cry_wolf_on_independent_recordings_of_one_generator() {
        // Whole-series figures of two 65,536-sample uniform series can differ by 0.4 bits (the
        // minimum of ten estimators jumps); the window test must not reject. Ten pairs.
        for seed in 0..10u64 {
            let c = compare(
                &uniform(65_536, 100 + 2 * seed, 8),
                &uniform(65_536, 101 + 2 * seed, 8),
                &CompareOptions::default(),
            )
            .unwrap();
            // (Only the min-entropy test is checked here: across ten pairs and three tests at
            // 0.001, one chance rejection by another test is not rare.)
            assert!(c.h_window_p.unwrap() > DIFFER_ALPHA, "pair {seed}: {c:?}");
        }
    }

    #[test]
    fn a_source_that_lost_bits_differs_in_distribution_and_min_entropy() {
        // b keeps only 6 of a's 8 random bits: h falls by at least 2 bits per sample (the
        // estimators' bounds are not exact, so only the direction and size are checked).
        let a = uniform(131_072, 31, 8);
        let b: Vec<u8> = uniform(131_072, 32, 8).iter().map(|x| x & 0x3f).collect();
        let c = compare(&a, &b, &CompareOptions::default()).unwrap();
        assert!(c.differ);
        assert!(c.distribution_p < 1e-100, "{}", c.distribution_p);
        assert!(c.h_difference < -1.5 && c.h_b < 6.0, "{c:?}");
        assert!(c.h_window_p.unwrap() < DIFFER_ALPHA, "{c:?}");
        assert!(c.h_difference_ci.unwrap()[1] < 0.0, "{c:?}");
        assert!(
            c.reasons
                .iter()
                .any(|r| r.starts_with("h_window_difference"))
        );
    }
}
