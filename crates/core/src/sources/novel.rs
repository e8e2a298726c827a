//! "Novel" sources: the timing of ordinary software work — compression, hashing, dynamic
//! linking, memory mapping, thread creation, pipe and signal wake-ups, system calls.
//! Each times real work with the cycle counter and keeps the low byte.

use std::hint::black_box;
use std::io::{Read, Write};

use sha2::{Digest, Sha256};

use crate::clock::ticks;
use crate::sources::util::{io_error, simple_source, time_each};

simple_source!(
    /// Time to run-length and dictionary-compress a small, changing buffer.
    CompressionTiming, "compression_timing", Novel, Fast,
    "Compresses a 256-byte buffer built from the previous measurements with a small LZ77 \
     matcher and times it. The work is data-dependent (match lengths, hash-chain walks, \
     branches), so its duration mixes the data's structure with cache and branch-predictor \
     state.",
    |n| {
        let mut buffer = [0u8; 256];
        let mut last = ticks();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            buffer[i % 256] = last as u8;
            let t0 = ticks();
            black_box(lz_cost(&buffer));
            last = ticks().wrapping_sub(t0);
            out.push(last as u8);
        }
        Ok(out)
    }
);

/// A tiny LZ77 pass: the number of tokens a greedy matcher with a 4 KiB-entry hash table
/// would emit. Only its (data-dependent) running time matters here.
fn lz_cost(data: &[u8]) -> usize {
    let mut table = [0u16; 256];
    let (mut i, mut tokens) = (0usize, 0usize);
    while i + 2 < data.len() {
        let h = (data[i] as usize * 31 + data[i + 1] as usize * 7 + data[i + 2] as usize) & 255;
        let candidate = table[h] as usize;
        table[h] = i as u16;
        let mut len = 0;
        while candidate < i
            && i + len < data.len()
            && data[candidate + len] == data[i + len]
            && len < 32
        {
            len += 1;
        }
        i += len.max(1);
        tokens += 1;
    }
    tokens
}

simple_source!(
    /// Time to hash 64 bytes with SHA-256.
    HashTiming, "hash_timing", Novel, Fast,
    "Times SHA-256 over 64 bytes. The computation is fixed, so the variation is the \
     machine's: SHA instruction-unit availability shared with the sibling core, cache and \
     TLB state, frequency transitions and interrupts.",
    |n| {
        let mut block = [0u8; 64];
        Ok(time_each(n, |i| {
            block[i % 64] = i as u8;
            black_box(Sha256::digest(block));
        }))
    }
);

simple_source!(
    /// dlopen/dlsym/dlclose of the math library.
    DlopenTiming, "dlopen_timing", Novel, Fast,
    "Opens libm with dlopen, looks up a symbol and closes it again, timing the sequence. \
     The dynamic linker takes its global lock, walks the link map, hashes the symbol name and \
     touches the library's pages, so the cost moves with lock contention and cache state.",
    |n| {
        let lib = c"libm.so.6";
        let sym = c"cos";
        Ok(time_each(n, |_| {
            // SAFETY: valid NUL-terminated strings; the handle is checked and closed once.
            unsafe {
                let handle = libc::dlopen(lib.as_ptr(), libc::RTLD_LAZY | libc::RTLD_NOLOAD);
                let handle = if handle.is_null() { libc::dlopen(lib.as_ptr(), libc::RTLD_LAZY) } else { handle };
                if !handle.is_null() {
                    black_box(libc::dlsym(handle, sym.as_ptr()));
                    libc::dlclose(handle);
                }
            }
        }))
    }
);

