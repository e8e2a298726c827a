//! Silicon sources: page-fault latency and cache-line contention between threads.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::clock::ticks;
use crate::sources::util::time_each;
use crate::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// Latency of first-touch page faults on fresh anonymous memory.
#[derive(Debug, Default)]
pub struct PageFaultTiming;

static PAGE_FAULT: SourceInfo = SourceInfo {
    name: "page_fault_timing",
    category: SourceCategory::Silicon,
    physics: "Maps fresh anonymous memory and times the first write to each page. Each write \
              traps into the kernel, which takes a zeroed page from the allocator, clears it \
              and installs the mapping; the cost depends on allocator state, zone locks, cache \
              and TLB contents and on the hypervisor's second-level page tables.",
    speed: SpeedClass::Fast,
};

const PAGE: usize = 4096;
const PAGES_PER_MAP: usize = 256;

impl EntropySource for PageFaultTiming {
    fn info(&self) -> &SourceInfo {
        &PAGE_FAULT
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let len = PAGES_PER_MAP * PAGE;
            // SAFETY: an anonymous private mapping with no address hint; the result is checked.
            let map = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            if map == libc::MAP_FAILED {
                return Err(SourceError::Io {
                    name: PAGE_FAULT.name,
                    source: std::io::Error::last_os_error(),
                });
            }
            let base = map.cast::<u8>();
            for page in 0..PAGES_PER_MAP.min(n - out.len()) {
                let t0 = ticks();
                // SAFETY: `page * PAGE` is inside the `len`-byte mapping created above.
                unsafe { base.add(page * PAGE).write_volatile(1) };
                out.push(ticks().wrapping_sub(t0) as u8);
            }
            // SAFETY: unmapping exactly the region mapped above, which nothing else references.
            unsafe { libc::munmap(map, len) };
        }
        Ok(out)
    }
}

/// Contention on one cache line shared with a second thread.
#[derive(Debug, Default)]
pub struct CacheContention;

static CACHE_CONTENTION: SourceInfo = SourceInfo {
    name: "cache_contention",
    category: SourceCategory::Silicon,
    physics: "A helper thread hammers one cache line with atomic increments while the \
              collecting thread times a short burst of atomic increments on the same line. \
              Ownership of the line bounces between cores through the coherence protocol; \
              who wins each transfer depends on the interconnect, the other core's timing \
              and the scheduler, so the burst duration jitters.",
    speed: SpeedClass::Fast,
};

impl EntropySource for CacheContention {
    fn info(&self) -> &SourceInfo {
        &CACHE_CONTENTION
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let line = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let helper = {
            let line = Arc::clone(&line);
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("ws-contend".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..64 {
                            line.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                })
                .map_err(|source| SourceError::Io {
                    name: CACHE_CONTENTION.name,
                    source,
                })?
        };
        let out = time_each(n, |_| {
            for _ in 0..8 {
                black_box(line.fetch_add(1, Ordering::SeqCst));
            }
        });
        stop.store(true, Ordering::Relaxed);
        let _ = helper.join();
        Ok(out)
    }
}
