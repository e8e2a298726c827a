//! Cross-domain sources: one clock domain measured against another — CPU against I/O
//! wake-ups, CPU against the memory controller, and the TSC against the kernel's tick.

use std::hint::black_box;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use crate::clock::{monotonic_ns, read_clock, ticks};
use crate::sources::util::{io_error, simple_source};

simple_source!(
    /// CPU loop iterations counted while a byte crosses a socket to another thread.
    CpuIoBeat, "cpu_io_beat", CrossDomain, Fast,
    "A helper thread echoes bytes through a Unix socket pair. For each byte the collecting \
     thread counts how many iterations of a tight ALU loop run before the echo becomes \
     readable: the CPU's instruction clock beating against the kernel's I/O wake-up path.",
    |n| {
        let (mut ours, mut theirs) = UnixStream::pair().map_err(io_error("cpu_io_beat"))?;
        ours.set_nonblocking(true).map_err(io_error("cpu_io_beat"))?;
        let echo = std::thread::Builder::new()
            .name("ws-echo".into())
            .spawn(move || {
                let mut b = [0u8; 1];
                while theirs.read_exact(&mut b).is_ok() {
                    if theirs.write_all(&b).is_err() {
                        break;
                    }
                }
            })
            .map_err(io_error("cpu_io_beat"))?;
        let mut out = Vec::with_capacity(n);
        let mut b = [0u8; 1];
        for i in 0..n {
            // Blocking write is fine: the peer always drains.
            ours.set_nonblocking(false).map_err(io_error("cpu_io_beat"))?;
            ours.write_all(&[i as u8]).map_err(io_error("cpu_io_beat"))?;
            ours.set_nonblocking(true).map_err(io_error("cpu_io_beat"))?;
            let mut spins = 0u64;
            let deadline = monotonic_ns() + 1_000_000_000;
            loop {
                match ours.read(&mut b) {
                    Ok(1) => break,
                    Ok(_) => return Err(crate::SourceError::Failed { name: "cpu_io_beat", message: "echo closed".into() }),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        spins = black_box(spins + 1);
                        if spins & 1023 == 0 && monotonic_ns() > deadline {
                            return Err(crate::SourceError::Failed { name: "cpu_io_beat", message: "echo timed out".into() });
                        }
                    }
                    Err(e) => return Err(io_error("cpu_io_beat")(e)),
                }
            }
            out.push(spins as u8);
        }
        drop(ours);
        let _ = echo.join();
        Ok(out)
    }
);

simple_source!(
    /// Dependent DRAM loads completed within a fixed window of the monotonic clock.
    MemoryClockBeat, "memory_clock_beat", CrossDomain, Fast,
    "Counts how many steps of a dependent pointer chase (each step a DRAM access) through a shared 16 MiB buffer complete in 3 µs of monotonic time: the memory controller's clock domain, with \
     its refresh cycles and queueing, beating against the system timer's.",
    |n| {
        // The shared buffer holds word i = i, so `next = (buffer[at] * 5 + 1) mod len` is a
        // dependent load walking a single-cycle permutation (len is a power of two, the
        // multiplier is 1 mod 4, the increment odd).
        let chain = crate::sources::hardware::memory_buffer();
        let len = chain.len() as u64;
        let mut at = 0u64;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let start = monotonic_ns();
            let mut steps = 0u64;
            while monotonic_ns().wrapping_sub(start) < 3_000 {
                for _ in 0..4 {
                    at = (chain[at as usize] * 5 + 1) % len;
                }
                steps += 1;
            }
            black_box(at);
            out.push(steps as u8);
        }
        Ok(out)
    }
);

simple_source!(
    /// Cycle-counter phase at each tick of the kernel's coarse clock.
    CoarseTickBeat, "coarse_tick_beat", CrossDomain, Slow,
    "Waits for CLOCK_MONOTONIC_COARSE, which advances only at the kernel's timer tick, to \
     change and records the low byte of the cycle counter at that moment: the phase between \
     the TSC domain and the timer-interrupt domain, perturbed by interrupt latency.",
    |n| {
        let mut out = Vec::with_capacity(n);
        let mut last = read_clock(libc::CLOCK_MONOTONIC_COARSE);
        let deadline = monotonic_ns() + 60_000_000_000;
        while out.len() < n {
            let now = read_clock(libc::CLOCK_MONOTONIC_COARSE);
            if now != last {
                out.push(ticks() as u8);
                last = now;
            } else if monotonic_ns() > deadline {
                return Err(crate::SourceError::Failed { name: "coarse_tick_beat", message: "the coarse clock stopped".into() });
            }
            std::hint::spin_loop();
        }
        Ok(out)
    }
);
