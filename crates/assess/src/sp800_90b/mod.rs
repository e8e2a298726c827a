//! SP 800-90B min-entropy assessment (NIST SP 800-90B, January 2018), reproducing NIST's
//! reference tool SP800-90B_EntropyAssessment v1.1.7 (`ea_non_iid`, `ea_iid`) to 1e-6.
//!
//! [`assess`] runs the ten non-IID estimators of §6.3 on the samples as symbols and on
//! their bitstring, optionally the IID track of §5 ([`iid`]), and combines them as the tool
//! does: `h_assessed = min(w, h_original, w × h_bitstring)`. Estimators run in parallel
//! (rayon). [`restart`] holds the restart sanity test of §3.1.4.

pub(crate) mod bit_prefix;
pub mod collision;
pub mod compression;
pub mod iid;
pub mod markov;
pub mod mcv;
pub(crate) mod numeric;
pub mod predictors;
pub mod report;
pub mod restart;
pub mod symbols;
pub mod tuple;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

pub use numeric::Z_ALPHA;
pub use report::{AssessReport, EstimatorSet, Estimators};
pub use symbols::Symbols;

/// Bitstring length kept by the tool's `-t` option (NIST's `MIN_SIZE`, 1,000,000 bits).
pub const TRUNCATED_BITS: usize = 1_000_000;

/// Why an assessment could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    /// No samples.
    #[error("no samples to assess")]
    Empty,
    /// Fewer samples than any estimator needs.
    #[error("too few samples: {0} (at least 2 are needed)")]
    TooFewSamples(usize),
    /// Bits per sample outside 1..=8.
    #[error("bits per sample must be 1..=8, not {0}")]
    BitsPerSample(u8),
    /// A sample does not fit in the stated width.
    #[error("sample {index} is {value}, which does not fit in {bits} bits")]
    SampleTooWide {
        /// Position of the first offending sample.
        index: usize,
        /// Its value.
        value: u8,
        /// The stated bits per sample.
        bits: u8,
    },
    /// More data than the suffix arrays can index (2^31 - 1 symbols or bits).
    #[error("too many samples: {0} bits exceed the 2^31 - 1 limit")]
    TooLarge(usize),
    /// A restart matrix that is not 1000 × 1000 samples.
    #[error("a restart matrix holds 1000 x 1000 samples, not {0}")]
    RestartShape(usize),
}

/// Progress callback: `(stage, fraction done in 0..=1)`. Called from worker threads.
pub type Progress<'a> = &'a (dyn Fn(&str, f64) + Sync);

/// How to assess.
#[derive(Clone, Copy)]
pub struct AssessOptions<'a> {
    /// Bits per sample, 1..=8: each sample is the low bits of one byte.
    pub bits_per_sample: u8,
    /// Also run the IID track (permutation, chi-square and LRS tests).
    pub iid: bool,
    /// Truncate the bitstring to 1,000,000 bits (the tool's `-t`); default uses all bits.
    pub truncate_bitstring: bool,
    /// Seed for the permutation shuffles; `None` seeds from the operating system.
    pub seed: Option<u64>,
    /// Optional progress reporting.
    pub progress: Option<Progress<'a>>,
    /// Run the estimators on rayon's thread pool (default). `false` runs them one after
    /// another on the calling thread, so a caller that budgets its own CPU time (the
    /// engine's harvesters) is charged for the assessment.
    pub parallel: bool,
}

impl Default for AssessOptions<'_> {
    fn default() -> Self {
        AssessOptions {
            bits_per_sample: 8,
            iid: false,
            truncate_bitstring: false,
            seed: None,
            progress: None,
            parallel: true,
        }
    }
}

impl std::fmt::Debug for AssessOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssessOptions")
            .field("bits_per_sample", &self.bits_per_sample)
            .field("iid", &self.iid)
            .field("truncate_bitstring", &self.truncate_bitstring)
            .field("seed", &self.seed)
            .field("progress", &self.progress.is_some())
            .field("parallel", &self.parallel)
            .finish()
    }
}

/// One estimator to run on one of the two sequences.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Task {
    Mcv,
    Collision,
    Markov,
    Compression,
    Tuple,
    MultiMcw,
    Lag,
    MultiMmc,
    Lz78y,
}

