//! Deterministic test data sets for the SP 800-90B golden comparisons.
//!
//! Each data set is generated from a fixed seed by splitmix64 (Steele, Lea and Flood,
//! "Fast splittable pseudorandom number generators", 2014), so the very same bytes can be
//! written to a file and fed to NIST's `ea_non_iid` / `ea_iid`, whose printed results are
//! kept as golden constants in `tests/nist_golden.rs`.

/// splitmix64: a tiny, well-known generator; good enough to make test data.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Name, bits per sample and samples of every golden data set.
pub fn all() -> Vec<(&'static str, u8, Vec<u8>)> {
    vec![
        ("uniform8", 8, uniform(1, 100_000, 8)),
        ("uniform4", 4, uniform(2, 100_000, 4)),
        ("bernoulli1", 1, bernoulli(3, 200_000, 0.3)),
        ("markov1", 1, markov_bits(4, 200_000, 0.8)),
        ("skewed4", 4, skewed4(5, 100_000)),
        ("markov8", 8, markov_bytes(6, 100_000)),
        ("sparse8", 8, sparse8(7, 100_000)),
        ("twosym4", 4, two_symbols(8, 100_000)),
    ]
}

/// Uniform `bits`-bit samples.
pub fn uniform(seed: u64, n: usize, bits: u8) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    let mask = ((1u16 << bits) - 1) as u64;
    (0..n).map(|_| (rng.next_u64() & mask) as u8).collect()
}

/// 1-bit samples, one with probability `p`.
pub fn bernoulli(seed: u64, n: usize, p: f64) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    (0..n).map(|_| u8::from(rng.unit() < p)).collect()
}

/// 1-bit Markov chain that keeps its previous bit with probability `stay`.
pub fn markov_bits(seed: u64, n: usize, stay: f64) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    let mut bit = 0u8;
    (0..n)
        .map(|_| {
            if rng.unit() >= stay {
                bit ^= 1;
            }
            bit
        })
        .collect()
}

/// 4-bit samples with a triangular distribution (sum of two uniform 3-bit values).
pub fn skewed4(seed: u64, n: usize) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    (0..n)
        .map(|_| {
            let r = rng.next_u64();
            ((r & 7) + ((r >> 3) & 7)) as u8
        })
        .collect()
}

/// 8-bit samples that repeat the previous value with probability 0.3, else draw a value
/// from a 6-bit uniform plus a slow drift.
pub fn markov_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    let mut prev = 0u8;
    (0..n)
        .map(|i| {
            if rng.unit() >= 0.3 {
                prev = ((rng.next_u64() & 63) as u8).wrapping_add((i / 1000) as u8);
            }
            prev
        })
        .collect()
}

/// 8-bit samples from the non-dense alphabet {3, 17, 64, 200, 201} (translated by the tool).
pub fn sparse8(seed: u64, n: usize) -> Vec<u8> {
    const VALUES: [u8; 5] = [3, 17, 64, 200, 201];
    const CUMULATIVE: [f64; 5] = [0.35, 0.6, 0.8, 0.92, 1.0];
    let mut rng = SplitMix64(seed);
    (0..n)
        .map(|_| {
            let u = rng.unit();
            let i = CUMULATIVE.iter().position(|&c| u < c).unwrap_or(4);
            VALUES[i]
        })
        .collect()
}

/// 4-bit samples taking only the values 5 and 9 (two symbols: no bitstring assessment).
pub fn two_symbols(seed: u64, n: usize) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    (0..n)
        .map(|_| if rng.unit() < 0.6 { 5 } else { 9 })
        .collect()
}

/// `len` bytes of splitmix64 output, each word little-endian: the SP 800-22 golden streams.
pub fn splitmix_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// `n` bits (n a multiple of 8), each one with probability `p`, packed most significant
/// bit first.
pub fn biased_bits(seed: u64, n: usize, p: f64) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    (0..n / 8)
        .map(|_| (0..8).fold(0u8, |b, _| b << 1 | u8::from(rng.unit() < p)))
        .collect()
}
