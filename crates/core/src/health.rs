//! Continuous health tests of SP 800-90B §4.4: the Repetition Count Test and the Adaptive
//! Proportion Test, with cutoffs derived from the source's assessed min-entropy `H`.
//!
//! Each test has two cutoffs, as jitterentropy grades its failures:
//! - **intermittent**, at the false-positive probability α = 2^-20 that SP 800-90B §4.4
//!   recommends: a healthy source at its assessed `H` crosses it about once per million
//!   samples, which a fast source produces every second, so the engine answers it by crediting
//!   nothing for the batch it occurred in (the samples are still mixed), not by quarantine;
//! - **persistent**, at α = 2^-40: crossing it means the source has failed, and the engine
//!   quarantines it.
//!
//! A run or a window is not restarted at an intermittent failure, so a stuck source crosses
//! the persistent cutoff a few samples later.

use serde::Serialize;

/// -log2(α) for α = 2^-20 (SP 800-90B §4.4): the intermittent cutoffs.
const ALPHA_EXPONENT: f64 = 20.0;
/// -log2(α) for the persistent cutoffs, α = 2^-40 (the other end of §4.4's recommended range).
const PERSISTENT_EXPONENT: f64 = 40.0;

/// Repetition Count Test cutoff: `1 + ceil(20 / H)` (SP 800-90B §4.4.1).
///
/// ```
/// assert_eq!(wellspring_core::health::rct_cutoff(1.0), 21);
/// assert_eq!(wellspring_core::health::rct_cutoff(4.0), 6);
/// ```
pub fn rct_cutoff(h: f64) -> u32 {
    rct_cutoff_at(h, ALPHA_EXPONENT)
}

fn rct_cutoff_at(h: f64, alpha_exponent: f64) -> u32 {
    let h = if h.is_finite() {
        h.clamp(1e-3, 8.0)
    } else {
        1e-3
    };
    1 + (alpha_exponent / h).ceil() as u32
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
    apt_cutoff_at(h, binary, ALPHA_EXPONENT)
}

fn apt_cutoff_at(h: f64, binary: bool, alpha_exponent: f64) -> u32 {
    let w = apt_window(binary);
    let h = if h.is_finite() {
        h.clamp(1e-3, 8.0)
    } else {
        1e-3
    };
    let p = 2f64.powf(-h);
    let alpha = 2f64.powf(-alpha_exponent);
    // Binomial pmf in log space (W ≤ 1024, so this is cheap).
    let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
    let mut ln_choose = 0.0f64;
    let pmf: Vec<f64> = (0..=w)
        .map(|k| {
            if k > 0 {
                ln_choose += ((w - k + 1) as f64).ln() - (k as f64).ln();
            }
            (ln_choose + k as f64 * ln_p + (w - k) as f64 * ln_q).exp()
        })
        .collect();
    // CRITBINOM is the smallest k with CDF(k) ≥ 1 - α, i.e. with P(X > k) ≤ α. Summing the
    // upper tail directly keeps the comparison exact to ~1e-16 relative, where 1 - CDF would
    // lose most digits of α = 2^-40 to cancellation.
    let mut k = w;
    let mut tail = 0.0; // P(X > k)
    while k > 0 && tail + pmf[k as usize] <= alpha {
        tail += pmf[k as usize];
        k -= 1;
    }
    (1 + k).min(w)
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

impl HealthFailure {
    /// The test's short name, as `--json` and log lines give it: `rct` or `apt`.
    pub fn short_name(self) -> &'static str {
        match self {
            HealthFailure::RepetitionCount => "rct",
            HealthFailure::AdaptiveProportion => "apt",
        }
    }
}

