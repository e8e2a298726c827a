//! The noise analysis of a whole session (`analyze SESSION_DIR`): each source's statistics
//! (`wellspring_assess::noise::analysis`) and the cross-correlation of every pair of sources
//! on a common clock ([`crate::align`]). Shared by the CLI and the Python module, so both
//! print the same document.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use wellspring_assess::noise::analysis::{AnalyzeOptions, SourceAnalysis, analyze};
use wellspring_assess::noise::cross::{DEFAULT_SHIFTS, holm, shift_test, strongest};

use crate::format::raw_path;

/// Most samples read from one raw file (the estimators' memory grows with it).
pub const MAX_SAMPLES: u64 = 20_000_000;
/// Fewest samples worth analysing.
pub const MIN_SAMPLES: usize = 1024;
/// Time bins for cross-correlation, and the lags (in bins) searched either way.
const CROSS_BINS: usize = 2048;
const CROSS_LAGS: usize = 8;
/// Family-wise error rate at which a pair is called `dependent` (Holm over all pairs).
pub const DEPENDENT_ALPHA: f64 = 0.01;

/// The strongest cross-correlation of two sources.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    /// First source.
    pub a: String,
    /// Second source.
    pub b: String,
    /// Pearson's r at the strongest lag.
    pub r: f64,
    /// The lag, in bins of `bin_seconds` (positive: `b` follows `a`).
    pub lag: i64,
    /// Bin width, in seconds.
    pub bin_seconds: f64,
    /// |r| beyond the threshold that any of the 17 lags of two independent series crosses
    /// about one time in a thousand. Assumes independent bins: two independent but
    /// autocorrelated sources cross it far more often (`p_value` does not).
    pub significant: bool,
    /// The circular-shift p-value of the strongest |r| over the 17 lags: the same statistic
    /// with `b` circularly shifted by 999 offsets spread over the middle 80% of the bins is
    /// the null, which keeps each source's own autocorrelation. (1 + #{shifted ≥ observed}) /
    /// 1000 while a shifted value reaches the observed one; beyond all of them, the normal tail
    /// of the rank correlation with the shifts' standard deviation (`p_tail`).
    /// `wellspring_assess::noise::cross::ShiftTest::p_refined`; 1 when a series is constant.
    pub p_value: f64,
    /// The permutation p-value alone, (1 + #{shifted ≥ observed}) / 1000: at least 0.001.
    pub p_permutation: f64,
    /// The normal-tail p-value of the strongest rank correlation, its standard deviation
    /// taken from the shifted series, Bonferroni over the 17 lags.
    pub p_tail: f64,
    /// Standard deviation of one lag's r under independence, measured from the shifts
    /// (1/√2048 ≈ 0.022 for independent bins; larger for autocorrelated sources).
    pub null_sd: f64,
    /// `p_value` after Holm's step-down correction over every pair of the session.
    pub p_holm: f64,
    /// `p_holm` < 0.01: the pair depends, at a family-wise error rate of 1% over all pairs.
    pub dependent: bool,
}

/// `analyze --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// Per source.
    pub sources: Vec<SourceAnalysis>,
    /// Per pair of sources, strongest first (empty for a single source or file).
    pub cross_correlation: Vec<Pair>,
}

/// Why an analysis could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// A file could not be read.
    #[error("cannot read {0}")]
    Read(String),
    /// The samples cannot be analysed (too few, wider than the bits per sample, ...).
    #[error("{0}")]
    Input(String),
}

