//! The whole battery: fifteen tests with sts 2.1.2's defaults, run in parallel, giving the
//! `report --json` shape of docs/JSON.md (`{"bits", "alpha", "tests": [{"name", "params",
//! "p_values", "passed", "skipped"?}]}`, `passed` null when the test did not run), and
//! `TEST.PARAM=VALUE` overrides.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::{
    Bits, approximate_entropy, block_frequency, cumulative_sums, dft, frequency, linear_complexity,
    longest_run, non_overlapping_template, overlapping_template, random_excursions,
    random_excursions_variant, rank, runs, serial, sts_templates, universal,
};
use crate::sp800_22::{EXCURSION_STATES, VARIANT_STATES};

/// sts's significance level.
pub const ALPHA: f64 = 0.01;

/// Test names in report order (docs/JSON.md).
pub const TEST_NAMES: [&str; 15] = [
    "frequency",
    "block_frequency",
    "cumulative_sums",
    "runs",
    "longest_run",
    "rank",
    "dft",
    "non_overlapping_template",
    "overlapping_template",
    "universal",
    "approximate_entropy",
    "random_excursions",
    "random_excursions_variant",
    "serial",
    "linear_complexity",
];

/// The tunable parameters, one block length per test that has one; defaults are sts 2.1.2's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatteryParams {
    /// Block frequency block length M (default 128).
    pub block_frequency_m: usize,
    /// Non-overlapping template length m (default 9; 2..=21).
    pub non_overlapping_template_m: usize,
    /// Overlapping template length m (default 9; 1..=32).
    pub overlapping_template_m: usize,
    /// Approximate entropy block length m (default 10; 0..=20).
    pub approximate_entropy_m: usize,
    /// Serial block length m (default 16; 2..=24).
    pub serial_m: usize,
    /// Linear complexity block length M (default 500; 2..=10^7).
    pub linear_complexity_m: usize,
}

impl Default for BatteryParams {
    fn default() -> Self {
        BatteryParams {
            block_frequency_m: 128,
            non_overlapping_template_m: 9,
            overlapping_template_m: 9,
            approximate_entropy_m: 10,
            serial_m: 16,
            linear_complexity_m: 500,
        }
    }
}

/// Why a parameter override was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// Not of the form `TEST.PARAM=VALUE` (or `TEST.PARAM` for the key).
    #[error("expected TEST.PARAM=VALUE, got '{0}'")]
    Malformed(String),
    /// No test of that name takes parameters.
    #[error(
        "unknown test '{0}' (tests with parameters: block_frequency, non_overlapping_template, overlapping_template, approximate_entropy, serial, linear_complexity)"
    )]
    UnknownTest(String),
    /// The test exists but has no such parameter.
    #[error("test '{test}' has no parameter '{param}' (it takes: m)")]
    UnknownParam {
        /// The test name.
        test: String,
        /// The parameter asked for.
        param: String,
    },
    /// The value is not an integer in the allowed range.
    #[error("bad value '{value}' for {key}: expected an integer in {min}..={max}")]
    BadValue {
        /// `TEST.PARAM`.
        key: String,
        /// The value given.
        value: String,
        /// Smallest allowed.
        min: usize,
        /// Largest allowed.
        max: usize,
    },
}

