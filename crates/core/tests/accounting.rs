//! The accounting rules under fault injection: each test fails on an engine that credits
//! start-up estimates, never takes credit back, credits platform generators, lets one family
//! carry blocks alone, or lets a forked child credit untested samples.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{config, fake, fake_in};
use rand_core::TryRng;
use wellspring_core::engine::{AssessmentOrigin, Engine, EngineConfig, EngineError};
use wellspring_core::pool::Conditioning;
use wellspring_core::{EntropySource, SourceCategory};

/// Polls `done` every 50 ms for up to `limit`; panics with `what` when it never holds.
fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The figure the injected assessor reports (f64 bits), changed by the test mid-run.
static INJECTED_H: AtomicU64 = AtomicU64::new(0);

fn injected_assessor(samples: &[u8]) -> Option<f64> {
    (!samples.is_empty()).then(|| f64::from_bits(INJECTED_H.load(Ordering::SeqCst)))
}

#[test]
fn a_lowered_estimate_revokes_blocks_and_reseeds_the_drbg() {
    INJECTED_H.store(4.0f64.to_bits(), Ordering::SeqCst);
    let (source, _) = fake("fake_lowered", 11);
    let mut cfg = config(vec![source]);
    cfg.assessor = injected_assessor;
    cfg.reassess_interval = Duration::from_millis(200);
    cfg.idle_cpu_budget = 1.0;
    cfg.reservoir_blocks = 64;
    let engine = Engine::start(cfg).unwrap();
    let mut rng = engine.rng(Conditioning::Drbg).unwrap();
    rng.try_fill_bytes(&mut [0u8; 64]).unwrap();
    wait_until(Duration::from_secs(120), "a full reservoir", || {
        engine.status().blocks_available == 64
    });
    let reseeds = engine.status().reseeds;
    assert_eq!(engine.status().blocks_revoked, 0);

    // The next re-assessment says 0.5 bits, an eighth of what the blocks were made under:
    // every block (320 bits recorded) is now worth 40 bits and is revoked, and the DRBG,
    // seeded from two such blocks, reseeds before its next output.
    INJECTED_H.store(0.5f64.to_bits(), Ordering::SeqCst);
    wait_until(Duration::from_secs(120), "the lowered figure", || {
        engine.status().sources[0].min_entropy == Some(0.5)
    });
    let status = engine.status();
    assert!(status.blocks_revoked >= 64, "{status:?}");
    rng.try_fill_bytes(&mut [0u8; 16]).unwrap();
    assert!(
        engine.status().reseeds > reseeds,
        "the DRBG kept a revoked seed"
    );
    // Credit is never raised retroactively: a higher figure later revokes nothing more
    // and restores nothing.
    let revoked = engine.status().blocks_revoked;
    INJECTED_H.store(6.0f64.to_bits(), Ordering::SeqCst);
    wait_until(Duration::from_secs(120), "the raised figure", || {
        engine.status().sources[0].min_entropy == Some(6.0)
    });
    assert_eq!(
        engine.status().blocks_revoked,
        revoked,
        "nothing more revoked"
    );
}

#[test]
fn an_idle_engine_measures_every_source_in_full() {
    let sources: Vec<Arc<dyn EntropySource>> = [
        ("fake_idle_a", SourceCategory::Timing),
        ("fake_idle_b", SourceCategory::Silicon),
        ("fake_idle_c", SourceCategory::Novel),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, category))| {
        fake_in(name, *category, 20 + i as u64).0 as Arc<dyn EntropySource>
    })
    .collect();
    let mut cfg = config(sources);
    cfg.reservoir_blocks = 4;
    let engine = Engine::start(cfg).unwrap();
    // Nobody reads: the reservoir fills at once, and still every source is measured on a
    // full-size sample and reports it.
    let start = Instant::now();
    while !engine
        .status()
        .sources
        .iter()
        .all(|s| s.assessment == Some(AssessmentOrigin::Full))
    {
        let status = engine.status();
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "not every source measured in full: {status:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = engine.status();
    assert!(status.blocks_available <= 4);
    for s in &status.sources {
        assert!(s.assessment_samples >= 65_536, "{s:?}");
    }
}

/// Measures a small sample (a re-admission test's) as 8 bits per sample and a full-size
/// sample as nothing.
fn small_sample_only_assessor(samples: &[u8]) -> Option<f64> {
    (samples.len() < 65_536).then_some(8.0)
}

