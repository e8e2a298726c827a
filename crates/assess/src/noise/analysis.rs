//! One source's noise analysis in the shape of `analyze --json` (docs/ANALYSIS.md): every
//! statistic of this module's siblings, the SP 800-90B assessment, and a verdict.
//!
//! Verdict, with stated false-alarm rates (for independent, identically distributed samples
//! each warning test fires with probability 0.001, so a good source is called `warning` about
//! 0.4% of the time):
//! - `critical` when the SP 800-90B min-entropy is below 0.05 bits per sample (too weak to
//!   credit);
//! - `warning` when the Ljung-Box test rejects independence at 0.001 (the samples are
//!   dependent: the non-IID estimators account for it, but the credit is lower), the runs
//!   test rejects at 0.001, a bit position that varies has a Holm-adjusted bias p-value below
//!   0.001, or the windows drift (homogeneity rejected at 0.001);
//! - `good` otherwise. Each reason names the statistic and its value.
//!
//! A non-uniform histogram alone is not a reason, nor is a bit that never changes (raw
//! timing noise often has constant high bits): the min-entropy already measures both.

use serde::Serialize;

use super::autocorrelation::{acf, band, ljung_box};
use super::bias::{bit_bias, chi_square_uniform};
use super::holm::holm;
use super::runs::runs_about_median;
use super::spectrum::{Peak, averaged_spectrum, peaks};
use super::stationarity::{DRIFT_ALPHA, stationarity};
use crate::sp800_22::special::erfc;
use crate::sp800_90b::iid::IidReport;
use crate::sp800_90b::{AssessError, AssessOptions, assess};

/// The significance level of every warning test.
pub const WARNING_ALPHA: f64 = 0.001;
/// Below this SP 800-90B min-entropy per sample the verdict is critical.
pub const CRITICAL_H: f64 = 0.05;

/// What to compute.
#[derive(Debug, Clone, Copy)]
pub struct AnalyzeOptions {
    /// Bits per sample (1..=8).
    pub bits_per_sample: u8,
    /// Autocorrelation lags (default 256).
    pub max_lag: usize,
    /// Stationarity windows (default 16).
    pub windows: usize,
    /// Spectrum window length (default 1,024).
    pub spectrum_window: usize,
    /// Also run the SP 800-90B IID track.
    pub iid: bool,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            bits_per_sample: 8,
            max_lag: 256,
            windows: 16,
            spectrum_window: 1024,
            iid: false,
        }
    }
}

/// The autocorrelation section.
#[derive(Debug, Clone, Serialize)]
pub struct Autocorrelation {
    /// Lags computed.
    pub max_lag: usize,
    /// `values[i]` is the autocorrelation at lag i + 1.
    pub values: Vec<f64>,
    /// ±1.96/√n.
    pub band: f64,
    /// Lags whose two-sided p-value (r·√n standard normal) stays below 0.05 after Holm's
    /// correction over all lags.
    pub significant_lags: Vec<usize>,
    /// Ljung-Box p-value over all lags.
    pub ljung_box_p: f64,
}

/// The spectrum section.
#[derive(Debug, Clone, Serialize)]
pub struct Spectrum {
    /// The strongest peaks, strongest first.
    pub peaks: Vec<Peak>,
}

/// One bit position.
#[derive(Debug, Clone, Serialize)]
pub struct BitSummary {
    /// Position (0 = least significant).
    pub bit: u8,
    /// Share of samples with the bit set.
    pub ones_fraction: f64,
    /// Exact binomial p-value.
    pub p_value: f64,
    /// After Holm's correction over the bit positions.
    pub p_holm: f64,
}

/// The stationarity section.
#[derive(Debug, Clone, Serialize)]
pub struct StationaritySummary {
    /// Windows used.
    pub windows: usize,
    /// MCV min-entropy per window.
    pub min_entropy: Vec<f64>,
    /// Mean per window.
    pub mean: Vec<f64>,
    /// Variance per window.
    pub variance: Vec<f64>,
    /// Homogeneity p-value.
    pub homogeneity_p: f64,
    /// Drift flagged.
    pub drift: bool,
    /// Its size, in standard deviations.
    pub drift_size: f64,
}

