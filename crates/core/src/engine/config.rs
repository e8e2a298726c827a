//! Engine settings, each default with the reason it was chosen.

use std::sync::Arc;
use std::time::Duration;

use crate::EntropySource;
use crate::conditioning::ConditionerKind;
use crate::drbg::DrbgPolicy;

use super::slot::STARTUP_TEST_SAMPLES;
use super::{AssessmentStore, EngineError};

/// Measures min-entropy per sample from a sample slice; `None` when it cannot.
pub type Assessor = fn(&[u8]) -> Option<f64>;

/// Correlation families: sources that measure the same mechanism through different
/// windows, listed with their mechanism in docs/SOURCES.md. Their sample streams may show
/// little linear correlation, but an attacker who models the mechanism models all of them
/// at once, so members of a family share one credit budget instead of adding up, and (with
/// two or more families selected) one family supplies at most `max_family_share` of any
/// block. The grouping is conservative: by what an attacker would model, not by what a
/// correlation test happens to see. Every built-in source is in exactly one family (a test
/// checks [`crate::sources::all`] and the camera sources against this list); a source the
/// engine does not know (a library user's own) is a family of its own.
pub const DEFAULT_CORRELATED_GROUPS: &[(&str, &[&str])] = &[
    // The TSC against a kernel clock read through the vDSO, or against the tick.
    (
        "clock_phase",
        &[
            "clock_jitter",
            "monotonic_raw_jitter",
            "realtime_jitter",
            "boottime_jitter",
            "coarse_tick_beat",
        ],
    ),
    // Fixed CPU work timed by the TSC: pipeline, caches and frequency of the core running
    // it (tsc_jitter's back-to-back reads are the degenerate case).
    (
        "cpu_work",
        &[
            "tsc_jitter",
            "hash_timing",
            "division_timing",
            "branch_timing",
            "compression_timing",
        ],
    ),
    // hrtimer expiry and wake-up after nanosleep.
    ("hrtimer_wakeup", &["sleep_jitter", "timer_slack"]),
    // The scheduler waking or placing a thread.
    (
        "scheduler_wakeup",
        &[
            "futex_wake",
            "pipe_wake",
            "cpu_io_beat",
            "thread_spawn",
            "yield_jitter",
        ],
    ),
    // Entering the kernel: system calls, signal delivery, the loader's file system calls.
    (
        "kernel_entry",
        &["syscall_latency", "signal_latency", "dlopen_timing"],
    ),
    // Page faults and the page-table walks of TLB misses.
    (
        "page_tables",
        &["page_fault_timing", "mmap_timing", "tlb_miss"],
    ),
    // DRAM access latency.
    (
        "dram_latency",
        &["memory_timing", "dram_row_buffer", "memory_clock_beat"],
    ),
    // Cache-line ownership transfers between the two cores.
    (
        "cache_coherence",
        &["cache_contention", "atomic_contention"],
    ),
    // Counters the kernel keeps of its own activity.
    ("kernel_counters", &["proc_counters", "schedstat_counters"]),
    // The loopback network stack's softirq processing.
    ("loopback_softirq", &["tcp_loopback", "udp_loopback"]),
    // Round trips over the network beyond this machine.
    ("network_rtt", &["external_tcp", "dns_timing"]),
    // The same block device queue.
    ("block_queue", &["disk_io", "disk_read"]),
    // One sensor chip, read through hwmon or the thermal zones.
    ("sensor_readout", &["hwmon_jitter", "thermal_jitter"]),
    // An analogue front end: the sound card's input.
    ("audio_frontend", &["audio_noise"]),
    // An image sensor's read noise: a local V4L2 device, or the camera crate's feeds.
    (
        "image_sensor",
        &["video_sensor_noise", "camera", "camera_public"],
    ),
    // The CPU's digital random number generator, and the kernel generator that mixes it.
    ("platform_drng", &["rdrand", "rdseed", "os_random"]),
    // A hardware generator device (/dev/hwrng): whatever the host or board provides.
    ("hwrng", &["hwrng"]),
];

/// A named correlation family and its member sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationGroup {
    /// The family's name, as `pool --json` reports it.
    pub name: String,
    /// Source names.
    pub members: Vec<String>,
}

