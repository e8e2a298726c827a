//! `wellspring pool`: start the engine, let it harvest briefly, and report credit, output
//! counters and each source's assessed entropy and health.

use std::time::Duration;

use wellspring_core::engine::{Engine, EngineStatus};

use crate::args::PoolArgs;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, table};

pub(crate) fn run(args: PoolArgs) -> CliResult {
    let sources = crate::camera::registry()?.select(args.sources.as_deref())?;
    let engine = Engine::start(crate::engine::config(sources)?).map_err(CliError::engine)?;
    let spinner = crate::progress::spinner(&format!("harvesting for {:.1} s", args.seconds));
    std::thread::sleep(Duration::from_secs_f64(args.seconds));
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let status = engine.status();
    if args.json {
        return print_json(&status);
    }
    print_table(&status);
    Ok(())
}

fn print_table(status: &EngineStatus) {
    let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
    let rows: Vec<Vec<String>> = status
        .sources
        .iter()
        .map(|s| {
            vec![
                s.name.to_owned(),
                s.family.clone(),
                s.samples.to_string(),
                fmt(s.min_entropy),
                match s.assessment {
                    Some(origin) if s.too_weak => format!("{} (too weak)", origin.as_str()),
                    Some(origin) => origin.as_str().to_owned(),
                    None => "-".to_owned(),
                },
                format!("{:.0}", s.credited_bits),
                format!("{:.0}", s.credited_bits_per_second),
                if s.quarantined {
                    format!("quarantined: {}", s.last_error.as_deref().unwrap_or(""))
                } else {
                    "ok".into()
                },
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "SOURCE",
                "FAMILY",
                "SAMPLES",
                "MIN-H",
                "MEASURED",
                "CREDIT BITS",
                "BITS/S",
                "HEALTH"
            ],
            &rows
        )
    );
    println!(
        "\n{} of {} sources healthy; {:.0} bits credited in {:.1} s; {} full-entropy blocks produced, {} ready, {} revoked",
        status.sources_healthy,
        status.sources_total,
        status.credited_bits,
        status.uptime_seconds,
        status.blocks_produced,
        status.blocks_available,
        status.blocks_revoked
    );
    println!(
        "diversity: {} (no family supplies more than {:.0}% of a block)",
        status.diversity,
        if status.diversity == "ok" {
            100.0 * status.max_family_share
        } else {
            100.0
        }
    );
}
