//! `wellspring pool`: one collection round and each source's state.

use serde::Serialize;
use wellspring_assess::summary::{mcv_min_entropy, shannon_entropy};
use wellspring_core::pool::{Conditioning, Pool, PoolConfig};
use wellspring_core::registry::Registry;

use crate::args::PoolArgs;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, table};

#[derive(Serialize)]
struct SourceState {
    name: &'static str,
    samples: usize,
    seconds: f64,
    shannon: Option<f64>,
    min_entropy: Option<f64>,
    healthy: bool,
    error: Option<String>,
}

#[derive(Serialize)]
struct PoolReport {
    conditioning: Conditioning,
    sources_total: usize,
    sources_healthy: usize,
    sources: Vec<SourceState>,
}

pub(crate) fn run(args: PoolArgs) -> CliResult {
    let sources = Registry::builtin().select(args.sources.as_deref())?;
    let mut pool = Pool::new(sources, Conditioning::Sha256, PoolConfig::default())
        .map_err(|e| CliError::runtime(e.to_string()))?;
    let states: Vec<SourceState> = pool
        .collect_round()
        .iter()
        .map(|c| match &c.outcome {
            Ok(samples) => SourceState {
                name: c.name,
                samples: samples.len(),
                seconds: c.seconds,
                shannon: Some(shannon_entropy(samples)),
                min_entropy: mcv_min_entropy(samples),
                healthy: true,
                error: None,
            },
            Err(e) => SourceState {
                name: c.name,
                samples: 0,
                seconds: c.seconds,
                shannon: None,
                min_entropy: None,
                healthy: false,
                error: Some(e.clone()),
            },
        })
        .collect();
    let report = PoolReport {
        conditioning: Conditioning::Sha256,
        sources_total: states.len(),
        sources_healthy: states.iter().filter(|s| s.healthy).count(),
        sources: states,
    };
    if args.json {
        return print_json(&report);
    }
    let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
    let rows: Vec<Vec<String>> = report
        .sources
        .iter()
        .map(|s| {
            vec![
                s.name.to_owned(),
                s.samples.to_string(),
                format!("{:.3}", s.seconds),
                fmt(s.shannon),
                fmt(s.min_entropy),
                s.error.clone().unwrap_or_else(|| "ok".into()),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["SOURCE", "SAMPLES", "SECONDS", "SHANNON", "MIN-H", "HEALTH"],
            &rows
        )
    );
    println!(
        "\n{} of {} sources healthy",
        report.sources_healthy, report.sources_total
    );
    Ok(())
}