#[test]
fn nothing_is_credited_before_a_full_size_assessment() {
    // The full-size assessment never measures anything: the source passes its start-up
    // test and is harvested, but no block is ever made from it, whatever a small sample says.
    let (source, stuck) = fake("fake_startup_only", 12);
    let mut cfg = config(vec![source]);
    cfg.assessor = small_sample_only_assessor;
    let engine = Engine::start(cfg).unwrap();
    let err = engine.fill_full_entropy(&mut [0u8; 32]).unwrap_err();
    assert!(matches!(err, EngineError::Starved(_)), "{err}");
    assert!(
        err.to_string().contains("no full-size assessment yet"),
        "{err}"
    );
    let s = &engine.status().sources[0];
    assert_eq!(s.assessment, None);
    assert!(s.samples >= 65_536);
    assert_eq!(s.credited_bits, 0.0);
    assert!(!s.credited);
    // Quarantined and re-admitted, it gets a start-up figure from its re-test sample: still
    // nothing.
    stuck.store(true, Ordering::SeqCst);
    wait_until(Duration::from_secs(120), "a quarantine", || {
        engine.status().sources[0].quarantined
    });
    stuck.store(false, Ordering::SeqCst);
    wait_until(Duration::from_secs(120), "the re-admission", || {
        engine.status().sources[0].assessment == Some(AssessmentOrigin::Startup)
    });
    assert!(engine.fill_full_entropy(&mut [0u8; 32]).is_err());
    assert_eq!(engine.status().sources[0].credited_bits, 0.0);
}

#[test]
fn a_platform_only_pool_produces_no_credited_output_unless_trusted() {
    let (rdseed, _) = fake_in("rdseed", SourceCategory::Platform, 13);
    let engine = Engine::start(config(vec![rdseed.clone()])).unwrap();
    let started = Instant::now();
    let err = engine.fill_full_entropy(&mut [0u8; 32]).unwrap_err();
    assert!(matches!(err, EngineError::NothingCreditable(_)), "{err}");
    assert!(err.to_string().contains("--trust-platform"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1), "failed fast");
    std::thread::sleep(Duration::from_millis(300));
    let status = engine.status();
    assert_eq!(status.credited_bits, 0.0);
    assert_eq!(status.blocks_produced, 0);
    // Raw output is still there for research.
    engine.fill_raw(&mut [0u8; 64]).unwrap();

    // Trusted by name: credited at the vendor claim (4 bits per byte), shown as trusted.
    let mut cfg = config(vec![rdseed]);
    cfg.trust_platform = vec!["rdseed".into()];
    let engine = Engine::start(cfg).unwrap();
    engine.fill_full_entropy(&mut [0u8; 64]).unwrap();
    let s = &engine.status().sources[0];
    assert_eq!(s.assessment, Some(AssessmentOrigin::Trusted));
    assert_eq!(s.min_entropy, Some(4.0));
    // 4 bits per byte, no safety factor (the claim is already conservative).
    assert!(s.credited_bits <= s.samples as f64 * 4.0 + 1e-6);
    assert!(s.credited_bits >= 640.0);
}

#[test]
fn one_family_cannot_carry_blocks_alone() {
    let (a, _) = fake_in("fake_family_a", SourceCategory::Timing, 14);
    let (b, b_stuck) = fake_in("fake_family_b", SourceCategory::Silicon, 15);
    b_stuck.store(true, Ordering::SeqCst);
    let engine = Engine::start(config(vec![a.clone(), b.clone()])).unwrap();
    // b fails its start-up test; a alone may supply only half of a block: blocks wait.
    let err = engine.fill_full_entropy(&mut [0u8; 32]).unwrap_err();
    assert!(matches!(err, EngineError::Starved(_)), "{err}");
    let status = engine.status();
    assert_eq!(status.diversity, "ok");
    assert_eq!(status.blocks_produced, 0, "{status:?}");
    assert!(status.sources[0].credited, "a is measured and credited");

    // b recovers and is re-admitted after its back-off (5 s) and a full measurement:
    // blocks come, each at most half from either family.
    b_stuck.store(false, Ordering::SeqCst);
    wait_until(
        Duration::from_secs(120),
        "blocks from both families",
        || engine.status().blocks_produced >= 10,
    );
    let shares = engine.status().family_shares;
    for (family, share) in &shares {
        assert!(*share <= 0.5 + 0.01, "{family}: {share}");
    }

    // With the rule off, a alone makes blocks.
    b_stuck.store(true, Ordering::SeqCst);
    let mut cfg = config(vec![a, b]);
    cfg.max_family_share = 1.0;
    let engine = Engine::start(cfg).unwrap();
    engine.fill_full_entropy(&mut [0u8; 64]).unwrap();
}

