//! The engine DRBG's reseed policy with a source whose blocks come slowly (a known cost per
//! sample): a due reseed (1 MiB) never holds a reader while credit flows, a required one
//! (the byte limit) always happens, waiting for blocks if it must.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use rand_core::TryRng;
use wellspring_core::drbg::DrbgPolicy;
use wellspring_core::engine::{AssessmentStore, Engine, EngineConfig};
use wellspring_core::pool::Conditioning;
use wellspring_core::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// One splitmix64 bit per sample, each costing `SPIN` of busy CPU: with the stored figure of
/// 1 bit per sample and the 0.5 safety factor, a 352-bit block takes ~70 ms of harvesting.
struct SlowBits {
    info: SourceInfo,
    state: AtomicU64,
}

const SPIN: Duration = Duration::from_micros(100);

impl EntropySource for SlowBits {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        Ok((0..n)
            .map(|_| {
                let t = Instant::now();
                while t.elapsed() < SPIN {
                    std::hint::spin_loop();
                }
                common::splitmix(&self.state) as u8 & 1
            })
            .collect())
    }
}

fn engine(tag: &str, policy: DrbgPolicy) -> Engine {
    let dir = std::env::temp_dir().join(format!("ws-drbg-reseed-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = AssessmentStore::new(dir.join("assessments.json"), Duration::from_secs(3600))
        .with_key_path(dir.join("store.key"));
    store.save("slow_bits", 1.0, 65_536).unwrap();
    let source: Arc<dyn EntropySource> = Arc::new(SlowBits {
        info: SourceInfo {
            name: "slow_bits",
            category: SourceCategory::Timing,
            physics: "test double",
            speed: SpeedClass::Fast,
        },
        state: AtomicU64::new(1),
    });
    let mut config = EngineConfig::new(vec![source]);
    config.assessment_store = Some(store);
    config.drbg_policy = policy;
    Engine::start(config).unwrap()
}

/// Reads `mib` MiB through a fresh DRBG handle (after its first seed); returns the reseeds
/// made while reading.
fn reseeds_while_reading(engine: &Engine, mib: usize) -> u64 {
    let mut rng = engine.rng(Conditioning::Drbg).unwrap();
    rng.try_fill_bytes(&mut [0u8; 64]).unwrap();
    let before = engine.status().reseeds;
    let mut buffer = vec![0u8; 1 << 20];
    for _ in 0..mib {
        rng.try_fill_bytes(&mut buffer).unwrap();
    }
    engine.status().reseeds - before
}

#[test]
fn a_due_reseed_does_not_hold_the_reader_while_credit_flows() {
    let engine = engine("due", DrbgPolicy::default());
    // A reseed falls due after each of the first 15 MiB; blocks come a few every ~0.4 s
    // (one batch) while 16 MiB take milliseconds, so waiting at each due point made 15
    // reseeds (checked against that policy), taking only ready blocks makes 0-2.
    let reseeds = reseeds_while_reading(&engine, 16);
    assert!(
        reseeds <= 4,
        "{reseeds} reseeds over 16 MiB: due reseeds waited"
    );
}

#[test]
fn a_required_reseed_waits_for_blocks() {
    let policy = DrbgPolicy {
        reseed_limit_bytes: 4 << 20,
        ..DrbgPolicy::default()
    };
    let engine = engine("required", policy);
    // 16 MiB past a 4 MiB limit: at least three reseeds, whether or not blocks were ready.
    let reseeds = reseeds_while_reading(&engine, 16);
    assert!(
        reseeds >= 3,
        "{reseeds} reseeds over 16 MiB with a 4 MiB limit"
    );
}