/// Samples in a full-size assessment: a source earns credit only under an assessment of at
/// least this many consecutive samples (see [`crate::accounting`]).
pub const REASSESS_SAMPLES: usize = crate::accounting::FULL_ASSESSMENT_SAMPLES;

/// How the engine harvests, accounts and conditions.
#[derive(Clone)]
pub struct EngineConfig {
    /// The sources to harvest.
    pub sources: Vec<Arc<dyn EntropySource>>,
    /// Fraction of the assessed min-entropy that is credited (default 0.5): a margin for
    /// estimator error and for what the estimators cannot see.
    pub safety_factor: f64,
    /// CPU the harvesters may use on average, in cores (default 1.0, leaving the rest of
    /// the machine usable).
    pub cpu_budget: f64,
    /// Samples collected from each source at start-up for its first assessment.
    pub startup_samples: usize,
    /// How long start-up waits for a source's first samples.
    pub startup_timeout: Duration,
    /// Samples accumulated before a source is re-assessed in the background.
    pub reassess_samples: usize,
    /// Least time between two re-assessments of one source: the full SP 800-90B assessment
    /// of 65,536 samples costs about as much CPU as a fast source's harvest of several
    /// seconds, so it is refreshed on a clock rather than on every 65,536 samples.
    pub reassess_interval: Duration,
    /// Full-entropy blocks kept ready; while the reservoir is full, sources harvest only
    /// for their assessments, within `idle_cpu_budget`.
    pub reservoir_blocks: usize,
    /// CPU (in cores) that periodic re-assessments may use while the reservoir is full and
    /// nobody reads (default 0.05: 5% of one core). A source's first measurement in a run
    /// runs at the full budget.
    pub idle_cpu_budget: f64,
    /// With two or more correlation families selected, the largest share of a block's
    /// credited bits one family may supply (default 0.5; 1.0 disables the rule).
    pub max_family_share: f64,
    /// Platform generators (`rdrand`, `rdseed`, `os_random`, `hwrng`) credited at their
    /// documented vendor claim; all others earn nothing (see [`crate::accounting::trust`]).
    pub trust_platform: Vec<String>,
    /// SHA-256 or HMAC-SHA256.
    pub conditioner: ConditionerKind,
    /// When the DRBG must be reseeded.
    pub drbg_policy: DrbgPolicy,
    /// Reseed the DRBG before every request.
    pub prediction_resistance: bool,
    /// How long a full-entropy request may wait for credit before failing. The clock does
    /// not run while, within two minutes of start, a source in service still awaits its
    /// first full-size measurement of this run: a cold start on a busy machine waits for
    /// those measurements rather than failing as starved.
    pub starvation_timeout: Duration,
    /// Correlation families: sources that share one credit budget and one family cap.
    pub correlated_groups: Vec<CorrelationGroup>,
    /// The min-entropy estimator.
    pub assessor: Assessor,
    /// Where full-size assessments are kept across runs (default none: every run assesses
    /// at start-up). See [`AssessmentStore`].
    pub assessment_store: Option<AssessmentStore>,
}

impl EngineConfig {
    /// Defaults for `sources`.
    pub fn new(sources: Vec<Arc<dyn EntropySource>>) -> Self {
        EngineConfig {
            sources,
            safety_factor: 0.5,
            cpu_budget: 1.0,
            startup_samples: 4096,
            startup_timeout: Duration::from_secs(2),
            reassess_samples: REASSESS_SAMPLES,
            reassess_interval: Duration::from_secs(60),
            // 64 KiB of full-entropy output: enough for 1,365 DRBG reseeds.
            reservoir_blocks: 2048,
            idle_cpu_budget: 0.05,
            max_family_share: 0.5,
            trust_platform: Vec::new(),
            conditioner: ConditionerKind::Sha256,
            drbg_policy: DrbgPolicy::default(),
            prediction_resistance: false,
            starvation_timeout: Duration::from_secs(10),
            correlated_groups: DEFAULT_CORRELATED_GROUPS
                .iter()
                .map(|(name, members)| CorrelationGroup {
                    name: (*name).to_owned(),
                    members: members.iter().map(|s| (*s).to_owned()).collect(),
                })
                .collect(),
            assessor: default_assessor,
            assessment_store: None,
        }
    }
}