impl BatteryParams {
    /// Overrides one parameter: `key` is `TEST.PARAM` (e.g. `block_frequency.m`; the
    /// parameter name is case-insensitive, so `block_frequency.M` works too).
    ///
    /// ```
    /// use wellspring_assess::sp800_22::BatteryParams;
    /// let mut params = BatteryParams::default();
    /// params.set("block_frequency.m", "20").unwrap();
    /// assert_eq!(params.block_frequency_m, 20);
    /// assert!(params.set("serial.m", "1").is_err());
    /// assert!(params.set("frequency.m", "3").is_err());
    /// ```
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        let (test, param) = key
            .split_once('.')
            .ok_or_else(|| ParamError::Malformed(key.to_string()))?;
        let (slot, min, max) = match test {
            "block_frequency" => (&mut self.block_frequency_m, 1, usize::MAX),
            "non_overlapping_template" => (&mut self.non_overlapping_template_m, 2, 21),
            "overlapping_template" => (&mut self.overlapping_template_m, 1, 32),
            "approximate_entropy" => (&mut self.approximate_entropy_m, 0, 20),
            "serial" => (&mut self.serial_m, 2, 24),
            "linear_complexity" => (&mut self.linear_complexity_m, 2, 10_000_000),
            _ => return Err(ParamError::UnknownTest(test.to_string())),
        };
        if !param.eq_ignore_ascii_case("m") {
            return Err(ParamError::UnknownParam {
                test: test.to_string(),
                param: param.to_string(),
            });
        }
        let bad = || ParamError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
            min,
            max,
        };
        let v: usize = value.trim().parse().map_err(|_| bad())?;
        if v < min || v > max {
            return Err(bad());
        }
        *slot = v;
        Ok(())
    }

    /// Applies one `TEST.PARAM=VALUE` assignment (the CLI's `--set`).
    pub fn set_assignment(&mut self, assignment: &str) -> Result<(), ParamError> {
        let (key, value) = assignment
            .split_once('=')
            .ok_or_else(|| ParamError::Malformed(assignment.to_string()))?;
        self.set(key.trim(), value)
    }

    /// The parameters reported for test `name`.
    fn of(&self, name: &str) -> BTreeMap<&'static str, usize> {
        let m = match name {
            "block_frequency" => self.block_frequency_m,
            "non_overlapping_template" => self.non_overlapping_template_m,
            "overlapping_template" => self.overlapping_template_m,
            "approximate_entropy" => self.approximate_entropy_m,
            "serial" => self.serial_m,
            "linear_complexity" => self.linear_complexity_m,
            _ => return BTreeMap::new(),
        };
        BTreeMap::from([("m", m)])
    }
}

/// One test's outcome. In JSON, `passed` is `null` for a test that did not run, and
/// `skipped` then says why (`{"name", "params", "p_values", "passed", "skipped"?}`).
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// Test name (one of [`TEST_NAMES`]).
    pub name: &'static str,
    /// Its parameters (`{"m": …}` or empty).
    pub params: BTreeMap<&'static str, usize>,
    /// Its p-values, in the order docs/JSON.md gives; empty when skipped.
    pub p_values: Vec<f64>,
    /// True when the p-values do not reject randomness at [`ALPHA`]: with one p-value, p ≥ α;
    /// with k > 1, at least (1-α - 3√(α(1-α)/k))·k of them are ≥ α (sts's proportion
    /// criterion applied to the test's own p-values, so that 148 template p-values are not
    /// failed by the one or two that chance puts below α). A skipped test shows no evidence
    /// against randomness and has `passed == true` here, but `"passed": null` in JSON (it
    /// neither passed nor failed); check `skipped`.
    pub passed: bool,
    /// Why the test could not run (too few bits, too few cycles, …).
    pub skipped: Option<String>,
    /// A label per p-value ("forward", "x=-4", "000000001", …), for human reports; not part
    /// of the JSON contract.
    pub labels: Vec<String>,
}

impl Serialize for TestResult {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let outcome = Outcome {
            name: self.name,
            params: &self.params,
            passed: self.passed,
            skipped: self.skipped.as_deref(),
        };
        outcome.serialize(serializer, "TestResult", ("p_values", &self.p_values))
    }
}

/// What every test outcome in the JSON reports (one stream's or many's): its name and
/// parameters, what it measured under `results`' name, `passed` (`null` when it did not run)
/// and, only then, why (`skipped`).
pub(crate) struct Outcome<'a> {
    pub(crate) name: &'static str,
    pub(crate) params: &'a BTreeMap<&'static str, usize>,
    pub(crate) passed: bool,
    pub(crate) skipped: Option<&'a str>,
}

impl Outcome<'_> {
    pub(crate) fn serialize<S: serde::Serializer, R: Serialize + ?Sized>(
        &self,
        serializer: S,
        type_name: &'static str,
        results: (&'static str, &R),
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let fields = if self.skipped.is_some() { 5 } else { 4 };
        let mut s = serializer.serialize_struct(type_name, fields)?;
        s.serialize_field("name", self.name)?;
        s.serialize_field("params", self.params)?;
        s.serialize_field(results.0, results.1)?;
        s.serialize_field("passed", &self.skipped.is_none().then_some(self.passed))?;
        match self.skipped {
            Some(why) => s.serialize_field("skipped", why)?,
            None => s.skip_field("skipped")?,
        }
        s.end()
    }
}

/// The battery's outcome: the `report --json` document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatteryReport {
    /// Number of bits tested.
    pub bits: usize,
    /// Significance level.
    pub alpha: f64,
    /// The fifteen tests in [`TEST_NAMES`] order.
    pub tests: Vec<TestResult>,
}

