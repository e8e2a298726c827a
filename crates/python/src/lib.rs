//! `wellspring._native`: the Rust core behind the `wellspring` Python package.
//!
//! The GIL is released (`Python::detach`) around every collection and generation. Fork
//! safety: no lock is taken across `fork()`. A forked child never touches the locks its
//! parent's threads may have held at the fork (the pool's output handle, the engine's state):
//! it draws through a handle of its own per call, and the engine collects, health-tests and
//! conditions the child's own samples lock-free, so a child never repeats its parent.

mod analysis;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use wellspring_core::collect::ParallelCollector;
use wellspring_core::engine::{
    AssessmentOrigin, AssessmentStore, Engine, EngineConfig, EngineError,
};
use wellspring_core::pool::{ByteSource, Conditioning};
use wellspring_core::registry::Registry;

create_exception!(
    _native,
    HealthError,
    PyRuntimeError,
    "Raised when the entropy sources fail their health tests and no output can be produced."
);

/// Largest single request, to keep one call's memory bounded.
const MAX_REQUEST: usize = 1 << 30;

fn parse_mode(conditioning: &str) -> PyResult<Conditioning> {
    conditioning
        .parse()
        .map_err(|e: wellspring_core::pool::UnknownConditioning| {
            PyValueError::new_err(e.to_string())
        })
}

/// An engine error as a Python exception: misuse is a ValueError, anything the sources
/// cause at run time a HealthError.
fn engine_error(err: EngineError) -> PyErr {
    if err.is_usage() {
        PyValueError::new_err(err.to_string())
    } else {
        HealthError::new_err(err.to_string())
    }
}

/// An entropy pool: background harvesting, health tests and conditioned output.
#[pyclass(module = "wellspring._native")]
struct NativePool {
    engine: Engine,
    /// The pool's output handle, used only in the process that created the pool: a child
    /// forked while another thread held this lock would wait on it forever.
    output: Mutex<Box<dyn ByteSource + Send>>,
    /// The process that created the pool.
    pid: u32,
    mode: Conditioning,
    names: Vec<&'static str>,
}

#[pymethods]
impl NativePool {
    #[new]
    #[pyo3(signature = (sources=None, conditioning="sha256"))]
    fn new(sources: Option<Vec<String>>, conditioning: &str) -> PyResult<Self> {
        let mode = parse_mode(conditioning)?;
        let filter = match &sources {
            Some(list) if list.is_empty() => {
                return Err(PyValueError::new_err("sources must not be empty"));
            }
            Some(list) => Some(list.join(",")),
            None => None,
        };
        let selected = Registry::builtin()
            .select(filter.as_deref())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let names = selected.iter().map(|s| s.name()).collect();
        let mut config = EngineConfig::new(selected);
        // Full-size assessments from earlier runs on this machine, as the CLI keeps them.
        config.assessment_store = AssessmentStore::at_default_path();
        let engine = Engine::start(config).map_err(engine_error)?;
        let output = Mutex::new(engine.output(mode).map_err(engine_error)?);
        Ok(NativePool {
            engine,
            output,
            pid: std::process::id(),
            mode,
            names,
        })
    }

