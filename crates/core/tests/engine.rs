//! The engine under fault injection, with fake sources whose entropy is known.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{config, fake};
use rand_core::TryRng;
use wellspring_core::engine::{CorrelationGroup, Engine, EngineError};
use wellspring_core::pool::Conditioning;

#[test]
fn full_entropy_output_is_backed_by_320_credited_bits_per_block() {
    let (source, _) = fake("fake_uniform", 1);
    let engine = Engine::start(config(vec![source])).unwrap();
    let mut out = vec![0u8; 32 * 100];
    engine.fill_full_entropy(&mut out).unwrap();
    let status = engine.status();
    assert!(status.blocks_served >= 100);
    // Every block produced needed 320 credited bits.
    assert!(status.credited_bits >= 320.0 * status.blocks_produced as f64 - 1e-6);
    let s = &status.sources[0];
    // Uniform bytes, 2048 start-up samples, the full SP 800-90B non-IID assessment: MCV alone
    // gives 6.0-6.9 bits (the fullest of 256 bins holds ~14-20 samples), and the bitstring
    // compression estimate on only 16,384 bits is the usual minimum at 0.55-0.8 bits per bit
    // (measured: 4.5-6.0 bits per sample over six 2048-byte /dev/urandom files); so well
    // above 3.5 and never above the MCV bound.
    let h = s.min_entropy.unwrap();
    assert!(h > 3.5 && h <= 7.0, "{h}");
    assert!(
        (s.credited_bits - status.credited_bits).abs() < 1e-6,
        "{} vs {}",
        s.credited_bits,
        status.credited_bits
    );
}

#[test]
fn a_stuck_source_is_quarantined_and_output_stops_naming_it() {
    let (source, stuck) = fake("fake_stuck", 2);
    let engine = Engine::start(config(vec![source])).unwrap();
    engine.fill_full_entropy(&mut [0u8; 64]).unwrap();
    stuck.store(true, Ordering::Relaxed);
    // Drain what is already in the reservoir, then starve.
    let start = Instant::now();
    let err = loop {
        match engine.fill_full_entropy(&mut [0u8; 4096]) {
            Ok(()) => assert!(start.elapsed() < Duration::from_secs(120), "never starved"),
            Err(e) => break e,
        }
    };
    let EngineError::Starved(message) = err else {
        panic!("{err:?}")
    };
    assert!(message.contains("fake_stuck"), "{message}");
    let status = engine.status();
    assert_eq!(status.quarantined, vec!["fake_stuck"]);
    assert!(status.sources[0].rct_failures + status.sources[0].apt_failures >= 1);
}

#[test]
fn a_quarantined_source_is_readmitted_after_a_passing_retest() {
    let (source, stuck) = fake("fake_flaky", 3);
    let engine = Engine::start(config(vec![source])).unwrap();
    engine.fill_full_entropy(&mut [0u8; 32]).unwrap();
    stuck.store(true, Ordering::Relaxed);
    let start = Instant::now();
    while engine.status().quarantined.is_empty() {
        let _ = engine.fill_full_entropy(&mut [0u8; 4096]);
        assert!(start.elapsed() < Duration::from_secs(120));
    }
    stuck.store(false, Ordering::Relaxed);
    // First back-off is 5 s; the re-test then passes.
    let start = Instant::now();
    while !engine.status().quarantined.is_empty() {
        std::thread::sleep(Duration::from_millis(100));
        assert!(start.elapsed() < Duration::from_secs(120), "not readmitted");
    }
    // Re-admitted, it earns again after a fresh full-size measurement (65,536 samples and
    // the estimators: seconds on a busy machine, longer than the 1.5 s starvation timeout).
    while !engine.status().sources[0].credited {
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "not re-measured"
        );
    }
    engine.fill_full_entropy(&mut [0u8; 64]).unwrap();
    assert_eq!(engine.status().sources[0].quarantine_events, 1);
}

