//! `wellspring analyze`: the noise analysis of a recorded session (`analyze SESSION_DIR`),
//! of a raw sample file (`--file F`), or of sources collected now (`--sources F --samples N`):
//! per source the statistics of `wellspring_assess::noise::analysis` and a verdict, and for
//! a session the cross-correlation of every pair of sources on a common clock. Printed as a
//! table, or as one JSON document (`--json`, the shape in docs/ANALYSIS.md).

use wellspring_assess::noise::analysis::AnalyzeOptions;
use wellspring_assess::noise::format_p;
use wellspring_session::analysis::{
    AnalyzeError, Document, analyze_one, analyze_session, read_samples,
};

use crate::args::AnalyzeArgs;
use crate::error::{CliError, CliResult};
use crate::report::document::{self, Kind};

fn usage(e: AnalyzeError) -> CliError {
    CliError::usage(e.to_string())
}

pub(crate) fn run(args: AnalyzeArgs) -> CliResult {
    // Refuse a bad report name before minutes of work.
    if let Some(path) = &args.output {
        Kind::of(path)?;
    }
    // Samples collected live are kept for the report's figures.
    let mut live: Vec<(String, Vec<u8>)> = Vec::new();
    let opts = AnalyzeOptions {
        bits_per_sample: args.bits_per_sample,
        windows: usize::from(args.windows),
        iid: args.iid,
        ..AnalyzeOptions::default()
    };
    let document = match (&args.session, &args.file, &args.sources) {
        (Some(dir), None, None) => analyze_session(dir, &opts).map_err(usage)?,
        (None, Some(file), None) => {
            let name = file
                .file_stem()
                .map_or("file".to_owned(), |s| s.to_string_lossy().into_owned());
            let samples = read_samples(file).map_err(usage)?;
            Document {
                sources: vec![analyze_one(&name, &samples, &opts).map_err(usage)?],
                cross_correlation: Vec::new(),
            }
        }
        (None, None, Some(filter)) => {
            let n = args.samples.ok_or_else(|| {
                CliError::usage("--sources needs --samples N (samples per source)")
            })?;
            let mut sources = Vec::new();
            for source in crate::camera::registry()?.select(Some(filter))? {
                let samples = crate::camera::collect_from(source.name(), n as usize)?;
                sources.push(analyze_one(source.name(), &samples, &opts).map_err(usage)?);
                if args.output.is_some() {
                    live.push((source.name().to_owned(), samples));
                }
            }
            Document {
                sources,
                cross_correlation: Vec::new(),
            }
        }
        _ => {
            return Err(CliError::usage(
                "analyze one thing: a SESSION_DIR, --file F, or --sources FILTER --samples N",
            ));
        }
    };
    if let Some(path) = &args.output {
        let samples_of = |name: &str| -> Option<Vec<u8>> {
            if let Some(dir) = &args.session {
                return read_samples(&wellspring_session::format::raw_path(dir, name)).ok();
            }
            if let Some(file) = &args.file {
                return read_samples(file).ok();
            }
            live.iter().find(|(n, _)| n == name).map(|(_, s)| s.clone())
        };
        let sections = crate::report::noise::analyze_sections(&document, &samples_of);
        document::write(path, "wellspring analyze", &sections)?;
        eprintln!("report written to {}", path.display());
    }
    if args.json {
        return crate::output::print_json(&document);
    }
    println!(
        "{:<22} {:>10} {:>7} {:>11} {:>9} {:>6}  {:<8} reason",
        "source", "samples", "h", "ljung-box p", "runs p", "drift", "verdict"
    );
    for s in &document.sources {
        println!(
            "{:<22} {:>10} {:>7.3} {:>11} {:>9} {:>6}  {:<8} {}",
            s.name,
            s.samples,
            s.h_assessed,
            format_p(s.autocorrelation.ljung_box_p, 4),
            format_p(s.runs_p, 4),
            s.stationarity
                .as_ref()
                .map_or("–", |st| if st.drift { "yes" } else { "no" }),
            s.verdict,
            s.reasons.first().map_or("", String::as_str)
        );
    }
    // The strongest five pairs, and any other significant one (all of them with --json).
    for (i, p) in document.cross_correlation.iter().enumerate() {
        if i >= 5 && !p.significant {
            continue;
        }
        println!(
            "cross-correlation {} × {}: r = {:.3} at lag {} ({:.3} ms bins){}",
            p.a,
            p.b,
            p.r,
            p.lag,
            p.bin_seconds * 1e3,
            if p.significant { "  significant" } else { "" }
        );
    }
    Ok(())
}