#[test]
fn a_forked_child_tests_its_own_samples_before_crediting_them() {
    let (source, stuck) = fake("fake_child", 16);
    let engine = Engine::start(config(vec![source])).unwrap();
    engine.fill_full_entropy(&mut [0u8; 64]).unwrap();
    let mut fds = [0i32; 2];
    // SAFETY: `fds` is a valid two-element array for pipe(2).
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child only draws, writes one byte to the pipe and exits with `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        // The source is stuck in the child: its start-up test must fail and nothing may
        // be credited, so the draw fails with the child's own error.
        stuck.store(true, Ordering::SeqCst);
        let verdict: u8 = match engine.fill_full_entropy(&mut [0u8; 32]) {
            Err(EngineError::ChildNotAdmitted(_)) => 1,
            Err(_) => 2,
            Ok(()) => 3,
        };
        // SAFETY: writing one byte from a live variable to the pipe's write end.
        unsafe { libc::write(fds[1], (&verdict as *const u8).cast(), 1) };
        // SAFETY: `_exit` ends the child without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    let mut verdict = 0u8;
    // SAFETY: reading one byte into a live variable from the pipe's read end.
    let got = unsafe { libc::read(fds[0], (&mut verdict as *mut u8).cast(), 1) };
    let mut status = 0;
    // SAFETY: waiting for the child created above.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(got, 1);
    assert_eq!(
        verdict, 1,
        "1 = not admitted, 2 = another error, 3 = credited output"
    );
}

#[test]
fn invalid_settings_are_refused() {
    let (source, _) = fake("fake_config", 17);
    let changes: [fn(&mut EngineConfig); 6] = [
        |c| c.safety_factor = 0.0,
        |c| c.safety_factor = 1.5,
        |c| c.reservoir_blocks = 0,
        |c| c.reassess_interval = Duration::ZERO,
        |c| c.max_family_share = 0.0,
        |c| c.trust_platform = vec!["clock_jitter".into()],
    ];
    for change in changes {
        let mut cfg = config(vec![source.clone()]);
        change(&mut cfg);
        let err = Engine::start(cfg).err().expect("refused");
        assert!(matches!(err, EngineError::InvalidConfig(_)), "{err}");
    }
}

/// Each full-size assessment half the one before (6, 3, 1.5, ... down to 0.2): every one
/// revokes every block made before it (352 bits recorded are then worth 176).
static FALLING: AtomicU64 = AtomicU64::new(0);
/// Assessments after which the figure stops falling.
const HALVINGS: u64 = 5;

fn falling_assessor(samples: &[u8]) -> Option<f64> {
    (!samples.is_empty()).then(|| {
        let n = FALLING.fetch_add(1, Ordering::SeqCst).min(HALVINGS);
        (6.0 / f64::from(1u32 << n)).max(0.2)
    })
}

#[test]
fn one_large_drbg_call_reseeds_when_its_seed_is_revoked_mid_call() {
    // No reseed is ever due by size or time: only revocation can make this DRBG reseed.
    let (source, _) = fake("fake_revoked_mid_call", 18);
    let mut cfg = config(vec![source]);
    cfg.assessor = falling_assessor;
    cfg.reassess_interval = Duration::from_millis(100);
    cfg.idle_cpu_budget = 1.0;
    cfg.starvation_timeout = Duration::from_secs(30);
    cfg.drbg_policy.reseed_bytes = 1 << 40;
    cfg.drbg_policy.reseed_limit_bytes = 1 << 40;
    cfg.drbg_policy.reseed_after = Duration::from_secs(3600);
    let engine = Engine::start(cfg).unwrap();
    let mut rng = engine.rng(Conditioning::Drbg).unwrap();
    rng.try_fill_bytes(&mut [0u8; 32]).unwrap();
    // One call at a time, each of 256 MiB in 64 KiB chunks, until a halving lands inside
    // one: that call must have reseeded (before every chunk, the DRBG checks its seed).
    let mut big = vec![0u8; 256 << 20];
    let start = Instant::now();
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no halving landed inside a call"
        );
        let falling = FALLING.load(Ordering::SeqCst);
        let seeded = engine.status().reseeds;
        rng.try_fill_bytes(&mut big).unwrap();
        if falling < HALVINGS && FALLING.load(Ordering::SeqCst) > falling {
            let reseeds = engine.status().reseeds - seeded;
            println!("a 256 MiB call spanned a halved figure: {reseeds} reseed(s)");
            assert!(reseeds >= 1, "the DRBG ran on from a revoked seed");
            break;
        }
    }
}