/// Why a health test failed, in numbers: which test, the count it observed and the cutoff
/// that count reached. A test fails when its count reaches the cutoff (SP 800-90B's `C`: a
/// run of `C` identical samples, or `C` samples of one value within a window), so
/// `observed >= cutoff` always.
///
/// ```
/// use wellspring_core::health::{HealthFailure, HealthTests};
///
/// let mut tests = HealthTests::new(4.0, false);
/// let failure = tests.feed_all(&[7; 20]).unwrap();
/// let failed = tests.failed_test(failure, false);
/// assert_eq!((failed.observed, failed.cutoff), (20, 6));
/// assert_eq!(
///     failed.to_string(),
///     "RepetitionCount test (RCT): a run of 20 identical samples reached the cutoff 6"
/// );
/// assert_eq!(serde_json::to_value(failed).unwrap()["test"], "rct");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FailedTest {
    /// The test: `rct` (Repetition Count) or `apt` (Adaptive Proportion).
    #[serde(serialize_with = "short_name")]
    pub test: HealthFailure,
    /// The count observed: the longest run of one value (RCT), or the most samples of one
    /// value within a window (APT), in the samples tested.
    pub observed: u32,
    /// The cutoff it reached: the smallest count that fails.
    pub cutoff: u32,
    /// The APT window, in samples; `None` for the RCT.
    pub window: Option<u32>,
    /// Whether `cutoff` is the persistent one (α = 2^-40, which quarantines a source in
    /// the engine) rather than the intermittent one (α = 2^-20).
    pub persistent: bool,
}

fn short_name<S: serde::Serializer>(test: &HealthFailure, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(test.short_name())
}

impl std::fmt::Display for FailedTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.test {
            HealthFailure::RepetitionCount => write!(
                f,
                "RepetitionCount test (RCT): a run of {} identical samples reached the cutoff {}",
                self.observed, self.cutoff
            ),
            HealthFailure::AdaptiveProportion => write!(
                f,
                "AdaptiveProportion test (APT): one value {} times in a {}-sample window \
                 reached the cutoff {}",
                self.observed,
                self.window.unwrap_or(0),
                self.cutoff
            ),
        }
    }
}

impl FailedTest {
    /// In a few words, for a table cell: `RCT: run of 20, cutoff 6`,
    /// `APT: 400 of 512, cutoff 311`.
    pub fn brief(&self) -> String {
        match self.test {
            HealthFailure::RepetitionCount => {
                format!("RCT: run of {}, cutoff {}", self.observed, self.cutoff)
            }
            HealthFailure::AdaptiveProportion => format!(
                "APT: {} of {}, cutoff {}",
                self.observed,
                self.window.unwrap_or(0),
                self.cutoff
            ),
        }
    }
}

