//! Multi-stream analysis as sts's finalAnalysisReport does it: the input is cut into K
//! streams of ⌊n/K⌋ bits, the battery runs on each, and for every p-value slot (each template,
//! each excursion state, …) it reports the proportion of streams passing at α with sts's
//! acceptance interval (1-α) ± 3√((1-α)α/K) (bounds truncated to whole counts, as sts does) and
//! the uniformity of the p-values: ten bins, χ² against ⌊K'/10⌋ per bin (sts's integer
//! division), p = igamc(9/2, χ²/2). Streams where a test was skipped are left out of that
//! test's rows, as sts leaves out the excursion tests' "not applicable" zeros.
//!
//! sts computes these from its printed six-decimal p-values read back as `float`; this uses
//! the exact p-values, which can move a p-value lying within 5e-7 of a bin edge or of α.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::Bits;
use super::battery::{ALPHA, BatteryParams, Outcome, TEST_NAMES, run_battery};
use super::special::igamc;

/// Why the streams could not be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamsError {
    /// K = 0, or fewer bits than streams.
    #[error("cannot cut {bits} bits into {streams} streams")]
    TooFewBits {
        /// Bits available.
        bits: usize,
        /// Streams asked for.
        streams: usize,
    },
}

/// One p-value slot of one test across the streams.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamRow {
    /// Which p-value of the test ("" for single-valued tests, "forward", "x=-4", a template…).
    pub label: String,
    /// Streams where the test ran (K, less those skipped).
    pub sample_size: usize,
    /// Streams with p ≥ α.
    pub passing: usize,
    /// passing / sample_size (0 without samples).
    pub proportion: f64,
    /// sts's acceptance interval for `passing`, as whole counts [min, max].
    pub passing_interval: [usize; 2],
    /// Counts of p-values in [0, 0.1), [0.1, 0.2), …, [0.9, 1].
    pub histogram: [usize; 10],
    /// Uniformity p-value of the stream p-values; `None` below ten samples (sts prints ----).
    pub uniformity: Option<f64>,
    /// `passing` within the interval and uniformity ≥ 0.0001 (sts's two flags); true without
    /// samples.
    pub passed: bool,
}

/// One test across the streams. In JSON, `passed` is `null` when the test ran on no stream
/// (no rows), and `skipped` then says why.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamTest {
    /// Test name.
    pub name: &'static str,
    /// Its parameters.
    pub params: BTreeMap<&'static str, usize>,
    /// One row per p-value slot; none when the test ran on no stream.
    pub rows: Vec<StreamRow>,
    /// Every row passed (true without rows; see `skipped`).
    pub passed: bool,
    /// Why the test ran on no stream (the first stream's reason); `None` when it ran on any.
    pub skipped: Option<String>,
}

impl Serialize for StreamTest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let outcome = Outcome {
            name: self.name,
            params: &self.params,
            passed: self.passed,
            skipped: self.skipped.as_deref(),
        };
        outcome.serialize(serializer, "StreamTest", ("rows", &self.rows))
    }
}

/// The multi-stream report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamsReport {
    /// Bits in each stream.
    pub bits_per_stream: usize,
    /// Number of streams K.
    pub streams: usize,
    /// Significance level.
    pub alpha: f64,
    /// The fifteen tests in battery order.
    pub tests: Vec<StreamTest>,
}

/// sts's analysis of one slot's p-values.
pub(crate) fn analyse(label: String, p_values: &[f64]) -> StreamRow {
    let k = p_values.len();
    let passing = p_values.iter().filter(|&&p| p >= ALPHA).count();
    let p_hat = 1.0 - ALPHA;
    let spread = 3.0 * (p_hat * ALPHA / k as f64).sqrt();
    let interval = if k == 0 {
        [0, 0]
    } else {
        [
            ((p_hat - spread) * k as f64) as usize,
            ((p_hat + spread) * k as f64) as usize,
        ]
    };
    let mut histogram = [0usize; 10];
    for &p in p_values {
        histogram[((p * 10.0).floor() as usize).min(9)] += 1;
    }
    let expected = k / 10;
    let uniformity = (expected > 0).then(|| {
        let e = expected as f64;
        let chi2: f64 = histogram.iter().map(|&f| (f as f64 - e).powi(2) / e).sum();
        igamc(4.5, chi2 / 2.0)
    });
    let passed = k == 0
        || (passing >= interval[0]
            && passing <= interval[1]
            && uniformity.is_none_or(|u| u >= 0.0001));
    StreamRow {
        label,
        sample_size: k,
        passing,
        proportion: if k == 0 {
            0.0
        } else {
            passing as f64 / k as f64
        },
        passing_interval: interval,
        histogram,
        uniformity,
        passed,
    }
}

