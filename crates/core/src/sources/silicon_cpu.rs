//! Silicon sources in the core: branch prediction and atomic read-modify-write contention.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::clock::ticks;
use crate::sources::util::{io_error, simple_source};

simple_source!(
    /// Timing of data-dependent branches whose pattern comes from earlier measurements.
    BranchTiming, "branch_timing", Silicon, Fast,
    "Runs 64 data-dependent branches whose directions are taken from the bits of the \
     previous measurement and times them. Whether each branch is predicted depends on the \
     predictor's global history and on everything else that ran on the core; mispredictions \
     flush speculative work, each costing 15-20 cycles.",
    |n| {
        let mut pattern = ticks();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = ticks();
            let mut acc = 0u64;
            for bit in 0..64 {
                if (pattern >> bit) & 1 == 1 {
                    acc = acc.wrapping_mul(3).wrapping_add(bit);
                } else {
                    acc ^= bit << 3;
                }
            }
            black_box(acc);
            let dt = ticks().wrapping_sub(t0);
            out.push(dt as u8);
            pattern = pattern.rotate_left(17) ^ dt;
        }
        Ok(out)
    }
);

simple_source!(
    /// Compare-and-swap retries against a competing thread.
    AtomicContention, "atomic_contention", Silicon, Fast,
    "A helper thread increments a shared word with compare-and-swap while the collecting \
     thread performs its own CAS increments and times each successful one, retries included. \
     How often the two cores' CAS operations collide, and how long the line takes to come \
     back, depends on their relative timing through the coherence fabric.",
    |n| {
        let word = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let helper = {
            let (word, stop) = (Arc::clone(&word), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("ws-cas".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let v = word.load(Ordering::Relaxed);
                        let _ = word.compare_exchange_weak(v, v + 1, Ordering::AcqRel, Ordering::Relaxed);
                    }
                })
                .map_err(io_error("atomic_contention"))?
        };
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = ticks();
            let mut retries = 0u64;
            loop {
                let v = word.load(Ordering::Relaxed);
                if word.compare_exchange_weak(v, v + 1, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
                    break;
                }
                retries += 1;
            }
            out.push(ticks().wrapping_sub(t0).wrapping_add(retries) as u8);
        }
        stop.store(true, Ordering::Relaxed);
        let _ = helper.join();
        Ok(out)
    }
);