/// The outcome of feeding a batch: the worst failure in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No cutoff crossed.
    Pass,
    /// An α = 2^-20 cutoff crossed: the batch earns no credit.
    Intermittent(HealthFailure),
    /// An α = 2^-40 cutoff crossed: the source has failed.
    Persistent(HealthFailure),
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
    /// RCT cutoff for a persistent failure (α = 2^-40).
    pub rct_persistent: u32,
    /// APT cutoff for a persistent failure (α = 2^-40).
    pub apt_persistent: u32,
    /// Persistent failures so far.
    pub persistent_failures: u64,
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
            rct_persistent: rct_cutoff_at(h, PERSISTENT_EXPONENT),
            apt_persistent: apt_cutoff_at(h, binary, PERSISTENT_EXPONENT),
            persistent_failures: 0,
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

    /// Feeds one sample; returns what it caused. Each crossing is counted once: the run or
    /// the window goes on, so a stuck source reaches the persistent cutoff. Every sample of
    /// a run or window already at or past its cutoff is at least `Intermittent` too, so a
    /// batch that continues a failing run or window is marked, not only the batch where the
    /// cutoff was first crossed.
    pub fn feed_graded(&mut self, sample: u8) -> Verdict {
        self.samples += 1;
        let mut verdict = Verdict::Pass;
        if self.last == Some(sample) {
            self.run += 1;
        } else {
            self.last = Some(sample);
            self.run = 1;
        }
        self.longest_run = self.longest_run.max(self.run);
        if self.run == self.rct_cutoff {
            self.rct_failures += 1;
            verdict = Verdict::Intermittent(HealthFailure::RepetitionCount);
        }
        if self.run == self.rct_persistent {
            self.persistent_failures += 1;
            verdict = Verdict::Persistent(HealthFailure::RepetitionCount);
        }
        if self.apt_position == 0 {
            self.apt_value = sample;
            self.apt_count = 1;
        } else if sample == self.apt_value {
            self.apt_count += 1;
        }
        self.apt_position += 1;
        self.max_apt_count = self.max_apt_count.max(self.apt_count);
        if sample == self.apt_value || self.apt_position == 1 {
            if self.apt_count == self.apt_cutoff {
                self.apt_failures += 1;
                if verdict == Verdict::Pass {
                    verdict = Verdict::Intermittent(HealthFailure::AdaptiveProportion);
                }
            }
            if self.apt_count == self.apt_persistent {
                self.persistent_failures += 1;
                verdict = Verdict::Persistent(HealthFailure::AdaptiveProportion);
            }
        }
        if verdict == Verdict::Pass {
            // The window's count stays until its next sample opens a new window, so the
            // sample that closes a failing window is marked as part of it.
            if self.run >= self.rct_cutoff {
                verdict = Verdict::Intermittent(HealthFailure::RepetitionCount);
            } else if self.apt_count >= self.apt_cutoff {
                verdict = Verdict::Intermittent(HealthFailure::AdaptiveProportion);
            }
        }
        if self.apt_position >= self.apt_window {
            self.apt_position = 0;
        }
        verdict
    }

    /// At most how many samples before a batch belong to a run or window that first
    /// crosses its cutoff in it: a run crossing the RCT cutoff began at most `rct_cutoff`
    /// samples earlier, a failing window at most one window earlier.
    pub fn lookback(&self) -> usize {
        (self.rct_cutoff as usize).max(self.apt_window as usize)
    }

    /// Feeds one sample; returns the (intermittent or persistent) failure it caused, if any.
    pub fn feed(&mut self, sample: u8) -> Option<HealthFailure> {
        match self.feed_graded(sample) {
            Verdict::Pass => None,
            Verdict::Intermittent(f) | Verdict::Persistent(f) => Some(f),
        }
    }

    /// Feeds a slice; returns the worst verdict, having fed every sample.
    pub fn feed_batch(&mut self, samples: &[u8]) -> Verdict {
        self.feed_batch_located(samples).0
    }

    /// Feeds a slice like [`feed_batch`](Self::feed_batch), and also returns how many
    /// samples of the slice had been fed when the first persistent failure occurred.
    ///
    /// ```
    /// use wellspring_core::health::{HealthTests, Verdict, HealthFailure};
    ///
    /// let mut tests = HealthTests::new(2.0, false);
    /// let (verdict, at) = tests.feed_batch_located(&[7; 100]);
    /// assert_eq!(verdict, Verdict::Persistent(HealthFailure::RepetitionCount));
    /// assert_eq!(at, Some(tests.rct_persistent as usize)); // the run reached the cutoff
    /// ```
    pub fn feed_batch_located(&mut self, samples: &[u8]) -> (Verdict, Option<usize>) {
        let mut first_persistent = None;
        let verdict = samples
            .iter()
            .enumerate()
            .fold(Verdict::Pass, |worst, (i, &s)| {
                match (worst, self.feed_graded(s)) {
                    (Verdict::Persistent(f), _) => Verdict::Persistent(f),
                    (_, Verdict::Persistent(f)) => {
                        first_persistent = Some(i + 1);
                        Verdict::Persistent(f)
                    }
                    (Verdict::Intermittent(f), _) => Verdict::Intermittent(f),
                    (Verdict::Pass, v) => v,
                }
            });
        (verdict, first_persistent)
    }

    /// Feeds a slice; returns the first failure of either grade, having fed every sample.
    pub fn feed_all(&mut self, samples: &[u8]) -> Option<HealthFailure> {
        samples
            .iter()
            .fold(None, |first, &s| first.or(self.feed(s)))
    }

    /// `failure` in numbers: the largest count this test has seen (the longest run, or the
    /// largest count within a window) against its intermittent (α = 2^-20) or `persistent`
    /// (α = 2^-40) cutoff.
    pub fn failed_test(&self, failure: HealthFailure, persistent: bool) -> FailedTest {
        let (observed, cutoff, window) = match (failure, persistent) {
            (HealthFailure::RepetitionCount, false) => (self.longest_run, self.rct_cutoff, None),
            (HealthFailure::RepetitionCount, true) => (self.longest_run, self.rct_persistent, None),
            (HealthFailure::AdaptiveProportion, p) => (
                self.max_apt_count,
                if p {
                    self.apt_persistent
                } else {
                    self.apt_cutoff
                },
                Some(self.apt_window),
            ),
        };
        FailedTest {
            test: failure,
            observed,
            cutoff,
            window,
            persistent,
        }
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
    fn persistent_cutoffs_are_the_alpha_2_to_the_40_quantiles() {
        // RCT: 1 + ceil(40 / H). APT: 1 + the smallest k with Binomial(512, 2^-H) CDF
        // >= 1 - 2^-40, from an independent exact computation in Python (fractions.Fraction
        // and math.comb): 19 for H = 8, 78 for H = 4, 336 for H = 1.
        let t = HealthTests::new(4.0, false);
        assert_eq!((t.rct_cutoff, t.rct_persistent), (6, 11));
        assert_eq!(t.apt_persistent, 78);
        assert_eq!(HealthTests::new(8.0, false).apt_persistent, 19);
        assert_eq!(HealthTests::new(1.0, false).apt_persistent, 336);
    }

    #[test]
    fn a_stuck_source_goes_from_intermittent_to_persistent() {
        let mut tests = HealthTests::new(4.0, false);
        let verdicts: Vec<Verdict> = (0..11).map(|_| tests.feed_graded(9)).collect();
        assert_eq!(
            verdicts[5],
            Verdict::Intermittent(HealthFailure::RepetitionCount)
        );
        assert_eq!(
            verdicts[10],
            Verdict::Persistent(HealthFailure::RepetitionCount)
        );
        assert_eq!(tests.rct_failures, 1);
        assert_eq!(tests.persistent_failures, 1);
        let mut fresh = HealthTests::new(4.0, false);
        assert!(matches!(fresh.feed_batch(&[3; 64]), Verdict::Persistent(_)));
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

    #[test]
    fn a_batch_that_continues_a_failing_run_or_window_is_marked_too() {
        // The audit's case: the batch where the cutoff is first crossed earned nothing, the
        // next one, still inside the same run, was credited.
        let mut tests = HealthTests::new(4.0, false);
        let cutoff = tests.rct_cutoff as usize; // 6
        let mut first = vec![1u8, 2, 3];
        first.extend(std::iter::repeat_n(9, cutoff));
        assert_eq!(
            tests.feed_batch(&first),
            Verdict::Intermittent(HealthFailure::RepetitionCount)
        );
        // Two more 9s (the run goes on, short of the persistent cutoff of 11), then fresh
        // values: still part of the failing run.
        assert_eq!(
            tests.feed_batch(&[9, 9, 4, 5]),
            Verdict::Intermittent(HealthFailure::RepetitionCount)
        );
        assert_eq!(tests.rct_failures, 1, "a crossing is counted once");
        // The run is over: a batch of distinct values passes.
        assert_eq!(tests.feed_batch(&[6, 7, 8, 10]), Verdict::Pass);

        // APT (H = 8, W = 512, cutoff 13): 13 zeros at the start of a window cross it; the
        // rest of that window, in the next batch, is marked; the next window is not.
        let mut tests = HealthTests::new(8.0, false);
        assert_eq!(tests.apt_cutoff, 13);
        let mut window: Vec<u8> = (0..512u32).map(|i| (i % 200 + 1) as u8).collect();
        for sample in window.iter_mut().step_by(20).take(13) {
            *sample = 0;
        }
        window[0] = 0;
        let (head, tail) = window.split_at(300);
        assert_eq!(
            tests.feed_batch(head),
            Verdict::Intermittent(HealthFailure::AdaptiveProportion)
        );
        assert_eq!(
            tests.feed_batch(tail),
            Verdict::Intermittent(HealthFailure::AdaptiveProportion),
            "the window that failed continues into this batch"
        );
        let fresh: Vec<u8> = (0..512u32).map(|i| (i % 250 + 1) as u8).collect();
        assert_eq!(tests.feed_batch(&fresh), Verdict::Pass);
        assert_eq!(tests.lookback(), 512);
    }
}
