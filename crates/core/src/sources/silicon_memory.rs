//! Silicon sources in the memory system: DRAM row-buffer conflicts and TLB misses.

use std::hint::black_box;

use crate::clock::ticks;
use crate::sources::util::simple_source;

/// The shared 16 MiB scatter buffer (see `memory_timing`): larger than the caches and the
/// TLB's reach, allocated once per process so the sources measure DRAM, not the allocator.
fn buffer() -> &'static [u64] {
    crate::sources::hardware::memory_buffer()
}

const PAGE_WORDS: usize = 4096 / 8;

/// Evicts the cache line holding `buffer[index]` so the next read goes to DRAM.
fn flush(buffer: &[u64], index: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: CLFLUSH on the address of a live element of `buffer`; it only evicts a line.
    unsafe {
        core::arch::x86_64::_mm_clflush(buffer.as_ptr().add(index).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (buffer, index);
}

simple_source!(
    /// Latency of reading two uncached lines that may share a DRAM bank.
    DramRowBuffer, "dram_row_buffer", Silicon, Fast,
    "Flushes two cache lines 64 KiB apart in a shared 16 MiB buffer (often the same DRAM bank, different rows) and \
     times reading both. When they map to one bank the second read must close the open row \
     and activate another (a row-buffer conflict); whether that happens, and how long the \
     controller's queue and refresh cycles delay it, varies read to read.",
    |n| {
        let buffer = buffer();
        let mut out = Vec::with_capacity(n);
        let mut base = 0usize;
        // 64 KiB apart, in words.
        let distance = (64 << 10) / 8;
        for _ in 0..n {
            let (a, b) = (base, base + distance);
            flush(buffer, a);
            flush(buffer, b);
            let t0 = ticks();
            black_box(buffer[a]);
            black_box(buffer[b]);
            out.push(ticks().wrapping_sub(t0) as u8);
            base = (base + 4 * PAGE_WORDS + 8) % (buffer.len() - distance);
        }
        Ok(out)
    }
);

simple_source!(
    /// Latency of reads that miss the TLB.
    TlbMiss, "tlb_miss", Silicon, Fast,
    "Reads one word from each of the 4,096 pages of a shared 16 MiB buffer, visiting them in a \
     scattered order, and times each read. With more pages than TLB entries each read needs \
     a page walk — and on a VM a two-dimensional walk through the guest and host tables — \
     whose cost depends on which table levels are still cached.",
    |n| {
        let buffer = buffer();
        let pages = buffer.len() / PAGE_WORDS;
        let mut page = 0usize;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            // 1021 is prime and coprime with the page count: every page is visited.
            page = (page + 1021) % pages;
            let t0 = ticks();
            black_box(buffer[page * PAGE_WORDS + (page & 63) * 8]);
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
);
