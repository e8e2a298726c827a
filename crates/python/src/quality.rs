//! Quality figures for Python, as openentropy's module names them: `quick_shannon`,
//! `quick_min_entropy`, `grade_min_entropy`, `quick_quality`, `min_entropy_estimate` (the
//! full SP 800-90B non-IID assessment the engine credits by) and `version`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The package version (the workspace's Cargo version; maturin gives the wheel the same).
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Shannon entropy of `data` in bits per byte (0..=8); 0 for empty data.
#[pyfunction]
pub(crate) fn quick_shannon(py: Python<'_>, data: &[u8]) -> f64 {
    py.detach(|| wellspring_core::quick_shannon(data))
}

/// SP 800-90B most-common-value min-entropy estimate in bits per byte; 0 for fewer than two
/// bytes.
#[pyfunction]
pub(crate) fn quick_min_entropy(py: Python<'_>, data: &[u8]) -> f64 {
    py.detach(|| wellspring_core::quick_min_entropy(data))
}

/// Letter grade of a min-entropy per 8-bit sample: A ≥ 6, B ≥ 4, C ≥ 2, D ≥ 0.5, else F.
#[pyfunction]
pub(crate) fn grade_min_entropy(h: f64) -> PyResult<&'static str> {
    if h.is_nan() || h < 0.0 {
        return Err(PyValueError::new_err(format!(
            "h must be a min-entropy in bits per sample (>= 0), not {h}"
        )));
    }
    Ok(wellspring_core::grade_min_entropy(h))
}

/// `{"samples", "shannon", "min_entropy", "grade"}` for `data`.
#[pyfunction]
pub(crate) fn quick_quality<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyDict>> {
    let q = py.detach(|| wellspring_core::quick_quality(data));
    let d = PyDict::new(py);
    d.set_item("samples", q.samples)?;
    d.set_item("shannon", q.shannon)?;
    d.set_item("min_entropy", q.min_entropy)?;
    d.set_item("grade", q.grade)?;
    Ok(d)
}

/// The full SP 800-90B non-IID assessment of `data` (8-bit samples) in bits per byte: the
/// figure the engine credits a source by (`wellspring_core::engine::default_assessor`).
#[pyfunction]
pub(crate) fn min_entropy_estimate(py: Python<'_>, data: &[u8]) -> PyResult<f64> {
    if data.is_empty() {
        return Err(PyValueError::new_err("data is empty: nothing to assess"));
    }
    py.detach(|| wellspring_core::engine::default_assessor(data))
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "{} bytes are too few for the full SP 800-90B assessment (the predictors need \
                 more samples; 65,536 is the size the engine uses)",
                data.len()
            ))
        })
}

/// The package version string.
#[pyfunction]
pub(crate) fn version() -> &'static str {
    VERSION
}
