//! A deterministic backend for handler tests: counting bytes, so shapes can be checked by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use wellspring_core::engine::{Engine, EngineConfig, EngineStatus};
use wellspring_core::pool::Conditioning;
use wellspring_core::registry::Registry;
use wellspring_server::{Backend, BackendError};

pub(crate) mod raw_server;

/// Serves 0, 1, 2, ... and takes its status from a real engine over one fast source.
pub(crate) struct Counting {
    next: AtomicU8,
    engine: Engine,
}

impl Counting {
    pub(crate) fn new() -> Arc<Self> {
        let sources = Registry::builtin().select(Some("branch_timing")).unwrap();
        Arc::new(Counting {
            next: AtomicU8::new(0),
            engine: Engine::start(EngineConfig::new(sources)).unwrap(),
        })
    }
}

impl Backend for Counting {
    fn try_take(&self, _mode: Conditioning, n: usize) -> Option<Vec<u8>> {
        Some(
            (0..n)
                .map(|_| self.next.fetch_add(1, Ordering::Relaxed))
                .collect(),
        )
    }
    fn take(&self, mode: Conditioning, n: usize) -> Result<Vec<u8>, BackendError> {
        Ok(self.try_take(mode, n).unwrap())
    }
    fn status(&self) -> EngineStatus {
        self.engine.status()
    }
    fn max_full_entropy_bytes(&self) -> Option<usize> {
        Some(self.engine.reservoir_capacity_bytes())
    }
}