/// Whether `p_values` pass at [`ALPHA`] (see [`TestResult::passed`]).
pub(crate) fn passes(p_values: &[f64]) -> bool {
    let k = p_values.len() as f64;
    if p_values.is_empty() {
        return true;
    }
    let good = p_values.iter().filter(|&&p| p >= ALPHA).count() as f64;
    let p_hat = 1.0 - ALPHA;
    good >= (p_hat - 3.0 * (p_hat * ALPHA / k).sqrt()) * k
}

fn too_short(n: usize) -> String {
    format!("too few bits ({n})")
}

/// Runs test number `index` of [`TEST_NAMES`]: p-values and labels, or why it was skipped.
fn run_one(
    index: usize,
    bits: &Bits,
    params: &BatteryParams,
) -> Result<(Vec<f64>, Vec<String>), String> {
    let n = bits.len();
    let one = |p: Option<f64>| {
        p.map(|p| (vec![p], vec![String::new()]))
            .ok_or_else(|| too_short(n))
    };
    let states = |p: &[f64], states: &[i32]| {
        (
            p.to_vec(),
            states.iter().map(|x| format!("x={x}")).collect(),
        )
    };
    match TEST_NAMES[index] {
        "frequency" => one(frequency(bits)),
        "block_frequency" => one(block_frequency(bits, params.block_frequency_m)),
        "cumulative_sums" => cumulative_sums(bits)
            .map(|p| (p.to_vec(), vec!["forward".into(), "backward".into()]))
            .ok_or_else(|| too_short(n)),
        "runs" => one(runs(bits)),
        "longest_run" => longest_run(bits)
            .map(|p| (vec![p], vec![String::new()]))
            .ok_or_else(|| "needs at least 128 bits".to_string()),
        "rank" => rank(bits)
            .map(|p| (vec![p], vec![String::new()]))
            .ok_or_else(|| "needs at least 1024 bits (one 32×32 matrix)".to_string()),
        "dft" => one(dft(bits)),
        "non_overlapping_template" => {
            let m = params.non_overlapping_template_m;
            let p = non_overlapping_template(bits, m)?;
            let labels = sts_templates(m)
                .iter()
                .map(|t| format!("{t:0m$b}"))
                .collect();
            Ok((p, labels))
        }
        "overlapping_template" => overlapping_template(bits, params.overlapping_template_m)
            .map(|p| (vec![p], vec![String::new()])),
        "universal" => universal(bits).map(|p| (vec![p], vec![String::new()])),
        "approximate_entropy" => approximate_entropy(bits, params.approximate_entropy_m)
            .map(|p| (vec![p], vec![String::new()])),
        "random_excursions" => random_excursions(bits).map(|p| states(&p, &EXCURSION_STATES)),
        "random_excursions_variant" => {
            random_excursions_variant(bits).map(|p| states(&p, &VARIANT_STATES))
        }
        "serial" => {
            serial(bits, params.serial_m).map(|p| (p.to_vec(), vec!["p1".into(), "p2".into()]))
        }
        "linear_complexity" => linear_complexity(bits, params.linear_complexity_m)
            .map(|p| (vec![p], vec![String::new()])),
        name => unreachable!("unknown test {name}"),
    }
}

