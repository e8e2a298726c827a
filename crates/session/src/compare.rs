//! `compare A B`: two sessions (every source recorded in both), two raw sample files (one
//! entry), or two sources of one session (given as their raw files). The statistics are
//! `wellspring_assess::noise::compare`; this module finds and reads the samples. Shared by
//! the CLI and the Python module, so both print the same document.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use wellspring_assess::noise::compare::{CompareOptions, Comparison, compare_with_progress, work};

use crate::analysis::{AnalyzeError, MAX_SAMPLES, MIN_SAMPLES, read_samples};
use crate::format::raw_path;

/// One side of a comparison.
#[derive(Debug, Clone)]
pub enum Side {
    /// A session folder.
    Session(PathBuf),
    /// A raw sample file (one sample per byte).
    File(PathBuf),
}

impl Side {
    /// A folder holding `session.json` is a session; a file is a raw sample file; anything
    /// else is looked up as a session id (or folder name) under `sessions_dir`.
    pub fn resolve(arg: &Path, sessions_dir: &Path) -> Result<Side, AnalyzeError> {
        if arg.is_dir() {
            if arg.join(crate::format::MANIFEST).is_file() {
                return Ok(Side::Session(arg.to_owned()));
            }
            return Err(AnalyzeError::Input(format!(
                "{}: a folder without session.json is not a session",
                arg.display()
            )));
        }
        if arg.is_file() {
            return Ok(Side::File(arg.to_owned()));
        }
        let id = arg.to_string_lossy();
        match crate::list::find(sessions_dir, &id) {
            Ok(session) => Ok(Side::Session(session.path)),
            Err(_) => Err(AnalyzeError::Input(format!(
                "{}: no such file, folder or session id (sessions are looked up in {})",
                arg.display(),
                sessions_dir.display()
            ))),
        }
    }

    fn label(&self) -> String {
        match self {
            Side::Session(p) | Side::File(p) => p.display().to_string(),
        }
    }
}

/// One source's comparison.
#[derive(Debug, Clone, Serialize)]
pub struct SourceComparison {
    /// Source name (for two files, their stems: `a` or `a vs b`).
    pub name: String,
    /// The statistics.
    #[serde(flatten)]
    pub comparison: Comparison,
}

/// `compare --json`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareDocument {
    /// What was compared.
    pub a: String,
    /// The other side.
    pub b: String,
    /// Per source present on both sides.
    pub sources: Vec<SourceComparison>,
    /// Sources recorded only in `a` (sessions only).
    pub only_in_a: Vec<String>,
    /// Sources recorded only in `b`.
    pub only_in_b: Vec<String>,
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "file".to_owned(), |s| s.to_string_lossy().into_owned())
}

fn source_names(dir: &Path) -> Result<Vec<String>, AnalyzeError> {
    let session = crate::list::open(dir).map_err(|e| AnalyzeError::Input(e.to_string()))?;
    Ok(session
        .manifest
        .sources
        .iter()
        .map(|s| s.name.clone())
        .collect())
}

fn compare_samples(
    name: &str,
    a: &[u8],
    b: &[u8],
    opts: &CompareOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SourceComparison, AnalyzeError> {
    for (side, data) in [("a", a), ("b", b)] {
        if data.len() < MIN_SAMPLES {
            return Err(AnalyzeError::Input(format!(
                "{name} ({side}): {} samples are too few to compare (at least {MIN_SAMPLES})",
                data.len()
            )));
        }
    }
    let comparison = compare_with_progress(a, b, opts, progress)
        .map_err(|e| AnalyzeError::Input(format!("{name}: {e}")))?;
    Ok(SourceComparison {
        name: name.to_owned(),
        comparison,
    })
}

/// Compares `a` with `b`.
pub fn compare_sides(
    a: &Side,
    b: &Side,
    opts: &CompareOptions,
) -> Result<CompareDocument, AnalyzeError> {
    compare_sides_with_progress(a, b, opts, &|_, _| {})
}

/// Samples [`read_samples`] reads of `path` (0 when it cannot be read: the read reports that).
fn samples_in(path: &Path) -> usize {
    std::fs::metadata(path).map_or(0, |m| m.len().min(MAX_SAMPLES) as usize)
}

/// [`compare_sides`], calling `progress(done, total)` as the work goes on: units of
/// [`work`] summed over the sources compared (`total` is known from the files' sizes before
/// any is read; the first call is `(0, total)`). Calls come from worker threads, one at a
/// time, with `done` rising.
pub fn compare_sides_with_progress(
    a: &Side,
    b: &Side,
    opts: &CompareOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<CompareDocument, AnalyzeError> {
    let done = Mutex::new(0u64);
    let total = AtomicU64::new(0);
    let step = |units: u64| {
        let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
        *done += units;
        progress(*done, total.load(Ordering::Relaxed));
    };
    let (sources, only_in_a, only_in_b) = match (a, b) {
        (Side::File(fa), Side::File(fb)) => {
            let (sa, sb) = (stem(fa), stem(fb));
            let name = if sa == sb {
                sa
            } else {
                format!("{sa} vs {sb}")
            };
            total.store(work(samples_in(fa), samples_in(fb)), Ordering::Relaxed);
            step(0);
            let (da, db) = (read_samples(fa)?, read_samples(fb)?);
            (
                vec![compare_samples(&name, &da, &db, opts, &step)?],
                vec![],
                vec![],
            )
        }
        (Side::Session(da), Side::Session(db)) => {
            let (na, nb) = (source_names(da)?, source_names(db)?);
            let common: Vec<&String> = na.iter().filter(|n| nb.contains(n)).collect();
            if common.is_empty() {
                return Err(AnalyzeError::Input(format!(
                    "the sessions have no source in common ({} vs {})",
                    na.join(", "),
                    nb.join(", ")
                )));
            }
            let sizes = common.iter().map(|name| {
                work(
                    samples_in(&raw_path(da, name)),
                    samples_in(&raw_path(db, name)),
                )
            });
            total.store(sizes.sum(), Ordering::Relaxed);
            step(0);
            let sources = common
                .par_iter()
                .map(|name| {
                    let sa = read_samples(&raw_path(da, name))?;
                    let sb = read_samples(&raw_path(db, name))?;
                    compare_samples(name, &sa, &sb, opts, &step)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let only = |x: &[String], y: &[String]| -> Vec<String> {
                x.iter().filter(|n| !y.contains(n)).cloned().collect()
            };
            (sources, only(&na, &nb), only(&nb, &na))
        }
        _ => {
            return Err(AnalyzeError::Input(
                "compare two sessions or two raw files (for one source of a session, give its \
                 raw/<source>.bin)"
                    .to_owned(),
            ));
        }
    };
    Ok(CompareDocument {
        a: a.label(),
        b: b.label(),
        sources,
        only_in_a,
        only_in_b,
    })
}
