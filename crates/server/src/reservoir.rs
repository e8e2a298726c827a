//! Where request bytes come from. A dedicated thread keeps a buffer of DRBG output topped
//! up, so a `drbg` request is a memcpy under a short lock; `sha256` requests take full-entropy
//! blocks the engine has already made; only when those run short does a request wait, and
//! then on a blocking thread, never on the async executor.
//!
//! Pre-generated output is future output: whoever reads the server's memory reads the next
//! responses. So the DRBG buffer is bounded in size and in age, and a memory snapshot
//! (a core dump, a swapped-out page, a VM snapshot) reveals at most
//! [`DRBG_BUFFER_CAPACITY`] (256 KiB) of output, all generated in the last
//! [`DRBG_MAX_AGE`] (1 s):
//!
//! - the buffer holds at most 256 KiB, refilled in chunks of up to 64 KiB whenever it drops
//!   below half;
//! - every chunk carries the instant its generation began; a chunk older than 1 s is never
//!   served: requests discard stale chunks before taking, and the refill thread discards
//!   them from an idle buffer too, waking when the oldest chunk expires (and at least every
//!   250 ms). It then refills, so an idle server regenerates up to 256 KiB a second: cheap
//!   AES-CTR work and, at the default reseed policy, one 48-byte reseed every few seconds;
//! - everything that held DRBG output is zeroized: discarded chunks, the served part of a
//!   chunk, a partly gathered request that fails or ages, and the whole buffer on drop.
//!   Bytes handed to the caller are the caller's.
//!
//! - every chunk also carries the engine's credit revision when its generation began
//!   ([`Engine::credit_revision`]); when credit is revised downwards (a lowered assessment,
//!   or a persistent health failure taking a source's credit back) the seed behind a chunk
//!   may be revoked, so every chunk and gathered part of an earlier revision is dropped
//!   unserved, and the DRBG checks its seed before the next chunk.
//!
//! A request larger than what is buffered (the API allows up to 1 MiB) is gathered chunk
//! by chunk as the refill thread makes them, and is still served only if its oldest byte is
//! younger than the age limit.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use wellspring_core::engine::{Engine, EngineStatus};
use wellspring_core::pool::Conditioning;
use zeroize::Zeroize;

/// Most DRBG output kept ready: 256 KiB.
pub const DRBG_BUFFER_CAPACITY: usize = 256 * 1024;
/// Oldest DRBG output that may be served: 1 s after its generation began.
pub const DRBG_MAX_AGE: Duration = Duration::from_secs(1);
/// Largest refill chunk (smaller when the capacity is under 256 KiB: a quarter of it).
const MAX_CHUNK: usize = 64 * 1024;
/// Longest the refill thread sleeps between sweeps for stale chunks.
const MAX_SWEEP: Duration = Duration::from_millis(250);
/// How long `take` waits for output.
const WAIT: Duration = Duration::from_secs(10);

/// Why bytes could not be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BackendError {
    /// No output within the wait limit.
    #[error("no output available: {0}")]
    Unavailable(String),
    /// No source of this name runs in the engine.
    #[error("no source named '{0}' runs in this engine")]
    UnknownSource(String),
}

/// The entropy service behind the handlers.
pub trait Backend: Send + Sync {
    /// `n` bytes in `mode` if they are ready now, without blocking.
    fn try_take(&self, mode: Conditioning, n: usize) -> Option<Vec<u8>>;
    /// `n` bytes in `mode`, waiting (blocking the calling thread) up to a limit.
    fn take(&self, mode: Conditioning, n: usize) -> Result<Vec<u8>, BackendError>;
    /// The engine's state.
    fn status(&self) -> EngineStatus;
    /// The largest full-entropy (`sha256`) request that can ever be ready at once (the
    /// engine's reservoir), when there is such a bound.
    fn max_full_entropy_bytes(&self) -> Option<usize> {
        None
    }
    /// `n` fresh raw samples of `source` for display, never mixed into output (see
    /// `Engine::preview_samples`); blocks while the source collects.
    fn preview(&self, source: &str, n: usize) -> Result<Vec<u8>, BackendError> {
        let _ = n;
        Err(BackendError::Unavailable(format!(
            "this backend shows no samples of {source}"
        )))
    }
}

