//! Agreement of the IID track with NIST's `ea_iid` on deterministic data sets.
//!
//! Provenance of the constants: NIST SP800-90B_EntropyAssessment v1.1.7 (commit 68ed165,
//! built from source with its own Makefile, g++ 12.2, Debian 12), run on 2026-11-22 as
//! `ea_iid -v -v <name>_<w>bit.bin <w>` on the files written by `tests/write_datasets.rs`.
//! The unpermuted statistics, chi-square statistics, degrees of freedom and p-values, the
//! LRS test's W, P_col and Pr(X >= 1), the verdicts and the assessed entropy are the
//! tool's printed values. Shuffle counts are random and never compared (see
//! nist-reference-behaviour.md); the permutation verdict is compared only where it is
//! clear-cut, with a fixed seed.

// The constants are the tool's printed digits, kept verbatim.
#![allow(clippy::excessive_precision)]

mod common;

use wellspring_assess::sp800_90b::iid::{chi_square, lrs_test, permutation};
use wellspring_assess::sp800_90b::{AssessOptions, Symbols, assess};

struct IidGolden {
    name: &'static str,
    statistics: [f64; 19],
    /// (T, df, p-value)
    independence: (f64, i64, f64),
    goodness_of_fit: (f64, i64, f64),
    chi_square_passed: bool,
    /// (W, P_col, Pr(X >= 1))
    lrs: (usize, f64, f64),
    lrs_passed: bool,
    permutation_passed: bool,
    h: f64,
}

#[rustfmt::skip]
const GOLDEN: &[IidGolden] = &[
    IidGolden {
        name: "uniform8",
        statistics: [27185.05251000015050522, 66475.0, 7.0, 50266.0, 50172.0, 15.0, 20.99391140037791458894, 72.0, 371.0, 394.0, 365.0, 401.0, 376.0, 1625973205.0, 1623280226.0, 1627127719.0, 1624656941.0, 1628455885.0, 106839.0],
        independence: (9234.7566888629408, 9037, 0.071416020398522767),
        goodness_of_fit: (2264.8234654425255, 2295, 0.6691362232075142),
        chi_square_passed: true,
        lrs: (4, 0.003916414200000011295633, 0.6915621523785789198668),
        lrs_passed: true,
        permutation_passed: true,
        h: 7.6218097733365715,
    },
    IidGolden {
        name: "uniform4",
        statistics: [838.3280000000312384145, 66335.0, 8.0, 53101.0, 49888.0, 15.0, 5.692320828826777479037, 15.0, 6393.0, 6202.0, 6258.0, 6272.0, 6325.0, 5616191.0, 5609771.0, 5606773.0, 5607905.0, 5617024.0, 54427.0],
        independence: (253.91898784604118, 240, 0.25664598423765123),
        goodness_of_fit: (153.29858367196255, 135, 0.1341282562239435),
        chi_square_passed: true,
        lrs: (8, 0.06251000220001649000071, 0.6882238003279501382123),
        lrs_passed: true,
        permutation_passed: true,
        h: 3.9195344945600912,
    },
    IidGolden {
        name: "bernoulli1",
        statistics: [157.9337950000009129781, 15722.0, 9.0, 15277.0, 84286.0, 42.0, 12.36912419594260192923, 37.0, 5489.0, 5276.0, 5285.0, 5455.0, 5510.0, 144369.0, 144019.0, 144282.0, 144210.0, 144788.0, 28831.0],
        independence: (105.63762086594613, 126, 0.90600510766928444),
        goodness_of_fit: (10.823922312734688, 9, 0.28797158321821259),
        chi_square_passed: true,
        lrs: (41, 0.5796523784504586905564, 0.9796965782058822752522),
        lrs_passed: true,
        permutation_passed: true,
        h: 0.51003472013156881,
    },

];

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-6 * b.abs()
}

fn samples(name: &str) -> (u8, Vec<u8>) {
    let (_, bits, data) = common::datasets::all()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .expect("data set exists");
    (bits, data)
}

#[test]
fn deterministic_iid_results_match_nist_ea_iid() {
    let mut failures = Vec::new();
    for g in GOLDEN {
        let (bits, data) = samples(g.name);
        let symbols = Symbols::new(&data, bits).unwrap();
        let k = symbols.k;
        let stats = permutation::original_statistics(&symbols);
        for (i, (&ours, &nist)) in stats.iter().zip(&g.statistics).enumerate() {
            if !close(ours, nist) {
                failures.push(format!(
                    "{} {}: ours {ours}, NIST {nist}",
                    g.name,
                    permutation::NAMES[i]
                ));
            }
        }
        let s = &symbols.symbols;
        let (ind, fit) = if k == 2 {
            (
                chi_square::binary_independence(s),
                chi_square::binary_goodness_of_fit(s),
            )
        } else {
            (
                chi_square::independence(s, k),
                chi_square::goodness_of_fit(s, k),
            )
        };
        for (what, ours, nist) in [
            ("independence", ind, g.independence),
            ("goodness of fit", fit, g.goodness_of_fit),
        ] {
            if !close(ours.statistic, nist.0) || ours.df != nist.1 || !close(ours.p_value, nist.2) {
                failures.push(format!(
                    "{} {what}: ours {:?}, NIST {:?}",
                    g.name,
                    (ours.statistic, ours.df, ours.p_value),
                    nist
                ));
            }
        }
        if (ind.passed && fit.passed) != g.chi_square_passed {
            failures.push(format!("{} chi-square verdict differs", g.name));
        }
        let lrs = lrs_test::lrs_test(s, k);
        if lrs.w != g.lrs.0
            || !close(lrs.p_col, g.lrs.1)
            || !close(lrs.p_value, g.lrs.2)
            || lrs.passed != g.lrs_passed
        {
            failures.push(format!(
                "{} LRS: ours {lrs:?}, NIST {:?} {}",
                g.name, g.lrs, g.lrs_passed
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn iid_verdict_and_entropy_match_nist_on_clear_cases() {
    for name in ["uniform8", "uniform4", "bernoulli1", "markov1"] {
        let Some(g) = GOLDEN.iter().find(|g| g.name == name) else {
            continue;
        };
        let (bits, data) = samples(name);
        let opts = AssessOptions {
            bits_per_sample: bits,
            iid: true,
            seed: Some(1),
            ..Default::default()
        };
        let report = assess(&data, &opts).unwrap();
        let iid = report.iid.expect("IID track ran");
        assert!(close(iid.h, g.h), "{name}: h {} vs {}", iid.h, g.h);
        assert_eq!(
            iid.permutation_passed, g.permutation_passed,
            "{name}: {:?}",
            iid.permutation
        );
        assert_eq!(
            iid.passed,
            g.permutation_passed && g.chi_square_passed && g.lrs_passed,
            "{name}"
        );
    }
}
