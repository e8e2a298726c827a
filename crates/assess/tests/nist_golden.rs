//! Agreement with NIST's reference tool on deterministic data sets.
//!
//! Provenance of the constants: NIST SP800-90B_EntropyAssessment v1.1.7 (commit 68ed165,
//! built from source with its own Makefile, g++ 12.2, Debian 12), run on 2026-11-22 as
//! `ea_non_iid -v -v <name>_<w>bit.bin <w>` on the files written by
//! `tests/write_datasets.rs` (the generators in `tests/common/datasets.rs`); each number is
//! the tool's printed "min entropy" line, `H_original`, `H_bitstring` and
//! "Assessed min entropy". Agreement is required to 1e-6 relative.

// The constants are the tool's printed digits, kept verbatim.
#![allow(clippy::excessive_precision)]

mod common;

use wellspring_assess::sp800_90b::{AssessOptions, EstimatorSet, assess};

struct Golden {
    name: &'static str,
    /// mcv, collision, markov, compression, t_tuple, lrs, multi_mcw, lag, multi_mmc, lz78y
    original: [Option<f64>; 10],
    bitstring: Option<[Option<f64>; 10]>,
    h_original: f64,
    h_bitstring: Option<f64>,
    h_assessed: f64,
}

#[rustfmt::skip]
const GOLDEN: &[Golden] = &[
    Golden {
        name: "uniform8",
        original: [Some(7.6218097733365715), None, None, None, Some(7.6218097733365715), Some(7.5008682667946243), Some(7.7461934190365005), Some(7.8610409967651336), Some(7.6991929229177787), Some(7.7053585393003559)],
        bitstring: Some([Some(0.99577567998764549), Some(0.89844546473692033), Some(0.9992088064232022), Some(0.83457599216128997), Some(0.93303393671445811), Some(0.95031933274342351), Some(0.99588880432249616), Some(0.99427504836519898), Some(0.99625045144976976), Some(0.99688551108948786)]),
        h_original: 7.5008682667946243,
        h_bitstring: Some(0.83457599216128997),
        h_assessed: 6.6766079372903198,
    },
    Golden {
        name: "uniform4",
        original: [Some(3.9195344945600912), None, None, None, Some(3.6763392764737319), Some(3.8954897893894138), Some(3.9284044673498864), Some(3.9241786205271167), Some(3.8571666901368538), Some(3.9711579973648368)],
        bitstring: Some([Some(0.99283644329741361), Some(0.87439068549996291), Some(0.99863181864977446), Some(0.83137514179183569), Some(0.92911766582846267), Some(0.99327223224526717), Some(0.99495869503351952), Some(0.99098935305725266), Some(0.99410026283937003), Some(0.99615274650218089)]),
        h_original: 3.6763392764737319,
        h_bitstring: Some(0.83137514179183569),
        h_assessed: 3.3255005671673428,
    },
    Golden {
        name: "bernoulli1",
        original: [Some(0.51003472013156881), Some(0.51056162001458205), Some(0.51704355690939419), Some(0.32070067025090604), Some(0.46882914001251402), Some(0.77495124812687288), Some(0.51051495527891166), Some(0.77935831058574467), Some(0.51006134422439764), Some(0.51008682961547114)],
        bitstring: None,
        h_original: 0.32070067025090604,
        h_bitstring: None,
        h_assessed: 0.32070067025090604,
    },
    Golden {
        name: "markov1",
        original: [Some(0.98680259873525344), Some(0.16726779556955912), Some(0.32395589616857701), Some(0.21108436054324323), Some(0.30498017715718256), Some(0.54929339758516416), Some(0.42856322360802201), Some(0.31578614084855905), Some(0.3157879084928189), Some(0.31576078377364986)],
        bitstring: None,
        h_original: 0.16726779556955912,
        h_bitstring: None,
        h_assessed: 0.16726779556955912,
    },
    Golden {
        name: "skewed4",
        original: [Some(2.9781603247514958), None, None, None, Some(2.9781603247514958), Some(3.367857033607335), Some(3.0462375336938319), Some(3.535666895133657), Some(3.0016144629778427), Some(3.0023317270725278)],
        bitstring: Some([Some(0.94903771945035365), Some(1.0), Some(0.82826129669081061), Some(0.50382760898678935), Some(0.85348809943648563), Some(0.8720445151552062), Some(0.96337285243012516), Some(0.9892914183560485), Some(0.80357261253760004), Some(0.8224995369696807)]),
        h_original: 2.9781603247514958,
        h_bitstring: Some(0.50382760898678935),
        h_assessed: 2.0153104359471574,
    },
    Golden {
        name: "markov8",
        original: [Some(6.4117148190682567), None, None, None, Some(2.7434140006760623), Some(3.367857033607335), Some(2.5528544389391934), Some(1.6714348648348458), Some(1.6821577419236147), Some(2.2916279406124107)],
        bitstring: Some([Some(0.88158377936950783), Some(1.0), Some(0.91193705118705903), Some(0.43256608603652286), Some(0.3577926971889514), Some(0.47333761287135856), Some(0.88632492334413071), Some(0.30178055794560993), Some(0.30178053380265835), Some(0.88161296193485805)]),
        h_original: 1.6714348648348458,
        h_bitstring: Some(0.30178053380265835),
        h_assessed: 1.6714348648348458,
    },
    Golden {
        name: "sparse8",
        original: [Some(1.4935876348935047), None, None, None, Some(1.4843423797554289), Some(1.9933380863940846), Some(1.5026943235804788), Some(2.0013172375600283), Some(1.49437365240939), Some(1.4941986202982394)],
        bitstring: Some([Some(0.43262976000691661), Some(0.30896414612356354), Some(0.38789764747492089), Some(0.17096974703966894), Some(0.23931874878609061), Some(0.28013201207669453), Some(0.43263064080592684), Some(0.34818405270819108), Some(0.13902334933699007), Some(0.43263562960827373)]),
        h_original: 1.4843423797554289,
        h_bitstring: Some(0.13902334933699007),
        h_assessed: 1.1121867946959205,
    },
    Golden {
        name: "twosym4",
        original: [Some(0.73344819763033953), Some(0.69616022500956787), Some(0.7410359083344229), Some(0.51158388945115596), Some(0.73244050866093169), Some(0.81127440552048558), Some(0.73688457603985791), Some(0.93825039068115601), Some(0.73361107875573617), Some(0.73363524797795954)],
        bitstring: None,
        h_original: 0.51158388945115596,
        h_bitstring: None,
        h_assessed: 0.51158388945115596,
    },
];

