//! The noise sources, one module per family of mechanism.
//!
//! Every source returns the low byte of what it measured. [`all`] lists every source
//! wellspring knows, available here or not; the registry filters and probes them.

use std::sync::Arc;

use crate::EntropySource;

mod hardware;
mod platform;
mod silicon;
mod system;
mod timing;
pub(crate) mod util;

pub use hardware::{DiskIo, MemoryTiming};
pub use platform::{DevHwrng, OsRandom, Rdrand};
pub use silicon::{CacheContention, PageFaultTiming};
pub use system::ProcCounters;
pub use timing::{ClockJitter, SleepJitter, TscJitter};

/// Every source wellspring knows, in a stable order.
pub fn all() -> Vec<Arc<dyn EntropySource>> {
    vec![
        Arc::new(ClockJitter),
        Arc::new(SleepJitter),
        Arc::new(TscJitter),
        Arc::new(MemoryTiming),
        Arc::new(DiskIo),
        Arc::new(PageFaultTiming),
        Arc::new(CacheContention),
        Arc::new(ProcCounters),
        Arc::new(Rdrand),
        Arc::new(OsRandom),
        Arc::new(DevHwrng::default()),
    ]
}
