//! Fork safety under load: 200 children forked while two other threads draw (a DRBG handle
//! and full-entropy output) and the engine keeps revising its figures, each child drawing
//! from a DRBG handle its parent had seeded. A child must never take a lock a parent thread
//! may have held at the fork (the engine's, through the revocation check of a seed taken
//! before a revision): every child answers or fails, none hangs.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{config, fake_in};
use rand_core::TryRng;
use wellspring_core::SourceCategory;
use wellspring_core::engine::Engine;
use wellspring_core::pool::Conditioning;

const CHILDREN: usize = 200;
/// A child still running this long after the fork is hung (SIGALRM kills it): a bound on a
/// hang, far above the milliseconds a child's draw takes.
const HANG_SECONDS: u32 = 30;

/// Alternates between two figures at every full-size assessment, so the engine lowers a
/// figure (and bumps its revision) every other re-assessment.
static FLIP: AtomicU64 = AtomicU64::new(0);

fn flipping_assessor(samples: &[u8]) -> Option<f64> {
    (!samples.is_empty()).then(|| {
        if FLIP.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            6.0
        } else {
            5.0
        }
    })
}

#[test]
fn two_hundred_children_forked_while_two_threads_draw_never_hang() {
    let (a, _) = fake_in("fake_fork_a", SourceCategory::Timing, 41);
    let (b, _) = fake_in("fake_fork_b", SourceCategory::Silicon, 42);
    let mut cfg = config(vec![a, b]);
    cfg.assessor = flipping_assessor;
    cfg.reassess_interval = Duration::from_millis(100);
    cfg.idle_cpu_budget = 1.0;
    cfg.starvation_timeout = Duration::from_secs(10);
    let engine = Engine::start(cfg).unwrap();
    let mut rng = engine.rng(Conditioning::Drbg).unwrap();
    rng.try_fill_bytes(&mut [0u8; 64]).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let drawers: Vec<_> = [Conditioning::Drbg, Conditioning::Sha256]
        .into_iter()
        .map(|mode| {
            let engine = engine.clone();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut handle = engine.rng(mode).unwrap();
                let mut buffer = vec![0u8; 1 << 16];
                while !stop.load(Ordering::Relaxed) {
                    let n = if mode == Conditioning::Drbg {
                        1 << 16
                    } else {
                        64
                    };
                    let _ = handle.try_fill_bytes(&mut buffer[..n]);
                }
            })
        })
        .collect();

    // A dashboard polling the status: it holds the engine's lock much of the time, as a
    // harvester or a server thread may at any fork.
    let watcher = {
        let engine = engine.clone();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::hint::black_box(engine.status());
            }
        })
    };
    let revoked_before = engine.status().blocks_revoked;
    let mut hung = 0;
    let mut failed = 0;
    let mut slowest = Duration::ZERO;
    for _ in 0..CHILDREN {
        // A fresh seed in the parent, then (usually) a revision before the fork: the child's
        // copy of the handle then checks its seed against the revised figures.
        let _ = rng.try_fill_bytes(&mut [0u8; 16]);
        std::thread::sleep(Duration::from_millis(2));
        let forked = Instant::now();
        // SAFETY: the child only draws, then ends with `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            // SAFETY: alarm(2) only schedules SIGALRM, whose default action ends the child.
            unsafe { libc::alarm(HANG_SECONDS) };
            let code = match rng.try_fill_bytes(&mut [0u8; 16]) {
                Ok(()) => 0,
                Err(_) => 1,
            };
            // SAFETY: `_exit` ends the child without running the parent's destructors.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waiting for the child created above.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        slowest = slowest.max(forked.elapsed());
        if libc::WIFSIGNALED(status) {
            hung += 1;
        } else if libc::WEXITSTATUS(status) != 0 {
            failed += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for drawer in drawers {
        drawer.join().unwrap();
    }
    watcher.join().unwrap();
    let revoked = engine.status().blocks_revoked - revoked_before;
    println!(
        "{CHILDREN} children: {hung} hung, {failed} failed; slowest {slowest:?}; {} \
         re-assessments, {revoked} blocks revoked meanwhile",
        FLIP.load(Ordering::SeqCst)
    );
    assert_eq!(hung, 0, "{hung} of {CHILDREN} children hung");
    assert!(
        failed <= CHILDREN / 10,
        "{failed} of {CHILDREN} children could not draw"
    );
}