const NAMES: [&str; 10] = [
    "mcv",
    "collision",
    "markov",
    "compression",
    "t_tuple",
    "lrs",
    "multi_mcw",
    "lag",
    "multi_mmc",
    "lz78y",
];

fn values(set: &EstimatorSet) -> [Option<f64>; 10] {
    [
        set.mcv,
        set.collision,
        set.markov,
        set.compression,
        set.t_tuple,
        set.lrs,
        set.multi_mcw,
        set.lag,
        set.multi_mmc,
        set.lz78y,
    ]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1e-300) || a == b
}

fn compare(
    what: &str,
    ours: [Option<f64>; 10],
    nist: [Option<f64>; 10],
    failures: &mut Vec<String>,
) {
    for i in 0..10 {
        match (ours[i], nist[i]) {
            (Some(a), Some(b)) if close(a, b) => {}
            (None, None) => {}
            (a, b) => failures.push(format!("{what}.{}: ours {a:?}, NIST {b:?}", NAMES[i])),
        }
    }
}

#[test]
fn non_iid_estimates_match_nist_ea_non_iid() {
    let data = common::datasets::all();
    let mut failures = Vec::new();
    for golden in GOLDEN {
        let (_, bits, samples) = data
            .iter()
            .find(|(name, _, _)| *name == golden.name)
            .expect("data set exists");
        let opts = AssessOptions {
            bits_per_sample: *bits,
            ..Default::default()
        };
        let report = assess(samples, &opts).unwrap();
        let name = golden.name;
        compare(
            &format!("{name} original"),
            values(&report.estimators.original),
            golden.original,
            &mut failures,
        );
        match (&report.estimators.bitstring, golden.bitstring) {
            (Some(ours), Some(nist)) => compare(
                &format!("{name} bitstring"),
                values(ours),
                nist,
                &mut failures,
            ),
            (None, None) => {}
            (a, b) => failures.push(format!(
                "{name}: bitstring presence differs: {:?} vs {:?}",
                a.is_some(),
                b.is_some()
            )),
        }
        if !close(report.h_original, golden.h_original) {
            failures.push(format!(
                "{name} h_original: {} vs {}",
                report.h_original, golden.h_original
            ));
        }
        match (report.h_bitstring, golden.h_bitstring) {
            (Some(a), Some(b)) if close(a, b) => {}
            (None, None) => {}
            (a, b) => failures.push(format!("{name} h_bitstring: {a:?} vs {b:?}")),
        }
        if !close(report.h_assessed, golden.h_assessed) {
            failures.push(format!(
                "{name} h_assessed: {} vs {}",
                report.h_assessed, golden.h_assessed
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
