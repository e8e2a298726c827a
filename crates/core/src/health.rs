//! Continuous health tests of SP 800-90B §4.4: the Repetition Count Test and the Adaptive
//! Proportion Test, with cutoffs derived from the source's assessed min-entropy `H`.
//!
//! Both use the false-positive probability α = 2^-20 that SP 800-90B recommends (§4.4):
//! a healthy source at its assessed `H` trips either test about once per million windows.

use serde::Serialize;

/// -log2(α) for α = 2^-20 (SP 800-90B §4.4).
const ALPHA_EXPONENT: f64 = 20.0;

/// Repetition Count Test cutoff: `1 + ceil(20 / H)` (SP 800-90B §4.4.1).
///
/// ```
/// assert_eq!(wellspring_core::health::rct_cutoff(1.0), 21);
/// assert_eq!(wellspring_core::health::rct_cutoff(4.0), 6);
/// ```
pub fn rct_cutoff(h: f64) -> u32 {
    let h = h.clamp(1e-3, 8.0);
    1 + (ALPHA_EXPONENT / h).ceil() as u32
}

/// Adaptive Proportion Test window: 1024 for binary sources, 512 otherwise (§4.4.2).
pub fn apt_window(binary: bool) -> u32 {
    if binary { 1024 } else { 512 }
}

/// Adaptive Proportion Test cutoff: `1 + CRITBINOM(W, 2^-H, 1 - α)` (SP 800-90B §4.4.2),
/// where CRITBINOM is the smallest `k` whose Binomial(W, 2^-H) CDF reaches `1 - α`.
///
/// ```
/// // W = 512, H = 1: 311; W = 1024 (binary), H = 1: 589.
/// assert_eq!(wellspring_core::health::apt_cutoff(1.0, false), 311);
/// assert_eq!(wellspring_core::health::apt_cutoff(1.0, true), 589);
/// ```
pub fn apt_cutoff(h: f64, binary: bool) -> u32 {
    let w = apt_window(binary);
    let p = 2f64.powf(-h.clamp(1e-3, 8.0));
    let target = 1.0 - 2f64.powf(-ALPHA_EXPONENT);
    // Binomial CDF by summing the pmf in log space (W ≤ 1024, so this is cheap).
    let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
    let mut ln_choose = 0.0f64;
    let mut cdf = 0.0f64;
    for k in 0..=w {
        if k > 0 {
            ln_choose += ((w - k + 1) as f64).ln() - (k as f64).ln();
        }
        cdf += (ln_choose + k as f64 * ln_p + (w - k) as f64 * ln_q).exp();
        if cdf >= target {
            return (1 + k).min(w);
        }
    }
    w
}

/// Which test failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthFailure {
    /// Too many identical samples in a row.
    RepetitionCount,
    /// One value too common within a window.
    AdaptiveProportion,
}

/// The running state of both continuous tests for one source.
#[derive(Debug, Clone, Serialize)]
pub struct HealthTests {
    /// The min-entropy per sample the cutoffs are derived from.
    pub h: f64,
    /// RCT cutoff.
    pub rct_cutoff: u32,
    /// APT cutoff.
    pub apt_cutoff: u32,
    /// APT window size.
    pub apt_window: u32,
    /// Samples tested so far.
    pub samples: u64,
    /// RCT failures so far.
    pub rct_failures: u64,
    /// APT failures so far.
    pub apt_failures: u64,
    /// Longest run of identical samples seen.
    pub longest_run: u32,
    /// Largest APT count seen in a window.
    pub max_apt_count: u32,
    #[serde(skip)]
    last: Option<u8>,
    #[serde(skip)]
    run: u32,
    #[serde(skip)]
    apt_value: u8,
    #[serde(skip)]
    apt_count: u32,
    #[serde(skip)]
    apt_position: u32,
}

impl HealthTests {
    /// Tests for a source with min-entropy `h` bits per sample; `binary` for 1-bit samples.
    pub fn new(h: f64, binary: bool) -> Self {
        HealthTests {
            h,
            rct_cutoff: rct_cutoff(h),
            apt_cutoff: apt_cutoff(h, binary),
            apt_window: apt_window(binary),
            samples: 0,
            rct_failures: 0,
            apt_failures: 0,
            longest_run: 0,
            max_apt_count: 0,
            last: None,
            run: 0,
            apt_value: 0,
            apt_count: 0,
            apt_position: 0,
        }
    }

