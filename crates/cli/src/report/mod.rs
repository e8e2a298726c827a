//! The pieces of `wellspring report` beyond the battery itself: the JSON document, the
//! terminal table, figures (SVG), the Markdown document, and the run over the default
//! sources with a grade for each (`sources`, `grade`).

pub(crate) mod document;
pub(crate) mod grade;
pub(crate) mod markdown;
pub(crate) mod noise;
pub(crate) mod plots;
pub(crate) mod sources;
pub(crate) mod svg;

use std::path::Path;

use serde::Serialize;
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

/// A runtime error for a file or folder that could not be written.
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

pub(crate) fn write_error(what: &Path, e: std::io::Error) -> CliError {
    CliError::runtime(format!("cannot write {}: {e}", what.display()))
}

/// The terminal table: one row per test with its p-value (or the smallest of several) and
/// result, plus the multi-stream result when there is one.
pub(crate) fn summary_table(report: &BatteryReport, streams: Option<&StreamsReport>) -> String {
    let rows: Vec<Vec<String>> = report
        .tests
        .iter()
        .map(|t| {
            let p = match t.p_values.as_slice() {
                [] => "-".to_string(),
                [p] => format!("{p:.6}"),
                ps => format!(
                    "min {:.6} of {}",
                    ps.iter().copied().fold(f64::INFINITY, f64::min),
                    ps.len()
                ),
            };
            let result = match (&t.skipped, t.passed) {
                (Some(why), _) => format!("skipped: {why}"),
                (None, true) => "pass".into(),
                (None, false) => "FAIL".into(),
            };
            let mut row = vec![t.name.to_string(), p, result];
            if let Some(s) = streams {
                let passed = s
                    .tests
                    .iter()
                    .find(|st| st.name == t.name)
                    .map(|st| st.passed);
                row.push(match passed {
                    Some(true) => "pass".into(),
                    Some(false) => "FAIL".into(),
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
