//! Silicon sources in the memory system: DRAM row-buffer conflicts and TLB misses.

use std::hint::black_box;

use crate::clock::ticks;
use crate::sources::util::{io_error, simple_source};

/// Size of each source's private mapping: big enough to leave the caches and the TLB reach.
const REGION: usize = 8 << 20;
const PAGE: usize = 4096;

/// A page-aligned anonymous mapping, unmapped on drop.
struct Region {
    ptr: *mut u8,
    len: usize,
}

impl Region {
    fn new(len: usize) -> std::io::Result<Region> {
        // SAFETY: an anonymous private mapping with no address hint; the result is checked.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_POPULATE,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Region {
            ptr: ptr.cast(),
            len,
        })
    }

    /// Reads the byte at `offset` (taken modulo the length) without letting the compiler
    /// elide or merge the access.
    fn read(&self, offset: usize) -> u8 {
        // SAFETY: the offset is reduced into the mapping, which lives as long as `self`.
        unsafe { self.ptr.add(offset % self.len).read_volatile() }
    }

    /// Evicts the cache line at `offset` so the next read goes to DRAM.
    fn flush(&self, offset: usize) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: CLFLUSH on an address inside the live mapping; it only evicts a line.
        unsafe {
            core::arch::x86_64::_mm_clflush(self.ptr.add(offset % self.len));
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = offset;
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the region mapped in `new`.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

simple_source!(
    /// Latency of reading two uncached lines that may share a DRAM bank.
    DramRowBuffer, "dram_row_buffer", Silicon, Fast,
    "Flushes two cache lines 64 KiB apart (often the same DRAM bank, different rows) and \
     times reading both. When they map to one bank the second read must close the open row \
     and activate another (a row-buffer conflict); whether that happens, and how long the \
     controller's queue and refresh cycles delay it, varies read to read.",
    |n| {
        let region = Region::new(REGION).map_err(io_error("dram_row_buffer"))?;
        let mut out = Vec::with_capacity(n);
        let mut base = 0usize;
        for _ in 0..n {
            let (a, b) = (base, base + (64 << 10));
            region.flush(a);
            region.flush(b);
            let t0 = ticks();
            black_box(region.read(a));
            black_box(region.read(b));
            out.push(ticks().wrapping_sub(t0) as u8);
            base = (base + 4 * PAGE + 64) % (REGION / 2);
        }
        Ok(out)
    }
);

simple_source!(
    /// Latency of reads that miss the TLB.
    TlbMiss, "tlb_miss", Silicon, Fast,
    "Reads one byte from each of many 4 KiB pages in an 8 MiB region, visiting them in a \
     scattered order, and times each read. With more pages than TLB entries each read needs \
     a page walk — and on a VM a two-dimensional walk through the guest and host tables — \
     whose cost depends on which table levels are still cached.",
    |n| {
        let region = Region::new(REGION).map_err(io_error("tlb_miss"))?;
        let pages = REGION / PAGE;
        let mut page = 0usize;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            // 1021 is prime and coprime with the page count: every page is visited.
            page = (page + 1021) % pages;
            let t0 = ticks();
            black_box(region.read(page * PAGE + (page & 63) * 64));
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
);