/// Runs the fifteen tests on `bits` (in parallel on rayon's pool) and reports them in
/// [`TEST_NAMES`] order.
pub fn run_battery(bits: &Bits, params: &BatteryParams) -> BatteryReport {
    let tests = (0..TEST_NAMES.len())
        .into_par_iter()
        .map(|i| {
            let name = TEST_NAMES[i];
            let (p_values, labels, skipped) = match run_one(i, bits, params) {
                Ok((p, labels)) => (p, labels, None),
                Err(reason) => (Vec::new(), Vec::new(), Some(reason)),
            };
            TestResult {
                name,
                params: params.of(name),
                passed: passes(&p_values),
                p_values,
                skipped,
                labels,
            }
        })
        .collect();
    BatteryReport {
        bits: bits.len(),
        alpha: ALPHA,
        tests,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_and_their_errors() {
        let mut p = BatteryParams::default();
        p.set("block_frequency.m", "20").unwrap();
        p.set("linear_complexity.M", "1000").unwrap();
        p.set_assignment("serial.m=3").unwrap();
        assert_eq!(
            (p.block_frequency_m, p.linear_complexity_m, p.serial_m),
            (20, 1000, 3)
        );
        assert_eq!(
            p.set("frequency.m", "2"),
            Err(ParamError::UnknownTest("frequency".into()))
        );
        assert!(matches!(
            p.set("serial.k", "2"),
            Err(ParamError::UnknownParam { .. })
        ));
        assert!(matches!(
            p.set("serial.m", "x"),
            Err(ParamError::BadValue { .. })
        ));
        assert!(matches!(
            p.set("serial.m", "25"),
            Err(ParamError::BadValue { .. })
        ));
        assert!(matches!(
            p.set("block_frequency.m", "0"),
            Err(ParamError::BadValue { .. })
        ));
        assert!(matches!(
            p.set("serial", "2"),
            Err(ParamError::Malformed(_))
        ));
        assert!(matches!(
            p.set_assignment("serial.m"),
            Err(ParamError::Malformed(_))
        ));
        let message = p
            .set("non_overlapping_template.m", "22")
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "bad value '22' for non_overlapping_template.m: expected an integer in 2..=21"
        );
        // A refused value leaves the parameters as they were.
        assert_eq!(p.serial_m, 3);
    }

    #[test]
    fn passing_rule() {
        assert!(passes(&[0.01]) && !passes(&[0.0099]));
        assert!(!passes(&[0.5, 0.001]));
        // 148 template p-values: five below α pass, six do not (143/148 ≥ 0.9655 > 142/148).
        let mut p = vec![0.5; 148];
        p[..5].fill(0.001);
        assert!(passes(&p));
        p[5] = 0.001;
        assert!(!passes(&p));
        assert!(passes(&[]));
    }

    #[test]
    fn report_has_the_contract_shape() {
        // 2,000 bits: universal and the excursion tests cannot run.
        let bits = Bits::from_bytes(
            &(0..250u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect::<Vec<_>>(),
        );
        let report = run_battery(&bits, &BatteryParams::default());
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["bits"], 2000);
        assert_eq!(json["alpha"], 0.01);
        let tests = json["tests"].as_array().unwrap();
        let names: Vec<_> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, TEST_NAMES);
        for t in tests {
            let keys: Vec<_> = t.as_object().unwrap().keys().map(String::as_str).collect();
            let skipped = t.get("skipped").is_some();
            let mut want = vec!["name", "p_values", "params", "passed"];
            if skipped {
                want.push("skipped");
                assert_eq!(t["p_values"].as_array().unwrap().len(), 0);
                assert!(t["passed"].is_null(), "a test that did not run: {t}");
            } else {
                assert!(t["passed"].is_boolean(), "{t}");
            }
            assert_eq!(keys, want, "{t}");
        }
        assert_eq!(tests[1]["params"], serde_json::json!({"m": 128}));
        assert_eq!(tests[0]["params"], serde_json::json!({}));
        assert_eq!(tests[2]["p_values"].as_array().unwrap().len(), 2);
        assert_eq!(tests[7]["p_values"].as_array().unwrap().len(), 148);
        assert_eq!(report.tests[7].labels[0], "000000001");
        assert_eq!(tests[13]["p_values"].as_array().unwrap().len(), 2);
        for skipped in [9, 11, 12] {
            assert!(tests[skipped]["skipped"].is_string(), "{}", tests[skipped]);
        }
    }

    #[test]
    fn tiny_inputs_and_extreme_parameters_never_panic() {
        let mut extreme = BatteryParams::default();
        for a in [
            "block_frequency.m=1",
            "non_overlapping_template.m=21",
            "overlapping_template.m=32",
            "approximate_entropy.m=0",
            "serial.m=2",
            "linear_complexity.m=2",
        ] {
            extreme.set_assignment(a).unwrap();
        }
        for len in (0..300).chain([1023, 1024, 1032, 5000]) {
            let bits = Bits::from_ascii(
                &(0..len)
                    .map(|i| b'0' + (i * 7 % 3 == 0) as u8)
                    .collect::<Vec<_>>(),
            );
            for params in [&BatteryParams::default(), &extreme] {
                let report = run_battery(&bits, params);
                assert_eq!(report.tests.len(), 15);
                // sts's cumulative-sums formula exceeds 1 on a handful of bits (n = 3 gives
                // 1.044, n = 4 gives 1.10); it is kept as sts computes it.
                let top = if len < 100 { 2.0 } else { 1.0 };
                for t in &report.tests {
                    assert!(
                        t.p_values.iter().all(|p| (0.0..=top).contains(p)),
                        "{len}: {t:?}"
                    );
                    assert_eq!(t.p_values.is_empty(), t.skipped.is_some(), "{len}: {t:?}");
                }
            }
        }
    }
}
