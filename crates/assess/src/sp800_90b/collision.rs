//! Collision estimate (SP 800-90B §6.3.2), for binary data only.
//!
//! NIST's tool does not search for p numerically: with F(q) = q(2q²+2q+1) the §6.3.2
//! expectation reduces to X̄' = -2p² + 2p + 2, so p = 0.5 + sqrt(1.25 - 0.5·X̄'), and no root
//! exists (p = 0.5, one bit per bit) once X̄' ≥ 2.5.

use super::numeric::Z_ALPHA;

/// Min-entropy per bit by the collision estimate of the bits in `data` (0/1 values).
/// `None` when fewer than two collision times can be measured.
pub fn collision(data: &[u8]) -> Option<f64> {
    let len = data.len();
    let (mut i, mut v, mut sum_sq) = (0usize, 0u64, 0.0f64);
    while len >= 2 && i < len - 1 {
        // A collision is found after 2 samples if the next two match, else after 3
        // (with binary data three samples always contain a collision).
        let t = if data[i] == data[i + 1] {
            2
        } else if i < len - 2 {
            3
        } else {
            break;
        };
        v += 1;
        sum_sq += (t * t) as f64;
        i += t;
    }
    if v < 2 {
        return None;
    }
    let v = v as f64;
    let mean = i as f64 / v;
    let sigma = ((sum_sq - i as f64 * mean) / (v - 1.0)).sqrt();
    let lower = (mean - Z_ALPHA * sigma / v.sqrt()).max(2.0);
    Some(if lower < 2.5 {
        -(0.5 + (1.25 - 0.5 * lower).sqrt()).log2()
    } else {
        1.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_bits_collide_at_once() {
        // Every collision time is 2: X̄' = 2, p = 0.5 + sqrt(0.25) = 1, no entropy.
        assert_eq!(collision(&[1; 1000]), Some(0.0));
    }

    #[test]
    fn alternating_bits_never_collide_early() {
        // 0101...: every time is 3, X̄' = 3 ≥ 2.5, full entropy.
        let bits: Vec<u8> = (0..999).map(|i| (i % 2) as u8).collect();
        assert_eq!(collision(&bits), Some(1.0));
    }
}
