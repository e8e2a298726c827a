//! `wellspring analyze`: the noise analysis of a recorded session (`analyze SESSION_DIR`),
//! of a raw sample file (`--file F`), or of sources collected now (`--sources F --samples N`):
//! per source the statistics of `wellspring_assess::noise::analysis` and a verdict, and for
//! a session the cross-correlation of every pair of sources on a common clock. Printed as a
//! table, or as one JSON document (`--json`, the shape in shared/DESIGN.md).

use std::path::Path;

use serde::Serialize;
use wellspring_assess::noise::analysis::{AnalyzeOptions, SourceAnalysis, analyze};
use wellspring_assess::noise::cross::strongest;

use crate::args::AnalyzeArgs;
use crate::error::{CliError, CliResult};

/// Most samples read from one file or source (the estimators' memory grows with it).
const MAX_SAMPLES: u64 = 20_000_000;
/// Time bins for cross-correlation, and the lags (in bins) searched either way.
const CROSS_BINS: usize = 2048;
const CROSS_LAGS: usize = 8;

#[derive(Serialize)]
struct Pair {
    a: String,
    b: String,
    r: f64,
    /// In bins of `bin_seconds`.
    lag: i64,
    bin_seconds: f64,
    /// |r| beyond what 2L + 1 lags of independent series give one time in a thousand.
    significant: bool,
}

#[derive(Serialize)]
struct Document {
    sources: Vec<SourceAnalysis>,
    cross_correlation: Vec<Pair>,
}

pub(crate) fn run(args: AnalyzeArgs) -> CliResult {
    let opts = AnalyzeOptions {
        bits_per_sample: args.bits_per_sample,
        windows: usize::from(args.windows),
        iid: args.iid,
        ..AnalyzeOptions::default()
    };
    let document = match (&args.session, &args.file, &args.sources) {
        (Some(dir), None, None) => session(dir, &opts)?,
        (None, Some(file), None) => {
            let name = file
                .file_stem()
                .map_or("file".to_owned(), |s| s.to_string_lossy().into_owned());
            let samples = read_samples(file)?;
            Document {
                sources: vec![one(&name, &samples, &opts)?],
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
                sources.push(one(source.name(), &samples, &opts)?);
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
    if args.json {
        return crate::output::print_json(&document);
    }
    println!(
        "{:<22} {:>10} {:>7} {:>11} {:>9} {:>6}  {:<8} reason",
        "source", "samples", "h", "ljung-box p", "runs p", "drift", "verdict"
    );
    for s in &document.sources {
        println!(
            "{:<22} {:>10} {:>7.3} {:>11.2e} {:>9.2e} {:>6}  {:<8} {}",
            s.name,
            s.samples,
            s.h_assessed,
            s.autocorrelation.ljung_box_p,
            s.runs_p,
            s.stationarity
                .as_ref()
                .map_or("–", |st| if st.drift { "yes" } else { "no" }),
            s.verdict,
            s.reasons.first().map_or("", String::as_str)
        );
    }
    for p in &document.cross_correlation {
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

fn one(name: &str, samples: &[u8], opts: &AnalyzeOptions) -> CliResult<SourceAnalysis> {
    if samples.len() < 1024 {
        return Err(CliError::usage(format!(
            "{name}: {} samples are too few to analyse (at least 1,024)",
            samples.len()
        )));
    }
    analyze(name, samples, opts).map_err(|e| CliError::usage(format!("{name}: {e}")))
}

fn read_samples(path: &Path) -> CliResult<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut data = Vec::new();
    file.take(MAX_SAMPLES)
        .read_to_end(&mut data)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(data)
}

fn session(dir: &Path, opts: &AnalyzeOptions) -> CliResult<Document> {
    let session =
        wellspring_session::list::open(dir).map_err(|e| CliError::usage(e.to_string()))?;
    let names: Vec<String> = session
        .manifest
        .sources
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let mut sources = Vec::new();
    for name in &names {
        let samples = read_samples(&wellspring_session::format::raw_path(dir, name))?;
        sources.push(one(name, &samples, opts)?);
    }
    let mut cross_correlation = Vec::new();
    if names.len() >= 2
        && let Some((series, bin_seconds)) =
            wellspring_session::align::binned(dir, &names, CROSS_BINS)
                .map_err(|e| CliError::runtime(format!("cannot read {}: {e}", dir.display())))?
    {
        // Bonferroni over the 2L + 1 lags of one pair at α = 0.001, r ~ N(0, 1/m).
        let z = 3.29 + 0.5 * ((2 * CROSS_LAGS + 1) as f64).ln();
        for i in 0..names.len() {
            for j in i + 1..names.len() {
                let (r, lag) = strongest(&series[i], &series[j], CROSS_LAGS);
                cross_correlation.push(Pair {
                    a: names[i].clone(),
                    b: names[j].clone(),
                    r,
                    lag,
                    bin_seconds,
                    significant: r.abs() > z / (CROSS_BINS as f64).sqrt(),
                });
            }
        }
        cross_correlation.sort_by(|x, y| y.r.abs().total_cmp(&x.r.abs()));
    }
    Ok(Document {
        sources,
        cross_correlation,
    })
}