    /// Feeds one sample; returns the failure it caused, if any. Failures are counted and
    /// the tests restart, so feeding may continue.
    pub fn feed(&mut self, sample: u8) -> Option<HealthFailure> {
        self.samples += 1;
        let mut failure = None;
        if self.last == Some(sample) {
            self.run += 1;
        } else {
            self.last = Some(sample);
            self.run = 1;
        }
        self.longest_run = self.longest_run.max(self.run);
        if self.run >= self.rct_cutoff {
            self.rct_failures += 1;
            self.run = 1;
            failure = Some(HealthFailure::RepetitionCount);
        }
        if self.apt_position == 0 {
            self.apt_value = sample;
            self.apt_count = 1;
        } else if sample == self.apt_value {
            self.apt_count += 1;
        }
        self.apt_position += 1;
        self.max_apt_count = self.max_apt_count.max(self.apt_count);
        if self.apt_count >= self.apt_cutoff {
            self.apt_failures += 1;
            self.apt_position = 0;
            failure = failure.or(Some(HealthFailure::AdaptiveProportion));
        } else if self.apt_position >= self.apt_window {
            self.apt_position = 0;
        }
        failure
    }

    /// Feeds a slice; returns the first failure, having fed every sample.
    pub fn feed_all(&mut self, samples: &[u8]) -> Option<HealthFailure> {
        samples
            .iter()
            .fold(None, |first, &s| first.or(self.feed(s)))
    }

    /// True while no failure has been recorded.
    pub fn healthy(&self) -> bool {
        self.rct_failures == 0 && self.apt_failures == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rct_cutoff_follows_the_formula() {
        // SP 800-90B §4.4.1 example: H = 2 gives C = 1 + ceil(20/2) = 11.
        assert_eq!(rct_cutoff(2.0), 11);
        assert_eq!(rct_cutoff(0.5), 41);
        assert_eq!(rct_cutoff(7.3), 4);
    }

    #[test]
    fn apt_cutoffs_match_an_exact_binomial_quantile() {
        // Expected values from an independent exact computation in Python with integer
        // binomial coefficients (math.comb), smallest k with CDF >= 1 - 2^-20, plus one.
        for (h, w512, w1024) in [
            (0.5, 410, 793),
            (1.0, 311, 589),
            (2.0, 177, 325),
            (4.0, 62, 105),
            (8.0, 13, 18),
        ] {
            assert_eq!(apt_cutoff(h, false), w512, "H = {h}, W = 512");
            assert_eq!(apt_cutoff(h, true), w1024, "H = {h}, W = 1024");
        }
    }

    /// splitmix64: a fixed-seed generator for simulated sources.
    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn a_healthy_source_at_its_assessed_entropy_rarely_trips() {
        // Uniform over 16 values: exactly H = 4 bits per sample. Over 10^6 samples the RCT
        // (cutoff 6) fires with probability 16^-5 = 2^-20 per position, so the count is
        // about Poisson(0.95); the APT (cutoff 62 of 512) fires with probability below
        // 2^-20 per window. P(more than 6 failures in all) < 1e-4.
        let mut tests = HealthTests::new(4.0, false);
        let mut state = 12345;
        for _ in 0..1_000_000 {
            tests.feed((splitmix(&mut state) & 15) as u8);
        }
        assert!(tests.rct_failures + tests.apt_failures <= 6, "{tests:?}");
        assert!(tests.max_apt_count < tests.apt_cutoff);
    }

    #[test]
    fn rising_bias_trips_the_apt() {
        let mut tests = HealthTests::new(4.0, false);
        let mut state = 99;
        for _ in 0..100_000 {
            assert_eq!(
                tests
                    .feed((splitmix(&mut state) & 15) as u8)
                    .filter(|f| *f == HealthFailure::AdaptiveProportion),
                None
            );
        }
        // The source degrades: value 3 half of the time (H drops to 1 bit). With mean
        // 256 of 512 against a cutoff of 62, the first window that starts on a 3 trips.
        let mut tripped = None;
        for i in 0..10_000 {
            let r = splitmix(&mut state);
            let sample = if r & 1 == 0 { 3 } else { ((r >> 8) & 15) as u8 };
            if tests.feed(sample) == Some(HealthFailure::AdaptiveProportion) {
                tripped = Some(i);
                break;
            }
        }
        let at = tripped.expect("APT never tripped");
        assert!(at < 2048, "tripped only after {at} samples");
    }

    #[test]
    fn stuck_source_trips_rct_exactly_at_cutoff() {
        let mut tests = HealthTests::new(4.0, false);
        let cutoff = tests.rct_cutoff as usize;
        for i in 0..cutoff - 1 {
            assert_eq!(tests.feed(9), None, "sample {i}");
        }
        assert_eq!(tests.feed(9), Some(HealthFailure::RepetitionCount));
    }
}
