//! The quality figures `probe` and `bench` report for a batch of samples, computed one way.
//!
//! The health tests run as SP 800-90B §4.4 defines them, with cutoffs from the assessed
//! min-entropy at α = 2^-20, and never on the samples that set their cutoffs: the first half
//! of the batch is assessed for the cutoffs and the second half is tested (testing samples
//! against cutoffs derived from themselves is circular). No floor keeps a test alive: a source
//! whose first half assesses below 0.05 bits per sample is reported as too weak to credit.

use wellspring_assess::summary::shannon_entropy;
use wellspring_core::accounting::MIN_CREDITABLE_H;
use wellspring_core::engine::default_assessor;
use wellspring_core::health::{FailedTest, HealthFailure, HealthTests};

/// Speed, entropy and health of one batch.
pub(crate) struct Quality {
    pub(crate) samples_per_second: f64,
    pub(crate) shannon: f64,
    pub(crate) min_entropy: f64,
    pub(crate) grade: &'static str,
    /// The continuous tests over the second half; `None` when the source is too weak to
    /// test (or to credit).
    pub(crate) health: Option<HealthTests>,
    /// The test that failed first in the second half, if any.
    pub(crate) first_failure: Option<HealthFailure>,
}

impl Quality {
    /// Healthy: strong enough to test, and no test failed.
    pub(crate) fn healthy(&self) -> bool {
        self.health.as_ref().is_some_and(HealthTests::healthy)
    }

    /// Too weak to credit: its first half assessed below 0.05 bits per sample.
    pub(crate) fn too_weak(&self) -> bool {
        self.health.is_none()
    }

    /// The test that failed first, in numbers: the largest count it saw in the second half
    /// and the (intermittent, α = 2^-20) cutoff that count reached; `None` when healthy or
    /// too weak to test.
    pub(crate) fn failed_test(&self) -> Option<FailedTest> {
        let tests = self.health.as_ref()?;
        self.first_failure.map(|f| tests.failed_test(f, false))
    }

    /// Why the batch is not healthy (each test that failed: its largest count, the cutoff
    /// that count reached and how often it was reached, or that the source is too weak to
    /// test); `None` when it is healthy.
    pub(crate) fn health_failure(&self) -> Option<String> {
        let Some(tests) = &self.health else {
            return Some(format!(
                "too weak to test or credit: the first half assessed below {MIN_CREDITABLE_H} \
                 bits per sample"
            ));
        };
        let failures: Vec<String> = [
            (HealthFailure::RepetitionCount, tests.rct_failures),
            (HealthFailure::AdaptiveProportion, tests.apt_failures),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(test, n)| {
            format!(
                "{} ({n} time(s) in the {} samples tested)",
                tests.failed_test(test, false),
                tests.samples
            )
        })
        .collect();
        (!failures.is_empty()).then(|| failures.join("; "))
    }

    /// [`Quality::health_failure`] in a few words, for a table cell: `ok`, `FAILED (too
    /// weak)`, or the first failed test's count and cutoff (`FAILED (RCT: run of 40, cutoff
    /// 11)`, `FAILED (APT: 400 of 512, cutoff 311)`).
    pub(crate) fn health_cell(&self) -> String {
        match (&self.health, self.failed_test()) {
            (None, _) => "FAILED (too weak)".into(),
            (Some(_), Some(failed)) => format!("FAILED ({})", failed.brief()),
            (Some(_), None) => "ok".into(),
        }
    }
}