/// One source's analysis.
#[derive(Debug, Clone, Serialize)]
pub struct SourceAnalysis {
    /// Source (or file stem).
    pub name: String,
    /// Samples analysed.
    pub samples: usize,
    /// Bits per sample.
    pub bits_per_sample: u8,
    /// Autocorrelation.
    pub autocorrelation: Autocorrelation,
    /// Spectrum.
    pub spectrum: Spectrum,
    /// Per-bit bias.
    pub bit_bias: Vec<BitSummary>,
    /// χ² of the histogram against uniform over the values seen.
    pub histogram_p: f64,
    /// Stationarity (null when too short for two windows).
    pub stationarity: Option<StationaritySummary>,
    /// Runs test about the median.
    pub runs_p: f64,
    /// SP 800-90B min-entropy per sample.
    pub h_assessed: f64,
    /// The IID track's result, when asked for.
    pub iid: Option<IidReport>,
    /// `good`, `warning` or `critical`.
    pub verdict: &'static str,
    /// Why, each naming the statistic and its value.
    pub reasons: Vec<String>,
}

/// Analyses `samples` of the source `name`.
pub fn analyze(
    name: &str,
    samples: &[u8],
    opts: &AnalyzeOptions,
) -> Result<SourceAnalysis, AssessError> {
    let report = assess(
        samples,
        &AssessOptions {
            bits_per_sample: opts.bits_per_sample,
            iid: opts.iid,
            ..AssessOptions::default()
        },
    )?;
    let n = samples.len();
    let values = acf(samples, opts.max_lag.min(n.saturating_sub(1)));
    let lag_p: Vec<f64> = values
        .iter()
        .map(|r| erfc((r * (n as f64).sqrt()).abs() / std::f64::consts::SQRT_2))
        .collect();
    let significant_lags = holm(&lag_p)
        .iter()
        .enumerate()
        .filter(|(_, p)| **p < 0.05)
        .map(|(k, _)| k + 1)
        .collect();
    let (_, ljung_box_p) = ljung_box(&values, n);
    let spectrum = averaged_spectrum(samples, opts.spectrum_window.min(n));
    let bits = bit_bias(samples, opts.bits_per_sample);
    let bit_holm = holm(&bits.iter().map(|b| b.p_value).collect::<Vec<_>>());
    let bit_bias: Vec<BitSummary> = bits
        .iter()
        .zip(&bit_holm)
        .map(|(b, &p_holm)| BitSummary {
            bit: b.bit,
            ones_fraction: b.ones as f64 / b.n.max(1) as f64,
            p_value: b.p_value,
            p_holm,
        })
        .collect();
    let mut counts = [0u64; 256];
    for &s in samples {
        counts[s as usize] += 1;
    }
    let (_, _, histogram_p) = chi_square_uniform(&counts);
    let stationarity = stationarity(samples, opts.windows).map(|s| StationaritySummary {
        windows: s.windows.len(),
        min_entropy: s.windows.iter().map(|w| w.min_entropy).collect(),
        mean: s.windows.iter().map(|w| w.mean).collect(),
        variance: s.windows.iter().map(|w| w.variance).collect(),
        homogeneity_p: s.homogeneity_p,
        drift: s.drift,
        drift_size: s.drift_size,
    });
    let runs_p = runs_about_median(samples).p_value;
    let mut analysis = SourceAnalysis {
        name: name.to_owned(),
        samples: n,
        bits_per_sample: opts.bits_per_sample,
        autocorrelation: Autocorrelation {
            max_lag: values.len(),
            values,
            band: band(n),
            significant_lags,
            ljung_box_p,
        },
        spectrum: Spectrum {
            peaks: peaks(&spectrum, opts.spectrum_window.min(n), 5),
        },
        bit_bias,
        histogram_p,
        stationarity,
        runs_p,
        h_assessed: report.h_assessed,
        iid: report.iid.clone(),
        verdict: "good",
        reasons: Vec::new(),
    };
    let (verdict, reasons) = verdict(&analysis);
    analysis.verdict = verdict;
    analysis.reasons = reasons;
    Ok(analysis)
}

