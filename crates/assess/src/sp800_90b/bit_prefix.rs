//! The LCP array of a bitstring (one bit per byte) from its suffixes' first 64 bits, when no
//! two suffixes share 64 bits: then sorting the 64-bit prefixes sorts the suffixes, and
//! the common prefix of two neighbours is the leading zeros of their XOR. This replaces
//! the suffix array for the t-tuple and LRS estimators on the bitstring of typical data
//! (its longest repeat is ~45 bits on 8,000,000 random bits), where `divsufsort` is slow
//! on a two-letter alphabet. Data with a repeat of 64 bits or more fall back to the suffix
//! array.

/// Bits per prefix.
const KEY_BITS: usize = 64;

/// The LCP array in sorted-suffix order (`lcp[0] = 0`) of `bits` (values 0 and 1), or
/// `None` when two suffixes share 64 bits (the longest repeat is ≥ 64), or when the input
/// is not binary or shorter than 65 bits.
pub(crate) fn lcp_of_bits(bits: &[u8]) -> Option<Vec<u32>> {
    let n = bits.len();
    if n <= KEY_BITS || bits.iter().any(|&b| b > 1) || early_repeat(bits) {
        return None;
    }
    // Suffixes of 64 bits or more: their exact 64-bit prefixes.
    let full = n - KEY_BITS + 1;
    let mut keys = Vec::with_capacity(full);
    let mut key = bits[..KEY_BITS]
        .iter()
        .fold(0u64, |acc, &b| (acc << 1) | u64::from(b));
    keys.push(key);
    for &b in &bits[KEY_BITS..] {
        key = (key << 1) | u64::from(b);
        keys.push(key);
    }
    radix_sort(&mut keys);
    // The 63 shorter suffixes, zero-padded, each with its length; among equal padded keys
    // the shorter suffix is a prefix of the longer one, so it sorts first.
    let mut short: Vec<(u64, usize)> = (full..n)
        .map(|start| {
            let len = n - start;
            let key = bits[start..]
                .iter()
                .fold(0u64, |acc, &b| (acc << 1) | u64::from(b))
                << (KEY_BITS - len);
            (key, len)
        })
        .collect();
    short.sort_unstable();
    // Merge, then read off neighbours' common prefixes, capped by the shorter length.
    let mut lcp = Vec::with_capacity(n);
    let mut previous: Option<(u64, usize)> = None;
    let mut pending = short.into_iter().peekable();
    let mut push = |item: (u64, usize)| -> bool {
        let l = previous.map_or(0, |(k, len)| {
            let common = (k ^ item.0).leading_zeros() as usize;
            common.min(len).min(item.1)
        });
        previous = Some(item);
        lcp.push(l as u32);
        l < KEY_BITS
    };
    for key in keys {
        while let Some(&s) = pending.peek() {
            if s < (key, KEY_BITS) {
                if !push(s) {
                    return None;
                }
                pending.next();
            } else {
                break;
            }
        }
        if !push((key, KEY_BITS)) {
            return None;
        }
    }
    for s in pending {
        if !push(s) {
            return None;
        }
    }
    Some(lcp)
}

/// Whether two of the first 65,536 byte-aligned 64-bit windows are equal: a sure sign of a
/// 64-bit repeat, found in ~1 ms, before sorting millions of prefixes for nothing (timing
/// sources' bitstrings repeat whole 8-sample runs all the time).
fn early_repeat(bits: &[u8]) -> bool {
    let windows = ((bits.len() - KEY_BITS) / 8 + 1).min(1 << 16);
    let mut keys: Vec<u64> = (0..windows)
        .map(|w| {
            bits[8 * w..8 * w + KEY_BITS]
                .iter()
                .fold(0u64, |acc, &b| (acc << 1) | u64::from(b))
        })
        .collect();
    keys.sort_unstable();
    keys.windows(2).any(|pair| pair[0] == pair[1])
}

/// Least-significant-digit radix sort, 8 bits a pass; a pass whose digit is the same in
/// every key is skipped.
fn radix_sort(keys: &mut Vec<u64>) {
    let mut other = vec![0u64; keys.len()];
    for pass in 0..8 {
        let shift = 8 * pass;
        let mut counts = [0usize; 256];
        for &k in keys.iter() {
            counts[((k >> shift) & 0xff) as usize] += 1;
        }
        if counts.contains(&keys.len()) {
            continue;
        }
        let mut offset = 0;
        for c in counts.iter_mut() {
            let here = *c;
            *c = offset;
            offset += here;
        }
        for &k in keys.iter() {
            let digit = ((k >> shift) & 0xff) as usize;
            other[counts[digit]] = k;
            counts[digit] += 1;
        }
        std::mem::swap(keys, &mut other);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tuple::suffix_lcp;
    use super::*;

    fn xorshift_bits(n: usize, seed: u64, ones_in_ten: u64) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                u8::from(x % 10 < ones_in_ten)
            })
            .collect()
    }

    /// The multiset of LCP values fixes every count the estimators read; the sorted order
    /// is the same, so the arrays are equal element by element.
    #[test]
    fn equals_the_suffix_array_lcp_when_no_repeat_reaches_64_bits() {
        for (n, seed, ones) in [
            (65, 1, 5),
            (100, 2, 5),
            (5_000, 3, 5),
            (200_000, 4, 5),
            (50_000, 5, 7),
        ] {
            let bits = xorshift_bits(n, seed, ones);
            let expected = suffix_lcp(&bits).1;
            let got = lcp_of_bits(&bits).expect("no 64-bit repeat in random bits");
            assert_eq!(got, expected, "n = {n}");
        }
    }

    #[test]
    fn short_suffixes_sort_before_their_extensions() {
        // Ends in zeros, so padded short suffixes tie with longer ones.
        let mut bits = xorshift_bits(3_000, 9, 5);
        bits.extend([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(lcp_of_bits(&bits).unwrap(), suffix_lcp(&bits).1);
    }

    #[test]
    fn a_long_repeat_or_other_symbols_fall_back() {
        let mut bits = xorshift_bits(10_000, 7, 5);
        let copy = bits[100..200].to_vec();
        bits.extend(copy);
        assert_eq!(lcp_of_bits(&bits), None, "a 100-bit repeat");
        assert_eq!(lcp_of_bits(&[0u8; 1000]), None, "constant");
        assert_eq!(lcp_of_bits(&[2u8; 1000]), None, "not bits");
        assert_eq!(lcp_of_bits(&[1u8; 64]), None, "too short");
    }
}
