//! `wellspring report` with neither `--source` nor `--file`: every default fast source is
//! collected, run through the SP 800-22 battery and assessed with SP 800-90B on the same
//! samples, and graded (`grade`). One worker per core takes the sources in turn, so each
//! source collects beside at most one other busy thread per core; the output keeps the
//! registry's order.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;
use wellspring_assess::sp800_22::{
    BatteryParams, BatteryReport, Bits, StreamsReport, run_battery, run_streams,
};
use wellspring_core::EntropySource;
use wellspring_core::collect::ParallelCollector;

use super::battery_doc::{self, Part, Provenance, SourcePart};
use super::grade::{Outcome, RULE, grade};
use super::{RAW_NOTE, ReportJson, battery_summary, summary_table};
use crate::error::{CliError, CliResult};
use crate::output::{print_json, table};

/// Samples per source when neither `--samples` nor `--bits` is given: 10^6 bits, sts's usual
/// length, and 125,000 samples for SP 800-90B (more than the engine's 65,536).
pub(crate) const DEFAULT_SAMPLES: u64 = 125_000;

/// What the run over the sources is asked to do.
pub(crate) struct Plan<'a> {
    /// Samples collected from each source.
    pub(crate) samples: u64,
    /// Bits tested: the first `bits` of the samples (at most 8 × samples).
    pub(crate) bits: u64,
    pub(crate) params: &'a BatteryParams,
    /// `--streams K`; 1 for none.
    pub(crate) streams: usize,
    pub(crate) overrides: &'a [String],
    pub(crate) output: Option<&'a Path>,
    pub(crate) json: bool,
}

/// One source's results.
struct Graded {
    name: &'static str,
    grade: &'static str,
    h_assessed: Option<f64>,
    outcome: Outcome,
    bits: Bits,
    battery: BatteryReport,
    streams: Option<StreamsReport>,
    /// Wall-clock seconds: collecting, and assessing plus the battery.
    collect_seconds: f64,
    test_seconds: f64,
}

#[derive(Serialize)]
struct SourceJson<'a> {
    name: &'a str,
    grade: &'a str,
    h_assessed: Option<f64>,
    report: ReportJson<'a>,
}

#[derive(Serialize)]
struct FailedJson<'a> {
    name: &'a str,
    error: &'a str,
}

/// `{"sources": [...]}` as docs/JSON.md gives it, plus `failed` when a source could not be
/// collected.
#[derive(Serialize)]
struct SourcesJson<'a> {
    sources: Vec<SourceJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    failed: Vec<FailedJson<'a>>,
}

pub(crate) fn run(plan: &Plan) -> CliResult {
    if plan.streams > 1 && plan.bits < plan.streams as u64 {
        return Err(CliError::usage(format!(
            "--streams {} needs at least that many bits per source ({} given)",
            plan.streams, plan.bits
        )));
    }
    let sources = crate::camera::registry()?.select(None)?;
    let results = evaluate_all(&sources, plan);
    let mut graded = Vec::new();
    let mut failed = Vec::new();
    for (source, result) in sources.iter().zip(results) {
        match result {
            Ok(g) => graded.push(g),
            Err(e) => failed.push((source.name(), e)),
        }
    }
    if graded.is_empty() {
        let why: Vec<String> = failed.iter().map(|(n, e)| format!("{n}: {e}")).collect();
        return Err(CliError::runtime(format!(
            "no source could be tested ({})",
            why.join("; ")
        )));
    }
    if let Some(path) = plan.output {
        write_document(path, &graded, &failed, plan)?;
    }
    if plan.json {
        return print_json(&SourcesJson {
            sources: graded
                .iter()
                .map(|g| SourceJson {
                    name: g.name,
                    grade: g.grade,
                    h_assessed: g.h_assessed,
                    report: ReportJson {
                        battery: &g.battery,
                        streams: g.streams.as_ref(),
                    },
                })
                .collect(),
            failed: failed
                .iter()
                .map(|(name, error)| FailedJson { name, error })
                .collect(),
        });
    }
    print_text(&graded, &failed);
    if let Some(path) = plan.output {
        println!("report written to {}", path.display());
    }
    Ok(())
}

