//! `wellspring probe <source>`: collect from one source and report quality, speed and health.

use std::time::Instant;

use serde::Serialize;
use wellspring_core::SourceCategory;
use wellspring_core::health::{FailedTest, HealthTests};

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
    health: Option<HealthTests>,
    /// Assessed below 0.05 bits per sample: too weak to test or credit.
    too_weak: bool,
    /// Why not healthy: the failed test, its count and cutoff, or "too weak".
    #[serde(skip_serializing_if = "Option::is_none")]
    health_failure: Option<String>,
    /// The test that failed first, in numbers (`{"test": "rct"|"apt", "observed", "cutoff",
    /// "window", "persistent"}`); `null` when healthy or too weak to test.
    failed_test: Option<FailedTest>,
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
    // Naming a source that cannot run here is a usage error, as for `--sources`.
    if let Some(reason) = source.availability().reason() {
        return Err(CliError::usage(format!(
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
        healthy: quality.healthy(),
        too_weak: quality.too_weak(),
        health_failure: quality.health_failure(),
        failed_test: quality.failed_test(),
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
        "min-entropy   {:.3} bits/sample (SP 800-90B non-IID assessment of all {} samples)",
        report.min_entropy, report.samples
    );
    println!("grade         {}", report.grade);
    match &report.health {
        Some(h) => {
            let first_half = report.samples / 2;
            println!(
                "health        {} on the second half ({} samples)",
                match &report.failed_test {
                    Some(failed) => format!("FAILED ({})", failed.brief()),
                    None => "ok".to_owned(),
                },
                h.samples
            );
            println!(
                "              cutoffs from h = {:.3}, the first half's own assessment ({first_half} \
                 samples),\n              \
                 made apart so that no sample is tested against cutoffs derived from itself;\n              \
                 it differs from the min-entropy above, which assesses all {} samples",
                h.h, report.samples
            );
            println!(
                "              RCT cutoff {}, longest run {}; APT cutoff {} in {}, max count {}",
                h.rct_cutoff, h.longest_run, h.apt_cutoff, h.apt_window, h.max_apt_count
            );
        }
        None => println!("health        too weak to credit (below 0.05 bits per sample)"),
    }
    if let (Some(why), Some(_)) = (&report.health_failure, &report.health) {
        println!("              {why}");
    }
    if let Some(physics) = report.description {
        println!("\n{physics}");
    }
    Ok(())
}
