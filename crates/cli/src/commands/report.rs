//! `wellspring report`: the NIST SP 800-22 battery on a file or on a source's raw samples,
//! as a summary on the terminal, the `report --json` contract of docs/JSON.md, and a report with
//! SVG figures (`--output`: self-contained `.html`, or `.md` with its figures in
//! `NAME_figures/`). `--streams K` adds sts's multi-stream analysis. With neither `--source`
//! nor `--file` it runs over the default sources, each graded (`crate::report::sources`).
//! Raw samples are not uniform bits, so failures on them are presented as expected; a file
//! (conditioned output, say) is plain pass/fail.

use std::io::Read;
use std::path::Path;

use wellspring_assess::sp800_22::{BatteryParams, Bits, run_battery, run_streams};

use crate::args::{InputFormat, ReportArgs};
use crate::error::{CliError, CliResult};
use crate::output::print_json;
use crate::report::battery_doc::{self, Part, Provenance};
use crate::report::document::Kind;
use crate::report::sources::{self, DEFAULT_SAMPLES, Plan};
use crate::report::{RAW_NOTE, ReportJson, battery_summary, summary_table};

/// Largest input read into memory (8 Gbit): beyond it, test a prefix with `--bits`.
const MAX_INPUT_BYTES: u64 = 1 << 30;

pub(crate) fn run(args: ReportArgs) -> CliResult {
    // Refuse a report name of no known format before any collecting or testing.
    if let Some(path) = &args.output {
        Kind::of(path)?;
    }
    let mut params = BatteryParams::default();
    for assignment in &args.set {
        params
            .set_assignment(assignment)
            .map_err(|e| CliError::usage(format!("--set {assignment}: {e}")))?;
    }
    if args.file.is_some() && args.samples.is_some() {
        return Err(CliError::usage(
            "--samples counts a source's samples; give --bits N for the first N bits of a file",
        ));
    }
    // Samples to collect from a source and bits to test of them: --samples N is 8 × N bits,
    // --bits N takes ⌈N/8⌉ samples and tests N bits.
    let (samples, source_bits) = match (args.samples, args.bits) {
        (Some(n), _) => (n, 8 * n),
        (None, Some(b)) => (b.div_ceil(8), b),
        (None, None) => (DEFAULT_SAMPLES, 8 * DEFAULT_SAMPLES),
    };
    if args.file.is_none() && args.source.is_none() {
        return sources::run(&Plan {
            samples,
            bits: source_bits,
            params: &params,
            streams: args.streams as usize,
            overrides: &args.set,
            output: args.output.as_deref(),
            json: args.json,
        });
    }
    let spinner = crate::progress::spinner("reading input");
    let (bits, input) = match (&args.file, &args.source) {
        (Some(path), _) => (
            read_file(path, args.input_format, args.bits)?,
            describe_file(path, args.input_format),
        ),
        (None, name) => {
            let name = name.as_deref().unwrap_or_default();
            if let Some(bar) = &spinner {
                bar.set_message(format!("collecting {samples} samples from {name}"));
            }
            (
                collect(name, samples, source_bits)?,
                format!("source `{name}` (raw samples, unconditioned), {samples} samples"),
            )
        }
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
    // A source's samples are raw; a file's bits may be anything (conditioned output, say).
    let raw = args.file.is_none();
    if let Some(path) = &args.output {
        let provenance = Provenance {
            input,
            overrides: args.set.clone(),
            raw,
        };
        battery_doc::write_one(
            path,
            &Part {
                bits: &bits,
                report: &report,
                streams: streams.as_ref(),
                provenance: &provenance,
            },
        )?;
    }
    if args.json {
        return print_json(&ReportJson {
            battery: &report,
            streams: streams.as_ref(),
        });
    }
    if raw {
        println!("{RAW_NOTE}\n");
    }
    println!("SP 800-22 on {} bits (alpha {})", report.bits, report.alpha);
    println!("{}", battery_summary(&report, raw));
    print!("{}", summary_table(&report, streams.as_ref(), raw));
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

/// Reads the file (only the prefix needed for `bits` bits in byte mode) as bits.
fn read_file(path: &Path, format: InputFormat, bits: Option<u64>) -> Result<Bits, CliError> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let limit = match (format, bits) {
        (InputFormat::Bytes, Some(n)) => n.div_ceil(8).min(MAX_INPUT_BYTES),
        _ => MAX_INPUT_BYTES,
    };
    let mut data = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    if data.len() as u64 > limit && limit == MAX_INPUT_BYTES {
        return Err(CliError::usage(format!(
            "{} is larger than {MAX_INPUT_BYTES} bytes; test a prefix with --bits N",
            path.display()
        )));
    }
    data.truncate(limit as usize);
    let all = match format {
        InputFormat::Bytes => Bits::from_bytes(&data),
        InputFormat::Ascii => Bits::from_ascii(&data),
    };
    take_prefix(all, bits)
}

/// The first `n` bits, or all of them; fewer bits than asked is a usage error.
fn take_prefix(bits: Bits, n: Option<u64>) -> Result<Bits, CliError> {
    match n {
        None => Ok(bits),
        Some(n) if n as usize <= bits.len() => Ok(bits.slice(0, n as usize)),
        Some(n) => Err(CliError::usage(format!(
            "--bits {n} asks for more bits than the input holds ({})",
            bits.len()
        ))),
    }
}

/// `samples` raw samples of the source `name`, as bits MSB first, cut to `bits`.
fn collect(name: &str, samples: u64, bits: u64) -> Result<Bits, CliError> {
    let samples = crate::camera::collect_from(name, samples as usize)?;
    take_prefix(Bits::from_bytes(&samples), Some(bits))
}
