//! Where request bytes come from. A dedicated thread keeps a buffer of DRBG output topped
//! up, so a `drbg` request is a memcpy under a short lock; `sha256` requests take full-entropy
//! blocks the engine has already made; only when those run short does a request wait, and
//! then on a blocking thread, never on the async executor.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use wellspring_core::engine::{Engine, EngineStatus};
use wellspring_core::pool::Conditioning;

/// Why bytes could not be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BackendError {
    /// No output within the wait limit.
    #[error("no output available: {0}")]
    Unavailable(String),
}

/// The entropy service behind the handlers.
pub trait Backend: Send + Sync {
    /// `n` bytes in `mode` if they are ready now, without blocking.
    fn try_take(&self, mode: Conditioning, n: usize) -> Option<Vec<u8>>;
    /// `n` bytes in `mode`, waiting (blocking the calling thread) up to a limit.
    fn take(&self, mode: Conditioning, n: usize) -> Result<Vec<u8>, BackendError>;
    /// The engine's state.
    fn status(&self) -> EngineStatus;
}

/// DRBG bytes kept ready: refilled in 64 KiB chunks whenever it drops below half.
struct DrbgBuffer {
    bytes: Mutex<VecDeque<u8>>,
    refill: Condvar,
    ready: Condvar,
    capacity: usize,
    last_error: Mutex<Option<String>>,
}

/// The backend over a running [`Engine`].
pub struct EngineBackend {
    engine: Engine,
    drbg: Arc<DrbgBuffer>,
    wait: Duration,
}

const CHUNK: usize = 64 * 1024;

impl EngineBackend {
    /// Starts the DRBG refill thread over `engine`.
    pub fn new(engine: Engine) -> Arc<Self> {
        let drbg = Arc::new(DrbgBuffer {
            bytes: Mutex::new(VecDeque::with_capacity(4 << 20)),
            refill: Condvar::new(),
            ready: Condvar::new(),
            capacity: 4 << 20,
            last_error: Mutex::new(None),
        });
        let weak = Arc::downgrade(&drbg);
        let mut rng = engine
            .rng(Conditioning::Drbg)
            .expect("drbg is a cryptographic mode");
        let _ = std::thread::Builder::new()
            .name("ws-server-drbg".into())
            .spawn(move || {
                let mut chunk = vec![0u8; CHUNK];
                // The thread ends when the backend (and so the buffer) is dropped.
                while let Some(buffer) = weak.upgrade() {
                    {
                        let mut bytes = buffer.bytes.lock().unwrap_or_else(|p| p.into_inner());
                        while bytes.len() > buffer.capacity / 2 {
                            bytes = buffer
                                .refill
                                .wait_timeout(bytes, Duration::from_millis(500))
                                .unwrap_or_else(|p| p.into_inner())
                                .0;
                            if Arc::strong_count(&buffer) == 1 {
                                return;
                            }
                        }
                    }
                    match rng.try_fill(&mut chunk) {
                        Ok(()) => {
                            buffer
                                .bytes
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .extend(chunk.iter());
                            buffer.ready.notify_all();
                        }
                        Err(e) => {
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
            wait: Duration::from_secs(10),
        })
    }

    fn take_drbg(&self, n: usize, deadline: Option<Instant>) -> Option<Vec<u8>> {
        let mut bytes = self.drbg.bytes.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if bytes.len() >= n {
                let out: Vec<u8> = bytes.drain(..n).collect();
                if bytes.len() <= self.drbg.capacity / 2 {
                    self.drbg.refill.notify_one();
                }
                return Some(out);
            }
            self.drbg.refill.notify_one();
            let deadline = deadline?;
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            bytes = self
                .drbg
                .ready
                .wait_timeout(bytes, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

impl Backend for EngineBackend {
    fn try_take(&self, mode: Conditioning, n: usize) -> Option<Vec<u8>> {
        match mode {
            Conditioning::Drbg => self.take_drbg(n, None),
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
            Conditioning::Drbg => self
                .take_drbg(n, Some(Instant::now() + self.wait))
                .ok_or_else(|| {
                    let why = self
                        .drbg
                        .last_error
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .clone();
                    BackendError::Unavailable(
                        why.unwrap_or_else(|| "the DRBG is not seeded yet".into()),
                    )
                }),
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
}
