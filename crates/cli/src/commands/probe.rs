//! `wellspring probe <source>`: collect from one source and report quality, speed and health.

use std::time::Instant;

use serde::Serialize;
use wellspring_core::SourceCategory;
use wellspring_core::health::HealthTests;

use crate::args::ProbeArgs;
use crate::error::{CliError, CliResult};
use crate::output::print_json;

#[derive(Serialize)]
struct ProbeReport {
    name: &'static str,
    category: SourceCategory,
    samples_per_second: f64,
    shannon: f64,
    min_entropy: f64,
    grade: &'static str,
    healthy: bool,
    samples: u64,
    seconds: f64,
    health: HealthTests,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
}

pub(crate) fn run(args: ProbeArgs) -> CliResult {
    let registry = crate::camera::registry()?;
    let source = registry.find(&args.source).ok_or_else(|| {
        CliError::usage(format!(
            "unknown source '{}' (run `wellspring scan` for the list)",
            args.source
        ))
    })?;
    if let Some(reason) = source.availability().reason() {
        return Err(CliError::runtime(format!(
            "source '{}' is not available here: {reason}",
            args.source
        )));
    }
    let start = Instant::now();
    let samples = source
        .collect(args.samples as usize)
        .map_err(|e| CliError::runtime(e.to_string()))?;
    let seconds = start.elapsed().as_secs_f64();
    let quality = crate::quality::measure(&samples, seconds);
    let info = source.info();
    let report = ProbeReport {
        name: info.name,
        category: info.category,
        samples_per_second: quality.samples_per_second,
        shannon: quality.shannon,
        min_entropy: quality.min_entropy,
        grade: quality.grade,
        healthy: quality.health.healthy(),
        samples: samples.len() as u64,
        seconds,
        health: quality.health,
        description: args.explain.then_some(info.physics),
    };
    if args.json {
        return print_json(&report);
    }
    println!("source        {} ({})", report.name, report.category);
    println!(
        "samples       {} in {:.3} s ({:.0}/s)",
        report.samples, report.seconds, report.samples_per_second
    );
    println!("shannon       {:.3} bits/byte", report.shannon);
    println!(
        "min-entropy   {:.3} bits/sample (most common value, SP 800-90B 6.3.1)",
        report.min_entropy
    );
    println!("grade         {}", report.grade);
    println!(
        "health        {} (RCT cutoff {}, longest run {}; APT cutoff {}/{}, max count {})",
        if report.healthy { "ok" } else { "FAILED" },
        report.health.rct_cutoff,
        report.health.longest_run,
        report.health.apt_cutoff,
        report.health.apt_window,
        report.health.max_apt_count
    );
    if let Some(physics) = report.description {
        println!("\n{physics}");
    }
    Ok(())
}
