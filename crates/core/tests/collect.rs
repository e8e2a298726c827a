//! Parallel collection: a slow source cannot stall the others.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wellspring_core::collect::ParallelCollector;
use wellspring_core::engine::{Engine, EngineConfig};
use wellspring_core::pool::Conditioning;
use wellspring_core::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

struct Sleeper;
static SLEEPER: SourceInfo = SourceInfo {
    name: "test_sleeper",
    category: SourceCategory::Timing,
    physics: "test double that sleeps for ten seconds before answering",
    speed: SpeedClass::Slow,
};
impl EntropySource for Sleeper {
    fn info(&self) -> &SourceInfo {
        &SLEEPER
    }
    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        std::thread::sleep(Duration::from_secs(10));
        Ok(vec![1; n])
    }
}

struct Counter;
static COUNTER: SourceInfo = SourceInfo {
    name: "test_counter",
    category: SourceCategory::Timing,
    physics: "test double returning 0, 1, 2, ... so XOR combination can be checked by hand",
    speed: SpeedClass::Fast,
};
impl EntropySource for Counter {
    fn info(&self) -> &SourceInfo {
        &COUNTER
    }
    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        Ok((0..n).map(|i| i as u8).collect())
    }
}

struct Constant(u8);
static CONSTANT: SourceInfo = SourceInfo {
    name: "test_constant",
    category: SourceCategory::Timing,
    physics: "test double returning one value",
    speed: SpeedClass::Fast,
};
impl EntropySource for Constant {
    fn info(&self) -> &SourceInfo {
        &CONSTANT
    }
    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        Ok(vec![self.0; n])
    }
}

#[test]
fn a_hung_source_times_out_while_the_others_deliver() {
    let collector = ParallelCollector::new(
        vec![Arc::new(Sleeper), Arc::new(Counter)],
        Duration::from_millis(300),
    );
    let start = Instant::now();
    let round = collector.collect(100);
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert!(round[0].outcome.as_ref().unwrap_err().contains("timed out"));
    assert_eq!(round[1].outcome.as_ref().unwrap().len(), 100);
    // The still-running source is skipped rather than stacked up.
    let again = collector.collect(10);
    assert!(again[0].outcome.as_ref().unwrap_err().contains("busy"));
}

#[test]
fn raw_output_is_the_xor_of_the_sources() {
    let engine = Engine::start(EngineConfig::new(vec![
        Arc::new(Counter),
        Arc::new(Constant(0xA5)),
    ]))
    .unwrap();
    let mut out = [0u8; 256];
    engine.fill_raw(&mut out).unwrap();
    for (i, b) in out.iter().enumerate() {
        assert_eq!(*b, i as u8 ^ 0xA5);
    }
    // Raw output is not a cryptographic RNG and never comes from the credited path.
    assert!(engine.rng(Conditioning::Raw).is_err());
    assert_eq!(engine.status().raw_bytes, 256);
}
