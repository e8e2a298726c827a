//! The engine with an assessment store (start-up from an earlier run's full-size
//! assessment) and its harvest schedule (CPU goes to the sources that earn credit), with
//! fake sources whose entropy and cost are known.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wellspring_core::engine::{AssessmentOrigin, AssessmentStore, Engine, EngineConfig};
use wellspring_core::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// splitmix64 bytes, masked to `mask` (0xff: uniform bytes; 1: one bit per sample), or a
/// constant when `stuck`; each sample costs `spin` of busy CPU, then `sleep` of waiting.
struct Fake {
    info: SourceInfo,
    state: AtomicU64,
    mask: u8,
    stuck: bool,
    spin: Duration,
    sleep: Duration,
}

impl EntropySource for Fake {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        if self.stuck {
            return Ok(vec![7; n]);
        }
        Ok((0..n)
            .map(|_| {
                let t = Instant::now();
                while t.elapsed() < self.spin {
                    std::hint::spin_loop();
                }
                if !self.sleep.is_zero() {
                    std::thread::sleep(self.sleep);
                }
                let mut z = self
                    .state
                    .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
                    .wrapping_add(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                (z ^ (z >> 31)) as u8 & self.mask
            })
            .collect())
    }
}

impl Fake {
    fn new(name: &'static str, mask: u8, stuck: bool, spin: Duration, sleep: Duration) -> Self {
        Fake {
            info: SourceInfo {
                name,
                category: SourceCategory::Timing,
                physics: "test double",
                speed: SpeedClass::Fast,
            },
            state: AtomicU64::new(name.len() as u64),
            mask,
            stuck,
            spin,
            sleep,
        }
    }
}

fn fake(name: &'static str, mask: u8, stuck: bool, spin: Duration) -> Arc<dyn EntropySource> {
    Arc::new(Fake::new(name, mask, stuck, spin, Duration::ZERO))
}

/// A fake source that waits `sleep` per sample (little CPU, much wall time), like the
/// sources that wait on the kernel.
fn fake_sleeping(name: &'static str, mask: u8, sleep: Duration) -> Arc<dyn EntropySource> {
    Arc::new(Fake::new(name, mask, false, Duration::ZERO, sleep))
}