#[test]
fn drbg_reseeds_every_mebibyte_and_implements_rand_core() {
    let (source, _) = fake("fake_drbg", 4);
    let engine = Engine::start(config(vec![source])).unwrap();
    // A due reseed takes blocks only when they are ready (it never holds the reader while
    // credit flows), so let the reservoir hold enough for every seed first.
    let start = Instant::now();
    while engine.status().blocks_available < 6 {
        assert!(start.elapsed() < Duration::from_secs(120), "no blocks");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut rng = engine.rng(Conditioning::Drbg).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    for _ in 0..3 {
        rng.try_fill_bytes(&mut buf).unwrap();
    }
    // Instantiate + a reseed after each full MiB (the third MiB fits the third seed); a due
    // reseed that finds the engine's lock held tries again at the next 64 KiB request, which
    // can push the second one past the end of the third MiB.
    let reseeds = engine.status().reseeds;
    assert!((2..=3).contains(&reseeds), "{reseeds} reseeds");
    let a = rng.try_next_u64().unwrap();
    let b = rng.try_next_u64().unwrap();
    assert_ne!(a, b);
    assert!(engine.rng(Conditioning::Raw).is_err());
}

#[test]
fn prediction_resistance_reseeds_before_every_request() {
    let (source, _) = fake("fake_pr", 5);
    let mut cfg = config(vec![source]);
    cfg.prediction_resistance = true;
    let engine = Engine::start(cfg).unwrap();
    let mut rng = engine.rng(Conditioning::Drbg).unwrap();
    for _ in 0..5 {
        rng.try_fill_bytes(&mut [0u8; 100]).unwrap();
    }
    assert_eq!(engine.status().reseeds, 5);
    // And before every generate call of a large request: 200,000 bytes are four calls of at
    // most 65,536 bytes.
    rng.try_fill_bytes(&mut vec![0u8; 200_000]).unwrap();
    assert_eq!(engine.status().reseeds, 9);
}

#[test]
fn correlated_sources_share_one_credit_budget() {
    let (a, _) = fake("fake_a", 6);
    let (b, _) = fake("fake_b", 7);
    let mut cfg = config(vec![a, b]);
    cfg.correlated_groups = vec![CorrelationGroup {
        name: "fakes".into(),
        members: vec!["fake_a".into(), "fake_b".into()],
    }];
    let engine = Engine::start(cfg).unwrap();
    engine.fill_full_entropy(&mut [0u8; 3200]).unwrap();
    for s in engine.status().sources {
        assert_eq!(s.correlation_group_size, 2);
        // Each credited at most h × 0.5 / 2 per sample.
        assert!(
            s.credited_bits <= s.samples as f64 * 8.0 * 0.5 / 2.0 + 1e-6,
            "{s:?}"
        );
    }
}

#[test]
fn a_child_process_never_repeats_the_parent_drbg_output() {
    let (source, _) = fake("fake_fork", 8);
    let engine = Engine::start(config(vec![source])).unwrap();
    let mut rng = engine.rng(Conditioning::Drbg).unwrap();
    rng.try_fill_bytes(&mut [0u8; 64]).unwrap();
    let mut fds = [0i32; 2];
    // SAFETY: `fds` is a valid two-element array for pipe(2).
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child only generates, writes to the pipe and exits with `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        // In the child the harvester threads are gone; the DRBG must still reseed (the
        // reservoir holds blocks) rather than continue the parent's stream.
        let mut child = [0u8; 32];
        let code = match rng.try_fill_bytes(&mut child) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("child: {e}");
                1
            }
        };
        // SAFETY: writing 32 bytes from a live buffer to the pipe's write end.
        unsafe { libc::write(fds[1], child.as_ptr().cast(), 32) };
        // SAFETY: `_exit` ends the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut parent = [0u8; 32];
    rng.try_fill_bytes(&mut parent).unwrap();
    let mut child = [0u8; 32];
    // SAFETY: reading at most 32 bytes into a live buffer from the pipe's read end.
    let got = unsafe { libc::read(fds[0], child.as_mut_ptr().cast(), 32) };
    let mut status = 0;
    // SAFETY: waiting for the child created above.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(got, 32);
    assert_eq!(libc::WEXITSTATUS(status), 0, "child failed to generate");
    assert_ne!(parent, child, "child repeated the parent's output");
}

#[test]
fn a_source_switched_off_at_run_time_stops_and_earns_nothing_until_switched_back_on() {
    let (a, _) = fake("fake_toggle_a", 30);
    let (b, _) = fake("fake_toggle_b", 31);
    let mut cfg = config(vec![a, b]);
    cfg.max_family_share = 1.0;
    let engine = Engine::start(cfg).unwrap();
    engine.fill_full_entropy(&mut [0u8; 64]).unwrap();
    engine.set_source_enabled("fake_toggle_b", false).unwrap();
    // A batch already under way when it was switched off still lands; let it.
    std::thread::sleep(Duration::from_millis(200));
    let off = engine.status().sources[1].clone();
    assert!(!off.enabled && !off.credited, "{off:?}");
    // Drain output for a while: the other source keeps the pool going, b is not harvested.
    for _ in 0..20 {
        engine.fill_full_entropy(&mut [0u8; 4096]).unwrap();
    }
    let still = &engine.status().sources[1];
    assert_eq!(
        still.samples, off.samples,
        "a switched-off source is not harvested"
    );
    assert_eq!(still.credited_bits, off.credited_bits);
    engine.set_source_enabled("fake_toggle_b", true).unwrap();
    let start = Instant::now();
    while engine.status().sources[1].samples == off.samples {
        let _ = engine.fill_full_entropy(&mut [0u8; 4096]);
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "never harvested again"
        );
    }
    assert!(engine.status().sources[1].enabled);
    assert!(matches!(
        engine.set_source_enabled("no_such_source", false),
        Err(EngineError::UnknownSource(_))
    ));
}
