//! Assessments kept across runs.
//!
//! SP 800-90B measures a noise source once, on a large sample, and checks it at run time
//! with the health tests. The engine re-measures every source in the background on 65,536
//! samples; this store keeps those measurements, so the next run on the same machine starts
//! from them instead of from a quick estimate on the 4,096-sample start-up batch. That is
//! both faster (no estimators before the first credit) and more conservative: estimates on
//! small samples run high (clock_jitter: 1.9 bits on 4,096 samples, 0.22 on 65,536).
//!
//! What keeps it honest (a stored figure is evidence from this boot, never a claim anyone
//! can write):
//! - an entry counts only on the boot that measured it: it carries the kernel's boot id
//!   (`/proc/sys/kernel/random/boot_id`, new at every boot and in every clone of a VM image
//!   that boots), so a reboot, a cloned image or a copied home directory starts cold;
//! - every entry carries an HMAC-SHA256 under a random key of this install (32 bytes, mode
//!   0600, `$XDG_STATE_HOME/wellspring/store.key`, created at the first save) over the
//!   machine fingerprint, the boot id, the source, the figure, the sample count and the
//!   time; an entry written by hand, edited, or carried from another install fails it;
//! - the file and the key must belong to this user and not be writable by group or others;
//!   otherwise the whole file is ignored, with a warning;
//! - an entry is used only on the machine that measured it (CPU model, core count, kernel
//!   release and wellspring version, hashed into a fingerprint) and only while it is fresh
//!   (default 24 hours);
//! - entries that fail any check are ignored, never partly trusted; only full-size
//!   background assessments are stored, never start-up estimates;
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

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::accounting::FULL_ASSESSMENT_SAMPLES;

/// Format version of the file; a file with another version is ignored (version 1 had no
/// boot id and no HMAC).
const FORMAT: u32 = 2;

/// Bytes in the install key.
const KEY_BYTES: usize = 32;

