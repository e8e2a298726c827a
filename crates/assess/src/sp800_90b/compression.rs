//! Compression estimate (SP 800-90B §6.3.4), for binary data only: Maurer-style distances
//! between repeats of 6-bit blocks after a 1000-block dictionary, inverted through the
//! expectation E(p) = G(p) + 63·G((1-p)/63).
//!
//! Constants are those of §6.3.4 (b = 6, d = 1000, the 0.5907 variance correction). The
//! G sum is truncated where its scaled terms underflow and accumulated with Kahan
//! summation, and p is found by NIST's guarded bisection, as in NIST's tool.

use super::numeric::{Z_ALPHA, bisect_decreasing, kahan_add};

/// Bits per block (§6.3.4 step 1: b = 6).
const B: usize = 6;
/// Dictionary blocks (§6.3.4 step 2: d = 1000).
const D: usize = 1000;
/// Number of distinct blocks, 2^b.
const ALPHABET: usize = 1 << B;

/// Min-entropy per bit by the compression estimate of the bits in `data`; `None` when
/// there are no more than 1000 six-bit blocks.
pub fn compression(data: &[u8]) -> Option<f64> {
    let num_blocks = data.len() / B;
    if num_blocks <= D {
        return None;
    }
    let block = |i: usize| {
        data[i * B..(i + 1) * B]
            .iter()
            .fold(0usize, |acc, &b| (acc << 1) | (b & 1) as usize)
    };
    let mut dict = [0usize; ALPHABET];
    for i in 0..D {
        dict[block(i)] = i + 1;
    }
    let v = num_blocks - D;
    let (mut x, mut x_comp, mut sq, mut sq_comp) = (0.0, 0.0, 0.0, 0.0);
    for i in D..num_blocks {
        let b = block(i);
        let dist = ((i + 1 - dict[b]) as f64).log2();
        kahan_add(&mut x, &mut x_comp, dist);
        kahan_add(&mut sq, &mut sq_comp, dist * dist);
        dict[b] = i + 1;
    }
    let v_f = v as f64;
    let mean = x / v_f;
    // §6.3.4 step 5: σ̂ = c·sqrt(variance), c = 0.5907 for b = 6.
    let sigma = 0.5907 * (sq / (v_f - 1.0) - mean * mean).sqrt();
    let lower = mean - Z_ALPHA * sigma / v_f.sqrt();

    let log2_table: Vec<f64> = (0..=num_blocks).map(|i| (i.max(1) as f64).log2()).collect();
    let expectation = |p: f64| {
        let q = (1.0 - p) / (ALPHABET as f64 - 1.0);
        g(p, num_blocks, &log2_table) + (ALPHABET as f64 - 1.0) * g(q, num_blocks, &log2_table)
    };
    let ldomain = 1.0 / ALPHABET as f64;
    let p = if expectation(ldomain) > lower {
        bisect_decreasing(expectation, lower, ldomain, 1.0, ldomain)
    } else {
        -1.0
    };
    Some(if p > ldomain {
        -p.log2() / B as f64
    } else {
        1.0
    })
}

/// The G function of §6.3.4 step 7, summed as NIST's tool does.
fn g(z: f64, num_blocks: usize, log2: &[f64]) -> f64 {
    let v = (num_blocks - D) as f64;
    let b_term = 1.0 - z;
    let (mut ai, mut ai_comp, mut first, mut first_comp) = (0.0, 0.0, 0.0, 0.0);
    let mut bi = b_term;
    for &l in &log2[2..=D] {
        kahan_add(&mut ai, &mut ai_comp, l * bi);
        bi *= b_term;
    }
    let ad1 = ai;
    let mut truncated = false;
    for (i, &l) in log2.iter().enumerate().take(num_blocks).skip(D + 1) {
        let term = l * bi;
        kahan_add(&mut ai, &mut ai_comp, term);
        let scaled = (num_blocks - i) as f64 * term;
        // The tool stops where a term underflows to zero in double. In f64 the power
        // (1-z)^i sticks at the smallest subnormal instead of reaching zero, so stop once
        // it leaves the normal range: the remaining terms (< 1e-300) cannot change sums
        // of order one, and subnormal arithmetic is very slow.
        if scaled > 0.0 && bi >= f64::MIN_POSITIVE {
            kahan_add(&mut first, &mut first_comp, scaled);
        } else {
            truncated = true;
            break;
        }
        bi *= b_term;
    }
    kahan_add(&mut first, &mut first_comp, (num_blocks - D) as f64 * ad1);
    if !truncated {
        kahan_add(&mut ai, &mut ai_comp, log2[num_blocks] * bi);
    }
    1.0 / v * z * (z * first + (ai - ad1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_short_is_skipped() {
        assert_eq!(compression(&[0; 6000]), None);
    }

    #[test]
    fn constant_bits_compress_completely() {
        // Every block repeats at distance 1: X̄ = 0, far below E(p) for any p < 1.
        let h = compression(&[1; 60_000]).unwrap();
        assert!(h < 1e-3, "{h}");
    }
}
