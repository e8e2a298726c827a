//! Measures the full-entropy (`sha256`) output rate and what each source contributed to it:
//! `cargo run --release -p wellspring-core --example full_entropy_rate -- [BYTES] [STORE] [CORES]`.
//! BYTES defaults to 1 MiB; STORE is an assessment-store path (see `AssessmentStore`), or
//! `off` (or omitted) to assess every source at start-up; CORES is the harvesters' CPU
//! budget (default 1, as `--cpu-budget`).

use std::io::Write;
use std::time::Instant;

use wellspring_core::engine::{AssessmentStore, Engine, EngineConfig};
use wellspring_core::registry::Registry;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let bytes: usize = args.get(1).map_or(Ok(1 << 20), |a| a.parse())?;
    let mut config = EngineConfig::new(Registry::builtin().select(None)?);
    config.assessment_store = args
        .get(2)
        .filter(|p| *p != "off")
        .map(|p| AssessmentStore::new(p, AssessmentStore::DEFAULT_MAX_AGE));
    if let Some(cores) = args.get(3) {
        config.cpu_budget = cores.parse()?;
    }
    let engine = Engine::start(config)?;
    let start = Instant::now();
    let mut out = vec![0u8; 1 << 16];
    let mut done = 0;
    while done < bytes {
        let n = (bytes - done).min(out.len());
        engine.fill_full_entropy(&mut out[..n])?;
        done += n;
    }
    let seconds = start.elapsed().as_secs_f64();
    let status = engine.status();
    // A closed stdout (`| head`) is an error returned, not a panic.
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{bytes} bytes of full entropy in {seconds:.2} s: {:.1} KB/s; harvest CPU {:.2} cores",
        bytes as f64 / seconds / 1e3,
        status.harvest_cpu_cores
    )?;
    let mut sources = status.sources;
    sources.sort_by(|a, b| b.credited_bits.total_cmp(&a.credited_bits));
    writeln!(
        stdout,
        "{:<22} {:>8} {:>9} {:>11} {:>12} {:>8} {:>14} {:>11}",
        "source", "h", "origin", "samples", "credit b/s", "cpu s", "credit b/cpu-ms", "quarantines"
    )?;
    for s in sources {
        writeln!(
            stdout,
            "{:<22} {:>8.3} {:>9} {:>11} {:>12.0} {:>8.3} {:>14.1} {:>11}",
            s.name,
            s.min_entropy.unwrap_or(0.0),
            s.assessment
                .map_or("-".to_owned(), |o| format!("{o:?}").to_lowercase()),
            s.samples,
            s.credited_bits_per_second,
            s.harvest_cpu_seconds,
            s.credited_bits / (s.harvest_cpu_seconds * 1e3).max(1e-9),
            s.quarantine_events,
        )?;
    }
    Ok(())
}
