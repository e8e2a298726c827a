//! The session format, version [`FORMAT_VERSION`] (documented for other tools in
//! docs/SESSIONS.md):
//!
//! ```text
//! <output>/<UTC start, e.g. 20261201T220300Z>-<short id>/
//!     session.json       the manifest (written at the start, rewritten at the end)
//!     conditions.jsonl   one system snapshot a second
//!     raw/<source>.bin   the source's raw samples, one byte each (SP 800-90B file format)
//!     raw/<source>.idx   one line per batch: "<ns since started_at> <sample offset>"
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::machine::Machine;

/// The version of this format.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's file name.
pub const MANIFEST: &str = "session.json";
/// The conditions log's file name.
pub const CONDITIONS: &str = "conditions.jsonl";
/// The folder of raw files.
pub const RAW_DIR: &str = "raw";
/// Space held while recording and given back before the final manifest is written, so that
/// a full disk still ends with a complete manifest.
pub const RESERVE: &str = ".reserve";
/// Its size: far more than any manifest.
pub const RESERVE_BYTES: usize = 256 * 1024;

/// The continuous health tests run over a recorded source (SP 800-90B §4.4), with cutoffs
/// from its `h_start`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthEvents {
    /// The min-entropy the cutoffs were derived from (`h_start`; none when it is unknown,
    /// and then no test was run).
    pub cutoffs_from_h: Option<f64>,
    /// Repetition Count Test failures at α = 2^-20.
    pub rct_failures: u64,
    /// Adaptive Proportion Test failures at α = 2^-20.
    pub apt_failures: u64,
    /// Failures at α = 2^-40, each of which would have quarantined the source in the engine.
    pub persistent_failures: u64,
}

/// One recorded source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceEntry {
    /// Stable source name (also the raw files' stem).
    pub name: String,
    /// Mechanism category.
    pub category: String,
    /// Samples recorded.
    pub samples: u64,
    /// Samples per second over the recording.
    pub samples_per_second: f64,
    /// SP 800-90B min-entropy per sample of the first 65,536 samples (as the engine
    /// measures a source: a full-size assessment of consecutive samples), when recorded.
    pub h_start: Option<f64>,
    /// The same, of the last 65,536 samples.
    pub h_end: Option<f64>,
    /// The continuous health tests over the whole recording.
    pub health_events: HealthEvents,
    /// Why the source stopped early, if it did (a collection error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Its SHA-256 conditioned output (`record --conditioned`, see [`crate::conditioned`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditioned: Option<crate::conditioned::Conditioned>,
}

/// `session.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Short random id (also the folder name's suffix).
    pub id: String,
    /// UTC start, RFC 3339 with milliseconds.
    pub started_at: String,
    /// UTC end; null while recording (or after a crash).
    pub ended_at: Option<String>,
    /// Whether the recording reached its requested length.
    pub complete: bool,
    /// Why it ended: `completed`, `interrupted by SIGINT`, `write failed: ...`; `recording`
    /// while it runs (a crashed session keeps that).
    pub end_reason: String,
    /// The exact command line.
    pub command: Vec<String>,
    /// wellspring's version.
    pub version: String,
    /// `--tag key:value` pairs.
    pub tags: BTreeMap<String, String>,
    /// `--note`.
    pub note: Option<String>,
    /// What was asked for: `{"samples": N}` or `{"seconds": S}` per source.
    pub requested: BTreeMap<String, f64>,
    /// The machine.
    pub machine: Machine,
    /// One entry per source.
    pub sources: Vec<SourceEntry>,
}

/// Writes `value` as pretty JSON to `path` atomically (a temporary file renamed over it, then
/// the folder synced), so a reader never sees half a manifest.
pub(crate) fn write_json_atomic(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let written = (|| {
        let mut file = fs::File::create(&tmp)?;
        let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
        file.write_all(&text)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        // A full disk: leave the last good manifest and no half-written copy beside it.
        let _ = fs::remove_file(&tmp);
    }
    written?;
    if let Some(dir) = path.parent()
        && let Ok(dir) = fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The raw sample file of `source` in `session`.
pub fn raw_path(session: &Path, source: &str) -> PathBuf {
    session.join(RAW_DIR).join(format!("{source}.bin"))
}

/// The batch index of `source` in `session`.
pub fn index_path(session: &Path, source: &str) -> PathBuf {
    session.join(RAW_DIR).join(format!("{source}.idx"))
}

/// One line of a `.idx` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexEntry {
    /// When the batch's collection started, in ns since `started_at`.
    pub ns: u64,
    /// The batch's first sample's offset in the `.bin` file.
    pub offset: u64,
}

/// Reads a `.idx` file; a torn last line (a crash mid-write) is ignored.
pub fn read_index(path: &Path) -> std::io::Result<Vec<IndexEntry>> {
    let text = fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let (ns, offset) = line.split_once(' ')?;
            Some(IndexEntry {
                ns: ns.parse().ok()?,
                offset: offset.parse().ok()?,
            })
        })
        .collect())
}