/// The verdict and its reasons (see the module documentation for the rules).
fn verdict(a: &SourceAnalysis) -> (&'static str, Vec<String>) {
    let mut critical = Vec::new();
    let mut warning = Vec::new();
    if a.h_assessed < CRITICAL_H {
        critical.push(format!(
            "h_assessed = {:.4} bits/sample: below {CRITICAL_H}, too weak to credit",
            a.h_assessed
        ));
    }
    for b in &a.bit_bias {
        let varies = b.ones_fraction > 0.0 && b.ones_fraction < 1.0;
        if varies && b.p_holm < WARNING_ALPHA {
            warning.push(format!(
                "bit {} biased: ones_fraction = {:.4}, {}",
                b.bit,
                b.ones_fraction,
                super::p_statement("Holm-adjusted p", b.p_holm)
            ));
        }
    }
    let ac = &a.autocorrelation;
    if ac.ljung_box_p < WARNING_ALPHA {
        let lags: Vec<String> = ac
            .significant_lags
            .iter()
            .take(5)
            .map(usize::to_string)
            .collect();
        warning.push(format!(
            "{}: samples are dependent (significant lags: {})",
            super::p_statement("ljung_box_p", ac.ljung_box_p),
            if lags.is_empty() {
                "none alone".to_owned()
            } else {
                lags.join(", ")
            }
        ));
    }
    if a.runs_p < WARNING_ALPHA {
        warning.push(format!(
            "{}: too few or too many runs about the median",
            super::p_statement("runs_p", a.runs_p)
        ));
    }
    if let Some(s) = &a.stationarity
        && s.drift
    {
        warning.push(format!(
            "stationarity: {} < {DRIFT_ALPHA}, drift of {:.2} standard deviations",
            super::p_statement("homogeneity_p", s.homogeneity_p),
            s.drift_size
        ));
    }
    if !critical.is_empty() {
        critical.extend(warning);
        ("critical", critical)
    } else if !warning.is_empty() {
        ("warning", warning)
    } else {
        ("good", Vec::new())
    }
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
    fn independent_uniform_samples_are_good() {
        let mut state = 11u64;
        let samples: Vec<u8> = (0..200_000)
            .map(|_| (xorshift(&mut state) >> 56) as u8)
            .collect();
        let a = analyze("uniform", &samples, &AnalyzeOptions::default()).unwrap();
        assert_eq!(a.verdict, "good", "{:?}", a.reasons);
        assert!(a.h_assessed > 6.0, "{}", a.h_assessed);
        assert_eq!(a.autocorrelation.values.len(), 256);
        assert!(a.autocorrelation.significant_lags.is_empty());
        assert_eq!(a.stationarity.as_ref().unwrap().windows, 16);
    }

    #[test]
    fn a_slow_counters_low_byte_is_flagged() {
        // openentropy's miss: the low byte of a counter advancing every 7 reads.
        let samples: Vec<u8> = (0u32..200_000).map(|i| (i / 7) as u8).collect();
        let a = analyze("counter", &samples, &AnalyzeOptions::default()).unwrap();
        assert_ne!(a.verdict, "good");
        assert!(a.autocorrelation.ljung_box_p < 1e-100);
        assert!(a.runs_p < 1e-100);
        assert!(
            a.reasons.iter().any(|r| r.starts_with("ljung_box_p")),
            "{:?}",
            a.reasons
        );
        assert_eq!(a.autocorrelation.significant_lags[0], 1);
    }

    #[test]
    fn a_nearly_stuck_source_is_critical_and_says_why() {
        // One value 999 times in 1,000: the SP 800-90B figure is far below 0.05 bits.
        let samples: Vec<u8> = (0..100_000u32)
            .map(|i| if i % 1000 == 0 { 1 } else { 0 })
            .collect();
        let a = analyze("stuck", &samples, &AnalyzeOptions::default()).unwrap();
        assert_eq!(a.verdict, "critical");
        assert!(a.reasons[0].starts_with("h_assessed = "), "{:?}", a.reasons);
        // A constant bit is no reason by itself.
        assert!(
            !a.reasons.iter().any(|r| r.starts_with("bit 7")),
            "{:?}",
            a.reasons
        );
    }

    #[test]
    fn a_periodic_source_shows_its_period_and_dependence() {
        let mut state = 5u64;
        let samples: Vec<u8> = (0..131_072)
            .map(|i| {
                let wave = if i % 32 < 16 { 20 } else { 0 };
                ((xorshift(&mut state) >> 60) as u8) + wave
            })
            .collect();
        let a = analyze("periodic", &samples, &AnalyzeOptions::default()).unwrap();
        assert_eq!(a.spectrum.peaks[0].frequency, 1.0 / 32.0);
        assert_eq!(a.verdict, "warning", "{:?}", a.reasons);
    }
}
