//! The four prediction estimators of SP 800-90B §6.3.7–§6.3.10, with the tie-break rules
//! of NIST's `ea_non_iid`, and their shared global/local bound.

pub mod common;
pub mod lag;
pub mod lz78y;
pub mod multi_mcw;
pub mod multi_mmc;

pub use common::{PredictorCounts, prediction_estimate};

/// Small, fast hasher for the predictors' context dictionaries (keys are packed symbol
/// strings; HashDoS is not a concern for an offline statistic).
#[derive(Default, Clone, Copy)]
pub(crate) struct ContextHasher(u64);

impl std::hash::Hasher for ContextHasher {
    fn finish(&self) -> u64 {
        // MurmurHash3's fmix64 finaliser: spreads entropy into the low bits, which pick
        // the bucket (a bare multiply leaves them depending on the key's low bits only).
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        // FxHash-style mixing step (rotate, xor, multiply by a 64-bit odd constant).
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, x: u128) {
        self.write_u64(x as u64);
        self.write_u64((x >> 64) as u64);
    }
}

pub(crate) type ContextMap<V> =
    std::collections::HashMap<u128, V, std::hash::BuildHasherDefault<ContextHasher>>;

/// The postfix dictionary of MultiMMC and LZ78Y: counts of the symbols seen after one
/// context, with the current prediction. Ties go to the larger symbol value (the tool's
/// rule), and the prediction is updated as counts grow, never rescanned.
///
/// Most contexts are followed by one symbol only (on 65,536 random bytes, nearly every
/// context of two or more symbols), so that case is held inline in 8 bytes, with no
/// allocation; a second symbol moves the counts to a list, and past [`DENSE_AFTER`] symbols
/// to a 256-entry table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Postfixes {
    /// The prediction's count; 0 while empty.
    best: u32,
    prediction: u8,
    /// All counts, once a second distinct symbol has been seen; until then the only symbol
    /// is `prediction`, seen `best` times.
    more: Option<Box<Counts>>,
}

#[derive(Debug, Clone)]
enum Counts {
    Sparse(Vec<(u8, u32)>),
    Dense(Box<[u32; 256]>),
}

/// Distinct postfixes kept as a list before switching to a table.
const DENSE_AFTER: usize = 8;

impl Postfixes {
    /// The predicted symbol and its count (the count is at least 1 once anything was added).
    pub(crate) fn predict(&self) -> (u8, u64) {
        (self.prediction, u64::from(self.best))
    }

    /// Counts `symbol` after this context. A symbol not yet present is added only when
    /// `make_new`; returns whether it was added.
    pub(crate) fn increment(&mut self, symbol: u8, make_new: bool) -> bool {
        let (count, added) = match self.more.as_deref_mut() {
            None if self.best == 0 => {
                if !make_new {
                    return false;
                }
                (1, true)
            }
            None if symbol == self.prediction => (self.best + 1, false),
            None => {
                if !make_new {
                    return false;
                }
                let list = vec![(self.prediction, self.best), (symbol, 1)];
                self.more = Some(Box::new(Counts::Sparse(list)));
                (1, true)
            }
            Some(Counts::Dense(table)) => {
                let c = &mut table[symbol as usize];
                if *c > 0 {
                    *c += 1;
                    (*c, false)
                } else if make_new {
                    *c = 1;
                    (1, true)
                } else {
                    return false;
                }
            }
            Some(counts @ Counts::Sparse(_)) => {
                let Counts::Sparse(list) = counts else {
                    unreachable!("matched as sparse")
                };
                match list.iter_mut().find(|e| e.0 == symbol) {
                    Some(e) => {
                        e.1 += 1;
                        (e.1, false)
                    }
                    None if make_new => {
                        list.push((symbol, 1));
                        if list.len() > DENSE_AFTER {
                            let mut table = Box::new([0u32; 256]);
                            for &(s, c) in list.iter() {
                                table[s as usize] = c;
                            }
                            *counts = Counts::Dense(table);
                        }
                        (1, true)
                    }
                    None => return false,
                }
            }
        };
        if count > self.best || (count == self.best && symbol > self.prediction) {
            self.prediction = symbol;
            self.best = count;
        }
        added
    }
}

/// Packs up to 16 symbols into a key.
#[inline]
pub(crate) fn pack(symbols: &[u8]) -> u128 {
    symbols
        .iter()
        .fold(0u128, |acc, &s| (acc << 8) | u128::from(s))
}
