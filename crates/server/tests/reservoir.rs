//! The DRBG buffer's bounds, over a real engine fed by a fast fake source: at most 256 KiB
//! buffered, nothing kept past the age limit, and no byte served twice.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wellspring_core::engine::{Engine, EngineConfig};
use wellspring_core::pool::Conditioning;
use wellspring_core::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};
use wellspring_server::reservoir::{DRBG_BUFFER_CAPACITY, DRBG_MAX_AGE};
use wellspring_server::{Backend, EngineBackend};

/// Uniform bytes from a splitmix64 generator, as fast as they are asked for.
struct Fake {
    info: SourceInfo,
    state: AtomicU64,
}

fn splitmix(state: &AtomicU64) -> u64 {
    let mut z = state
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl EntropySource for Fake {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        Ok((0..n).map(|_| splitmix(&self.state) as u8).collect())
    }
}

fn engine(seed: u64) -> Engine {
    let source: Arc<dyn EntropySource> = Arc::new(Fake {
        info: SourceInfo {
            name: "fake_uniform",
            category: SourceCategory::Timing,
            physics: "test double",
            speed: SpeedClass::Fast,
        },
        state: AtomicU64::new(seed),
    });
    let mut config = EngineConfig::new(vec![source]);
    config.startup_samples = 2048;
    Engine::start(config).unwrap()
}

/// Polls `ok` every 10 ms for up to 10 s.
fn eventually(mut ok: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn the_buffer_never_holds_more_than_256_kib() {
    assert_eq!(DRBG_BUFFER_CAPACITY, 256 * 1024);
    assert_eq!(DRBG_MAX_AGE, Duration::from_secs(1));
    let backend = EngineBackend::new(engine(1));
    // It fills (at least past half) ...
    assert!(eventually(
        || backend.buffered_bytes() >= DRBG_BUFFER_CAPACITY / 2
    ));
    // ... and, idle or drained and refilled, never past the limit.
    let until = Instant::now() + Duration::from_millis(1500);
    let mut most = 0;
    let mut round = 0usize;
    while Instant::now() < until {
        most = most.max(backend.buffered_bytes());
        if round.is_multiple_of(4) {
            backend.take(Conditioning::Drbg, 48 * 1024).unwrap();
        }
        round += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    most = most.max(backend.buffered_bytes());
    assert!(most <= DRBG_BUFFER_CAPACITY, "{most} bytes buffered");
}

#[test]
fn an_idle_buffer_keeps_nothing_older_than_the_age_limit() {
    let max_age = Duration::from_millis(200);
    let backend = EngineBackend::with_limits(engine(2), 64 * 1024, max_age);
    assert!(eventually(|| backend.buffered_bytes() > 0));
    // No requests: the first chunks expire and must be swept (and replaced by fresh ones).
    std::thread::sleep(3 * max_age);
    assert!(
        eventually(|| backend
            .oldest_buffered_age()
            .is_some_and(|age| age < max_age)),
        "oldest chunk {:?} old",
        backend.oldest_buffered_age()
    );
    // The bound holds for the smaller capacity too.
    assert!(backend.buffered_bytes() <= 64 * 1024);
}

#[test]
fn served_bytes_never_repeat_and_requests_larger_than_the_buffer_are_gathered() {
    let backend = EngineBackend::new(engine(3));
    let mut blocks = HashSet::new();
    let mut served = 0;
    let mut check = |bytes: Vec<u8>, n: usize| {
        assert_eq!(bytes.len(), n);
        for block in bytes.chunks_exact(16) {
            assert!(blocks.insert(block.to_vec()), "a 16-byte block repeated");
        }
        served += n;
    };
    // The API allows 1 MiB (hex16, 1024 x 1024): four times the buffer.
    check(backend.take(Conditioning::Drbg, 1 << 20).unwrap(), 1 << 20);
    for _ in 0..64 {
        let n = 4096;
        match backend.try_take(Conditioning::Drbg, n) {
            Some(bytes) => check(bytes, n),
            None => check(backend.take(Conditioning::Drbg, n).unwrap(), n),
        }
    }
    assert_eq!(served, (1 << 20) + 64 * 4096);
}

#[test]
fn a_short_age_limit_still_serves_requests_gathered_over_many_chunks() {
    // A 4 KiB buffer refilled in 1 KiB chunks, each usable for 200 ms: a 32 KiB request is
    // gathered from 32 chunks.
    let backend = EngineBackend::with_limits(engine(4), 4096, Duration::from_millis(200));
    let a = backend.take(Conditioning::Drbg, 32 * 1024).unwrap();
    let b = backend.take(Conditioning::Drbg, 32 * 1024).unwrap();
    assert_eq!((a.len(), b.len()), (32 * 1024, 32 * 1024));
    assert_ne!(a, b);
    assert!(backend.buffered_bytes() <= 4096);
}