/// One refill's output: `bytes[start..]` not yet served, generated from `made` on, under
/// the engine's credit revision `revision`.
struct Chunk {
    bytes: Vec<u8>,
    start: usize,
    made: Instant,
    revision: u64,
}

impl Chunk {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.start
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        // Zeroizes the whole allocation, served part included.
        self.bytes.zeroize();
    }
}

/// What output must be to be served: made within `max_age` of `now`, under `revision`.
#[derive(Clone, Copy)]
struct Servable {
    now: Instant,
    max_age: Duration,
    revision: u64,
}

impl Servable {
    fn allows(&self, made: Instant, revision: u64) -> bool {
        self.now.saturating_duration_since(made) < self.max_age && revision == self.revision
    }
}

/// The buffered chunks, oldest first.
#[derive(Default)]
struct Chunks {
    chunks: VecDeque<Chunk>,
    /// Unserved bytes over all chunks.
    len: usize,
    /// Set when the buffer fell below half, until it is full again.
    filling: bool,
}

impl Chunks {
    fn push(&mut self, chunk: Chunk) {
        self.len += chunk.remaining();
        self.chunks.push_back(chunk);
    }

    /// Drops (and so zeroizes) every chunk that may not be served: too old, or made under
    /// an earlier credit revision.
    fn discard_unservable(&mut self, rule: Servable) {
        // Chunks come from one thread in order, but do not rely on it.
        let before = self.chunks.len();
        let mut len = 0;
        self.chunks.retain(|c| {
            let keep = rule.allows(c.made, c.revision);
            if keep {
                len += c.remaining();
            }
            keep
        });
        if self.chunks.len() != before {
            self.len = len;
        }
    }

    fn oldest(&self) -> Option<Instant> {
        self.chunks.iter().map(|c| c.made).min()
    }

    /// Moves up to `n` bytes, oldest first, into `out`, zeroizing them in the buffer.
    fn take_into(&mut self, out: &mut Gathered, mut n: usize) {
        while n > 0 {
            let Some(chunk) = self.chunks.front_mut() else {
                return;
            };
            let k = n.min(chunk.remaining());
            let taken = &mut chunk.bytes[chunk.start..chunk.start + k];
            out.push(taken, chunk.made, chunk.revision);
            taken.zeroize();
            chunk.start += k;
            self.len -= k;
            n -= k;
            if chunk.remaining() == 0 {
                self.chunks.pop_front();
            }
        }
    }
}

/// A request's output as it is gathered: the bytes, and where each chunk's part ends.
struct Gathered {
    /// Allocated at the request's size, so it never reallocates (leaving copies behind).
    bytes: Vec<u8>,
    /// (end offset, generation instant, credit revision) of each part, in order.
    parts: VecDeque<(usize, Instant, u64)>,
}

impl Gathered {
    fn new(n: usize) -> Self {
        Gathered {
            bytes: Vec::with_capacity(n),
            parts: VecDeque::new(),
        }
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }

    fn push(&mut self, bytes: &[u8], made: Instant, revision: u64) {
        debug_assert!(self.bytes.len() + bytes.len() <= self.bytes.capacity());
        self.bytes.extend_from_slice(bytes);
        self.parts.push_back((self.bytes.len(), made, revision));
    }

