//! `record` and `load_session` for Python: the CLI's recorder (`wellspring-session`) with the
//! GIL released while samples are collected, stopping cleanly on KeyboardInterrupt (the
//! session is kept and says so), and the manifest of a recorded session as the CLI's JSON.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use wellspring_core::registry::Registry;
use wellspring_session::recorder::{Length, Recorder, Request};

/// Records `sources` (a filter, as `--sources`) for `samples` per source or `seconds`, into
/// a session folder under `output`; returns the session's path and its manifest as JSON.
#[pyfunction]
#[pyo3(signature = (sources, samples=None, seconds=None, output="sessions", tags=BTreeMap::new(), note=None, conditioned=false))]
// One parameter per Python keyword argument.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_session(
    py: Python<'_>,
    sources: &str,
    samples: Option<u64>,
    seconds: Option<f64>,
    output: &str,
    tags: BTreeMap<String, String>,
    note: Option<String>,
    conditioned: bool,
) -> PyResult<(String, String)> {
    let length = match (samples, seconds) {
        (Some(n), None) if n > 0 => Length::Samples(n),
        (None, Some(s)) if s.is_finite() && s > 0.0 && s <= 366.0 * 86_400.0 => {
            Length::Duration(Duration::from_secs_f64(s))
        }
        _ => {
            return Err(PyValueError::new_err(
                "give exactly one of samples (a positive count per source) or duration \
                 (positive seconds)",
            ));
        }
    };
    let selected = Registry::builtin()
        .select(Some(sources))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let recorder = Recorder::start(Request {
        sources: selected,
        length,
        tags,
        note,
        output: output.into(),
        command: vec!["python".into(), "wellspring.record".into(), sources.into()],
        version: env!("CARGO_PKG_VERSION").into(),
        conditioned,
    })
    .map_err(|e| PyOSError::new_err(e.to_string()))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let worker = std::thread::spawn(move || {
        recorder.run(&flag, || "interrupted by KeyboardInterrupt".into())
    });
    // Wait without the GIL, waking to let Python deliver Ctrl-C.
    let mut interrupted = None;
    while !worker.is_finished() {
        py.detach(|| std::thread::sleep(Duration::from_millis(50)));
        if interrupted.is_none()
            && let Err(e) = py.check_signals()
        {
            stop.store(true, Ordering::Relaxed);
            interrupted = Some(e);
        }
    }
    let recording = worker
        .join()
        .map_err(|_| PyOSError::new_err("the recorder thread panicked"))?
        .map_err(|e| PyOSError::new_err(e.to_string()))?;
    if let Some(e) = interrupted {
        return Err(e);
    }
    if let Some(e) = recording.write_error {
        return Err(PyOSError::new_err(format!(
            "recording stopped, everything written so far is kept in {}: {e}",
            recording.path.display()
        )));
    }
    let manifest = serde_json::to_string(&recording.manifest)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((recording.path.display().to_string(), manifest))
}

/// The session in `path`: its manifest as JSON (sample counts taken from the raw files when
/// the recording crashed) and whether it crashed.
#[pyfunction]
pub(crate) fn open_session(path: &str) -> PyResult<(String, bool)> {
    let session = wellspring_session::list::open(path.as_ref())
        .map_err(|e| PyOSError::new_err(e.to_string()))?;
    let manifest = serde_json::to_string(&session.manifest)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((manifest, session.crashed))
}

/// `analyze --json` as a JSON string: of the session in `session`, or of `data` (one source
/// called `name`).
#[pyfunction]
#[pyo3(signature = (data=None, session=None, name="data", bits_per_sample=8, windows=16, iid=false))]
pub(crate) fn analyze_json(
    py: Python<'_>,
    data: Option<&[u8]>,
    session: Option<&str>,
    name: &str,
    bits_per_sample: u8,
    windows: usize,
    iid: bool,
) -> PyResult<String> {
    use wellspring_assess::noise::analysis::AnalyzeOptions;
    use wellspring_session::analysis::{AnalyzeError, Document, analyze_one, analyze_session};
    if !(1..=8).contains(&bits_per_sample) || !(2..=1024).contains(&windows) {
        return Err(PyValueError::new_err(
            "bits_per_sample must be 1..8 and windows 2..1024",
        ));
    }
    let opts = AnalyzeOptions {
        bits_per_sample,
        windows,
        iid,
        ..AnalyzeOptions::default()
    };
    let error = |e: AnalyzeError| match e {
        AnalyzeError::Read(m) => PyOSError::new_err(m),
        AnalyzeError::Input(m) => PyValueError::new_err(m),
    };
    let document = match (data, session) {
        (Some(data), None) => {
            let source = py
                .detach(|| analyze_one(name, data, &opts))
                .map_err(error)?;
            Document {
                sources: vec![source],
                cross_correlation: Vec::new(),
            }
        }
        (None, Some(path)) => py
            .detach(|| analyze_session(path.as_ref(), &opts))
            .map_err(error)?,
        _ => {
            return Err(PyValueError::new_err(
                "give exactly one of data (bytes) or session (a session folder)",
            ));
        }
    };
    serde_json::to_string(&document).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// `compare --json` as a JSON string: of two byte strings (one entry called `name`), or of
/// two paths (session folders or raw sample files, as `wellspring compare A B` takes them).
#[pyfunction]
#[pyo3(signature = (a_data=None, b_data=None, a_path=None, b_path=None, name="data", bits_per_sample=8))]
pub(crate) fn compare_json(
    py: Python<'_>,
    a_data: Option<&[u8]>,
    b_data: Option<&[u8]>,
    a_path: Option<&str>,
    b_path: Option<&str>,
    name: &str,
    bits_per_sample: u8,
) -> PyResult<String> {
    use wellspring_assess::noise::compare::{CompareOptions, compare};
    use wellspring_session::analysis::{AnalyzeError, MIN_SAMPLES};
    use wellspring_session::compare::{CompareDocument, Side, SourceComparison, compare_sides};
    if !(1..=8).contains(&bits_per_sample) {
        return Err(PyValueError::new_err("bits_per_sample must be 1..8"));
    }
    let opts = CompareOptions {
        bits_per_sample,
        ..CompareOptions::default()
    };
    let error = |e: AnalyzeError| match e {
        AnalyzeError::Read(m) => PyOSError::new_err(m),
        AnalyzeError::Input(m) => PyValueError::new_err(m),
    };
    let document = match (a_data, b_data, a_path, b_path) {
        (Some(a), Some(b), None, None) => {
            if a.len().min(b.len()) < MIN_SAMPLES {
                return Err(PyValueError::new_err(format!(
                    "each side needs at least {MIN_SAMPLES} samples"
                )));
            }
            let comparison = py
                .detach(|| compare(a, b, &opts))
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            CompareDocument {
                a: "a".into(),
                b: "b".into(),
                sources: vec![SourceComparison {
                    name: name.to_owned(),
                    comparison,
                }],
                only_in_a: Vec::new(),
                only_in_b: Vec::new(),
            }
        }
        (None, None, Some(a), Some(b)) => {
            let sessions = std::path::Path::new("sessions");
            let a = Side::resolve(a.as_ref(), sessions).map_err(error)?;
            let b = Side::resolve(b.as_ref(), sessions).map_err(error)?;
            py.detach(|| compare_sides(&a, &b, &opts)).map_err(error)?
        }
        _ => {
            return Err(PyValueError::new_err(
                "compare two byte strings or two paths (sessions or raw files)",
            ));
        }
    };
    serde_json::to_string(&document).map_err(|e| PyValueError::new_err(e.to_string()))
}
