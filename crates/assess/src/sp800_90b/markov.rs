//! Markov estimate (SP 800-90B §6.3.3), for binary data only: a first-order model whose
//! most likely 128-bit sequence bounds the min-entropy.

/// Min-entropy per bit by the Markov estimate of the bits in `data`. `None` for fewer than
/// two bits.
pub fn markov(data: &[u8]) -> Option<f64> {
    let len = data.len();
    if len < 2 {
        return None;
    }
    // Transitions over the first len - 1 bits; P_0 over all len bits (NIST's tool).
    let (mut c0, mut c00, mut c10) = (0u64, 0u64, 0u64);
    for w in data.windows(2) {
        if w[0] == 0 {
            c0 += 1;
            c00 += u64::from(w[1] == 0);
        } else {
            c10 += u64::from(w[1] == 0);
        }
    }
    let c1 = (len - 1) as u64 - c0;
    let (p00, p01) = if c0 > 0 {
        let p = c00 as f64 / c0 as f64;
        (p, 1.0 - p)
    } else {
        (0.0, 0.0)
    };
    let (p10, p11) = if c1 > 0 {
        let p = c10 as f64 / c1 as f64;
        (p, 1.0 - p)
    } else {
        (0.0, 0.0)
    };
    let total0 = c0 + u64::from(data[len - 1] == 0);
    let p0 = total0 as f64 / len as f64;
    let p1 = 1.0 - p0;
    // The six candidate most-likely sequences of §6.3.3 step 4 (128 bits long).
    let mut h = 128.0f64;
    let mut consider = |ok: bool, value: f64| {
        if ok && value < h {
            h = value;
        }
    };
    consider(p00 > 0.0, -p0.log2() - 127.0 * p00.log2());
    consider(
        p01 > 0.0 && p10 > 0.0,
        -p0.log2() - 64.0 * p01.log2() - 63.0 * p10.log2(),
    );
    consider(
        p01 > 0.0 && p11 > 0.0,
        -p0.log2() - p01.log2() - 126.0 * p11.log2(),
    );
    consider(
        p10 > 0.0 && p00 > 0.0,
        -p1.log2() - p10.log2() - 126.0 * p00.log2(),
    );
    consider(
        p10 > 0.0 && p01 > 0.0,
        -p1.log2() - 64.0 * p10.log2() - 63.0 * p01.log2(),
    );
    consider(p11 > 0.0, -p1.log2() - 127.0 * p11.log2());
    Some((h / 128.0).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternating_bits_are_predictable() {
        let bits: Vec<u8> = (0..1000).map(|i| (i % 2) as u8).collect();
        // P_01 = P_10 = 1: the path (01)^64 has probability P_0 = 0.5, so h = 1/128.
        assert!((markov(&bits).unwrap() - 1.0 / 128.0).abs() < 1e-12);
    }
}