    /// Zeroizes and drops every part (and all before it) that may no longer be served.
    fn discard_unservable(&mut self, rule: Servable) {
        let Some(last_stale) = self
            .parts
            .iter()
            .rposition(|&(_, made, revision)| !rule.allows(made, revision))
        else {
            return;
        };
        let cut = self.parts[last_stale].0;
        self.parts.drain(..=last_stale);
        let len = self.bytes.len();
        self.bytes[..cut].zeroize();
        self.bytes.copy_within(cut.., 0);
        self.bytes[len - cut..].zeroize();
        self.bytes.truncate(len - cut);
        for part in &mut self.parts {
            part.0 -= cut;
        }
    }

    /// The bytes, now the caller's.
    fn finish(mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}

impl Drop for Gathered {
    fn drop(&mut self) {
        // An unfinished request: nothing of it is served.
        self.bytes.zeroize();
    }
}

/// DRBG bytes kept ready: at most `capacity`, none older than `max_age`.
struct DrbgBuffer {
    chunks: Mutex<Chunks>,
    /// Wakes the refill thread.
    refill: Condvar,
    /// Wakes requests waiting for output.
    ready: Condvar,
    capacity: usize,
    chunk: usize,
    max_age: Duration,
    last_error: Mutex<Option<String>>,
}

impl DrbgBuffer {
    fn lock(&self) -> MutexGuard<'_, Chunks> {
        self.chunks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How often the refill thread and waiting requests look for stale output.
    fn sweep(&self) -> Duration {
        (self.max_age / 4).clamp(Duration::from_millis(1), MAX_SWEEP)
    }

    /// How long the idle refill thread may sleep: until the oldest chunk expires, and no
    /// longer than a sweep.
    fn idle_wait(&self, chunks: &Chunks, now: Instant) -> Duration {
        let expiry = chunks.oldest().map_or(Duration::MAX, |made| {
            (made + self.max_age).saturating_duration_since(now)
        });
        expiry.min(self.sweep()).max(Duration::from_millis(1))
    }

    /// Whether the refill thread should make another chunk now.
    fn wants_refill(&self, chunks: &mut Chunks) -> bool {
        if chunks.len < self.capacity / 2 {
            chunks.filling = true;
        }
        if chunks.filling && chunks.len + self.chunk > self.capacity {
            chunks.filling = false;
        }
        chunks.filling
    }

    /// Tells the refill thread if the buffer is below half.
    fn nudge(&self, chunks: &Chunks) {
        if chunks.len < self.capacity / 2 {
            self.refill.notify_one();
        }
    }
}

/// Why `take_drbg` returned nothing.
enum Shortfall {
    /// Not enough output now, and the caller would not wait.
    NotReady,
    /// The wait ran out; `gathered` bytes of the request had been gathered at some point.
    TimedOut { gathered: bool },
}

/// The backend over a running [`Engine`].
pub struct EngineBackend {
    engine: Engine,
    drbg: Arc<DrbgBuffer>,
    wait: Duration,
}

impl EngineBackend {
    /// Starts the DRBG refill thread over `engine`, with a buffer of at most
    /// [`DRBG_BUFFER_CAPACITY`] bytes, none served older than [`DRBG_MAX_AGE`].
    pub fn new(engine: Engine) -> Arc<Self> {
        Self::with_limits(engine, DRBG_BUFFER_CAPACITY, DRBG_MAX_AGE)
    }