/// Runs every source on `available_parallelism` workers; results in the sources' order.
fn evaluate_all(sources: &[Arc<dyn EntropySource>], plan: &Plan) -> Vec<Result<Graded, String>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(sources.len())
        .max(1);
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(sources.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} testing {pos}/{len} sources {wide_bar} {elapsed} {msg}",
            )
            .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Graded, String>>>> =
        Mutex::new((0..sources.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = sources.get(i) else { break };
                    if let Some(bar) = &bar {
                        bar.set_message(source.name());
                    }
                    let result = evaluate(source, plan);
                    results.lock().expect("no worker panics")[i] = Some(result);
                    if let Some(bar) = &bar {
                        bar.inc(1);
                    }
                }
            });
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    results
        .into_inner()
        .expect("no worker panics")
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not run".into())))
        .collect()
}

/// Collects one source's samples (with a deadline), assesses them and runs the battery.
fn evaluate(source: &Arc<dyn EntropySource>, plan: &Plan) -> Result<Graded, String> {
    let n = plan.samples as usize;
    // Generous: the slowest default source (sleep_jitter) takes about 85 µs per sample.
    let timeout = Duration::from_secs(60) + Duration::from_micros(500).saturating_mul(n as u32);
    let collected = ParallelCollector::new(vec![Arc::clone(source)], timeout)
        .collect(n)
        .pop()
        .ok_or("nothing collected")?;
    let samples = collected.outcome?;
    if samples.len() < n {
        return Err(format!("collected {} of {n} samples", samples.len()));
    }
    let t0 = std::time::Instant::now();
    let mut bits = Bits::from_bytes(&samples);
    if (plan.bits as usize) < bits.len() {
        bits = bits.slice(0, plan.bits as usize);
    }
    // A constant source assesses to -0.0; report it as 0.
    let h_assessed =
        wellspring_core::engine::default_assessor(&samples).map(|h| if h == 0.0 { 0.0 } else { h });
    let battery = run_battery(&bits, plan.params);
    let streams = if plan.streams > 1 {
        Some(run_streams(&bits, plan.streams, plan.params).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let outcome = Outcome::of(&battery);
    Ok(Graded {
        name: source.name(),
        grade: grade(h_assessed, outcome, battery.alpha),
        h_assessed,
        outcome,
        bits,
        battery,
        streams,
        collect_seconds: collected.seconds,
        test_seconds: t0.elapsed().as_secs_f64(),
    })
}

fn h_text(h: Option<f64>) -> String {
    h.map_or_else(|| "not assessed".into(), |h| format!("{h:.3}"))
}

fn print_text(graded: &[Graded], failed: &[(&str, String)]) {
    // Every source here is tested on its raw samples: say first what failures mean there.
    println!("{RAW_NOTE}\n");
    for g in graded {
        println!(
            "== {}: grade {} (h {} bits per sample) ==",
            g.name,
            g.grade,
            h_text(g.h_assessed)
        );
        println!("{}", battery_summary(&g.battery, true));
        println!(
            "SP 800-22 on {} bits (alpha {})",
            g.battery.bits, g.battery.alpha
        );
        print!("{}", summary_table(&g.battery, g.streams.as_ref(), true));
        println!();
    }
    let rows: Vec<Vec<String>> = graded
        .iter()
        .map(|g| {
            vec![
                g.name.to_string(),
                g.grade.to_string(),
                h_text(g.h_assessed),
                format!("{}/{}", g.outcome.ran - g.outcome.failed, g.outcome.ran),
                format!("{:.1}", g.collect_seconds),
                format!("{:.1}", g.test_seconds),
            ]
        })
        .collect();
    println!("== summary ==");
    print!(
        "{}",
        table(
            &["source", "grade", "h", "passed", "collect s", "test s"],
            &rows
        )
    );
    for (name, error) in failed {
        println!("not tested: {name}: {error}");
    }
    println!("\n{RULE}");
}

/// The document (`.html`, or `.md` with each source's figures in `<stem>_figures/<source>/`).
fn write_document(
    path: &Path,
    graded: &[Graded],
    failed: &[(&str, String)],
    plan: &Plan,
) -> CliResult {
    let provenances: Vec<Provenance> = graded
        .iter()
        .map(|g| Provenance {
            input: format!(
                "source `{}` (raw samples, unconditioned), {} samples",
                g.name, plan.samples
            ),
            overrides: plan.overrides.to_vec(),
            raw: true,
        })
        .collect();
    let parts: Vec<SourcePart> = graded
        .iter()
        .zip(&provenances)
        .map(|(g, provenance)| SourcePart {
            name: g.name,
            grade: g.grade,
            h: g.h_assessed,
            part: Part {
                bits: &g.bits,
                report: &g.battery,
                streams: g.streams.as_ref(),
                provenance,
            },
        })
        .collect();
    battery_doc::write_sources(path, &parts, failed, RULE)
}
