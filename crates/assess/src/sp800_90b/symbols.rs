//! Reading samples the way NIST's SP 800-90B tools do: the symbol is the low
//! `bits_per_sample` bits of each byte; symbols whose distinct values are not exactly
//! `0..=max` are translated to dense ranks; the bitstring is built from the untranslated
//! symbols, most significant bit first.
//!
//! The alphabet size used by every estimator is the number of distinct symbols, not
//! `2^bits_per_sample` (NIST's tool behaves this way, and exact agreement needs it).

use super::AssessError;

/// Samples prepared for the estimators.
#[derive(Debug, Clone)]
pub struct Symbols {
    /// Bits per sample, 1..=8.
    pub bits: u8,
    /// The samples as given (all below `2^bits`).
    pub raw: Vec<u8>,
    /// The samples translated to dense ranks `0..k` (a copy of `raw` when already dense).
    pub symbols: Vec<u8>,
    /// Alphabet size: the number of distinct sample values.
    pub k: usize,
    /// Whether `symbols` differs from `raw` ("Symbols have been translated").
    pub translated: bool,
}

impl Symbols {
    /// Checks and translates `samples`. Errors: empty input, `bits` outside 1..=8, or a
    /// sample with a bit set at or above `bits`.
    pub fn new(samples: &[u8], bits: u8) -> Result<Self, AssessError> {
        if !(1..=8).contains(&bits) {
            return Err(AssessError::BitsPerSample(bits));
        }
        if samples.is_empty() {
            return Err(AssessError::Empty);
        }
        let limit = 1u16 << bits;
        if let Some((index, &value)) = samples
            .iter()
            .enumerate()
            .find(|&(_, &s)| u16::from(s) >= limit)
        {
            return Err(AssessError::SampleTooWide { index, value, bits });
        }
        let mut present = [false; 256];
        let mut max = 0u8;
        for &s in samples {
            present[s as usize] = true;
            max = max.max(s);
        }
        let mut rank = [0u8; 256];
        let mut k = 0usize;
        for (value, &p) in present.iter().enumerate() {
            if p {
                rank[value] = k as u8;
                k += 1;
            }
        }
        let translated = k < max as usize + 1;
        let symbols = if translated {
            samples.iter().map(|&s| rank[s as usize]).collect()
        } else {
            samples.to_vec()
        };
        Ok(Symbols {
            bits,
            raw: samples.to_vec(),
            symbols,
            k,
            translated,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Always false: construction rejects empty input.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The bitstring of the untranslated samples, `bits` bits each, MSB first, truncated to
    /// `limit` bits when given (the tool's `-t`: 1,000,000 bits).
    pub fn bitstring(&self, limit: Option<usize>) -> Vec<u8> {
        bitstring(&self.raw, self.bits, limit)
    }
}

/// Expands `samples` to one bit per byte, `bits` bits per sample, MSB first.
pub fn bitstring(samples: &[u8], bits: u8, limit: Option<usize>) -> Vec<u8> {
    let total = samples.len() * bits as usize;
    let len = limit.map_or(total, |l| l.min(total));
    let mut out = Vec::with_capacity(len);
    'outer: for &s in samples {
        for j in (0..bits).rev() {
            if out.len() == len {
                break 'outer;
            }
            out.push((s >> j) & 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translation_to_dense_ranks() {
        let s = Symbols::new(&[3, 17, 3, 200], 8).unwrap();
        assert_eq!(s.k, 3);
        assert!(s.translated);
        assert_eq!(s.symbols, vec![0, 1, 0, 2]);
        let dense = Symbols::new(&[0, 1, 2, 1], 2).unwrap();
        assert!(!dense.translated);
        assert_eq!(dense.k, 3);
    }

    #[test]
    fn bitstring_is_msb_first() {
        assert_eq!(bitstring(&[0b101, 0b001], 3, None), vec![1, 0, 1, 0, 0, 1]);
        assert_eq!(bitstring(&[0b101, 0b001], 3, Some(4)), vec![1, 0, 1, 0]);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(Symbols::new(&[], 8), Err(AssessError::Empty)));
        assert!(matches!(
            Symbols::new(&[1], 0),
            Err(AssessError::BitsPerSample(0))
        ));
        assert!(matches!(
            Symbols::new(&[1], 9),
            Err(AssessError::BitsPerSample(9))
        ));
        assert!(matches!(
            Symbols::new(&[1, 4], 2),
            Err(AssessError::SampleTooWide {
                index: 1,
                value: 4,
                bits: 2
            })
        ));
    }
}