    /// As [`EngineBackend::new`], with another buffer capacity (in bytes, at least 2) and
    /// age limit (above zero); for tests.
    #[doc(hidden)]
    pub fn with_limits(engine: Engine, capacity: usize, max_age: Duration) -> Arc<Self> {
        assert!(capacity >= 2, "the DRBG buffer needs room for two bytes");
        assert!(!max_age.is_zero(), "a zero age limit would serve nothing");
        let drbg = Arc::new(DrbgBuffer {
            chunks: Mutex::new(Chunks::default()),
            refill: Condvar::new(),
            ready: Condvar::new(),
            capacity,
            chunk: (capacity / 4).clamp(1, MAX_CHUNK),
            max_age,
            last_error: Mutex::new(None),
        });
        let weak = Arc::downgrade(&drbg);
        let revisions = engine.clone();
        let mut rng = engine
            .rng(Conditioning::Drbg)
            .expect("drbg is a cryptographic mode");
        let _ = std::thread::Builder::new()
            .name("ws-server-drbg".into())
            .spawn(move || {
                // The thread ends when the backend (and so the buffer) is dropped.
                while let Some(buffer) = weak.upgrade() {
                    {
                        let mut chunks = buffer.lock();
                        loop {
                            let now = Instant::now();
                            chunks.discard_unservable(Servable {
                                now,
                                max_age: buffer.max_age,
                                revision: revisions.credit_revision(),
                            });
                            if buffer.wants_refill(&mut chunks) {
                                break;
                            }
                            let wait = buffer.idle_wait(&chunks, now);
                            chunks = buffer
                                .refill
                                .wait_timeout(chunks, wait)
                                .unwrap_or_else(|p| p.into_inner())
                                .0;
                            if Arc::strong_count(&buffer) == 1 {
                                return;
                            }
                        }
                    }
                    // Generated straight into the chunk that is buffered: no scratch copy.
                    let mut chunk = Chunk {
                        bytes: vec![0u8; buffer.chunk],
                        start: 0,
                        made: Instant::now(),
                        revision: revisions.credit_revision(),
                    };
                    match rng.try_fill(&mut chunk.bytes) {
                        Ok(()) => {
                            let mut chunks = buffer.lock();
                            chunks.push(chunk);
                            drop(chunks);
                            *buffer.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
                            buffer.ready.notify_all();
                        }
                        Err(e) => {
                            drop(chunk);
                            *buffer.last_error.lock().unwrap_or_else(|p| p.into_inner()) =
                                Some(e.to_string());
                            buffer.ready.notify_all();
                            std::thread::sleep(Duration::from_millis(200));
                        }
                    }
                }
            });
        Arc::new(EngineBackend {
            engine,
            drbg,
            wait: WAIT,
        })
    }

    /// DRBG bytes buffered now (stale ones included until they are swept).
    #[doc(hidden)]
    pub fn buffered_bytes(&self) -> usize {
        self.drbg.lock().len
    }

    /// How long ago the oldest buffered chunk's generation began; `None` when empty.
    #[doc(hidden)]
    pub fn oldest_buffered_age(&self) -> Option<Duration> {
        self.drbg.lock().oldest().map(|made| made.elapsed())
    }

    /// What may be served at `now`: output younger than the age limit, made under the
    /// engine's current credit revision.
    fn servable(&self, now: Instant) -> Servable {
        Servable {
            now,
            max_age: self.drbg.max_age,
            revision: self.engine.credit_revision(),
        }
    }

    fn take_drbg(&self, n: usize, deadline: Option<Instant>) -> Result<Vec<u8>, Shortfall> {
        let drbg = &*self.drbg;
        let mut chunks = drbg.lock();
        chunks.discard_unservable(self.servable(Instant::now()));
        if chunks.len < n && deadline.is_none() {
            drbg.refill.notify_one();
            return Err(Shortfall::NotReady);
        }
        // Gathered as the refill thread makes chunks when the buffer is short.
        let mut out = Gathered::new(n);
        let mut gathered = false;
        loop {
            let now = Instant::now();
            let rule = self.servable(now);
            chunks.discard_unservable(rule);
            out.discard_unservable(rule);
            let want = n - out.len();
            chunks.take_into(&mut out, want);
            gathered |= out.len() > 0;
            if out.len() == n {
                drbg.nudge(&chunks);
                return Ok(out.finish());
            }
            drbg.refill.notify_one();
            let left = deadline
                .unwrap_or(now)
                .saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Shortfall::TimedOut { gathered });
            }
            // Wake to wipe gathered bytes that age while the rest is made.
            chunks = drbg
                .ready
                .wait_timeout(chunks, left.min(drbg.sweep()))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

impl Backend for EngineBackend {
    fn max_full_entropy_bytes(&self) -> Option<usize> {
        Some(self.engine.reservoir_capacity_bytes())
    }

