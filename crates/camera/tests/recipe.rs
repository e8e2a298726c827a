//! The LiveCam recipe: secret rotation at request 100 and after 30 s on a controllable clock,
//! and uniformity of the `/rng` floats (Kolmogorov-Smirnov over 100,000 draws).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wellspring_camera::recipe::{ROTATE_AFTER, ROTATE_AFTER_REQUESTS};
use wellspring_camera::regions::Region;
use wellspring_camera::{Clock, GroupBuffers, LiveCam};

/// A clock that moves only when told to.
#[derive(Default)]
struct ManualClock(AtomicU64);

impl ManualClock {
    fn advance(&self, d: Duration) {
        self.0.fetch_add(d.as_nanos() as u64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn monotonic(&self) -> Duration {
        Duration::from_nanos(self.0.load(Ordering::SeqCst))
    }
    fn unix_nanos(&self) -> u128 {
        1_800_000_000_000_000_000 + u128::from(self.0.load(Ordering::SeqCst))
    }
}

#[test]
fn the_secret_rotates_at_request_100_and_after_30_seconds() {
    let clock = Arc::new(ManualClock::default());
    let rng = LiveCam::new(None, None, clock.clone());
    for _ in 0..ROTATE_AFTER_REQUESTS - 1 {
        rng.next_block();
    }
    assert_eq!(rng.rotations(), 0);
    rng.next_block(); // the 100th
    assert_eq!(rng.rotations(), 1);
    for _ in 0..10 {
        rng.next_block();
    }
    assert_eq!(rng.rotations(), 1);
    clock.advance(ROTATE_AFTER - Duration::from_millis(1));
    rng.next_block();
    assert_eq!(rng.rotations(), 1, "29.999 s is not yet 30");
    clock.advance(Duration::from_millis(1));
    rng.next_block();
    assert_eq!(rng.rotations(), 2, "30 s since the last rotation");
    assert_eq!(rng.requests(), 112);
}

#[test]
fn rotation_under_concurrency_never_stalls_or_repeats() {
    let rng = Arc::new(LiveCam::new(None, None, Arc::new(ManualClock::default())));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let rng = Arc::clone(&rng);
            std::thread::spawn(move || (0..2_500).map(|_| rng.next_block()).collect::<Vec<_>>())
        })
        .collect();
    let mut all: Vec<[u8; 32]> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "no repeated output");
    // 10,000 requests: about one rotation per 100 (a few fewer when rotators race).
    assert!((90..=100).contains(&rng.rotations()), "{}", rng.rotations());
}

#[test]
fn floats_are_uniform_on_0_1_kolmogorov_smirnov() {
    let buffers = Arc::new(GroupBuffers::new(&["europe".into(), "asia".into()], 10));
    for (g, seed) in [("europe", 1u8), ("asia", 2u8)] {
        let regions = (0..10)
            .map(|i| Region {
                rgb: vec![seed.wrapping_mul(31).wrapping_add(i); 3 * 32 * 32],
            })
            .collect();
        buffers.push(g, regions, false);
    }
    let rng = LiveCam::new(Some(buffers), None, Arc::new(ManualClock::default()));
    let n = 100_000;
    let mut xs: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
    assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
    xs.sort_by(f64::total_cmp);
    let d = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| ((i + 1) as f64 / n as f64 - x).max(x - i as f64 / n as f64))
        .fold(0.0, f64::max);
    // Critical value of the KS statistic at alpha = 0.001 for large n: 1.9495 / sqrt(n).
    let critical = 1.9495 / (n as f64).sqrt();
    assert!(d < critical, "D = {d}, critical {critical}");
}
