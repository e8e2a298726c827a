//! The pieces of `wellspring report` beyond the battery itself: the JSON document, the
//! terminal table, figures (SVG), the HTML or Markdown document (`battery_doc`, rendered by
//! `document`), and the run over the default sources with a grade for each (`sources`,
//! `grade`).

pub(crate) mod battery_doc;
pub(crate) mod document;
pub(crate) mod grade;
pub(crate) mod noise;
pub(crate) mod plots;
pub(crate) mod sources;
pub(crate) mod svg;

use std::path::Path;

use serde::Serialize;
use wellspring_assess::noise::format_p;
use wellspring_assess::sp800_22::{BatteryReport, Bits, StreamsReport};

use crate::error::{CliError, CliResult};
use crate::output::table;

/// The JSON document of one input: the contract's fields, plus `streams` with
/// `--streams K` > 1.
#[derive(Serialize)]
pub(crate) struct ReportJson<'a> {
    #[serde(flatten)]
    pub(crate) battery: &'a BatteryReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) streams: Option<&'a StreamsReport>,
}

/// Writes the four figures of `bits` into `dir` (created if needed) and returns them.
pub(crate) fn write_figures(
    dir: &Path,
    bits: &Bits,
    report: &BatteryReport,
) -> CliResult<Vec<plots::Figure>> {
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let figures = plots::figures(bits, report);
    for figure in &figures {
        let file = dir.join(figure.file);
        std::fs::write(&file, &figure.svg).map_err(|e| write_error(&file, e))?;
    }
    Ok(figures)
}

/// The folder beside a Markdown report `path` that holds its figures: its name (as the
/// report links it) and its path, `<stem>_figures`.
pub(crate) fn figures_dir(path: &Path) -> (String, std::path::PathBuf) {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("report");
    let name = format!("{stem}_figures");
    let dir = path.with_file_name(&name);
    (name, dir)
}

/// A runtime error for a file or folder that could not be written.
pub(crate) fn write_error(what: &Path, e: std::io::Error) -> CliError {
    CliError::runtime(format!("cannot write {}: {e}", what.display()))
}

/// Said before any result on a source's raw samples (the terminal and the documents), so that
/// failures there are read as what they are.
pub(crate) const RAW_NOTE: &str = "Raw samples: these are unconditioned samples, as the source \
     measures them. Raw noise is not uniform, so the SP 800-22 tests (which look for uniform, \
     independent bits) are expected to fail on it: failures here are not alarms. What raw \
     samples are worth is their SP 800-90B min-entropy; the conditioned output is what must \
     pass the battery (wellspring stream --bytes 125000 > out.bin; wellspring report --file \
     out.bin).";

/// The battery's outcome in one line: on raw samples "raw samples: 1 of 13 tests passed
/// (expected: raw noise is not uniform)"; on anything else (a file, such as conditioned
/// output) plain pass/fail naming the failed tests. Tests that did not run are counted apart.
pub(crate) fn battery_summary(report: &BatteryReport, raw: bool) -> String {
    let outcome = grade::Outcome::of(report);
    let passed = outcome.ran - outcome.failed;
    let not_run = report.tests.len() - outcome.ran;
    let mut line = match (raw, outcome.ran, outcome.failed) {
        (true, 0, _) => "raw samples: no test could run".to_owned(),
        (false, 0, _) => "no test could run".to_owned(),
        (true, ran, 0) => format!("raw samples: {passed} of {ran} tests passed"),
        (true, ran, _) => format!(
            "raw samples: {passed} of {ran} tests passed (expected: raw noise is not uniform)"
        ),
        (false, ran, 0) => format!("{passed} of {ran} tests passed"),
        (false, ran, _) => {
            let failed: Vec<&str> = report
                .tests
                .iter()
                .filter(|t| t.skipped.is_none() && !t.passed)
                .map(|t| t.name)
                .collect();
            format!(
                "{passed} of {ran} tests passed; failed: {}",
                failed.join(", ")
            )
        }
    };
    if not_run > 0 {
        line.push_str(&format!("; {not_run} did not run"));
    }
    line
}

/// The terminal table: one row per test with its p-value (or the smallest of several) and
/// result, plus the multi-stream result when there is one. On `raw` samples a failure is
/// written in lower case, as the expected outcome it is.
pub(crate) fn summary_table(
    report: &BatteryReport,
    streams: Option<&StreamsReport>,
    raw: bool,
) -> String {
    let fail = if raw { "fail" } else { "FAIL" };
    let rows: Vec<Vec<String>> = report
        .tests
        .iter()
        .map(|t| {
            let p = match t.p_values.as_slice() {
                [] => "-".to_string(),
                [p] => format_p(*p, 6),
                ps => format!(
                    "min {} of {}",
                    format_p(ps.iter().copied().fold(f64::INFINITY, f64::min), 6),
                    ps.len()
                ),
            };
            let result = match (&t.skipped, t.passed) {
                (Some(why), _) => format!("did not run: {why}"),
                (None, true) => "pass".into(),
                (None, false) => fail.into(),
            };
            let mut row = vec![t.name.to_string(), p, result];
            if let Some(s) = streams {
                // A test that ran on no stream neither passed nor failed.
                let passed = s
                    .tests
                    .iter()
                    .find(|st| st.name == t.name && st.skipped.is_none())
                    .map(|st| st.passed);
                row.push(match passed {
                    Some(true) => "pass".into(),
                    Some(false) => fail.into(),
                    None => "-".into(),
                });
            }
            row
        })
        .collect();
    let header: &[&str] = if streams.is_some() {
        &["test", "p-value", "result", "streams"]
    } else {
        &["test", "p-value", "result"]
    };
    table(header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wellspring_assess::sp800_22::{BatteryParams, run_battery};

    #[test]
    fn raw_failures_are_expected_and_other_failures_are_named() {
        // All ones: the frequency test fails; on 4,096 bits several tests do not run.
        let report = run_battery(&Bits::from_bytes(&[0xff; 512]), &BatteryParams::default());
        let o = grade::Outcome::of(&report);
        let not_run = report.tests.len() - o.ran;
        assert!(o.failed > 0 && not_run > 0, "{o:?}");
        let raw = battery_summary(&report, true);
        assert_eq!(
            raw,
            format!(
                "raw samples: {} of {} tests passed (expected: raw noise is not uniform); \
                 {not_run} did not run",
                o.ran - o.failed,
                o.ran
            )
        );
        let plain = battery_summary(&report, false);
        assert!(
            plain.starts_with(&format!(
                "{} of {} tests passed; failed: frequency",
                o.ran - o.failed,
                o.ran
            )),
            "{plain}"
        );
        assert!(!plain.contains("raw") && plain.ends_with(&format!("; {not_run} did not run")));
        assert!(summary_table(&report, None, true).contains(" fail"));
        assert!(!summary_table(&report, None, true).contains("FAIL"));
        assert!(summary_table(&report, None, false).contains("FAIL"));
        // Nothing runs on no bits.
        let tiny = run_battery(&Bits::from_bytes(&[]), &BatteryParams::default());
        assert!(battery_summary(&tiny, true).starts_with("raw samples: no test could run"));
    }
}