/// Cuts `bits` into `streams` streams of ⌊n/K⌋ bits (the rest is ignored), runs the battery
/// on each, and analyses every p-value slot as sts does.
pub fn run_streams(
    bits: &Bits,
    streams: usize,
    params: &BatteryParams,
) -> Result<StreamsReport, StreamsError> {
    let len = bits.len().checked_div(streams).unwrap_or(0);
    if len == 0 {
        return Err(StreamsError::TooFewBits {
            bits: bits.len(),
            streams,
        });
    }
    let reports: Vec<_> = (0..streams)
        .into_par_iter()
        .map(|s| run_battery(&bits.slice(s * len, len), params))
        .collect();
    let tests = (0..TEST_NAMES.len())
        .map(|t| {
            let ran: Vec<_> = reports
                .iter()
                .map(|r| &r.tests[t])
                .filter(|r| r.skipped.is_none())
                .collect();
            let labels = ran.first().map(|r| r.labels.clone()).unwrap_or_default();
            let rows: Vec<StreamRow> = labels
                .into_iter()
                .enumerate()
                .map(|(slot, label)| {
                    let p: Vec<f64> = ran.iter().map(|r| r.p_values[slot]).collect();
                    analyse(label, &p)
                })
                .collect();
            let skipped = if ran.is_empty() {
                reports[0].tests[t].skipped.clone()
            } else {
                None
            };
            StreamTest {
                name: TEST_NAMES[t],
                params: reports[0].tests[t].params.clone(),
                passed: rows.iter().all(|r| r.passed),
                rows,
                skipped,
            }
        })
        .collect();
    Ok(StreamsReport {
        bits_per_stream: len,
        streams,
        alpha: ALPHA,
        tests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_of_hand_made_p_values() {
        // 100 p-values 0.005, 0.015, …, 0.995: one below α, ten per bin → χ² = 0, uniformity 1.
        let p: Vec<f64> = (0..100).map(|i| (i as f64 + 0.5) / 100.0).collect();
        let row = analyse("x".into(), &p);
        assert_eq!(
            (row.sample_size, row.passing, row.histogram),
            (100, 99, [10; 10])
        );
        assert_eq!(row.uniformity, Some(1.0));
        // sts's interval for K = 100: 0.99 ± 3√(0.0099/100) = [0.960151, 1.019849] → [96, 101].
        assert_eq!(row.passing_interval, [96, 101]);
        assert!(row.passed);
        // All in one bin: χ² = 9·10 + 90²/10 = 900 → uniformity ≈ 0; and 100% below α.
        let row = analyse("y".into(), &[0.001; 100]);
        assert_eq!(row.passing, 0);
        assert!(row.uniformity.unwrap() < 1e-100 && !row.passed);
        assert_eq!(analyse("z".into(), &[0.5; 5]).uniformity, None);
    }

    #[test]
    fn streams_split_and_report_every_slot() {
        let bits = Bits::from_bytes(
            &(0..40_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect::<Vec<_>>(),
        );
        let report = run_streams(&bits, 4, &BatteryParams::default()).unwrap();
        assert_eq!((report.streams, report.bits_per_stream), (4, 80_000));
        let names: Vec<_> = report.tests.iter().map(|t| t.name).collect();
        assert_eq!(names, TEST_NAMES);
        let cusum = &report.tests[2];
        assert_eq!(cusum.rows.len(), 2);
        assert_eq!(cusum.rows[0].sample_size, 4);
        assert_eq!(report.tests[7].rows.len(), 148);
        // Universal needs 387,840 bits: it ran on no stream, so it neither passed nor failed.
        let universal = &report.tests[9];
        assert!(universal.rows.is_empty() && universal.skipped.is_some());
        let json = serde_json::to_value(universal).unwrap();
        assert!(
            json["passed"].is_null() && json["skipped"].is_string(),
            "{json}"
        );
        let json = serde_json::to_value(cusum).unwrap();
        assert!(json["passed"].is_boolean(), "{json}");
        assert!(json.get("skipped").is_none(), "{json}");
        assert!(run_streams(&bits, 0, &BatteryParams::default()).is_err());
        assert!(run_streams(&Bits::from_bytes(&[1]), 9, &BatteryParams::default()).is_err());
    }
}
