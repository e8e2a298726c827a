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
//!
//! Nothing secret outlives its use: the session secret is wiped when its last holder drops it
//! (at rotation, or with the generator), and every temporary holding a request's inputs (the
//! copied regions, the jitter, the OS bytes, the assembled message) or an HMAC tag is
//! [zeroized](zeroize) after use. The message buffer is allocated at its final size, so no
//! reallocation leaves a stray copy behind. (The `hmac` crate's own state does not zeroize
//! itself on drop; its key-derived pads are a hash state, not the secret.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

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

/// A session secret and when it was made; the key is wiped on drop.
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
        let mut key = Zeroizing::new([0u8; 32]);
        os_random(key.as_mut());
        let born = clock.monotonic();
        LiveCam {
            buffers,
            stats,
            clock,
            counter: AtomicU64::new(0),
            rotations: AtomicU64::new(0),
            secret: Mutex::new(Arc::new(Secret {
                key: *key,
                born,
                uses: AtomicU64::new(0),
            })),
        }
    }

    /// Whether camera regions are part of the recipe.
    pub fn has_camera(&self) -> bool {
        self.buffers.is_some()
    }

    /// What feeds each `/rng` answer, in LiveCam's words: `cpu_timing_jitter` and
    /// `os_random` always, `network_timing_jitter` when the prefetcher's fetch timings are
    /// mixed in, `live_camera_images` when camera regions are.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use wellspring_camera::{LiveCam, SystemClock};
    ///
    /// let livecam = LiveCam::new(None, None, Arc::new(SystemClock::default()));
    /// assert_eq!(livecam.mechanisms(), ["cpu_timing_jitter", "os_random"]);
    /// ```
    pub fn mechanisms(&self) -> Vec<&'static str> {
        let mut names = vec!["cpu_timing_jitter"];
        if self.stats.is_some() {
            names.push("network_timing_jitter");
        }
        if self.buffers.is_some() {
            names.push("live_camera_images");
        }
        names.push("os_random");
        names
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
        // The old secret is wiped when the last request holding it drops its `Arc`.
        let age = self.clock.monotonic().saturating_sub(secret.born);
        if uses >= ROTATE_AFTER_REQUESTS || age >= ROTATE_AFTER {
            // The next secret comes from the same inputs under a different label, so it is
            // independent of the output just produced.
            let key = Zeroizing::new(hmac(&secret.key, &inputs, b"livecam/rotate"));
            let next = Arc::new(Secret {
                key: *key,
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
        let block = Zeroizing::new(self.next_block_with(extra));
        unit_float(&block)
    }

    /// The request's inputs, length-prefixed so no two input lists encode alike, in a buffer
    /// wiped on drop. Every temporary copy of an input is wiped here before returning.
    fn gather(&self, count: u64, extra: &[u8]) -> Zeroizing<Vec<u8>> {
        let mut regions = self
            .buffers
            .as_ref()
            .map(|b| b.one_per_group())
            .unwrap_or_default();
        let jitter = Zeroizing::new(cpu_jitter());
        let timings: Option<Zeroizing<Vec<u8>>> = self.stats.as_ref().map(|stats| {
            Zeroizing::new(
                stats
                    .network_timings()
                    .iter()
                    .flat_map(|t| t.to_le_bytes())
                    .collect(),
            )
        });
        let mut os = Zeroizing::new([0u8; 32]);
        os_random(os.as_mut());
        let count = Zeroizing::new(count.to_be_bytes());
        let now = Zeroizing::new(self.clock.unix_nanos().to_be_bytes());
        let mut parts: Vec<&[u8]> = regions.iter().map(|r| r.rgb.as_slice()).collect();
        parts.push(jitter.as_ref());
        if let Some(timings) = &timings {
            parts.push(timings);
        }
        parts.extend([os.as_ref(), extra, count.as_ref(), now.as_ref()]);
        // Allocated once at its final size: growing would leave unwiped copies behind.
        let size = parts.iter().map(|p| 4 + p.len()).sum();
        let mut m = Zeroizing::new(Vec::with_capacity(size));
        for part in parts {
            m.extend_from_slice(&(part.len() as u32).to_be_bytes());
            m.extend_from_slice(part);
        }
        for region in &mut regions {
            region.rgb.zeroize();
        }
        m
    }
}

/// The first 53 bits of `block`, big-endian, over 2^53: a float in [0, 1), never 1.0.
fn unit_float(block: &[u8; 32]) -> f64 {
    let mut top = Zeroizing::new([0u8; 8]);
    top.copy_from_slice(&block[..8]);
    (u64::from_be_bytes(*top) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn hmac(key: &[u8; 32], message: &[u8], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(label);
    mac.update(message);
    let mut tag = mac.finalize().into_bytes();
    let mut out = [0u8; 32];
    out.copy_from_slice(&tag);
    tag.as_mut_slice().zeroize();
    out
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
    use super::*;
    use crate::regions::Region;

    /// A clock that never moves: rotation happens by request count only.
    struct Stopped;

    impl Clock for Stopped {
        fn monotonic(&self) -> Duration {
            Duration::ZERO
        }
        fn unix_nanos(&self) -> u128 {
            1_800_000_000_000_000_000
        }
    }

    #[test]
    fn rotation_replaces_the_secret_and_lets_the_old_one_go() {
        let rng = LiveCam::new(None, None, Arc::new(Stopped));
        let old = rng.current();
        let first = old.key;
        assert_ne!(first, [0; 32]);
        for _ in 0..ROTATE_AFTER_REQUESTS {
            rng.next_block();
        }
        assert_eq!(rng.rotations(), 1);
        let new = rng.current();
        assert_ne!(new.key, first, "a new secret");
        assert_ne!(new.key, [0; 32]);
        // The generator let go of the old secret: ours is the last `Arc`, and dropping it
        // runs `Secret::drop`, which wipes the key.
        assert_eq!(old.key, first);
        assert_eq!(Arc::strong_count(&old), 1);
    }

    #[test]
    fn the_input_buffer_is_allocated_once_so_no_unwiped_copy_is_left() {
        let groups: Vec<String> = (0..6).map(|g| format!("g{g}")).collect();
        let buffers = Arc::new(GroupBuffers::new(&groups, 4));
        for (i, g) in groups.iter().enumerate() {
            let rgb = vec![i as u8; 3 * 32 * 32];
            buffers.push(g, vec![Region { rgb }], false);
        }
        let stats = Arc::new(Stats::default());
        let rng = LiveCam::new(Some(buffers), Some(stats), Arc::new(Stopped));
        let m = rng.gather(7, b"extra");
        // Six regions, jitter, timings, OS bytes, extra, counter, clock: 12 parts.
        assert_eq!(
            m.len(),
            6 * (4 + 3072) + (4 + 64) + 4 + (4 + 32) + (4 + 5) + 12 + 20
        );
        assert_eq!(m.capacity(), m.len(), "never grown, so never copied");
    }

    #[test]
    fn the_float_is_below_one_even_for_an_all_ones_tag() {
        // The conversion `next_f64` uses, on the largest tag: 1 - 2^-53, not 1.0.
        let largest = unit_float(&[0xff; 32]);
        assert!(largest < 1.0);
        assert_eq!(largest, 1.0 - f64::EPSILON / 2.0);
        // The original's u64 / 2^64 rounds to exactly 1.0 here.
        assert_eq!(u64::MAX as f64 / 18_446_744_073_709_551_616.0, 1.0);
        // It reads the first 53 bits, big-endian, and ignores the rest of the block.
        assert_eq!(unit_float(&[0; 32]), 0.0);
        let mut half = [0xff; 32];
        half[..8].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0x07, 0xff]);
        assert_eq!(unit_float(&half), 0.5);
        let mut smallest = [0; 32];
        smallest[6] = 0x08;
        assert_eq!(unit_float(&smallest), 2f64.powi(-53));

        // And the real generator: every draw is in [0, 1) and a whole multiple of 2^-53,
        // so it carries exactly 53 bits of its tag.
        let rng = LiveCam::new(None, None, Arc::new(Stopped));
        let mut draws = Vec::new();
        for i in 0..1000u32 {
            let f = if i % 2 == 0 {
                rng.next_f64()
            } else {
                rng.next_f64_with(&i.to_be_bytes())
            };
            assert!((0.0..1.0).contains(&f), "{f}");
            let scaled = f * 2f64.powi(53);
            assert_eq!(scaled.fract(), 0.0, "{f} is not k / 2^53");
            draws.push(f);
        }
        // Uniform over 2^53 values: 1,000 draws, all distinct, half of them below one half.
        let below_half = draws.iter().filter(|&&f| f < 0.5).count();
        assert!((400..600).contains(&below_half), "{below_half} of 1000");
        draws.sort_by(f64::total_cmp);
        draws.dedup();
        assert_eq!(draws.len(), 1000);
    }
}