    fn try_take(&self, mode: Conditioning, n: usize) -> Option<Vec<u8>> {
        match mode {
            Conditioning::Drbg => self.take_drbg(n, None).ok(),
            Conditioning::Sha256 => {
                let mut out = vec![0u8; n];
                self.engine.try_fill_full_entropy(&mut out).then_some(out)
            }
            // Raw samples are collected on demand: always the blocking path.
            Conditioning::Raw => None,
        }
    }

    fn take(&self, mode: Conditioning, n: usize) -> Result<Vec<u8>, BackendError> {
        match mode {
            Conditioning::Drbg => {
                self.take_drbg(n, Some(Instant::now() + self.wait))
                    .map_err(|shortfall| {
                        let why = self
                            .drbg
                            .last_error
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .clone();
                        BackendError::Unavailable(why.unwrap_or_else(|| match shortfall {
                            Shortfall::TimedOut { gathered: true } => format!(
                                "DRBG output for {n} bytes could not be gathered within {:?} \
                             of its generation",
                                self.drbg.max_age
                            ),
                            _ => "the DRBG is not seeded yet".into(),
                        }))
                    })
            }
            Conditioning::Sha256 => {
                let mut out = vec![0u8; n];
                self.engine
                    .fill_full_entropy(&mut out)
                    .map(|()| out)
                    .map_err(|e| BackendError::Unavailable(e.to_string()))
            }
            Conditioning::Raw => {
                let mut out = vec![0u8; n];
                self.engine
                    .fill_raw(&mut out)
                    .map(|()| out)
                    .map_err(|e| BackendError::Unavailable(e.to_string()))
            }
        }
    }

    fn status(&self) -> EngineStatus {
        self.engine.status()
    }

