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
}
