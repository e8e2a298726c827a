//! Finding and opening recorded sessions. A session cut short by a crash still opens: its
//! manifest says `recording`, and the samples are counted from its raw files.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::format::{MANIFEST, Manifest, raw_path};
use crate::time;

/// Why a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The folder or its manifest cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What was read.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The manifest is not a session manifest of a format this version reads.
    #[error("{path} is not a wellspring session manifest: {reason}")]
    Invalid {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// A session as found on disk.
#[derive(Debug, Clone)]
pub struct Session {
    /// The session folder.
    pub path: PathBuf,
    /// Its manifest, with each source's `samples` counted from its raw file when the
    /// recording did not finish (a crash leaves the manifest's counts at 0).
    pub manifest: Manifest,
    /// True when the recording never wrote its final manifest (a crash or a kill).
    pub crashed: bool,
}

/// One line of `sessions --json`.
#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    /// Session id.
    pub id: String,
    /// The session folder.
    pub path: String,
    /// UTC start.
    pub started_at: String,
    /// Seconds from start to end (to the last data written, for a crashed session).
    pub duration_seconds: Option<f64>,
    /// Source names.
    pub sources: Vec<String>,
    /// Samples over all sources.
    pub samples: u64,
    /// Tags.
    pub tags: std::collections::BTreeMap<String, String>,
    /// Whether the recording reached its requested length.
    pub complete: bool,
    /// Why it ended (`crashed while recording` when the manifest was never finished).
    pub end_reason: String,
}

/// Opens the session in `path`.
pub fn open(path: &Path) -> Result<Session, OpenError> {
    let manifest_path = path.join(MANIFEST);
    let text = fs::read_to_string(&manifest_path).map_err(|source| OpenError::Io {
        path: manifest_path.clone(),
        source,
    })?;
    let mut manifest: Manifest = serde_json::from_str(&text).map_err(|e| OpenError::Invalid {
        path: manifest_path.clone(),
        reason: e.to_string(),
    })?;
    if manifest.format_version != crate::format::FORMAT_VERSION {
        return Err(OpenError::Invalid {
            path: manifest_path,
            reason: format!(
                "format_version {} (this version reads {})",
                manifest.format_version,
                crate::format::FORMAT_VERSION
            ),
        });
    }
    let crashed = manifest.ended_at.is_none();
    if crashed {
        manifest.end_reason = "crashed while recording".to_owned();
        for source in &mut manifest.sources {
            source.samples = fs::metadata(raw_path(path, &source.name))
                .map(|m| m.len())
                .unwrap_or(0);
        }
    }
    Ok(Session {
        path: path.to_owned(),
        manifest,
        crashed,
    })
}

impl Session {
    /// The summary line `sessions` prints.
    pub fn info(&self) -> SessionInfo {
        let m = &self.manifest;
        let start = time::parse_rfc3339(&m.started_at);
        let end = match &m.ended_at {
            Some(end) => time::parse_rfc3339(end),
            // A crashed session: up to its last write.
            None => m
                .sources
                .iter()
                .filter_map(|s| {
                    fs::metadata(raw_path(&self.path, &s.name))
                        .ok()?
                        .modified()
                        .ok()
                })
                .max()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs_f64()),
        };
        SessionInfo {
            id: m.id.clone(),
            path: self.path.display().to_string(),
            started_at: m.started_at.clone(),
            duration_seconds: start.zip(end).map(|(s, e)| (e - s).max(0.0)),
            sources: m.sources.iter().map(|s| s.name.clone()).collect(),
            samples: m.sources.iter().map(|s| s.samples).sum(),
            tags: m.tags.clone(),
            complete: m.complete,
            end_reason: m.end_reason.clone(),
        }
    }
}

/// Every session directly under `dir`, oldest first; folders that are not sessions are
/// skipped, and sessions whose manifest cannot be read are returned as errors.
pub fn list(dir: &Path) -> Result<Vec<Result<Session, OpenError>>, OpenError> {
    let entries = fs::read_dir(dir).map_err(|source| OpenError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST).is_file())
        .collect();
    // Folder names start with the UTC start time, so this is chronological.
    folders.sort();
    Ok(folders.iter().map(|p| open(p)).collect())
}

/// The session in `dir` whose id (or folder name) is `id`.
pub fn find(dir: &Path, id: &str) -> Result<Session, OpenError> {
    let direct = Path::new(id);
    if direct.join(MANIFEST).is_file() {
        return open(direct);
    }
    for session in list(dir)?.into_iter().flatten() {
        let folder = session
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        if session.manifest.id == id || folder.as_deref() == Some(id) {
            return Ok(session);
        }
    }
    Err(OpenError::Io {
        path: dir.join(id),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no session with this id"),
    })
}