pub(crate) fn measure(samples: &[u8], seconds: f64) -> Quality {
    // The engine's own measurement (SP 800-90B non-IID, all ten estimators); too few samples
    // for the predictors measure nothing, so they show 0 rather than an optimistic MCV.
    let min_entropy = default_assessor(samples).unwrap_or(0.0);
    let (first, second) = samples.split_at(samples.len() / 2);
    let mut first_failure = None;
    let health = default_assessor(first)
        .filter(|h| *h >= MIN_CREDITABLE_H)
        .map(|h| {
            let mut tests = HealthTests::new(h, false);
            first_failure = tests.feed_all(second);
            tests
        });
    Quality {
        samples_per_second: samples.len() as f64 / seconds.max(1e-9),
        shannon: shannon_entropy(samples),
        min_entropy,
        grade: wellspring_core::grade_min_entropy(min_entropy),
        health,
        first_failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn cutoffs_come_from_the_first_half_and_the_second_half_is_tested() {
        // First half uniform over 16 values (h ≈ 4 bits), second half stuck: the cutoffs
        // from the first half (RCT about 6) catch the stuck half at once. Cutoffs from the
        // whole batch would be looser, and from the stuck half alone the test would be off.
        let mut state = 7;
        let mut samples: Vec<u8> = (0..8192)
            .map(|_| (splitmix(&mut state) & 15) as u8)
            .collect();
        samples.extend(std::iter::repeat_n(3u8, 8192));
        let q = measure(&samples, 1.0);
        let health = q
            .health
            .as_ref()
            .expect("the first half is strong enough to test");
        let first_half = default_assessor(&samples[..8192]).unwrap();
        assert_eq!(health.h, first_half, "cutoffs from the first half");
        assert!(health.h > 1.0 && health.h != q.min_entropy);
        assert_eq!(health.samples, 8192, "only the second half is tested");
        assert!(health.rct_failures > 0 && !q.healthy());
        // The reason names the test, the count it saw and the cutoff that count reached.
        let failed = q.failed_test().expect("a failed test");
        assert_eq!(failed.test, HealthFailure::RepetitionCount);
        assert_eq!(failed.observed, 8192, "the stuck half is one run");
        assert_eq!(failed.cutoff, health.rct_cutoff);
        assert!(!failed.persistent);
        let json = serde_json::to_value(failed).unwrap();
        assert_eq!(json["test"], "rct");
        assert_eq!(json["observed"], 8192);
        assert_eq!(json["cutoff"], health.rct_cutoff);
        // Each test that failed is named: a stuck half fills every APT window too.
        let why = q.health_failure().unwrap();
        assert!(
            why.starts_with(&format!(
                "RepetitionCount test (RCT): a run of 8192 identical samples reached the \
                 cutoff {} ({} time(s) in the 8192 samples tested); AdaptiveProportion test \
                 (APT): one value 512 times in a 512-sample window reached the cutoff {}",
                health.rct_cutoff, health.rct_failures, health.apt_cutoff
            )),
            "{why}"
        );
        assert_eq!(
            q.health_cell(),
            format!("FAILED (RCT: run of 8192, cutoff {})", health.rct_cutoff)
        );
    }

    #[test]
    fn a_biased_second_half_fails_the_apt_with_its_count_and_cutoff() {
        // First half uniform over 16 values; second half four samples in five one value (as
        // the `biased` fault), so runs stay short and only the APT can catch it.
        let mut state = 11;
        let mut samples: Vec<u8> = (0..8192)
            .map(|_| (splitmix(&mut state) & 15) as u8)
            .collect();
        samples.extend((0..8192).map(|i| {
            if i % 5 == 4 {
                (splitmix(&mut state) & 15) as u8
            } else {
                0xA5
            }
        }));
        let q = measure(&samples, 1.0);
        let health = q.health.as_ref().unwrap();
        let failed = q.failed_test().expect("a failed test");
        assert_eq!(failed.test, HealthFailure::AdaptiveProportion);
        assert_eq!(failed.cutoff, health.apt_cutoff);
        assert_eq!(failed.window, Some(512));
        assert!(failed.observed >= failed.cutoff && failed.observed <= 512);
        assert_eq!(failed.observed, health.max_apt_count);
        let json = serde_json::to_value(failed).unwrap();
        assert_eq!(json["test"], "apt");
        assert_eq!(json["window"], 512);
        assert_eq!(
            q.health_cell(),
            format!(
                "FAILED (APT: {} of 512, cutoff {})",
                failed.observed, failed.cutoff
            )
        );
        let why = q.health_failure().unwrap();
        assert!(
            why.contains(&format!(
                "AdaptiveProportion test (APT): one value {} times in a 512-sample window \
                 reached the cutoff {}",
                failed.observed, failed.cutoff
            )),
            "{why}"
        );
    }

    #[test]
    fn a_source_below_the_floor_is_too_weak_rather_than_untested() {
        // A counter: every estimator sees it as nearly predictable.
        let samples: Vec<u8> = (0..16_384u32).map(|i| (i / 64) as u8).collect();
        let q = measure(&samples, 1.0);
        assert!(q.too_weak(), "min-entropy {}", q.min_entropy);
        assert!(!q.healthy());
        assert!(q.health_failure().unwrap().starts_with("too weak"));
        assert_eq!(q.health_cell(), "FAILED (too weak)");
        assert_eq!(q.failed_test(), None, "no test ran");
    }
}
