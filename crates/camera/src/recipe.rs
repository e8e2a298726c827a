//! The LiveCam recipe behind `GET /rng`: one region from each group's buffer, CPU timing
//! jitter, network timing jitter, 32 bytes from the operating system's generator, a request
//! counter and a timestamp, through HMAC-SHA256 keyed with a session secret; the first 53
//! bits of the tag become a float in [0, 1).
//!
//! Two faults of the original are fixed here. It divides a u64 by 2^64, which rounds to 1.0
//! for the top 2^10 values; 53 bits over 2^53 never reaches 1.0. And it rotates its secret
//! under a global lock while collecting inputs, stalling every request; here the new secret
//! is derived from the inputs the rotating request already gathered and swapped in with one
//! pointer store, so no lock is ever held across I/O or collection.
//!
//! The OS randomness makes every output unpredictable on its own; the camera regions, timing
//! jitter, counter and clock are mixed in (LiveCam's design) and earn no credit here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

use crate::buffer::GroupBuffers;
use crate::prefetcher::Stats;

/// The secret rotates after this many requests...
pub const ROTATE_AFTER_REQUESTS: u64 = 100;
/// ...or after this long, whichever comes first.
pub const ROTATE_AFTER: Duration = Duration::from_secs(30);

/// Time as the recipe sees it: injectable so tests can move it.
pub trait Clock: Send + Sync {
    /// A monotonic instant, for the rotation age.
    fn monotonic(&self) -> Duration;
    /// Wall-clock nanoseconds since the Unix epoch, mixed in as the timestamp.
    fn unix_nanos(&self) -> u128;
}

/// The real clocks.
#[derive(Debug)]
pub struct SystemClock(Instant);

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock(Instant::now())
    }
}

impl Clock for SystemClock {
    fn monotonic(&self) -> Duration {
        self.0.elapsed()
    }
    fn unix_nanos(&self) -> u128 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    }
}