simple_source!(
    /// mmap + first touch + munmap of 64 KiB.
    MmapTiming, "mmap_timing", Novel, Fast,
    "Maps 64 KiB of anonymous memory, touches its first page and unmaps it, timing the \
     whole sequence: VMA tree updates under the mm lock, a page fault, and TLB shootdown on \
     unmap, each sensitive to the other core's activity.",
    |n| {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = ticks();
            // SAFETY: anonymous private mapping, checked, touched in bounds, unmapped once.
            unsafe {
                let p = libc::mmap(std::ptr::null_mut(), 65536, libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
                if p == libc::MAP_FAILED {
                    return Err(io_error("mmap_timing")(std::io::Error::last_os_error()));
                }
                p.cast::<u8>().write_volatile(1);
                libc::munmap(p, 65536);
            }
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
);

simple_source!(
    /// Thread creation and join latency.
    ThreadSpawn, "thread_spawn", Novel, Fast,
    "Spawns a thread that exits at once and joins it, timing the round trip: stack \
     allocation, clone(), the scheduler placing the new task, and the futex wake on exit.",
    |n| {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = ticks();
            let handle = std::thread::Builder::new().spawn(|| black_box(1)).map_err(io_error("thread_spawn"))?;
            let _ = handle.join();
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        Ok(out)
    }
);

simple_source!(
    /// Round trip of a byte through two pipes and a second thread.
    PipeWake, "pipe_wake", Novel, Fast,
    "Writes a byte into a pipe read by a second thread, which writes it back through \
     another pipe, and times the round trip: two pipe-buffer wake-ups through the \
     scheduler.",
    |n| {
        let (mut to_peer_r, mut to_peer_w) = std::io::pipe().map_err(io_error("pipe_wake"))?;
        let (mut back_r, mut back_w) = std::io::pipe().map_err(io_error("pipe_wake"))?;
        let peer = std::thread::Builder::new()
            .name("ws-pipe".into())
            .spawn(move || {
                let mut b = [0u8; 1];
                while to_peer_r.read_exact(&mut b).is_ok() {
                    if back_w.write_all(&b).is_err() {
                        break;
                    }
                }
            })
            .map_err(io_error("pipe_wake"))?;
        let mut b = [0u8; 1];
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let t0 = ticks();
            to_peer_w.write_all(&[i as u8]).map_err(io_error("pipe_wake"))?;
            back_r.read_exact(&mut b).map_err(io_error("pipe_wake"))?;
            out.push(ticks().wrapping_sub(t0) as u8);
        }
        drop(to_peer_w);
        let _ = peer.join();
        Ok(out)
    }
);

simple_source!(
    /// Latency of queueing and taking a blocked signal.
    SignalLatency, "signal_latency", Novel, Fast,
    "Blocks SIGURG in the collecting thread, sends it to that thread with pthread_kill and \
     takes it with sigtimedwait, timing the pair: signal generation, the per-thread pending \
     queue under the sighand lock, and dequeueing.",
    |n| {
        // SAFETY: sigset operations on local sets; the thread's mask is restored below and no
        // handler is installed (the signal is consumed synchronously by sigtimedwait).
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGURG);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
            let timeout = libc::timespec { tv_sec: 1, tv_nsec: 0 };
            let me = libc::pthread_self();
            let out = time_each(n, |_| {
                libc::pthread_kill(me, libc::SIGURG);
                libc::sigtimedwait(&set, std::ptr::null_mut(), &timeout);
            });
            libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
            Ok(out)
        }
    }
);

simple_source!(
    /// Latency of a real (non-vDSO) system call.
    SyscallLatency, "syscall_latency", Novel, Fast,
    "Times getppid() made as a real system call: the user-kernel transition, speculation \
     barriers and page-table switches of the kernel's mitigations, and on a VM any exits the \
     hypervisor takes.",
    |n| {
        Ok(time_each(n, |_| {
            // SAFETY: SYS_getppid takes no arguments and only returns a number.
            black_box(unsafe { libc::syscall(libc::SYS_getppid) });
        }))
    }
);

simple_source!(
    /// Latency of a chain of 64-bit divisions with changing operands.
    DivisionTiming, "division_timing", Novel, Fast,
    "Times a chain of dependent 64-bit integer divisions whose operands come from earlier \
     measurements. Divider latency depends on the operands' magnitudes on many cores, and \
     the divider is shared between hyper-threads.",
    |n| {
        let mut x = ticks() | 1;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = ticks();
            let mut q = x;
            for d in 3..11u64 {
                q = black_box(q.rotate_left(13) / (d + (x & 0xff)));
            }
            let dt = ticks().wrapping_sub(t0);
            x = x.rotate_left(7) ^ dt ^ q | 1;
            out.push(dt as u8);
        }
        Ok(out)
    }
);