    /// `n` random bytes in the pool's conditioning mode.
    fn get_random_bytes<'py>(&self, py: Python<'py>, n: i64) -> PyResult<Bound<'py, PyBytes>> {
        if n < 0 || n as usize > MAX_REQUEST {
            return Err(PyValueError::new_err(format!(
                "n must be between 0 and {MAX_REQUEST}, not {n}"
            )));
        }
        let mut buffer = vec![0u8; n as usize];
        let result = py.detach(|| {
            if std::process::id() == self.pid {
                let mut output = self.output.lock().unwrap_or_else(|p| p.into_inner());
                output.fill(&mut buffer)
            } else {
                // In a forked child: a handle of its own for this call, never the parent's
                // lock; the engine collects and tests the child's own samples lock-free.
                self.engine
                    .output(self.mode)
                    .and_then(|mut output| output.fill(&mut buffer))
            }
        });
        result.map_err(engine_error)?;
        Ok(PyBytes::new(py, &buffer))
    }

    /// The conditioning mode.
    #[getter]
    fn conditioning(&self) -> &'static str {
        self.mode.as_str()
    }

    /// Number of sources in the pool.
    #[getter]
    fn source_count(&self) -> usize {
        self.names.len()
    }

    /// Names of the pool's sources.
    fn sources(&self) -> Vec<&'static str> {
        self.names.clone()
    }

    /// `{"healthy": n, "total": n, "sources": [...]}` from the engine's health state.
    fn health_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let status = py.detach(|| self.engine.status());
        let report = PyDict::new(py);
        report.set_item("healthy", status.sources_healthy)?;
        report.set_item("total", status.sources_total)?;
        report.set_item("credited_bits", status.credited_bits)?;
        report.set_item("reseeds", status.reseeds)?;
        report.set_item("blocks_revoked", status.blocks_revoked)?;
        report.set_item("diversity", status.diversity)?;
        let list = PyList::empty(py);
        for s in &status.sources {
            let d = PyDict::new(py);
            d.set_item("name", s.name)?;
            d.set_item("category", s.category.as_str())?;
            d.set_item("family", &s.family)?;
            d.set_item("healthy", s.healthy)?;
            d.set_item("quarantined", s.quarantined)?;
            d.set_item("min_entropy", s.min_entropy)?;
            // Where min_entropy came from: "startup" (earns nothing), "stored" (an earlier
            // run's full-size assessment on this machine), "full" (this run's) or "trusted"
            // (a platform generator's vendor claim).
            d.set_item("assessment", s.assessment.map(AssessmentOrigin::as_str))?;
            d.set_item("assessment_samples", s.assessment_samples)?;
            d.set_item("credited", s.credited)?;
            d.set_item("credited_bits_per_second", s.credited_bits_per_second)?;
            d.set_item("samples", s.samples)?;
            d.set_item("credited_bits", s.credited_bits)?;
            d.set_item("last_error", s.last_error.clone())?;
            list.append(d)?;
        }
        report.set_item("sources", list)?;
        Ok(report)
    }

    /// Collects `samples` raw samples from every source; returns name -> dict with
    /// `samples` (bytes or None), `seconds` and `error`.
    #[pyo3(signature = (parallel=true, timeout=10.0, samples=1024))]
    fn collect_all<'py>(
        &self,
        py: Python<'py>,
        parallel: bool,
        timeout: f64,
        samples: i64,
    ) -> PyResult<Bound<'py, PyDict>> {
        if !(timeout.is_finite() && timeout > 0.0 && timeout <= 3600.0) {
            return Err(PyValueError::new_err(format!(
                "timeout must be between 0 and 3600 seconds, not {timeout}"
            )));
        }
        if !(1..=10_000_000).contains(&samples) {
            return Err(PyValueError::new_err(format!(
                "samples must be between 1 and 10000000, not {samples}"
            )));
        }
        let registry = Registry::builtin();
        let sources: Vec<_> = self.names.iter().filter_map(|n| registry.find(n)).collect();
        let limit = Duration::from_secs_f64(timeout);
        let rounds = py.detach(|| {
            if parallel {
                ParallelCollector::new(sources, limit).collect(samples as usize)
            } else {
                // One at a time, each with what is left of the overall timeout.
                let start = Instant::now();
                sources
                    .into_iter()
                    .flat_map(|s| {
                        let left = limit
                            .saturating_sub(start.elapsed())
                            .max(Duration::from_millis(1));
                        ParallelCollector::new(vec![s], left).collect(samples as usize)
                    })
                    .collect()
            }
        });
        let out = PyDict::new(py);
        for c in rounds {
            let d = PyDict::new(py);
            match c.outcome {
                Ok(bytes) => {
                    d.set_item("samples", PyBytes::new(py, &bytes))?;
                    d.set_item("error", py.None())?;
                }
                Err(e) => {
                    d.set_item("samples", py.None())?;
                    d.set_item("error", e)?;
                }
            }
            d.set_item("seconds", c.seconds)?;
            out.set_item(c.name, d)?;
        }
        Ok(out)
    }
}

/// Every known source: name, category, description, available, reason.
#[pyfunction]
fn detect_available_sources<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let statuses = py.detach(wellspring_core::detect_available_sources);
    let list = PyList::empty(py);
    for s in statuses {
        let d = PyDict::new(py);
        d.set_item("name", s.name)?;
        d.set_item("category", s.category.as_str())?;
        d.set_item("description", s.description)?;
        d.set_item("available", s.available)?;
        d.set_item("reason", s.reason)?;
        list.append(d)?;
    }
    Ok(list)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativePool>()?;
    m.add_function(wrap_pyfunction!(detect_available_sources, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::assess_json, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::report_json, m)?)?;
    m.add("HealthError", m.py().get_type::<HealthError>())?;
    Ok(())
}
