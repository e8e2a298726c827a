//! The noise sources, one module per family of mechanism.
//!
//! Every source returns the low byte of what it measured. [`all`] lists every source
//! wellspring knows, available here or not; the registry filters and probes them.

use std::sync::Arc;

use crate::EntropySource;

mod cross_domain;
mod hardware;
mod network;
mod novel;
mod platform;
mod sensors;
mod silicon;
mod silicon_cpu;
mod silicon_memory;
mod system;
mod timing;
mod timing_threads;
pub(crate) mod util;

pub use cross_domain::{CoarseTickBeat, CpuIoBeat, MemoryClockBeat};
pub use hardware::{DiskIo, DiskRead, MemoryTiming};
pub use network::{DnsTiming, ExternalTcp, TcpLoopback, UdpLoopback};
pub use novel::{
    CompressionTiming, DivisionTiming, DlopenTiming, HashTiming, MmapTiming, PipeWake,
    SignalLatency, SyscallLatency, ThreadSpawn,
};
pub use platform::{DevHwrng, OsRandom, Rdrand, Rdseed};
pub use sensors::{CaptureDevice, SensorReadout};
pub use silicon::{CacheContention, PageFaultTiming};
pub use silicon_cpu::{AtomicContention, BranchTiming};
pub use silicon_memory::{DramRowBuffer, TlbMiss};
pub use system::KernelCounters;
pub use timing::{ClockJitter, SleepJitter, TscJitter};
pub use timing_threads::{ClockPhase, FutexWake, MonotonicRawJitter, TimerSlack, YieldJitter};

/// Every source wellspring knows, in a stable order.
pub fn all() -> Vec<Arc<dyn EntropySource>> {
    vec![
        // timing
        Arc::new(ClockJitter),
        Arc::new(SleepJitter),
        Arc::new(TscJitter),
        Arc::new(YieldJitter),
        Arc::new(FutexWake),
        Arc::new(TimerSlack),
        Arc::new(MonotonicRawJitter),
        Arc::new(ClockPhase::realtime()),
        Arc::new(ClockPhase::boottime()),
        // system
        Arc::new(KernelCounters::proc_counters()),
        Arc::new(KernelCounters::schedstat()),
        // network
        Arc::new(TcpLoopback),
        Arc::new(UdpLoopback),
        Arc::new(ExternalTcp),
        Arc::new(DnsTiming),
        // hardware
        Arc::new(MemoryTiming),
        Arc::new(DiskIo),
        Arc::new(DiskRead),
        Arc::new(SensorReadout::hwmon()),
        Arc::new(SensorReadout::thermal()),
        Arc::new(CaptureDevice::audio()),
        Arc::new(CaptureDevice::video()),
        // silicon
        Arc::new(PageFaultTiming),
        Arc::new(CacheContention),
        Arc::new(DramRowBuffer),
        Arc::new(TlbMiss),
        Arc::new(BranchTiming),
        Arc::new(AtomicContention),
        // cross_domain
        Arc::new(CpuIoBeat),
        Arc::new(MemoryClockBeat),
        Arc::new(CoarseTickBeat),
        // novel
        Arc::new(CompressionTiming),
        Arc::new(HashTiming),
        Arc::new(DlopenTiming),
        Arc::new(MmapTiming),
        Arc::new(ThreadSpawn),
        Arc::new(PipeWake),
        Arc::new(SignalLatency),
        Arc::new(SyscallLatency),
        Arc::new(DivisionTiming),
        // platform
        Arc::new(Rdrand),
        Arc::new(Rdseed),
        Arc::new(OsRandom),
        Arc::new(DevHwrng::default()),
    ]
}
