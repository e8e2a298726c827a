//! `wellspring bench`: rank sources by measured quality and speed, and report which sources'
//! sample streams are correlated (sources sharing a clock are not independent).

use std::io::IsTerminal;
use std::time::Duration;

use serde::Serialize;
use wellspring_assess::summary::pearson;
use wellspring_core::collect::ParallelCollector;
use wellspring_core::engine::REASSESS_SAMPLES;
use wellspring_core::health::FailedTest;
use wellspring_core::{EntropySource, SourceCategory, SpeedClass};

use crate::args::BenchArgs;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, table};

#[derive(Serialize)]
struct Ranked {
    name: &'static str,
    category: SourceCategory,
    samples_per_second: f64,
    shannon: f64,
    min_entropy: f64,
    grade: &'static str,
    healthy: bool,
    /// Why not healthy: the failed test, its count and cutoff, or "too weak".
    #[serde(skip_serializing_if = "Option::is_none")]
    health_failure: Option<String>,
    /// The test that failed first, in numbers (`{"test": "rct"|"apt", "observed", "cutoff",
    /// "window", "persistent"}`); `null` when healthy or too weak to test.
    failed_test: Option<FailedTest>,
    /// A table cell: `ok`, or `FAILED (…)` in a few words.
    #[serde(skip)]
    health_cell: String,
    samples: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
}

#[derive(Serialize)]
struct Correlation {
    a: &'static str,
    b: &'static str,
    r: f64,
}

#[derive(Serialize)]
struct BenchReport {
    sources: Vec<Ranked>,
    /// The most correlated pairs, strongest first.
    correlations: Vec<Correlation>,
}

/// Samples per source: the default bench takes about a second in all.
fn samples_for(source: &dyn EntropySource, requested: Option<u64>) -> usize {
    requested.map_or_else(
        || match source.info().speed {
            SpeedClass::Fast => 20_000,
            SpeedClass::Slow => 2_000,
        },
        |n| n as usize,
    )
}

pub(crate) fn run(args: BenchArgs) -> CliResult {
    let sources = crate::camera::registry()?.select(args.sources.as_deref())?;
    let progress = (std::io::stderr().is_terminal() && !args.json).then(|| {
        let bar = indicatif::ProgressBar::new(sources.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} benchmarking {pos}/{len} sources {wide_bar} {elapsed}",
            )
            .expect("valid template"),
        );
        bar
    });
    // Collect all sources at once, so their streams overlap in time for the correlation.
    let collected: Vec<_> = {
        let mut by_size: Vec<(usize, Vec<_>)> = Vec::new();
        for source in &sources {
            let n = samples_for(source.as_ref(), args.samples);
            match by_size.iter_mut().find(|(size, _)| *size == n) {
                Some((_, group)) => group.push(source.clone()),
                None => by_size.push((n, vec![source.clone()])),
            }
        }
        let mut all = Vec::new();
        for (n, group) in by_size {
            let collector = ParallelCollector::new(group, Duration::from_secs(60));
            all.extend(collector.collect(n));
            if let Some(bar) = &progress {
                bar.set_position(all.len() as u64);
            }
        }
        all
    };
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let registry = crate::camera::registry()?;
    let mut kept = 0usize;
    let mut ranked: Vec<Ranked> = Vec::new();
    let mut streams: Vec<(&'static str, &[u8])> = Vec::new();
    for c in &collected {
        let info = registry.find(c.name).map(|s| *s.info());
        let category = info.map_or(SourceCategory::Novel, |i| i.category);
        let description = args.explain.then(|| info.map_or("", |i| i.physics));
        match &c.outcome {
            Ok(samples) => {
                let quality = crate::quality::measure(samples, c.seconds);
                kept += usize::from(keep_assessment(c.name, samples.len(), &quality));
                ranked.push(Ranked {
                    name: c.name,
                    category,
                    samples_per_second: quality.samples_per_second,
                    shannon: quality.shannon,
                    min_entropy: quality.min_entropy,
                    grade: quality.grade,
                    healthy: quality.healthy(),
                    health_failure: quality.health_failure(),
                    failed_test: quality.failed_test(),
                    health_cell: quality.health_cell(),
                    samples: samples.len(),
                    error: None,
                    description,
                });
                streams.push((c.name, samples));
            }
            Err(e) => ranked.push(Ranked {
                name: c.name,
                category,
                samples_per_second: 0.0,
                shannon: 0.0,
                min_entropy: 0.0,
                grade: "F",
                healthy: false,
                health_failure: None,
                failed_test: None,
                health_cell: String::new(),
                samples: 0,
                error: Some(e.clone()),
                description,
            }),
        }
    }
    // Best first: min-entropy per sample, then speed.
    ranked.sort_by(|a, b| {
        b.min_entropy
            .total_cmp(&a.min_entropy)
            .then(b.samples_per_second.total_cmp(&a.samples_per_second))
    });
    let mut correlations = Vec::new();
    for (i, (a, sa)) in streams.iter().enumerate() {
        for (b, sb) in &streams[i + 1..] {
            if let Some(r) = pearson(sa, sb) {
                correlations.push(Correlation { a, b, r });
            }
        }
    }
    correlations.sort_by(|x, y| y.r.abs().total_cmp(&x.r.abs()));
    correlations.truncate(10);
    let report = BenchReport {
        sources: ranked,
        correlations,
    };
    if args.json {
        return print_json(&report);
    }
    print_table(&report);
    if let (true, Some(store)) = (kept > 0, crate::engine::store()) {
        println!(
            "\nkept {kept} assessment(s) on {REASSESS_SAMPLES}+ samples in {} for the engine's start-up",
            store.path().display()
        );
    }
    if report.sources.iter().all(|s| s.error.is_some()) {
        return Err(CliError::runtime("no source delivered samples"));
    }
    Ok(())
}

/// A healthy assessment on at least as many samples as the engine's own is what the engine
/// would have measured: keep it for its next start-up. True when kept.
fn keep_assessment(name: &str, samples: usize, quality: &crate::quality::Quality) -> bool {
    let Some(store) = crate::engine::store() else {
        return false;
    };
    samples >= REASSESS_SAMPLES
        && quality.healthy()
        && quality.min_entropy > 0.0
        && store
            .save(name, quality.min_entropy, samples as u64)
            .is_ok()
}

fn print_table(report: &BenchReport) {
    let rows: Vec<Vec<String>> = report
        .sources
        .iter()
        .map(|s| {
            vec![
                s.name.to_owned(),
                s.category.to_string(),
                format!("{:.0}", s.samples_per_second),
                format!("{:.2}", s.shannon),
                format!("{:.2}", s.min_entropy),
                s.grade.to_owned(),
                match &s.error {
                    Some(e) => format!("error: {e}"),
                    None => s.health_cell.clone(),
                },
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "SOURCE",
                "CATEGORY",
                "SAMPLES/S",
                "SHANNON",
                "MIN-H",
                "GRADE",
                "HEALTH"
            ],
            &rows
        )
    );
    if let Some(top) = report.correlations.first() {
        println!(
            "\nlargest correlation: {} ~ {} (r = {:+.3})",
            top.a, top.b, top.r
        );
    }
    for s in report.sources.iter().filter(|s| s.description.is_some()) {
        println!("\n{}: {}", s.name, s.description.unwrap_or(""));
    }
}