/// Results of one task: (estimator key, estimate or skip reason).
type TaskOutput = Vec<(&'static str, Result<f64, String>)>;

fn run_task(task: Task, data: &[u8], k: usize) -> TaskOutput {
    let skip = |why: &str| Err(why.to_string());
    match task {
        Task::Mcv => vec![(
            "mcv",
            mcv::mcv(data, k).ok_or("fewer than 2 samples".into()),
        )],
        Task::Collision => vec![(
            "collision",
            collision::collision(data).ok_or("too few samples for two collisions".into()),
        )],
        Task::Markov => vec![(
            "markov",
            markov::markov(data).ok_or("fewer than 2 bits".into()),
        )],
        Task::Compression => vec![(
            "compression",
            compression::compression(data).ok_or("no more than 1000 six-bit blocks".into()),
        )],
        Task::Tuple => match tuple::t_tuple_and_lrs(data) {
            Some(r) => vec![
                (
                    "t_tuple",
                    r.t_tuple
                        .ok_or_else(|| "no tuple occurs 35 times (t = 0)".to_string()),
                ),
                (
                    "lrs",
                    r.lrs.ok_or_else(|| {
                        format!("longest repeat v = {} is shorter than u = {}", r.v, r.t + 1)
                    }),
                ),
            ],
            None => vec![
                ("t_tuple", skip("fewer than 2 samples")),
                ("lrs", skip("fewer than 2 samples")),
            ],
        },
        Task::MultiMcw => vec![(
            "multi_mcw",
            predictors::multi_mcw::multi_mcw(data, k).ok_or("fewer than 4096 samples".into()),
        )],
        Task::Lag => vec![(
            "lag",
            predictors::lag::lag(data, k).ok_or("fewer than 3 samples".into()),
        )],
        Task::MultiMmc => vec![(
            "multi_mmc",
            predictors::multi_mmc::multi_mmc(data, k).ok_or("fewer than 4 samples".into()),
        )],
        Task::Lz78y => vec![(
            "lz78y",
            predictors::lz78y::lz78y(data, k).ok_or("fewer than 19 samples".into()),
        )],
    }
}

/// Runs the non-IID estimators of §6.3 (and the IID track when asked) on `samples`, one
/// sample per byte in its low `opts.bits_per_sample` bits, as NIST's `ea_non_iid -i` (and
/// `ea_iid -i`) would, and combines them into the assessed min-entropy per sample.
///
/// Data with a single distinct value have no entropy: the report carries the MCV estimate
/// (0) and `h_assessed = 0`, and notes that the other estimators do not apply (NIST's tool
/// refuses such data).
///
/// ```
/// use wellspring_assess::sp800_90b::{assess, AssessOptions};
/// let samples: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
/// let report = assess(&samples, &AssessOptions { bits_per_sample: 8, ..Default::default() }).unwrap();
/// assert!(report.h_assessed <= 8.0 && report.h_assessed > 0.0);
/// ```
pub fn assess(samples: &[u8], opts: &AssessOptions<'_>) -> Result<AssessReport, AssessError> {
    let symbols = Symbols::new(samples, opts.bits_per_sample)?;
    if samples.len() < 2 {
        return Err(AssessError::TooFewSamples(samples.len()));
    }
    let w = opts.bits_per_sample;
    let total_bits = samples.len() * w as usize;
    if total_bits > i32::MAX as usize {
        return Err(AssessError::TooLarge(total_bits));
    }
    let mut notes = BTreeMap::new();
    let k = symbols.k;
    if k == 1 {
        return Ok(constant_report(&symbols, opts, notes));
    }
    // The tool assesses the bitstring only when the alphabet has more than two symbols;
    // with two, the binary-only estimators run on the (translated) symbols themselves.
    let binary = k <= 2;
    let bitstring =
        (!binary).then(|| symbols.bitstring(opts.truncate_bitstring.then_some(TRUNCATED_BITS)));

    let all = [
        Task::Tuple,
        Task::MultiMmc,
        Task::Lz78y,
        Task::Lag,
        Task::Compression,
        Task::MultiMcw,
        Task::Collision,
        Task::Markov,
        Task::Mcv,
    ];
    let mut jobs: Vec<(bool, Task)> = Vec::new();
    if bitstring.is_some() {
        jobs.extend(all.iter().map(|&t| (true, t)));
    }
    for &t in &all {
        let binary_only = matches!(t, Task::Collision | Task::Markov | Task::Compression);
        if binary_only && !binary {
            let _ = notes.insert(
                format!("original.{}", task_key(t)),
                "applies to binary data only; see the bitstring set".to_string(),
            );
        } else {
            jobs.push((false, t));
        }
    }
    let done = AtomicUsize::new(0);
    let total = jobs.len();
    let run = |&(on_bits, task): &(bool, Task)| {
        let out = match (&bitstring, on_bits) {
            (Some(bits), true) => run_task(task, bits, 2),
            _ => run_task(task, &symbols.symbols, k),
        };
        let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(progress) = opts.progress {
            let set = if on_bits { "bitstring" } else { "original" };
            progress(
                &format!("{set} {}", task_key(task)),
                finished as f64 / total as f64,
            );
        }
        (on_bits, out)
    };
    let results: Vec<(bool, TaskOutput)> = if opts.parallel {
        jobs.par_iter().with_max_len(1).map(run).collect()
    } else {
        jobs.iter().map(run).collect()
    };

    let mut original = EstimatorSet::default();
    let mut bit_set = bitstring.as_ref().map(|_| EstimatorSet::default());
    for (on_bits, outputs) in results {
        let (set, prefix) = if on_bits {
            (bit_set.as_mut().expect("bitstring set exists"), "bitstring")
        } else {
            (&mut original, "original")
        };
        for (key, result) in outputs {
            match result {
                Ok(h) => {
                    if let Some(slot) = set.slot(key) {
                        *slot = Some(h);
                    }
                }
                Err(why) => {
                    let _ = notes.insert(format!("{prefix}.{key}"), why);
                }
            }
        }
    }
    let wf = f64::from(w);
    let h_original = original.min().map_or(wf, |h| h.min(wf));
    let h_bitstring = bit_set
        .as_ref()
        .map(|s| s.min().map_or(1.0, |h| h.min(1.0)));
    let h_assessed = h_bitstring
        .map_or(h_original, |hb| h_original.min(wf * hb))
        .min(wf);
    let iid = if opts.iid {
        Some(iid::assess_iid(&symbols, opts)?)
    } else {
        None
    };
    Ok(AssessReport {
        samples: samples.len(),
        bits_per_sample: w,
        estimators: Estimators {
            original,
            bitstring: bit_set,
        },
        h_original,
        h_bitstring,
        h_assessed,
        iid,
        alphabet_size: k,
        translated: symbols.translated,
        notes,
    })
}

fn task_key(task: Task) -> &'static str {
    match task {
        Task::Mcv => "mcv",
        Task::Collision => "collision",
        Task::Markov => "markov",
        Task::Compression => "compression",
        Task::Tuple => "t_tuple",
        Task::MultiMcw => "multi_mcw",
        Task::Lag => "lag",
        Task::MultiMmc => "multi_mmc",
        Task::Lz78y => "lz78y",
    }
}

/// The report for data with one distinct value: no entropy.
fn constant_report(
    symbols: &Symbols,
    opts: &AssessOptions<'_>,
    mut notes: BTreeMap<String, String>,
) -> AssessReport {
    let _ = notes.insert(
        "input".to_string(),
        "a single distinct value: no entropy (NIST's tool refuses such data); only MCV is reported"
            .to_string(),
    );
    AssessReport {
        samples: symbols.len(),
        bits_per_sample: opts.bits_per_sample,
        estimators: Estimators {
            original: EstimatorSet {
                mcv: Some(0.0),
                ..EstimatorSet::default()
            },
            bitstring: None,
        },
        h_original: 0.0,
        h_bitstring: None,
        h_assessed: 0.0,
        iid: opts.iid.then(iid::IidReport::constant),
        alphabet_size: 1,
        translated: symbols.translated,
        notes,
    }
}
