//! The [`EntropySource`] trait and the descriptive types every source shares.
//!
//! A source measures one physical process and returns its noisy low bits, one byte per
//! sample, exactly as measured: no hashing, folding or whitening happens inside a source,
//! so that the health tests and the SP 800-90B estimators see the real noise.

use std::fmt;

use serde::Serialize;

/// The family of physical mechanism a source draws on.
///
/// Categories group sources by *what they measure*, so that a user can select or exclude
/// a whole family (`--sources timing` or `--sources '!platform'`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceCategory {
    /// Clock and scheduling jitter.
    Timing,
    /// Kernel counters and process-table state.
    System,
    /// Network timing (loopback by default).
    Network,
    /// Devices: disks, memory, sensors, audio, video.
    Hardware,
    /// Micro-architectural effects: DRAM, caches, TLB, speculation.
    Silicon,
    /// Beat patterns between independent clock domains.
    CrossDomain,
    /// Timing of ordinary software work (compression, hashing, syscalls...).
    Novel,
    /// Camera images.
    Camera,
    /// Generators built into the CPU or the OS; not physical noise measured by wellspring.
    Platform,
}

impl SourceCategory {
    /// Every category, in display order.
    pub const ALL: [SourceCategory; 9] = [
        SourceCategory::Timing,
        SourceCategory::System,
        SourceCategory::Network,
        SourceCategory::Hardware,
        SourceCategory::Silicon,
        SourceCategory::CrossDomain,
        SourceCategory::Novel,
        SourceCategory::Camera,
        SourceCategory::Platform,
    ];

    /// The stable snake_case name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceCategory::Timing => "timing",
            SourceCategory::System => "system",
            SourceCategory::Network => "network",
            SourceCategory::Hardware => "hardware",
            SourceCategory::Silicon => "silicon",
            SourceCategory::CrossDomain => "cross_domain",
            SourceCategory::Novel => "novel",
            SourceCategory::Camera => "camera",
            SourceCategory::Platform => "platform",
        }
    }

    /// Parses a category name as printed by [`SourceCategory::as_str`].
    pub fn parse(name: &str) -> Option<SourceCategory> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for SourceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How quickly a source delivers samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeedClass {
    /// 10,000 samples in well under a second; used by default.
    Fast,
    /// Slower sources (disk, sleeps, network); used when asked for or by the background engine.
    Slow,
}

/// What a source is: its stable name, family, physics and speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceInfo {
    /// Stable snake_case name, e.g. `clock_jitter`.
    pub name: &'static str,
    /// The mechanism family.
    pub category: SourceCategory,
    /// One paragraph on the physics: what is measured and why it is noisy.
    pub physics: &'static str,
    /// Fast or slow.
    pub speed: SpeedClass,
}

/// Whether a source can run on this machine, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// The source can collect here.
    Available,
    /// The source cannot collect here; the string says why (missing device, permission...).
    Unavailable(String),
}

impl Availability {
    /// True when the source can collect.
    pub fn is_available(&self) -> bool {
        matches!(self, Availability::Available)
    }

    /// The reason a source is unavailable, if it is.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Availability::Available => None,
            Availability::Unavailable(reason) => Some(reason),
        }
    }
}

/// Why a collection failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The source is not available on this machine.
    #[error("source {name} is unavailable: {reason}")]
    Unavailable {
        /// Source name.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// An I/O or system call failed while collecting.
    #[error("source {name} failed: {source}")]
    Io {
        /// Source name.
        name: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Any other collection failure.
    #[error("source {name} failed: {message}")]
    Failed {
        /// Source name.
        name: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// A physical noise source.
///
/// Implementations measure something physical and return its noisy low bits, one byte per
/// sample, unwhitened. `collect` must return exactly `n` samples or an error, must not
/// panic when hardware or permissions are missing, and must finish within its speed class.
///
/// ```
/// use wellspring_core::{registry, EntropySource};
///
/// let source = registry::find("clock_jitter").expect("clock_jitter exists everywhere");
/// let samples = source.collect(64).unwrap();
/// assert_eq!(samples.len(), 64);
/// ```
pub trait EntropySource: Send + Sync {
    /// The static description of this source.
    fn info(&self) -> &SourceInfo;

    /// Probes, at run time, whether this source can collect here.
    fn availability(&self) -> Availability {
        Availability::Available
    }

    /// Collects `n` raw samples.
    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError>;

    /// Whether this source's samples may earn entropy credit. False for what others can
    /// observe too (public webcam images): such samples are mixed in and health-tested, but
    /// the engine never credits them, whatever the estimators say.
    fn creditable(&self) -> bool {
        true
    }

    /// The source's stable name.
    fn name(&self) -> &'static str {
        self.info().name
    }

    /// The device behind a platform generator whose trust depends on it (/dev/hwrng: a
    /// virtio device forwards the host's generator, another is a chip on the board), as the
    /// kernel describes it. `None` for every other source.
    fn device(&self) -> Option<PlatformDevice> {
        None
    }
}

/// The device behind a platform generator, as the kernel names and rates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformDevice {
    /// The kernel's name for the device (`rng_current` of the `hw_random` class, e.g.
    /// `virtio_rng.0` or `tpm-rng-0`; `none` when no device is selected).
    pub name: String,
    /// The driver's quality, in bits of entropy per 1,024 bits of output (`rng_quality`),
    /// when the kernel reports one.
    pub quality: Option<u32>,
}