    fn preview(&self, source: &str, n: usize) -> Result<Vec<u8>, BackendError> {
        self.engine.preview_samples(source, n).map_err(|e| match e {
            wellspring_core::engine::EngineError::UnknownSource(name) => {
                BackendError::UnknownSource(name)
            }
            other => BackendError::Unavailable(other.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(fill: u8, len: usize, made: Instant) -> Chunk {
        revised_chunk(fill, len, made, 0)
    }

    fn revised_chunk(fill: u8, len: usize, made: Instant, revision: u64) -> Chunk {
        Chunk {
            bytes: vec![fill; len],
            start: 0,
            made,
            revision,
        }
    }

    fn at(now: Instant, max_age: Duration, revision: u64) -> Servable {
        Servable {
            now,
            max_age,
            revision,
        }
    }

    #[test]
    fn output_made_before_a_credit_revision_is_dropped_unserved() {
        // The audit's case: the buffer (up to 256 KiB) was never flushed on revocation.
        let t0 = Instant::now();
        let age = Duration::from_secs(1);
        let mut chunks = Chunks::default();
        chunks.push(revised_chunk(1, 4, t0, 3));
        chunks.push(revised_chunk(2, 4, t0, 4));
        chunks.discard_unservable(at(t0, age, 4));
        assert_eq!((chunks.len, chunks.chunks.len()), (4, 1));
        assert_eq!(chunks.chunks[0].bytes, [2; 4]);
        // A request gathered partly before the revision keeps nothing of that part.
        let mut out = Gathered::new(8);
        out.push(&[7, 7], t0, 4);
        out.push(&[8, 8], t0, 5);
        out.discard_unservable(at(t0, age, 5));
        assert_eq!(out.bytes, [8, 8]);
    }

    #[test]
    fn taking_spans_chunks_and_wipes_what_it_served() {
        let t0 = Instant::now();
        let mut chunks = Chunks::default();
        chunks.push(chunk(1, 4, t0));
        chunks.push(chunk(2, 4, t0));
        let mut out = Gathered::new(6);
        chunks.take_into(&mut out, 6);
        assert_eq!(out.bytes, [1, 1, 1, 1, 2, 2]);
        assert_eq!(chunks.len, 2);
        assert_eq!(chunks.chunks.len(), 1);
        // The served part of the remaining chunk is zero; the rest is intact.
        assert_eq!(chunks.chunks[0].bytes, [0, 0, 2, 2]);
        assert_eq!(out.finish(), [1, 1, 1, 1, 2, 2]);
    }

    #[test]
    fn stale_chunks_are_discarded_and_the_count_follows() {
        let t0 = Instant::now();
        let age = Duration::from_secs(1);
        let mut chunks = Chunks::default();
        chunks.push(chunk(1, 4, t0));
        chunks.push(chunk(2, 8, t0 + Duration::from_millis(600)));
        chunks.discard_unservable(at(t0 + Duration::from_millis(999), age, 0));
        assert_eq!(chunks.len, 12);
        chunks.discard_unservable(at(t0 + age, age, 0));
        assert_eq!(chunks.len, 8);
        assert_eq!(chunks.oldest(), Some(t0 + Duration::from_millis(600)));
        chunks.discard_unservable(at(t0 + Duration::from_secs(5), age, 0));
        assert_eq!(
            (chunks.len, chunks.chunks.len(), chunks.oldest()),
            (0, 0, None)
        );
    }

    #[test]
    fn a_gathered_request_drops_its_stale_prefix() {
        let t0 = Instant::now();
        let age = Duration::from_secs(1);
        let mut out = Gathered::new(8);
        out.push(&[1, 1, 1], t0, 0);
        out.push(&[2, 2], t0 + Duration::from_millis(300), 0);
        out.push(&[3], t0 + Duration::from_millis(900), 0);
        out.discard_unservable(at(t0 + Duration::from_millis(500), age, 0));
        assert_eq!(out.bytes, [1, 1, 1, 2, 2, 3]);
        out.discard_unservable(at(t0 + Duration::from_millis(1300), age, 0));
        assert_eq!(out.bytes, [3]);
        // Nothing of the dropped parts is left in the allocation.
        // SAFETY: the capacity was allocated for 8 bytes and all 6 were initialized.
        let spare = unsafe { std::slice::from_raw_parts(out.bytes.as_ptr(), 6) };
        assert_eq!(spare, [3, 0, 0, 0, 0, 0]);
        out.push(&[4, 4], t0 + Duration::from_millis(1300), 0);
        assert_eq!(
            out.parts,
            [
                (1, t0 + Duration::from_millis(900), 0),
                (3, t0 + Duration::from_millis(1300), 0)
            ]
        );
        assert_eq!(out.finish(), [3, 4, 4]);
    }

    #[test]
    fn refill_starts_below_half_and_stops_when_full() {
        let buffer = DrbgBuffer {
            chunks: Mutex::new(Chunks::default()),
            refill: Condvar::new(),
            ready: Condvar::new(),
            capacity: 16,
            chunk: 4,
            max_age: DRBG_MAX_AGE,
            last_error: Mutex::new(None),
        };
        let t0 = Instant::now();
        let mut chunks = Chunks::default();
        let mut pushes = 0;
        while buffer.wants_refill(&mut chunks) {
            chunks.push(chunk(1, 4, t0));
            pushes += 1;
        }
        assert_eq!((pushes, chunks.len), (4, 16));
        // Above half: no refill until it drops below.
        let mut out = Gathered::new(16);
        chunks.take_into(&mut out, 8);
        assert!(!buffer.wants_refill(&mut chunks));
        chunks.take_into(&mut out, 1);
        assert!(buffer.wants_refill(&mut chunks));
        assert!(buffer.sweep() <= MAX_SWEEP);
    }
}