/// Where assessments are kept and for how long they count.
///
/// ```
/// use std::time::Duration;
/// use wellspring_core::engine::AssessmentStore;
///
/// let dir = std::env::temp_dir().join(format!("ws-store-doc-{}", std::process::id()));
/// let store = AssessmentStore::new(dir.join("assessments.json"), Duration::from_secs(3600))
///     .with_key_path(dir.join("store.key"));
/// store.save("clock_jitter", 0.22, 65_536)?;
/// assert_eq!(store.load()["clock_jitter"].min_entropy, 0.22);
/// # std::fs::remove_dir_all(dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AssessmentStore {
    path: PathBuf,
    key_path: PathBuf,
    max_age: Duration,
    fingerprint: String,
    boot_id: String,
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
    /// The boot it was made on (`/proc/sys/kernel/random/boot_id`).
    #[serde(default)]
    pub boot_id: String,
    /// HMAC-SHA256 under the install key, hex (see [`AssessmentStore`]).
    #[serde(default)]
    pub mac: String,
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

    /// A store at `path` whose entries count for `max_age`, with the install key at
    /// [`default_key_path`](Self::default_key_path) (or, without a state or home
    /// directory, beside `path`).
    pub fn new(path: impl Into<PathBuf>, max_age: Duration) -> Self {
        let path = path.into();
        let key_path = Self::default_key_path().unwrap_or_else(|| path.with_extension("key"));
        AssessmentStore {
            path,
            key_path,
            max_age,
            fingerprint: machine_fingerprint(),
            boot_id: boot_id(),
        }
    }

    /// The same store with its install key at `key_path`.
    pub fn with_key_path(mut self, key_path: impl Into<PathBuf>) -> Self {
        self.key_path = key_path.into();
        self
    }

    /// `$XDG_STATE_HOME/wellspring/store.key`, or `~/.local/state/wellspring/store.key`.
    pub fn default_key_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state"))
            })?;
        Some(base.join("wellspring").join("store.key"))
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

    /// Fresh full-size assessments made on this machine, on this boot, by this install,
    /// by source name. Anything unreadable, unsafe (not this user's, or writable by others),
    /// unsigned or signed under another key, from another boot, or resting on fewer than
    /// 65,536 samples, counts as absent.
    pub fn load(&self) -> BTreeMap<String, Stored> {
        let now = unix_now();
        let Some(file) = self.read() else {
            return BTreeMap::new();
        };
        if self.boot_id.is_empty() {
            tracing::warn!("stored assessments ignored: this boot's id cannot be read");
            return BTreeMap::new();
        }
        if let Err(why) = private_to_this_user(&self.path) {
            tracing::warn!(file = %self.path.display(), "stored assessments ignored: {why}");
            return BTreeMap::new();
        }
        let key = match self.read_key() {
            Ok(Some(key)) => key,
            Ok(None) => {
                if !file.sources.is_empty() {
                    tracing::warn!(
                        file = %self.path.display(),
                        key = %self.key_path.display(),
                        "stored assessments ignored: this install has no key, so none was written by it"
                    );
                }
                return BTreeMap::new();
            }
            Err(why) => {
                tracing::warn!(key = %self.key_path.display(), "stored assessments ignored: {why}");
                return BTreeMap::new();
            }
        };
        let total = file.sources.len();
        let kept: BTreeMap<String, Stored> = file
            .sources
            .into_iter()
            .filter(|(name, s)| {
                s.min_entropy.is_finite()
                    && s.min_entropy >= 0.0
                    && s.min_entropy <= 8.0
                    && now.saturating_sub(s.assessed_at) <= self.max_age.as_secs()
                    && s.assessed_at <= now + 60
                    && s.samples >= FULL_ASSESSMENT_SAMPLES as u64
                    && s.boot_id == self.boot_id
                    && self.verify(&key, name, s)
            })
            .collect();
        if kept.len() < total {
            tracing::info!(
                file = %self.path.display(),
                ignored = total - kept.len(),
                "stored assessments from another boot, stale, or failing their HMAC ignored"
            );
        }
        kept
    }

    /// The install key, when there is one; an error when it is unsafe or malformed.
    fn read_key(&self) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
        let key = match std::fs::read(&self.key_path) {
            Ok(key) => Zeroizing::new(key),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        private_to_this_user(&self.key_path)?;
        if key.len() != KEY_BYTES {
            return Err(format!("the key is {} bytes, not {KEY_BYTES}", key.len()));
        }
        Ok(Some(key))
    }

    /// The install key, created (from the OS generator, mode 0600) if there is none yet.
    fn key_or_create(&self) -> std::io::Result<Zeroizing<Vec<u8>>> {
        match self.read_key() {
            Ok(Some(key)) => return Ok(key),
            Ok(None) => {}
            Err(why) => return Err(std::io::Error::other(why)),
        }
        if let Some(dir) = self.key_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let mut key = Zeroizing::new(vec![0u8; KEY_BYTES]);
        std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut key)?;
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&self.key_path)
        {
            Ok(mut out) => {
                out.write_all(&key)?;
                out.sync_all()?;
                Ok(key)
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => self
                .read_key()
                .map_err(std::io::Error::other)?
                .ok_or_else(|| std::io::Error::other("the key vanished")),
            Err(e) => Err(e),
        }
    }

    fn mac(&self, key: &[u8], source: &str, stored: &Stored) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
        for part in [
            b"wellspring assessment v2".as_slice(),
            self.fingerprint.as_bytes(),
            stored.boot_id.as_bytes(),
            source.as_bytes(),
            &stored.min_entropy.to_bits().to_le_bytes(),
            &stored.samples.to_le_bytes(),
            &stored.assessed_at.to_le_bytes(),
        ] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        mac
    }

    fn verify(&self, key: &[u8], source: &str, stored: &Stored) -> bool {
        let Some(tag) = hex_decode(&stored.mac) else {
            return false;
        };
        // Constant-time comparison.
        self.mac(key, source, stored).verify_slice(&tag).is_ok()
    }

    /// Records an assessment of `source` (keeping the other sources' entries) by writing a
    /// temporary file and renaming it over the old one, so readers never see half a file.
    pub fn save(&self, source: &str, min_entropy: f64, samples: u64) -> std::io::Result<()> {
        let mut file = self.read().unwrap_or_else(|| StoreFile {
            format: FORMAT,
            machine: self.fingerprint.clone(),
            sources: BTreeMap::new(),
        });
        if self.boot_id.is_empty() {
            return Err(std::io::Error::other("this boot's id cannot be read"));
        }
        let key = self.key_or_create()?;
        let mut stored = Stored {
            min_entropy,
            samples,
            assessed_at: unix_now(),
            boot_id: self.boot_id.clone(),
            mac: String::new(),
        };
        stored.mac = hex_encode(&self.mac(&key, source, &stored).finalize().into_bytes());
        file.sources.insert(source.to_owned(), stored);
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

/// Ok when `path` belongs to this process's effective user and neither its group nor
/// others may write it.
fn private_to_this_user(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    let euid = effective_uid().ok_or("cannot tell this process's user")?;
    if meta.uid() != euid {
        return Err(format!(
            "{} belongs to uid {}, not to this user (uid {euid})",
            path.display(),
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "{} is writable by group or others (mode {:o})",
            path.display(),
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

/// The effective uid, from /proc (no `unsafe` needed).
fn effective_uid() -> Option<u32> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with("Uid:"))?
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()
}

/// This boot's id: new at every boot (and so in every booted clone of a VM image).
fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
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
        AssessmentStore::new(dir.join("a.json"), max_age).with_key_path(dir.join("store.key"))
    }

    /// Rewrites `source`'s entry with `edit`, re-signed under this store's key when `sign`.
    fn rewrite(store: &AssessmentStore, source: &str, sign: bool, edit: impl Fn(&mut Stored)) {
        let mut file = store.read().unwrap();
        let entry = file.sources.get_mut(source).unwrap();
        edit(entry);
        if sign {
            let key = store.read_key().unwrap().unwrap();
            entry.mac = hex_encode(&store.mac(&key, source, entry).finalize().into_bytes());
        }
        std::fs::write(store.path(), serde_json::to_vec(&file).unwrap()).unwrap();
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o600)).unwrap();
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
        // Figures whose decimal text does not parse back exactly without float_roundtrip
        // still verify (the HMAC is over the f64's bits).
        for (i, h) in [0.1 + 0.2, 0.147_293_817_364_912_7, 5.023_184_609_117_3]
            .into_iter()
            .enumerate()
        {
            store.save(&format!("f{i}"), h, 65_536).unwrap();
            assert_eq!(store.load()[&format!("f{i}")].min_entropy, h);
        }
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
        rewrite(&store, "a", true, |s| s.assessed_at -= 10);
        assert!(stale.load().is_empty());
        assert_eq!(store.load().len(), 1);
    }

    #[test]
    fn a_hand_written_or_edited_entry_counts_as_absent() {
        // The audit's forgery: sleep_jitter at 8.0 bits, any sample count, a fresh time.
        let store = temp_store("forged", Duration::from_secs(3600));
        store.save("clock_jitter", 0.2, 65_536).unwrap();
        let mut file = store.read().unwrap();
        file.sources.insert(
            "sleep_jitter".into(),
            Stored {
                min_entropy: 8.0,
                samples: 1_000_000,
                assessed_at: unix_now(),
                boot_id: boot_id(),
                mac: String::new(),
            },
        );
        std::fs::write(store.path(), serde_json::to_vec(&file).unwrap()).unwrap();
        let loaded = store.load();
        assert!(!loaded.contains_key("sleep_jitter"), "unsigned: {loaded:?}");
        assert!(
            loaded.contains_key("clock_jitter"),
            "the signed entry stays"
        );
        // Raising a signed figure breaks its HMAC.
        rewrite(&store, "clock_jitter", false, |s| s.min_entropy = 8.0);
        assert!(store.load().is_empty());
    }

    #[test]
    fn an_entry_from_another_boot_or_another_install_counts_as_absent() {
        let store = temp_store("boot", Duration::from_secs(3600));
        store.save("a", 0.5, 65_536).unwrap();
        // Signed under this key, but measured on another boot (a reboot, a cloned image).
        rewrite(&store, "a", true, |s| {
            s.boot_id = "00000000-0000-0000-0000-000000000000".into()
        });
        assert!(store.load().is_empty(), "another boot");
        // A file copied from another install: this install's key signed none of it.
        store.save("a", 0.5, 65_536).unwrap();
        assert_eq!(store.load().len(), 1);
        let elsewhere = temp_store("boot-elsewhere", Duration::from_secs(3600));
        std::fs::create_dir_all(elsewhere.path().parent().unwrap()).unwrap();
        std::fs::copy(store.path(), elsewhere.path()).unwrap();
        assert!(elsewhere.load().is_empty(), "no key here yet");
        elsewhere.save("b", 0.5, 65_536).unwrap();
        let loaded = elsewhere.load();
        assert!(
            !loaded.contains_key("a"),
            "signed by another key: {loaded:?}"
        );
        assert!(loaded.contains_key("b"));
    }

    #[test]
    fn a_file_or_key_others_may_write_is_ignored_whole() {
        let store = temp_store("mode", Duration::from_secs(3600));
        store.save("a", 0.5, 65_536).unwrap();
        assert_eq!(store.load().len(), 1);
        let set = |p: &Path, mode: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        set(store.path(), 0o620);
        assert!(store.load().is_empty(), "group-writable file");
        set(store.path(), 0o602);
        assert!(store.load().is_empty(), "world-writable file");
        set(store.path(), 0o644);
        assert_eq!(store.load().len(), 1, "readable by others is fine");
        set(&store.key_path, 0o660);
        assert!(store.load().is_empty(), "group-writable key");
        set(&store.key_path, 0o600);
        assert_eq!(store.load().len(), 1);
    }

    #[test]
    fn a_file_owned_by_another_user_is_ignored() {
        // Only root can give a file away; as another user, a file of root's stands in.
        let store = temp_store("owner", Duration::from_secs(3600));
        store.save("a", 0.5, 65_536).unwrap();
        assert_eq!(store.load().len(), 1);
        if effective_uid() == Some(0) {
            let status = std::process::Command::new("chown")
                .args(["65534", store.path().to_str().unwrap()])
                .status()
                .unwrap();
            assert!(status.success());
            assert!(store.load().is_empty(), "a file of uid 65534");
        } else {
            let foreign = Path::new("/etc/hostname");
            assert!(private_to_this_user(foreign).is_err());
        }
    }

    #[test]
    fn the_file_and_key_are_private_and_small_assessments_are_ignored() {
        let store = temp_store("private", Duration::from_secs(3600));
        store.save("small", 3.0, 65_535).unwrap();
        store.save("full", 3.0, 65_536).unwrap();
        let loaded = store.load();
        assert!(!loaded.contains_key("small"), "fewer than 65,536 samples");
        assert!(loaded.contains_key("full"));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(store.path()), 0o600);
        assert_eq!(mode(store.path().parent().unwrap()), 0o700);
        assert_eq!(mode(&store.key_path), 0o600);
        assert_eq!(std::fs::read(&store.key_path).unwrap().len(), KEY_BYTES);
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
