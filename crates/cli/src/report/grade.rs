//! The grade `wellspring report` gives each default source: SP 800-90B min-entropy first,
//! with the SP 800-22 battery deciding whether the top grade is deserved.
//!
//! The rule: start from the min-entropy grade of h (`wellspring_core::grade_min_entropy`:
//! A ≥ 6, B ≥ 4, C ≥ 2, D ≥ 0.5 bits per sample, else F; F when h could not be assessed).
//! When more tests fail than chance explains at α (the tolerated count below: one of the
//! 13-15 tests that run at α = 0.01), the bits are measurably not uniform and the grade is at
//! most B. Raw samples with less than about 8 bits per sample fail most of the battery by
//! nature (measured: 12-13 of the 13 tests that run on 10^6 bits of every default source), so
//! a failure says nothing new about them; lowering a letter per failure would grade every raw
//! source F. The battery matters where h claims near-uniform bits, which is what an A means.

use wellspring_assess::sp800_22::BatteryReport;

/// The rule in one paragraph, for the terminal and the Markdown report.
pub(crate) const RULE: &str = "Grade: the SP 800-90B min-entropy grade of h (A >= 6, B >= 4, \
     C >= 2, D >= 0.5 bits per sample, else F; F when h cannot be assessed), at most B when more \
     SP 800-22 tests fail than chance explains at alpha (one of the 13-15 that run at 0.01). Raw \
     samples below about 8 bits per sample are not uniform bits and fail most of the battery by \
     nature, so A needs both h >= 6 and a passing battery, and below A the grade is h's.";

/// Tests that ran (not skipped) and tests among them that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) ran: usize,
    pub(crate) failed: usize,
}

impl Outcome {
    pub(crate) fn of(report: &BatteryReport) -> Outcome {
        let ran: Vec<_> = report
            .tests
            .iter()
            .filter(|t| t.skipped.is_none())
            .collect();
        Outcome {
            ran: ran.len(),
            failed: ran.iter().filter(|t| !t.passed).count(),
        }
    }
}

/// Failures of `ran` tests at level `alpha` that chance alone explains: the smallest k with
/// P(Binomial(ran, alpha) > k) ≤ alpha, taking the tests as independent with false-failure
/// rate alpha each. At alpha = 0.01 that is 1 for 2..=15 tests (with 15, one or more fail by
/// chance 14% of the time, two or more 0.96%).
pub(crate) fn tolerated_failures(ran: usize, alpha: f64) -> usize {
    let mut term = (1.0 - alpha).powi(ran as i32); // P(X = 0)
    let mut cdf = term;
    let mut k = 0;
    // The small slack keeps rounding (1 - 0.99 = 0.010000000000000009) from adding one.
    while k < ran && 1.0 - cdf > alpha * (1.0 + 1e-9) {
        term *= (ran - k) as f64 / (k + 1) as f64 * alpha / (1.0 - alpha);
        cdf += term;
        k += 1;
    }
    k
}

/// The grade from the min-entropy per sample `h` (None: could not be assessed) and the
/// battery's outcome at level `alpha`.
pub(crate) fn grade(h: Option<f64>, outcome: Outcome, alpha: f64) -> &'static str {
    let Some(h) = h.filter(|h| h.is_finite()) else {
        return "F";
    };
    let by_h = wellspring_core::grade_min_entropy(h);
    if by_h == "A" && outcome.failed > tolerated_failures(outcome.ran, alpha) {
        "B"
    } else {
        by_h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALPHA: f64 = 0.01;

    fn outcome(ran: usize, failed: usize) -> Outcome {
        Outcome { ran, failed }
    }

    #[test]
    fn chance_explains_one_failure_of_fifteen() {
        assert_eq!(tolerated_failures(0, ALPHA), 0);
        assert_eq!(tolerated_failures(1, ALPHA), 0);
        for ran in [2, 13, 15] {
            assert_eq!(tolerated_failures(ran, ALPHA), 1, "{ran}");
        }
        // Binomial tails computed independently (exact sums in Python).
        assert_eq!(tolerated_failures(16, ALPHA), 2);
        assert_eq!(tolerated_failures(100, ALPHA), 4);
        assert_eq!(tolerated_failures(200, ALPHA), 6);
        assert_eq!(tolerated_failures(15, 0.1), 3);
    }

    #[test]
    fn a_passing_battery_leaves_the_min_entropy_grade() {
        for (h, g) in [
            (7.9, "A"),
            (6.0, "A"),
            (4.2, "B"),
            (2.0, "C"),
            (0.6, "D"),
            (0.2, "F"),
        ] {
            assert_eq!(grade(Some(h), outcome(15, 0), ALPHA), g, "{h}");
            assert_eq!(grade(Some(h), outcome(15, 1), ALPHA), g, "{h}, one failure");
        }
    }

    #[test]
    fn failures_beyond_chance_cap_the_grade_at_b() {
        assert_eq!(grade(Some(7.99), outcome(15, 2), ALPHA), "B");
        assert_eq!(grade(Some(7.99), outcome(13, 13), ALPHA), "B");
        // Below A the samples are not uniform bits: h decides.
        assert_eq!(grade(Some(4.4), outcome(13, 12), ALPHA), "B");
        assert_eq!(grade(Some(2.9), outcome(13, 13), ALPHA), "C");
        assert_eq!(grade(Some(0.7), outcome(13, 13), ALPHA), "D");
        assert_eq!(grade(Some(0.0), outcome(13, 13), ALPHA), "F");
        // With a single test that ran, its failure is already beyond chance.
        assert_eq!(grade(Some(7.0), outcome(1, 1), ALPHA), "B");
    }

    #[test]
    fn no_assessment_is_f() {
        assert_eq!(grade(None, outcome(15, 0), ALPHA), "F");
        assert_eq!(grade(Some(f64::NAN), outcome(15, 0), ALPHA), "F");
    }

    #[test]
    fn outcome_counts_only_tests_that_ran() {
        use wellspring_assess::sp800_22::{BatteryParams, Bits, run_battery};
        // All ones: the frequency test fails; with 4,096 bits several tests are skipped.
        let report = run_battery(&Bits::from_bytes(&[0xff; 512]), &BatteryParams::default());
        let o = Outcome::of(&report);
        let skipped = report.tests.iter().filter(|t| t.skipped.is_some()).count();
        assert_eq!(o.ran + skipped, 15);
        assert!(o.failed >= 1 && o.failed <= o.ran, "{o:?}");
        assert!(!report.tests[0].passed);
    }
}