impl EngineConfig {
    /// Checks every setting; the engine refuses to start on any out-of-range value rather
    /// than run with a weaker guarantee than the one configured.
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |what: String| Err(EngineError::InvalidConfig(what));
        if self.sources.is_empty() {
            return Err(EngineError::NoSources);
        }
        if !(self.safety_factor > 0.0 && self.safety_factor <= 1.0) {
            return bad(format!(
                "safety_factor must be in (0, 1], not {}",
                self.safety_factor
            ));
        }
        if !(self.max_family_share > 0.0 && self.max_family_share <= 1.0) {
            return bad(format!(
                "max_family_share must be in (0, 1], not {}",
                self.max_family_share
            ));
        }
        for (name, value) in [
            ("cpu_budget", self.cpu_budget),
            ("idle_cpu_budget", self.idle_cpu_budget),
        ] {
            if !(value.is_finite() && value > 0.0 && value <= 64.0) {
                return bad(format!(
                    "{name} must be a positive number of cores, not {value}"
                ));
            }
        }
        if self.reservoir_blocks == 0 {
            return bad("reservoir_blocks must be at least 1".into());
        }
        if self.startup_samples < STARTUP_TEST_SAMPLES {
            return bad(format!(
                "startup_samples must be at least {STARTUP_TEST_SAMPLES} (SP 800-90B §4.3), not {}",
                self.startup_samples
            ));
        }
        if self.reassess_samples < crate::accounting::FULL_ASSESSMENT_SAMPLES {
            return bad(format!(
                "reassess_samples must be at least {}, not {}",
                crate::accounting::FULL_ASSESSMENT_SAMPLES,
                self.reassess_samples
            ));
        }
        for (name, value) in [
            ("startup_timeout", self.startup_timeout),
            ("reassess_interval", self.reassess_interval),
            ("starvation_timeout", self.starvation_timeout),
            ("drbg_policy.reseed_after", self.drbg_policy.reseed_after),
        ] {
            if value.is_zero() {
                return bad(format!("{name} must not be zero"));
            }
        }
        if self.drbg_policy.reseed_bytes == 0 {
            return bad("drbg_policy.reseed_bytes must not be zero".into());
        }
        if self.drbg_policy.reseed_limit_bytes < self.drbg_policy.reseed_bytes {
            return bad(format!(
                "drbg_policy.reseed_limit_bytes ({}) must be at least reseed_bytes ({})",
                self.drbg_policy.reseed_limit_bytes, self.drbg_policy.reseed_bytes
            ));
        }
        let unknown =
            crate::accounting::trust::unknown_names(self.trust_platform.iter().map(String::as_str));
        if !unknown.is_empty() {
            return bad(format!(
                "trust_platform names {} which is not a platform generator (rdrand, rdseed, os_random, hwrng, hwrng:virtio)",
                unknown.join(", ")
            ));
        }
        Ok(())
    }
}

/// The default estimator: the full non-IID assessment of SP 800-90B §6.3 (all ten
/// estimators on the bytes and on their bitstring, combined as NIST's `ea_non_iid` does),
/// with each sample taken as 8 bits. `None` when the samples cannot be assessed (too few,
/// or too few for every estimator but MCV, which alone would over-credit short runs).
pub fn default_assessor(samples: &[u8]) -> Option<f64> {
    use wellspring_assess::sp800_90b::{AssessOptions, assess};
    // Sequential on the calling (harvester) thread, so the CPU budget is charged for it.
    let opts = AssessOptions {
        parallel: false,
        ..AssessOptions::default()
    };
    let report = assess(samples, &opts).ok()?;
    // A constant source has exactly zero; otherwise require the predictors to have run.
    if report.alphabet_size > 1 && report.estimators.original.lz78y.is_none() {
        return None;
    }
    // A constant source's estimators give -log2(1) = -0.0: report it as 0 (no "-0.00").
    Some(report.h_assessed.max(0.0) + 0.0)
}