fn temp_store(tag: &str) -> AssessmentStore {
    let dir = std::env::temp_dir().join(format!("ws-engine-store-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    AssessmentStore::new(dir.join("assessments.json"), Duration::from_secs(3600))
        .with_key_path(dir.join("store.key"))
}

#[test]
fn a_stored_assessment_is_used_at_start_up_then_replaced_and_saved() {
    let store = temp_store("use");
    store.save("fake_stored", 5.0, 65_536).unwrap();
    let mut config = EngineConfig::new(vec![
        fake("fake_stored", 0xff, false, Duration::ZERO),
        fake("fake_fresh", 0xff, false, Duration::ZERO),
    ]);
    config.assessment_store = Some(store.clone());
    config.reassess_interval = Duration::from_millis(300);
    let engine = Engine::start(config).unwrap();

    // Before any harvest: the stored value, marked as such; the other source has none.
    let status = engine.status();
    assert_eq!(status.sources[0].min_entropy, Some(5.0));
    assert_eq!(status.sources[0].assessment, Some(AssessmentOrigin::Stored));
    assert_eq!(status.sources[1].min_entropy, None);

    // The stored source earns credit without an assessment of its own at start-up; the
    // other one is assessed on its start-up batch.
    engine.fill_full_entropy(&mut [0u8; 64]).unwrap();
    let start = Instant::now();
    while engine.status().sources[1].min_entropy.is_none() {
        let _ = engine.fill_full_entropy(&mut [0u8; 4096]);
        assert!(start.elapsed() < Duration::from_secs(120), "never assessed");
    }
    let fresh = &engine.status().sources[1];
    assert!(
        matches!(
            fresh.assessment,
            Some(AssessmentOrigin::Startup | AssessmentOrigin::Full)
        ),
        "{fresh:?}"
    );

    // After the interval, the background assessment replaces the stored value and is kept.
    let start = Instant::now();
    let replaced = loop {
        let s = engine.status().sources[0].clone();
        if s.assessment == Some(AssessmentOrigin::Full) {
            break s;
        }
        let _ = engine.fill_full_entropy(&mut [0u8; 4096]);
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "never re-assessed"
        );
    };
    let measured = replaced.latest_min_entropy.unwrap();
    // Uniform bytes, 65,536 samples: far from the stored 5.0 is not required, only that the
    // store now holds exactly what this run measured...
    assert_eq!(store.load()["fake_stored"].min_entropy, measured);
    // ...and that credit follows the lowest recent figure, the stored one included.
    assert_eq!(
        replaced.min_entropy,
        Some(measured.min(5.0)),
        "{replaced:?}"
    );
}

#[test]
fn a_stored_assessment_does_not_bypass_the_start_up_health_test() {
    let store = temp_store("stuck");
    store.save("fake_stuck", 6.0, 65_536).unwrap();
    let mut config = EngineConfig::new(vec![fake("fake_stuck", 0xff, true, Duration::ZERO)]);
    config.assessment_store = Some(store);
    config.starvation_timeout = Duration::from_millis(1500);
    let engine = Engine::start(config).unwrap();
    assert!(engine.fill_full_entropy(&mut [0u8; 32]).is_err());
    let s = &engine.status().sources[0];
    assert!(s.quarantined, "{s:?}");
    assert!(
        s.last_error.as_deref().unwrap_or("").contains("start-up"),
        "{s:?}"
    );
    assert_eq!(s.credited_bits, 0.0);
}

/// Drains full-entropy output for at least 3 s and, with `until_poor_runs`, until source
/// `poor` has run again (at 1/128 of the budget it gets a batch every second or so; a busy
/// machine may stretch that); returns the harvest CPU seconds sources `rich` and `poor` used
/// meanwhile, and the window's wall time.
fn cpu_while_draining(
    engine: &Engine,
    rich: usize,
    poor: usize,
    until_poor_runs: bool,
) -> (f64, f64, f64) {
    cpu_while_draining_for(engine, rich, poor, until_poor_runs, Duration::from_secs(3))
}

/// [`cpu_while_draining`] over a window of at least `window`.
fn cpu_while_draining_for(
    engine: &Engine,
    rich: usize,
    poor: usize,
    until_poor_runs: bool,
    window: Duration,
) -> (f64, f64, f64) {
    let before = engine.status();
    let start = Instant::now();
    let after = loop {
        engine.fill_full_entropy(&mut [0u8; 1 << 16]).unwrap();
        let now = engine.status();
        if start.elapsed() >= window
            && (!until_poor_runs || now.sources[poor].samples > before.sources[poor].samples)
        {
            break now;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the poor source is no longer harvested: {now:?}"
        );
    };
    let wall = start.elapsed().as_secs_f64();
    let cpu =
        |i: usize| after.sources[i].harvest_cpu_seconds - before.sources[i].harvest_cpu_seconds;
    (cpu(rich), cpu(poor), wall)
}

/// The poor source's CPU over the window, as a fraction of one core's wall time: its share
/// (1/128, and a batch at least every 5 s) keeps it to a few percent; at the full budget it
/// took 40% and more. Measured against wall time, not against the rich source's CPU: on a
/// busy machine the rich source (harvesting only as fast as this test's thread drains the
/// reservoir) gets less CPU while the poor one's wall-time share stays, so that ratio
/// depended on the load (0.37 s against 0.73 s beside the test suite).
fn assert_poor_within_its_share(rich: f64, poor: f64, wall: f64) {
    println!("rich {rich:.3} s, poor {poor:.3} s of CPU in {wall:.1} s");
    assert!(
        poor / wall < 0.15,
        "the poor source used {poor:.3} s of CPU in {wall:.1} s (rich {rich:.3} s)"
    );
}

/// Starts a rich source (~8 bits per sample at ~10 ns) and a poor one (~1 bit per sample at
/// `poor_spin` of CPU) whose stored figure is `poor_stored_h`, and waits until the rich one
/// has its own full-size measurement.
fn rich_and_stored_poor(tag: &str, poor_stored_h: f64, poor_spin: Duration) -> Engine {
    let store = temp_store(tag);
    store.save("fake_poor", poor_stored_h, 65_536).unwrap();
    let mut config = EngineConfig::new(vec![
        fake("fake_rich", 0xff, false, Duration::ZERO),
        fake("fake_poor", 1, false, poor_spin),
    ]);
    config.startup_samples = 2048;
    config.max_family_share = 1.0;
    config.assessment_store = Some(store);
    let engine = Engine::start(config).unwrap();
    let start = Instant::now();
    while engine.status().sources[0].assessment != Some(AssessmentOrigin::Full) {
        let _ = engine.fill_full_entropy(&mut [0u8; 1 << 16]);
        assert!(start.elapsed() < Duration::from_secs(120), "never measured");
    }
    engine
}

#[test]
fn a_source_credited_from_a_stored_figure_is_re_measured_within_its_share() {
    // Its own measurement (65,536 samples, ~1.3 s of CPU) is not worth the full budget while
    // output is drawn: it earns from the stored figure meanwhile, and its samples gather at
    // its share. At the full budget, such re-measurements took 40% of a warm run's CPU.
    let engine = rich_and_stored_poor("share", 1.0, Duration::from_micros(20));
    assert!(
        engine.status().sources[1].credited_bits > 0.0,
        "{:?}",
        engine.status()
    );
    let (rich, poor, wall) = cpu_while_draining(&engine, 0, 1, true);
    assert_poor_within_its_share(rich, poor, wall);
    assert_eq!(
        engine.status().sources[1].assessment,
        Some(AssessmentOrigin::Stored)
    );
}

#[test]
fn a_source_too_weak_to_credit_is_not_measured_at_the_full_budget() {
    // Stored at 0.01 bits per sample, below what can ever be credited: it earns nothing, and
    // its measurement is no longer one it needs to earn (cpu_io_beat, never creditable on
    // the 2-core VM, took a quarter of the budget measuring again and again).
    //
    // At 50 µs a sample its 65,536-sample measurement costs 3.3 s of CPU: at the full budget
    // that lands in the 10 s window below (a third of it or more), within its 1/128 share it
    // would take minutes to gather. The window does not wait for that measurement: waiting
    // for it at its share took longer than the test's 120 s bound on a busy CI machine.
    let engine = rich_and_stored_poor("weak", 0.01, Duration::from_micros(50));
    assert_eq!(engine.status().sources[1].credited_bits, 0.0);
    let (rich, poor, wall) = cpu_while_draining_for(&engine, 0, 1, false, Duration::from_secs(10));
    assert_poor_within_its_share(rich, poor, wall);
    assert_eq!(engine.status().sources[1].credited_bits, 0.0);
}

/// Starts a rich source (~8 bits per sample at ~10 ns) and `poor`, and waits until both have
/// their own full-size measurement. The family cap is off: with two families it would make
/// the poor one the bottleneck of every block, which is its purpose but not what the
/// schedule tests measure.
fn rich_and_measured(poor: Arc<dyn EntropySource>) -> Engine {
    let mut config = EngineConfig::new(vec![fake("fake_rich", 0xff, false, Duration::ZERO), poor]);
    config.startup_samples = 2048;
    config.max_family_share = 1.0;
    let engine = Engine::start(config).unwrap();
    let start = Instant::now();
    while !engine
        .status()
        .sources
        .iter()
        .all(|s| s.assessment == Some(AssessmentOrigin::Full))
    {
        let _ = engine.fill_full_entropy(&mut [0u8; 1 << 16]);
        assert!(start.elapsed() < Duration::from_secs(120), "never measured");
    }
    engine
}

#[test]
fn a_low_yield_source_that_waits_does_not_hold_up_its_harvester() {
    // Both sources share one harvester (one category). The poor one waits 200 µs per sample
    // on the kernel and earns ~1 bit per sample: its low share is of the harvester's time,
    // not only of its CPU. Counted in CPU (a few µs a sample) it held the harvester for
    // ~30% of the time; compression_timing's harvester stood idle half the time that way.
    let engine = rich_and_measured(fake_sleeping("fake_poor", 1, Duration::from_micros(200)));
    let before = engine.status().sources[1].samples;
    let window = Instant::now();
    while window.elapsed() < Duration::from_secs(4) {
        engine.fill_full_entropy(&mut [0u8; 1 << 16]).unwrap();
    }
    // A lower bound on its time: each sleep lasts at least the 200 µs asked for.
    let waited = (engine.status().sources[1].samples - before) as f64 * 200e-6;
    let fraction = waited / window.elapsed().as_secs_f64();
    // At most 20%: a quiet machine gives a few percent, one beside the rest of the test
    // suite gave 12% once (its at-least-every-5-s batch weighs more when everything is
    // slow), and the old schedule held it ~30%.
    assert!(
        fraction < 0.2,
        "the poor source held the harvester {:.0}% of the time",
        fraction * 100.0
    );
}

#[test]
fn the_cpu_budget_goes_to_the_source_that_earns_credit() {
    // One source gives ~8 bits per sample at ~10 ns; the other ~1 bit per sample at 20 µs
    // of CPU: about 10^4 times less credit per CPU-second. Each source's first full-size
    // measurement (65,536 samples: ~1.3 s of CPU for the poor one) runs at the full budget
    // whatever it will earn; the schedule applies after.
    let engine = rich_and_measured(fake("fake_poor", 1, false, Duration::from_micros(20)));
    let (rich, poor, wall) = cpu_while_draining(&engine, 0, 1, true);
    // The poor source keeps a share of 1/128 of the budget; the rich one takes the rest, as
    // long as output is drained. Before the schedule shared CPU by yield, the poor one took
    // most of it (4,096 samples = 82 ms per batch against the rich one's ~50 µs).
    assert_poor_within_its_share(rich, poor, wall);
}

#[test]
fn every_source_starts_even_when_no_output_is_drawn() {
    // Start-ups after a family's first are spread over time (a share of the CPU budget), and
    // they go on while the reservoir is full: every source gets measured in full and tested.
    let sources = ["fake_s1", "fake_s2", "fake_s3", "fake_s4", "fake_s5"]
        .map(|name| fake(name, 0xff, false, Duration::from_micros(2)));
    let mut config = EngineConfig::new(sources.to_vec());
    config.reservoir_blocks = 4;
    let engine = Engine::start(config).unwrap();
    let start = Instant::now();
    loop {
        let status = engine.status();
        if status
            .sources
            .iter()
            .all(|s| s.assessment == Some(AssessmentOrigin::Full))
        {
            assert!(status.blocks_available >= 4, "{status:?}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "not all started: {status:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_family_the_blocks_wait_for_gets_the_cpu_budget() {
    // Two families under the diversity rule (each supplies at most half of a block): a rich
    // source (~8 bits per sample at ~10 ns) and a poor one (~1 bit per sample at 2 µs, some
    // 10^3 times less credit per CPU-second). Every block waits for the poor one. When the
    // rich one's queue was full, its stale yield made the poor one "low-yield", held to
    // 1/128 of one core's wall time whatever the load: ~2 blocks a second. With the budget
    // on the bottleneck it makes blocks as fast as its harvester gets CPU: ~950 a second
    // on a quiet 2-core VM, ~70 beside three busy loops. The test drains for a window and
    // requires 10 a second, five times the starved rate.
    let mut config = EngineConfig::new(vec![
        fake("fake_rich", 0xff, false, Duration::ZERO),
        fake("fake_poor", 1, false, Duration::from_micros(2)),
    ]);
    config.startup_samples = 2048;
    let engine = Engine::start(config).unwrap();
    let mut out = vec![0u8; 1 << 12];
    // The first blocks (after both first measurements) start the window.
    engine.fill_full_entropy(&mut out).unwrap();
    let before = engine.status();
    let window = Instant::now();
    while window.elapsed() < Duration::from_secs(5) {
        engine.fill_full_entropy(&mut out).unwrap();
    }
    let status = engine.status();
    let wall = window.elapsed().as_secs_f64();
    let served = status.blocks_served - before.blocks_served;
    let poor_cpu = status.sources[1].harvest_cpu_seconds - before.sources[1].harvest_cpu_seconds;
    println!("{served} blocks in {wall:.1} s; the poor source used {poor_cpu:.2} s of CPU");
    assert!(
        served as f64 / wall >= 10.0,
        "the bottleneck family is starved: {served} blocks in {wall:.1} s"
    );
    let shares = &status.family_shares;
    assert!(
        (shares["fake_poor"] - 0.5).abs() < 0.05,
        "each family supplies half of every block: {shares:?}"
    );
}