/// Up to [`MAX_SAMPLES`] samples of a raw file.
pub fn read_samples(path: &Path) -> Result<Vec<u8>, AnalyzeError> {
    let read = |e: std::io::Error| AnalyzeError::Read(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(read)?;
    let mut data = Vec::new();
    file.take(MAX_SAMPLES)
        .read_to_end(&mut data)
        .map_err(read)?;
    Ok(data)
}

/// One source's analysis, refusing fewer than [`MIN_SAMPLES`].
pub fn analyze_one(
    name: &str,
    samples: &[u8],
    opts: &AnalyzeOptions,
) -> Result<SourceAnalysis, AnalyzeError> {
    if samples.len() < MIN_SAMPLES {
        return Err(AnalyzeError::Input(format!(
            "{name}: {} samples are too few to analyse (at least {MIN_SAMPLES})",
            samples.len()
        )));
    }
    analyze(name, samples, opts).map_err(|e| AnalyzeError::Input(format!("{name}: {e}")))
}

/// The analysis of the session in `dir`.
pub fn analyze_session(dir: &Path, opts: &AnalyzeOptions) -> Result<Document, AnalyzeError> {
    let session = crate::list::open(dir).map_err(|e| AnalyzeError::Input(e.to_string()))?;
    let names: Vec<String> = session
        .manifest
        .sources
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let rates: Vec<f64> = session
        .manifest
        .sources
        .iter()
        .map(|s| s.samples_per_second)
        .collect();
    // Sources in parallel (the estimators are single-threaded per source).
    let sources = names
        .par_iter()
        .zip(&rates)
        .map(|(name, &rate)| {
            let samples = read_samples(&raw_path(dir, name))?;
            let mut analysis = analyze_one(name, &samples, opts)?;
            // The index gives time: peaks also in Hz, at the source's mean sample rate.
            if rate > 0.0 {
                for peak in &mut analysis.spectrum.peaks {
                    peak.frequency_hz = Some(peak.frequency * rate);
                }
            }
            Ok(analysis)
        })
        .collect::<Result<Vec<_>, AnalyzeError>>()?;
    let mut cross_correlation = Vec::new();
    if names.len() >= 2
        && let Some((series, bin_seconds)) = crate::align::binned(dir, &names, CROSS_BINS)
            .map_err(|e| AnalyzeError::Read(format!("{}: {e}", dir.display())))?
    {
        // Bonferroni over the 2L + 1 lags of one pair at α = 0.001, r ~ N(0, 1/m).
        let z = 3.29 + 0.5 * ((2 * CROSS_LAGS + 1) as f64).ln();
        let pairs: Vec<(usize, usize)> = (0..names.len())
            .flat_map(|i| (i + 1..names.len()).map(move |j| (i, j)))
            .collect();
        // Pairs in parallel: one circular cross-correlation per pair (real FFT) and the
        // K shifts from it.
        let tests: Vec<_> = pairs
            .par_iter()
            .map(|&(i, j)| {
                let test = shift_test(&series[i], &series[j], CROSS_LAGS, DEFAULT_SHIFTS);
                let (r, lag) = test.map_or_else(
                    || strongest(&series[i], &series[j], CROSS_LAGS),
                    |t| (t.r, t.lag),
                );
                (r, lag, test)
            })
            .collect();
        let p_values: Vec<f64> = tests
            .iter()
            .map(|(_, _, t)| t.map_or(1.0, |t| t.p_refined()))
            .collect();
        let p_holm = holm(&p_values);
        for (k, &(i, j)) in pairs.iter().enumerate() {
            let (r, lag, test) = tests[k];
            cross_correlation.push(Pair {
                a: names[i].clone(),
                b: names[j].clone(),
                r,
                lag,
                bin_seconds,
                significant: r.abs() > z / (CROSS_BINS as f64).sqrt(),
                p_value: p_values[k],
                p_permutation: test.map_or(1.0, |t| t.p_value),
                p_tail: test.map_or(1.0, |t| t.p_tail),
                null_sd: test.map_or(0.0, |t| t.null_sd),
                p_holm: p_holm[k],
                dependent: p_holm[k] < DEPENDENT_ALPHA,
            });
        }
        cross_correlation.sort_by(|x, y| y.r.abs().total_cmp(&x.r.abs()));
    }
    Ok(Document {
        sources,
        cross_correlation,
    })
}
