//! Assessments kept across runs.
//!
//! SP 800-90B measures a noise source once, on a large sample, and checks it at run time
//! with the health tests. The engine re-measures every source in the background on 65,536
//! samples; this store keeps those measurements, so the next run on the same machine starts
//! from them instead of from a quick estimate on the 4,096-sample start-up batch. That is
//! both faster (no estimators before the first credit) and more conservative: estimates on
//! small samples run high (clock_jitter: 1.9 bits on 4,096 samples, 0.22 on 65,536).
//!
//! What keeps it honest:
//! - an entry is used only on the machine that measured it (CPU model, core count, kernel
//!   release and wellspring version, hashed into a fingerprint) and only while it is fresh
//!   (default 24 hours);
//! - only full-size background assessments are stored, never start-up estimates;
//! - a stored value still has to pass the start-up health test on fresh samples before it
//!   earns credit, and the first background re-assessment replaces it: within seconds while
//!   idle or for a source that carries the output, within its share for a low-yield one
//!   while output is drawn;
//! - the file is a cache: if it is missing, unreadable or from another machine, the engine
//!   falls back to assessing at start-up, and a failure to write it never stops output.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::accounting::FULL_ASSESSMENT_SAMPLES;

/// Format version of the file; a file with another version is ignored.
const FORMAT: u32 = 1;

/// Where assessments are kept and for how long they count.
///
/// ```
/// use std::time::Duration;
/// use wellspring_core::engine::AssessmentStore;
///
/// let dir = std::env::temp_dir().join(format!("ws-store-doc-{}", std::process::id()));
/// let store = AssessmentStore::new(dir.join("assessments.json"), Duration::from_secs(3600));
/// store.save("clock_jitter", 0.22, 65_536)?;
/// assert_eq!(store.load()["clock_jitter"].min_entropy, 0.22);
/// # std::fs::remove_dir_all(dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AssessmentStore {
    path: PathBuf,
    max_age: Duration,
    fingerprint: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoreFile {
    format: u32,
    /// The machine the assessments were made on (see [`machine_fingerprint`]).
    machine: String,
    sources: BTreeMap<String, Stored>,
}

/// One stored assessment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    /// Assessed min-entropy per sample, in bits (before the safety factor).
    pub min_entropy: f64,
    /// Samples the assessment was made on.
    pub samples: u64,
    /// When, in seconds since the Unix epoch.
    pub assessed_at: u64,
}

impl AssessmentStore {
    /// How long an entry counts by default: long enough that repeated short runs start fast,
    /// short enough that a changed machine state (new kernel settings, a new neighbour on
    /// the host) is re-measured within a day.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

    /// The store at [`default_path`](Self::default_path) with [`DEFAULT_MAX_AGE`](Self::DEFAULT_MAX_AGE);
    /// `None` when there is no home or cache directory.
    pub fn at_default_path() -> Option<Self> {
        Self::default_path().map(|p| Self::new(p, Self::DEFAULT_MAX_AGE))
    }

    /// A store at `path` whose entries count for `max_age`.
    pub fn new(path: impl Into<PathBuf>, max_age: Duration) -> Self {
        AssessmentStore {
            path: path.into(),
            max_age,
            fingerprint: machine_fingerprint(),
        }
    }

    /// `$XDG_CACHE_HOME/wellspring/assessments.json`, or `~/.cache/wellspring/...`.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("wellspring").join("assessments.json"))
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fresh full-size assessments made on this machine, by source name. Anything
    /// unreadable, or resting on fewer than 65,536 samples, counts as absent.
    pub fn load(&self) -> BTreeMap<String, Stored> {
        let now = unix_now();
        let Some(file) = self.read() else {
            return BTreeMap::new();
        };
        file.sources
            .into_iter()
            .filter(|(_, s)| {
                s.min_entropy.is_finite()
                    && s.min_entropy >= 0.0
                    && s.min_entropy <= 8.0
                    && now.saturating_sub(s.assessed_at) <= self.max_age.as_secs()
                    && s.assessed_at <= now + 60
                    && s.samples >= FULL_ASSESSMENT_SAMPLES as u64
            })
            .collect()
    }

