//! A bit sequence packed 64 to a word, built from bytes (most significant bit first) or from
//! ASCII '0'/'1' text.

/// A packed sequence of bits; bit `i` is bit `63 - i % 64` of word `i / 64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// Every bit of `bytes`, most significant bit of each byte first (sts's binary mode).
    pub fn from_bytes(bytes: &[u8]) -> Bits {
        let mut words = Vec::with_capacity(bytes.len().div_ceil(8));
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            words.push(u64::from_be_bytes(word));
        }
        Bits {
            words,
            len: bytes.len() * 8,
        }
    }

    /// The '0' and '1' characters of `text`, ignoring everything else.
    ///
    /// ```
    /// use wellspring_assess::sp800_22::Bits;
    /// let bits = Bits::from_ascii(b"1011 0101\n01");
    /// assert_eq!(bits.len(), 10);
    /// assert!(bits.get(0) && !bits.get(1));
    /// ```
    pub fn from_ascii(text: &[u8]) -> Bits {
        let mut bits = Bits {
            words: Vec::new(),
            len: 0,
        };
        for &c in text {
            if c == b'0' || c == b'1' {
                if bits.len.is_multiple_of(64) {
                    bits.words.push(0);
                }
                if c == b'1' {
                    let last = bits.words.len() - 1;
                    bits.words[last] |= 1 << (63 - bits.len % 64);
                }
                bits.len += 1;
            }
        }
        bits
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i` (panics past the end, like slice indexing).
    pub fn get(&self, i: usize) -> bool {
        assert!(i < self.len, "bit {i} of {}", self.len);
        self.words[i / 64] >> (63 - i % 64) & 1 == 1
    }

    /// Number of ones among bits `start..end`, a word at a time.
    pub fn count_ones(&self, start: usize, end: usize) -> u64 {
        let mut count = 0u64;
        let mut i = start;
        while i < end {
            let (word, offset) = (i / 64, i % 64);
            let take = (64 - offset).min(end - i);
            let chunk = (self.words[word] << offset) >> (64 - take);
            count += chunk.count_ones() as u64;
            i += take;
        }
        count
    }

    /// The packed words; bits past `len` in the last word are zero.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The `k` bits (1 ≤ k ≤ 64) starting at bit `start` as an integer, first bit most
    /// significant. Panics past the end.
    pub fn bits_at(&self, start: usize, k: usize) -> u64 {
        assert!(
            (1..=64).contains(&k) && start + k <= self.len,
            "bits {start}+{k} of {}",
            self.len
        );
        let (word, offset) = (start / 64, start % 64);
        let mut v = self.words[word] << offset;
        if offset + k > 64 {
            v |= self.words[word + 1] >> (64 - offset);
        }
        v >> (64 - k)
    }

    /// Bits `start..start + len` as a new sequence.
    pub fn slice(&self, start: usize, len: usize) -> Bits {
        assert!(
            start + len <= self.len,
            "bits {start}+{len} of {}",
            self.len
        );
        let mut words = Vec::with_capacity(len.div_ceil(64));
        let mut i = 0;
        while i < len {
            let take = (len - i).min(64);
            words.push(self.bits_at(start + i, take) << (64 - take));
            i += take;
        }
        Bits { words, len }
    }

    /// This sequence followed by its own first `k` bits (k ≤ len): the wrap-around that
    /// approximate entropy and serial count over.
    pub fn wrapped(&self, k: usize) -> Bits {
        assert!(k <= self.len, "wrap {k} of {}", self.len);
        let mut out = self.clone();
        out.words.truncate(self.len.div_ceil(64));
        let mut i = 0;
        while i < k {
            let take = (k - i).min(64);
            out.push_bits(self.bits_at(i, take), take);
            i += take;
        }
        out
    }

    /// Appends the low `k` bits of `value` (1 ≤ k ≤ 64), most significant first.
    fn push_bits(&mut self, value: u64, k: usize) {
        let offset = self.len % 64;
        let v = (if k == 64 {
            value
        } else {
            value & ((1u64 << k) - 1)
        }) << (64 - k);
        if offset == 0 {
            self.words.push(v);
        } else {
            let last = self.words.len() - 1;
            self.words[last] |= v >> offset;
            if offset + k > 64 {
                self.words.push(v << (64 - offset));
            }
        }
        self.len += k;
    }

    /// Every bit in order, a word at a time.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        self.words
            .iter()
            .flat_map(|&w| (0..64).rev().map(move |j| w >> j & 1 == 1))
            .take(self.len)
    }

    /// The value of every `m`-bit window (1 ≤ m ≤ 32) starting at positions
    /// `start..start + count`, in order; each window must lie inside the sequence.
    pub fn windows(&self, start: usize, count: usize, m: usize) -> impl Iterator<Item = u32> + '_ {
        assert!((1..=32).contains(&m), "window length {m}");
        assert!(
            count == 0 || start + count + m - 1 <= self.len,
            "windows past the end"
        );
        let mask = if m == 32 { u32::MAX } else { (1u32 << m) - 1 };
        let mut v = if count == 0 || m == 1 {
            0
        } else {
            self.bits_at(start, m - 1) as u32
        };
        let first = start + m - 1;
        (first..first + count).map(move |i| {
            let bit = (self.words[i / 64] >> (63 - i % 64)) as u32 & 1;
            v = (v << 1 | bit) & mask;
            v
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extraction_slicing_and_wrapping_agree_with_single_bits() {
        let bits = Bits::from_bytes(
            &(0..40u8)
                .map(|i| i.wrapping_mul(37) ^ 0x5a)
                .collect::<Vec<_>>(),
        );
        for (start, k) in [(0, 1), (3, 64), (60, 10), (100, 33), (256, 64)] {
            let want = (start..start + k).fold(0u64, |v, i| v << 1 | bits.get(i) as u64);
            assert_eq!(bits.bits_at(start, k), want, "{start}+{k}");
        }
        let s = bits.slice(13, 150);
        assert_eq!(s.len(), 150);
        assert!((0..150).all(|i| s.get(i) == bits.get(13 + i)));
        let w = s.wrapped(70);
        assert_eq!(w.len(), 220);
        assert!((0..220).all(|i| w.get(i) == s.get(i % 150)));
        assert_eq!(
            w.iter().collect::<Vec<_>>(),
            (0..220).map(|i| w.get(i)).collect::<Vec<_>>()
        );
        let win: Vec<u32> = bits.windows(5, 100, 9).collect();
        assert!((0..100).all(|j| win[j] as u64 == bits.bits_at(5 + j, 9)));
    }
}
