//! `wellspring report`: the NIST SP 800-22 battery on a file or on a source's raw samples,
//! as a summary on the terminal, the `report --json` contract of DESIGN.md, and a Markdown
//! report with SVG figures (`--output`). `--streams K` adds sts's multi-stream analysis.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use wellspring_assess::sp800_22::{
    BatteryParams, BatteryReport, Bits, StreamsReport, run_battery, run_streams,
};

use crate::args::{InputFormat, ReportArgs};
use crate::error::{CliError, CliResult};
use crate::output::{print_json, table};
use crate::report::{markdown, plots};

/// Bits tested from a source when `--samples` is not given (sts's usual 10^6).
const DEFAULT_SOURCE_BITS: u64 = 1_000_000;
/// Largest input read into memory (8 Gbit): beyond it, test a prefix with `--samples`.
const MAX_INPUT_BYTES: u64 = 1 << 30;

/// The JSON document: the contract's fields, plus `streams` with `--streams K` > 1.
#[derive(Serialize)]
struct ReportJson<'a> {
    #[serde(flatten)]
    battery: &'a BatteryReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    streams: Option<&'a StreamsReport>,
}

pub(crate) fn run(args: ReportArgs) -> CliResult {
    let mut params = BatteryParams::default();
    for assignment in &args.set {
        params
            .set_assignment(assignment)
            .map_err(|e| CliError::usage(format!("--set {assignment}: {e}")))?;
    }
    let spinner = crate::progress::spinner("reading input");
    let (bits, input) = match (&args.file, &args.source) {
        (Some(path), _) => (
            read_file(path, args.input_format, args.samples)?,
            describe_file(path, args.input_format),
        ),
        (None, Some(name)) => {
            let n = args.samples.unwrap_or(DEFAULT_SOURCE_BITS);
            if let Some(bar) = &spinner {
                bar.set_message(format!("collecting {n} bits from {name}"));
            }
            (
                collect(name, n)?,
                format!("source `{name}` (raw samples, unconditioned)"),
            )
        }
        (None, None) => return Err(CliError::usage("give --file PATH or --source NAME")),
    };
    if bits.is_empty() {
        return Err(CliError::usage("the input holds no bits"));
    }
    if let Some(bar) = &spinner {
        bar.set_message(format!("running 15 tests on {} bits", bits.len()));
    }
    let report = run_battery(&bits, &params);
    let streams = if args.streams > 1 {
        if let Some(bar) = &spinner {
            bar.set_message(format!(
                "running 15 tests on each of {} streams",
                args.streams
            ));
        }
        Some(
            run_streams(&bits, args.streams as usize, &params)
                .map_err(|e| CliError::usage(e.to_string()))?,
        )
    } else {
        None
    };
    if let Some(bar) = &spinner {
        bar.finish_and_clear();
    }
    if let Some(path) = &args.output {
        write_markdown(
            path,
            &bits,
            &report,
            streams.as_ref(),
            input,
            args.set.clone(),
        )?;
    }
    if args.json {
        return print_json(&ReportJson {
            battery: &report,
            streams: streams.as_ref(),
        });
    }
    print_summary(&report, streams.as_ref());
    if let Some(path) = &args.output {
        println!("report written to {}", path.display());
    }
    Ok(())
}

fn describe_file(path: &Path, format: InputFormat) -> String {
    let format = match format {
        InputFormat::Bytes => "bytes, MSB first",
        InputFormat::Ascii => "ASCII 0/1",
    };
    format!("file `{}` ({format})", path.display())
}

/// Reads the file (only the prefix needed for `samples` bits in byte mode) as bits.
fn read_file(path: &Path, format: InputFormat, samples: Option<u64>) -> Result<Bits, CliError> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let limit = match (format, samples) {
        (InputFormat::Bytes, Some(n)) => n.div_ceil(8).min(MAX_INPUT_BYTES),
        _ => MAX_INPUT_BYTES,
    };
    let mut data = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    if data.len() as u64 > limit && limit == MAX_INPUT_BYTES {
        return Err(CliError::usage(format!(
            "{} is larger than {MAX_INPUT_BYTES} bytes; test a prefix with --samples BITS",
            path.display()
        )));
    }
    data.truncate(limit as usize);
    let bits = match format {
        InputFormat::Bytes => Bits::from_bytes(&data),
        InputFormat::Ascii => Bits::from_ascii(&data),
    };
    take_prefix(bits, samples)
}

/// The first `samples` bits, or all of them; fewer bits than asked is a usage error.
fn take_prefix(bits: Bits, samples: Option<u64>) -> Result<Bits, CliError> {
    match samples {
        None => Ok(bits),
        Some(n) if n as usize <= bits.len() => Ok(bits.slice(0, n as usize)),
        Some(n) => Err(CliError::usage(format!(
            "--samples {n} asks for more bits than the input holds ({})",
            bits.len()
        ))),
    }
}

fn collect(name: &str, bits: u64) -> Result<Bits, CliError> {
    let samples = crate::camera::collect_from(name, bits.div_ceil(8) as usize)?;
    take_prefix(Bits::from_bytes(&samples), Some(bits))
}

fn write_markdown(
    path: &Path,
    bits: &Bits,
    report: &BatteryReport,
    streams: Option<&StreamsReport>,
    input: String,
    overrides: Vec<String>,
) -> CliResult {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("report");
    let dir_name = format!("{stem}_figures");
    let dir: PathBuf = path.with_file_name(&dir_name);
    let io = |what: &Path, e: std::io::Error| {
        CliError::runtime(format!("cannot write {}: {e}", what.display()))
    };
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let figures = plots::figures(bits, report);
    for figure in &figures {
        let file = dir.join(figure.file);
        std::fs::write(&file, &figure.svg).map_err(|e| io(&file, e))?;
    }
    let provenance = markdown::Provenance { input, overrides };
    let text = markdown::render(report, streams, &figures, &dir_name, &provenance);
    std::fs::write(path, text).map_err(|e| io(path, e))
}

fn print_summary(report: &BatteryReport, streams: Option<&StreamsReport>) {
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
            let stream_result = streams
                .and_then(|s| s.tests.iter().find(|st| st.name == t.name))
                .map(|st| {
                    if st.passed {
                        "pass".to_string()
                    } else {
                        "FAIL".to_string()
                    }
                });
            let mut row = vec![t.name.to_string(), p, result];
            if let Some(r) = stream_result {
                row.push(r);
            }
            row
        })
        .collect();
    println!("SP 800-22 on {} bits (alpha {})", report.bits, report.alpha);
    let header: &[&str] = if streams.is_some() {
        &["test", "p-value", "result", "streams"]
    } else {
        &["test", "p-value", "result"]
    };
    print!("{}", table(header, &rows));
}
