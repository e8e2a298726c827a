//! Linear complexity, SP 800-22 §2.10, as sts 2.1.2 computes it: Berlekamp–Massey gives the
//! linear complexity L of each of N = ⌊n/M⌋ blocks; μ = M/2 + (9 + (-1)^{M+1})/36 -
//! (M/3 + 2/9)/2^M; T = (-1)^M (L - μ) + 2/9 falls in seven classes (≤ -2.5, …, > 2.5);
//! p = igamc(3, χ²/2). sts's π_0 is 0.01047 (the document prints 0.010417); NIST's published
//! results use sts's, so this does too.
//!
//! Berlekamp–Massey runs on packed words: the block is stored reversed so that the
//! discrepancy is the parity of (connection polynomial AND a 64-bit-aligned slice).

use super::Bits;
use super::special::igamc;

/// sts's class probabilities.
const PI: [f64; 7] = [0.01047, 0.03125, 0.125, 0.5, 0.25, 0.0625, 0.020833];

/// 64 bits of `v` (bit i of word i/64, least significant first) starting at bit `pos`.
fn extract(v: &[u64], pos: usize) -> u64 {
    let (w, b) = (pos / 64, pos % 64);
    let lo = v.get(w).copied().unwrap_or(0);
    if b == 0 {
        lo
    } else {
        lo >> b | v.get(w + 1).copied().unwrap_or(0) << (64 - b)
    }
}

/// Linear complexity of the `m` bits of `bits` starting at `start` (Berlekamp–Massey over
/// GF(2)).
pub(crate) fn berlekamp_massey(bits: &Bits, start: usize, m: usize) -> usize {
    let words = m / 64 + 2;
    // The block's words in reverse order, read least significant bit first, hold the block
    // reversed over its padded length p = 64·⌈m/64⌉: bit q is s[p-1-q] (zero past the end),
    // so s[N-i] is bit p-1-N+i.
    let block_words = m.div_ceil(64);
    let p = 64 * block_words;
    let mut rev = vec![0u64; words];
    for w in 0..block_words {
        let k = (m - 64 * w).min(64);
        rev[block_words - 1 - w] = bits.bits_at(start + 64 * w, k) << (64 - k);
    }
    let mut c = vec![0u64; words];
    let mut b = vec![0u64; words];
    let mut t = vec![0u64; words];
    c[0] = 1;
    b[0] = 1;
    let (mut l, mut last) = (0usize, -1i64);
    for n in 0..m {
        let offset = p - 1 - n;
        let mut parity = 0u64;
        for (w, &cw) in c.iter().enumerate().take(l / 64 + 1) {
            parity ^= cw & extract(&rev, offset + 64 * w);
        }
        if parity.count_ones().is_multiple_of(2) {
            continue;
        }
        t.copy_from_slice(&c);
        // c ^= b · x^(n - last)
        let shift = (n as i64 - last) as usize;
        let (ws, bs) = (shift / 64, shift % 64);
        // deg c ≤ n + 1 after the update: higher words stay zero.
        let top = ((n + 1) / 64 + 1).min(words - 1);
        for w in (ws..=top).rev() {
            let mut v = b[w - ws] << bs;
            if bs != 0 && w > ws {
                v |= b[w - ws - 1] >> (64 - bs);
            }
            c[w] ^= v;
        }
        if l <= n / 2 {
            l = n + 1 - l;
            last = n as i64;
            b.copy_from_slice(&t);
        }
    }
    l
}

/// The linear complexity p-value for block length `m` (at least 2). Errors without a full
/// block.
pub fn linear_complexity(bits: &Bits, m: usize) -> Result<f64, String> {
    if m < 2 {
        return Err(format!("block length M = {m} is below 2"));
    }
    let blocks = bits.len() / m;
    if blocks == 0 {
        return Err(format!("needs at least M = {m} bits"));
    }
    let mf = m as f64;
    let sign = if (m + 1).is_multiple_of(2) { -1.0 } else { 1.0 };
    let mean = mf / 2.0 + (9.0 + sign) / 36.0 - 1.0 / 2f64.powf(mf) * (mf / 3.0 + 2.0 / 9.0);
    let sign = if m.is_multiple_of(2) { 1.0 } else { -1.0 };
    let mut nu = [0u64; 7];
    for k in 0..blocks {
        let l = berlekamp_massey(bits, k * m, m) as f64;
        let t = sign * (l - mean) + 2.0 / 9.0;
        let class = if t <= -2.5 {
            0
        } else if t <= -1.5 {
            1
        } else if t <= -0.5 {
            2
        } else if t <= 0.5 {
            3
        } else if t <= 1.5 {
            4
        } else if t <= 2.5 {
            5
        } else {
            6
        };
        nu[class] += 1;
    }
    let n = blocks as f64;
    let chi2: f64 = nu
        .iter()
        .zip(PI)
        .map(|(&v, p)| (v as f64 - n * p).powi(2) / (n * p))
        .sum();
    Ok(igamc(3.0, chi2 / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complexity(text: &[u8]) -> usize {
        let bits = Bits::from_ascii(text);
        berlekamp_massey(&bits, 0, bits.len())
    }

    #[test]
    fn berlekamp_massey_on_known_sequences() {
        // §2.10.4: 1101011110001 has linear complexity 4.
        assert_eq!(complexity(b"1101011110001"), 4);
        assert_eq!(complexity(b"0000000000"), 0);
        assert_eq!(complexity(b"1000000000"), 1);
        // k zeros then a one: nothing shorter than k + 1 generates it.
        assert_eq!(complexity(b"0001"), 4);
        assert_eq!(complexity(&b"10".repeat(100)), 2);
        // An m-sequence of the primitive x^7 + x^6 + 1 (s[i] = s[i-1] ^ s[i-7]) over 600 bits,
        // long enough to cross word boundaries: complexity 7.
        let mut s = vec![1u8; 7];
        for i in 7..600 {
            s.push(s[i - 1] ^ s[i - 7]);
        }
        let text: Vec<u8> = s.iter().map(|&b| b'0' + b).collect();
        assert_eq!(complexity(&text), 7);
        // Against the bit-at-a-time definition on a pseudo-random 500-bit block.
        let mut x = 0x1234_5678_9abc_def0u64;
        let text: Vec<u8> = (0..500)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b'0' + (x & 1) as u8
            })
            .collect();
        assert_eq!(complexity(&text), naive(&text));
    }

    /// Berlekamp–Massey one bit at a time, straight from the definition (§2.10.4 step 2).
    fn naive(text: &[u8]) -> usize {
        let s: Vec<u8> = text.iter().map(|c| c - b'0').collect();
        let m = s.len();
        let (mut c, mut b) = (vec![0u8; 2 * m + 1], vec![0u8; 2 * m + 1]);
        c[0] = 1;
        b[0] = 1;
        let (mut l, mut last) = (0usize, -1i64);
        for n in 0..m {
            let d = (0..=l).fold(0, |d, i| d ^ (c[i] & s[n - i]));
            if d == 1 {
                let t = c.clone();
                let shift = (n as i64 - last) as usize;
                for i in 0..=m - shift {
                    c[i + shift] ^= b[i];
                }
                if l <= n / 2 {
                    l = n + 1 - l;
                    last = n as i64;
                    b = t;
                }
            }
        }
        l
    }

    #[test]
    fn low_complexity_blocks_are_rejected() {
        let p = linear_complexity(&Bits::from_bytes(&[0x96; 100_000]), 500).unwrap();
        assert!(p < 1e-10, "{p}");
        assert!(linear_complexity(&Bits::from_bytes(&[0; 10]), 500).is_err());
    }
}