/// A session secret and when it was made.
struct Secret {
    key: [u8; 32],
    born: Duration,
    uses: AtomicU64,
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

/// The `/rng` generator.
pub struct LiveCam {
    buffers: Option<Arc<GroupBuffers>>,
    stats: Option<Arc<Stats>>,
    clock: Arc<dyn Clock>,
    counter: AtomicU64,
    rotations: AtomicU64,
    // Held only to clone or replace the Arc: a pointer copy, never across I/O.
    secret: Mutex<Arc<Secret>>,
}

impl std::fmt::Debug for LiveCam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCam")
            .field("camera", &self.buffers.is_some())
            .field("requests", &self.counter.load(Ordering::Relaxed))
            .field("rotations", &self.rotations.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl LiveCam {
    /// A generator over camera `buffers` (or none: the recipe minus the image part) and the
    /// prefetcher's network timings.
    pub fn new(
        buffers: Option<Arc<GroupBuffers>>,
        stats: Option<Arc<Stats>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let mut key = [0u8; 32];
        os_random(&mut key);
        let born = clock.monotonic();
        LiveCam {
            buffers,
            stats,
            clock,
            counter: AtomicU64::new(0),
            rotations: AtomicU64::new(0),
            secret: Mutex::new(Arc::new(Secret {
                key,
                born,
                uses: AtomicU64::new(0),
            })),
        }
    }

    /// Whether camera regions are part of the recipe.
    pub fn has_camera(&self) -> bool {
        self.buffers.is_some()
    }

    /// How many times the secret has rotated.
    pub fn rotations(&self) -> u64 {
        self.rotations.load(Ordering::Relaxed)
    }

    /// Requests served.
    pub fn requests(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }

    fn current(&self) -> Arc<Secret> {
        Arc::clone(&self.secret.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// One draw: 32 bytes of HMAC-SHA256 over this request's inputs.
    pub fn next_block(&self) -> [u8; 32] {
        self.next_block_with(&[])
    }

    /// One draw with `extra` input mixed in (the server passes bytes from its entropy pool,
    /// which is how `/rng` works with no camera configured).
    pub fn next_block_with(&self, extra: &[u8]) -> [u8; 32] {
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let inputs = self.gather(count, extra);
        let secret = self.current();
        let uses = secret.uses.fetch_add(1, Ordering::Relaxed) + 1;
        let tag = hmac(&secret.key, &inputs, b"livecam/rng");
        let age = self.clock.monotonic().saturating_sub(secret.born);
        if uses >= ROTATE_AFTER_REQUESTS || age >= ROTATE_AFTER {
            // The next secret comes from the same inputs under a different label, so it is
            // independent of the output just produced.
            let next = Arc::new(Secret {
                key: hmac(&secret.key, &inputs, b"livecam/rotate"),
                born: self.clock.monotonic(),
                uses: AtomicU64::new(0),
            });
            let mut slot = self.secret.lock().unwrap_or_else(|p| p.into_inner());
            // Only the first of several concurrent rotators swaps; the others see a new Arc.
            if Arc::ptr_eq(&slot, &secret) {
                *slot = next;
                self.rotations.fetch_add(1, Ordering::Relaxed);
            }
        }
        tag
    }

    /// A float uniform in [0, 1) with 53 random bits: never 1.0.
    pub fn next_f64(&self) -> f64 {
        self.next_f64_with(&[])
    }

    /// [`next_f64`](Self::next_f64) with `extra` input mixed in.
    pub fn next_f64_with(&self, extra: &[u8]) -> f64 {
        let block = self.next_block_with(extra);
        let mut top = [0u8; 8];
        top.copy_from_slice(&block[..8]);
        (u64::from_be_bytes(top) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// The request's inputs, length-prefixed so no two input lists encode alike.
    fn gather(&self, count: u64, extra: &[u8]) -> Vec<u8> {
        let mut m = Vec::with_capacity(8192);
        let mut put = |part: &[u8]| {
            m.extend_from_slice(&(part.len() as u32).to_be_bytes());
            m.extend_from_slice(part);
        };
        if let Some(buffers) = &self.buffers {
            for region in buffers.one_per_group() {
                put(&region.rgb);
            }
        }
        put(&cpu_jitter());
        if let Some(stats) = &self.stats {
            let timings: Vec<u8> = stats
                .network_timings()
                .iter()
                .flat_map(|t| t.to_le_bytes())
                .collect();
            put(&timings);
        }
        let mut os = [0u8; 32];
        os_random(&mut os);
        put(&os);
        put(extra);
        put(&count.to_be_bytes());
        put(&self.clock.unix_nanos().to_be_bytes());
        m
    }
}

fn hmac(key: &[u8; 32], message: &[u8], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(label);
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Durations of eight short pieces of work, in cycle-counter ticks.
fn cpu_jitter() -> [u8; 64] {
    let mut out = [0u8; 64];
    let mut acc = 0u64;
    for chunk in out.chunks_exact_mut(8) {
        let t0 = wellspring_core::clock::ticks();
        for i in 0..64u64 {
            acc = acc.rotate_left(5) ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        let dt = wellspring_core::clock::ticks().wrapping_sub(t0) ^ (acc & 0xff);
        chunk.copy_from_slice(&dt.to_le_bytes());
    }
    out
}

fn os_random(buf: &mut [u8]) {
    // getrandom only fails if the kernel has no generator at all; then the other inputs
    // still make each output distinct, and the server's health check reports degraded.
    if getrandom::fill(buf).is_err() {
        tracing::error!("the operating system's random generator failed");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_float_is_below_one_even_for_an_all_ones_tag() {
        let top = u64::MAX >> 11;
        let f = top as f64 * (1.0 / (1u64 << 53) as f64);
        assert!(f < 1.0);
        // The original's u64 / 2^64 rounds to exactly 1.0 here.
        assert_eq!(u64::MAX as f64 / 18_446_744_073_709_551_616.0, 1.0);
    }
}