    /// Records an assessment of `source` (keeping the other sources' entries) by writing a
    /// temporary file and renaming it over the old one, so readers never see half a file.
    pub fn save(&self, source: &str, min_entropy: f64, samples: u64) -> std::io::Result<()> {
        let mut file = self.read().unwrap_or_else(|| StoreFile {
            format: FORMAT,
            machine: self.fingerprint.clone(),
            sources: BTreeMap::new(),
        });
        file.sources.insert(
            source.to_owned(),
            Stored {
                min_entropy,
                samples,
                assessed_at: unix_now(),
            },
        );
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Private to this user: the figures describe this machine's noise.
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
            // An existing directory is tightened too (best effort: it may not be ours).
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let tmp = self
            .path
            .with_extension(format!("tmp.{}", std::process::id()));
        let text = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
        let _ = std::fs::remove_file(&tmp);
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        out.write_all(&text)?;
        out.sync_all()?;
        drop(out);
        std::fs::rename(&tmp, &self.path)
    }

    /// The file, when it exists, parses, and was written on this machine.
    fn read(&self) -> Option<StoreFile> {
        let text = std::fs::read(&self.path).ok()?;
        let file: StoreFile = serde_json::from_slice(&text).ok()?;
        (file.format == FORMAT && file.machine == self.fingerprint).then_some(file)
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What a noise measurement depends on besides the source itself: the CPU, how many cores
/// share it, the kernel, and the code that samples and assesses (this crate's version).
fn machine_fingerprint() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut hash = Sha256::new();
    for part in [
        env!("CARGO_PKG_VERSION"),
        cpu.as_str(),
        kernel.trim(),
        &cores.to_string(),
    ] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(tag: &str, max_age: Duration) -> AssessmentStore {
        let dir = std::env::temp_dir().join(format!("ws-store-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        AssessmentStore::new(dir.join("a.json"), max_age)
    }

    #[test]
    fn saves_merge_and_load_back() {
        let store = temp_store("merge", Duration::from_secs(3600));
        assert!(store.load().is_empty(), "no file yet");
        store.save("a", 0.5, 65_536).unwrap();
        store.save("b", 1.25, 65_536).unwrap();
        store.save("a", 0.25, 65_536).unwrap();
        let loaded = store.load();
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded["a"].min_entropy, 0.25);
        assert_eq!(loaded["b"].min_entropy, 1.25);
    }

    #[test]
    fn another_machine_or_a_stale_entry_counts_as_absent() {
        let store = temp_store("other", Duration::from_secs(3600));
        store.save("a", 0.5, 65_536).unwrap();
        let mut other = store.clone();
        other.fingerprint = "not this machine".into();
        assert!(other.load().is_empty());

        let stale = AssessmentStore {
            max_age: Duration::ZERO,
            ..store.clone()
        };
        let mut file = store.read().unwrap();
        file.sources.get_mut("a").unwrap().assessed_at -= 10;
        std::fs::write(store.path(), serde_json::to_vec(&file).unwrap()).unwrap();
        assert!(stale.load().is_empty());
        assert_eq!(store.load().len(), 1);
    }

    #[test]
    fn the_file_is_private_and_small_assessments_are_ignored() {
        let store = temp_store("private", Duration::from_secs(3600));
        store.save("small", 3.0, 65_535).unwrap();
        store.save("full", 3.0, 65_536).unwrap();
        let loaded = store.load();
        assert!(!loaded.contains_key("small"), "fewer than 65,536 samples");
        assert!(loaded.contains_key("full"));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(store.path()), 0o600);
        assert_eq!(mode(store.path().parent().unwrap()), 0o700);
    }

    #[test]
    fn garbage_and_impossible_values_are_ignored() {
        let store = temp_store("garbage", Duration::from_secs(3600));
        std::fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        std::fs::write(store.path(), b"{ not json").unwrap();
        assert!(store.load().is_empty());
        // A save over garbage starts a fresh file instead of failing.
        store.save("a", 9.5, 65_536).unwrap();
        assert!(
            store.load().is_empty(),
            "more than 8 bits per byte is impossible"
        );
    }
}
