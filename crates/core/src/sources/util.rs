//! Small helpers shared by the timing-based sources.

use crate::clock::ticks;

/// Times `work` once per sample with the cycle counter and keeps the low byte of each
/// duration: the bits that carry the jitter.
pub(crate) fn time_each(n: usize, mut work: impl FnMut(usize)) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t0 = ticks();
        work(i);
        let t1 = ticks();
        out.push(t1.wrapping_sub(t0) as u8);
    }
    out
}
