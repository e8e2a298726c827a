//! How fast the engine's DRBG output is once seeded, and what its reseeds cost:
//! `cargo run --release -p wellspring-core --example drbg_rate -- [big] [wait]`.
//! Generates 256 MiB through an `Engine` DRBG handle (default sources, the assessment cache
//! at its default path) and prints the time to the first byte, the generation rate and the
//! number of reseeds. `big` lifts the 1 MiB reseed interval (to see what reseeding costs);
//! `wait` lets the reservoir fill for 3 s before generating (to tell an empty reservoir
//! from contention for the engine's lock).

use std::time::{Duration, Instant};

use wellspring_core::drbg::DrbgPolicy;
use wellspring_core::engine::{AssessmentStore, Engine, EngineConfig};
use wellspring_core::pool::Conditioning;
use wellspring_core::registry::Registry;

const TOTAL: usize = 256 << 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let big = args.iter().any(|a| a == "big");
    let wait = args.iter().any(|a| a == "wait");
    let started = Instant::now();
    let mut config = EngineConfig::new(Registry::builtin().select(None)?);
    config.assessment_store = AssessmentStore::at_default_path();
    if big {
        config.drbg_policy = DrbgPolicy::strict(1 << 40, config.drbg_policy.reseed_after);
    }
    let engine = Engine::start(config)?;
    let mut output = engine.output(Conditioning::Drbg)?;
    let mut buffer = vec![0u8; 3 * 65_536];
    output.fill(&mut buffer[..64])?;
    let first = started.elapsed();
    if wait {
        std::thread::sleep(Duration::from_secs(3));
    }
    let generating = Instant::now();
    let mut done = 0;
    while done < TOTAL {
        output.fill(&mut buffer)?;
        std::hint::black_box(&buffer);
        done += buffer.len();
    }
    let seconds = generating.elapsed().as_secs_f64();
    println!(
        "first byte after {first:.1?}; {done} bytes in {seconds:.3} s = {:.2} GB/s; {} reseeds",
        done as f64 / seconds / 1e9,
        engine.status().reseeds
    );
    Ok(())
}
