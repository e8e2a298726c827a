//! The IID track of SP 800-90B (§5 and §6.1): permutation tests, chi-square tests and the
//! LRS test, and the IID min-entropy estimate as NIST's `ea_iid -i` computes it:
//! min(w, MCV of the symbols, w × MCV of the bitstring), the bitstring part only when the
//! alphabet has more than two symbols. The estimate is meaningful only when `passed`.

pub mod bzip2_length;
pub mod chi_square;
pub mod lrs_test;
pub mod permutation;

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256StarStar;
use serde::Serialize;

use super::{AssessError, AssessOptions, Symbols, mcv::mcv};
pub use chi_square::ChiSquare;
pub use lrs_test::LrsTest;
pub use permutation::Statistic;

/// Result of the IID track.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IidReport {
    /// Whether every IID test passed (chi-square, LRS and all 19 permutation statistics).
    pub passed: bool,
    /// min(w, h_original, w × h_bitstring): the IID min-entropy estimate per sample.
    pub h: f64,
    /// MCV estimate on the symbols.
    pub h_original: f64,
    /// MCV estimate on the bitstring (per bit); `None` for binary data.
    pub h_bitstring: Option<f64>,
    /// Whether both chi-square tests passed.
    pub chi_square_passed: bool,
    /// The independence test (§5.2.1, or its binary form).
    pub chi_square_independence: Option<ChiSquare>,
    /// The goodness-of-fit test (§5.2.2, or its binary form).
    pub chi_square_goodness_of_fit: Option<ChiSquare>,
    /// The LRS test (§5.2.3).
    pub lrs: Option<LrsTest>,
    /// Whether every permutation statistic passed.
    pub permutation_passed: bool,
    /// The 19 permutation statistics (§5.1).
    pub permutation: Vec<Statistic>,
}

impl IidReport {
    /// The report for constant data: no entropy, no tests run.
    pub fn constant() -> Self {
        IidReport {
            passed: false,
            h: 0.0,
            h_original: 0.0,
            h_bitstring: None,
            chi_square_passed: false,
            chi_square_independence: None,
            chi_square_goodness_of_fit: None,
            lrs: None,
            permutation_passed: false,
            permutation: Vec::new(),
        }
    }
}

/// Runs the IID track on prepared symbols (at least two distinct values, two samples).
/// The bitstring is truncated to 1,000,000 bits when `opts.truncate_bitstring`.
pub fn assess_iid(symbols: &Symbols, opts: &AssessOptions<'_>) -> Result<IidReport, AssessError> {
    let n = symbols.len();
    if n < 2 {
        return Err(AssessError::TooFewSamples(n));
    }
    if symbols.k < 2 {
        return Ok(IidReport::constant());
    }
    let k = symbols.k;
    let w = f64::from(symbols.bits);
    let data = &symbols.symbols;
    let h_original = mcv(data, k).unwrap_or(0.0);
    let h_bitstring = (k > 2).then(|| {
        let bits = symbols.bitstring(opts.truncate_bitstring.then_some(super::TRUNCATED_BITS));
        mcv(&bits, 2).unwrap_or(0.0)
    });
    let h = h_bitstring
        .map_or(h_original, |hb| h_original.min(w * hb))
        .min(w);

    let rng = match opts.seed {
        Some(seed) => Xoshiro256StarStar::seed_from_u64(seed),
        None => Xoshiro256StarStar::from_os_rng(),
    };
    let ctx = permutation::context(data, &symbols.raw, k);
    let ((independence, fit, lrs), permutation) = rayon::join(
        || {
            let (independence, fit) = if k == 2 {
                (
                    chi_square::binary_independence(data),
                    chi_square::binary_goodness_of_fit(data),
                )
            } else {
                (
                    chi_square::independence(data, k),
                    chi_square::goodness_of_fit(data, k),
                )
            };
            (independence, fit, lrs_test::lrs_test(data, k))
        },
        || permutation::permutation_tests(data, &symbols.raw, &ctx, rng, opts.progress),
    );
    let chi_square_passed = independence.passed && fit.passed;
    let permutation_passed = permutation.iter().all(|s| s.passed);
    Ok(IidReport {
        passed: chi_square_passed && lrs.passed && permutation_passed,
        h,
        h_original,
        h_bitstring,
        chi_square_passed,
        chi_square_independence: Some(independence),
        chi_square_goodness_of_fit: Some(fit),
        lrs: Some(lrs),
        permutation_passed,
        permutation,
    })
}
