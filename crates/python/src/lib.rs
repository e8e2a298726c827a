//! `wellspring._native`: the Rust core behind the `wellspring` Python package.
//!
//! The GIL is released (`Python::detach`) around every collection, generation and
//! assessment. Fork safety: no lock is taken across `fork()`. A forked child never touches
//! the locks its parent's threads may have held at the fork (the pool's output handles, the
//! per-source engines' handles, the engines' state): it draws through a handle of its own per
//! call, and the engine collects, health-tests and conditions the child's own samples
//! lock-free, so a child never repeats its parent.
//!
//! Modules: [`pool`] (the `NativePool` class), [`quality`] (the quick quality figures and
//! the full SP 800-90B estimate), [`platform`] (source discovery and machine facts) and
//! [`analysis`] (`assess`/`report` as the CLI's JSON) and [`session`] (`record`,
//! `load_session`).

mod analysis;
mod platform;
mod pool;
mod quality;
mod session;

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use wellspring_core::engine::EngineError;
use wellspring_core::pool::Conditioning;

create_exception!(
    _native,
    HealthError,
    PyRuntimeError,
    "Raised when the entropy sources fail their health tests and no output can be produced."
);

/// Largest single request, to keep one call's memory bounded.
pub(crate) const MAX_REQUEST: usize = 1 << 30;

/// The conditioning mode named `conditioning`, or a ValueError.
pub(crate) fn parse_mode(conditioning: &str) -> PyResult<Conditioning> {
    conditioning
        .parse()
        .map_err(|e: wellspring_core::pool::UnknownConditioning| {
            PyValueError::new_err(e.to_string())
        })
}

/// A request size checked against `0..=MAX_REQUEST`.
pub(crate) fn request_len(n: i64) -> PyResult<usize> {
    if n < 0 || n as u64 > MAX_REQUEST as u64 {
        return Err(PyValueError::new_err(format!(
            "n must be between 0 and {MAX_REQUEST}, not {n}"
        )));
    }
    Ok(n as usize)
}

/// An engine error as a Python exception: misuse is a ValueError, anything the sources
/// cause at run time a HealthError.
pub(crate) fn engine_error(err: EngineError) -> PyErr {
    if err.is_usage() {
        PyValueError::new_err(err.to_string())
    } else {
        HealthError::new_err(err.to_string())
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<pool::NativePool>()?;
    m.add_function(wrap_pyfunction!(platform::known_sources, m)?)?;
    m.add_function(wrap_pyfunction!(platform::detect_available_sources, m)?)?;
    m.add_function(wrap_pyfunction!(platform::platform_details, m)?)?;
    m.add_function(wrap_pyfunction!(quality::quick_shannon, m)?)?;
    m.add_function(wrap_pyfunction!(quality::quick_min_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(quality::grade_min_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(quality::quick_quality, m)?)?;
    m.add_function(wrap_pyfunction!(quality::min_entropy_estimate, m)?)?;
    m.add_function(wrap_pyfunction!(quality::version, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::assess_json, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::report_json, m)?)?;
    m.add_function(wrap_pyfunction!(session::record_session, m)?)?;
    m.add_function(wrap_pyfunction!(session::open_session, m)?)?;
    m.add_function(wrap_pyfunction!(session::analyze_json, m)?)?;
    m.add_function(wrap_pyfunction!(session::compare_json, m)?)?;
    m.add("HealthError", m.py().get_type::<HealthError>())?;
    m.add("__version__", quality::VERSION)?;
    Ok(())
}
