//! `NativePool`, the engine behind `wellspring.EntropyPool`: output in any conditioning
//! mode, output from one named source, health and raw collection.
//!
//! Fork safety: every lock here (the output handles, one per mode, of the pool and of each
//! per-source engine) is taken only in the process that created the pool. `OnceLock::get` is
//! a plain atomic read, so a forked child can see which handles and per-source engines exist
//! without waiting on anything; it then draws through a handle of its own for the call.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use wellspring_core::EntropySource;
use wellspring_core::collect::ParallelCollector;
use wellspring_core::engine::{
    AssessmentOrigin, AssessmentStore, Engine, EngineConfig, EngineError,
};
use wellspring_core::pool::{ByteSource, Conditioning};
use wellspring_core::registry::Registry;

use crate::{engine_error, parse_mode, platform, request_len};

/// How long one raw collection round from a single source may take.
const RAW_TIMEOUT: Duration = Duration::from_secs(10);
/// Samples asked of a single source per raw collection round.
const RAW_CHUNK: usize = 1 << 16;

type Handle = Mutex<Box<dyn ByteSource + Send>>;

/// An engine and its output handles, one per conditioning mode, made on first use.
struct Outputs {
    engine: Engine,
    handles: [OnceLock<Handle>; 3],
}

fn mode_index(mode: Conditioning) -> usize {
    match mode {
        Conditioning::Raw => 0,
        Conditioning::Sha256 => 1,
        Conditioning::Drbg => 2,
    }
}

impl Outputs {
    fn new(engine: Engine) -> Self {
        Outputs {
            engine,
            handles: Default::default(),
        }
    }

    /// Starts an engine over `sources`, keeping full-size assessments where the CLI keeps
    /// them so that later starts on this machine credit at once.
    fn start(sources: Vec<Arc<dyn EntropySource>>) -> Result<Self, EngineError> {
        let mut config = EngineConfig::new(sources);
        config.assessment_store = AssessmentStore::at_default_path();
        Ok(Outputs::new(Engine::start(config)?))
    }

    /// The cached handle for `mode`, made now if this is its first use. Only ever called
    /// in the process that created the pool.
    fn handle(&self, mode: Conditioning) -> Result<&Handle, EngineError> {
        let slot = &self.handles[mode_index(mode)];
        if let Some(handle) = slot.get() {
            return Ok(handle);
        }
        let fresh = self.engine.output(mode)?;
        // A thread racing us may have stored its handle first; then ours is dropped.
        let _ = slot.set(Mutex::new(fresh));
        Ok(slot.get().expect("the slot was set above"))
    }

    /// Fills `out` in `mode`: through the cached handle in the creating process, through a
    /// handle of its own for this call in a forked child (never the parent's lock).
    fn fill(&self, mode: Conditioning, out: &mut [u8], creator: bool) -> Result<(), EngineError> {
        if creator {
            let handle = self.handle(mode)?;
            handle.lock().unwrap_or_else(|p| p.into_inner()).fill(out)
        } else {
            self.engine.output(mode)?.fill(out)
        }
    }
}

/// Fills `out` with raw samples of `source` collected now, in rounds of at most
/// [`RAW_CHUNK`] samples, each under [`RAW_TIMEOUT`].
fn collect_raw(source: &Arc<dyn EntropySource>, out: &mut [u8]) -> Result<(), EngineError> {
    let collector = ParallelCollector::new(vec![Arc::clone(source)], RAW_TIMEOUT);
    let mut filled = 0;
    while filled < out.len() {
        let want = (out.len() - filled).min(RAW_CHUNK);
        let why = match collector.collect(want).pop().map(|c| c.outcome) {
            Some(Ok(samples)) if !samples.is_empty() => {
                let take = samples.len().min(want);
                out[filled..filled + take].copy_from_slice(&samples[..take]);
                filled += take;
                continue;
            }
            Some(Ok(_)) => "no samples".to_owned(),
            Some(Err(why)) => why,
            None => "nothing collected".to_owned(),
        };
        return Err(EngineError::RawFailed(format!("{}: {why}", source.name())));
    }
    Ok(())
}

/// An entropy pool: background harvesting, health tests and conditioned output.
#[pyclass(module = "wellspring._native")]
pub(crate) struct NativePool {
    /// The pool's engine and its output handles (used only in the creating process).
    main: Outputs,
    /// The process that created the pool: a child forked while another thread held one of
    /// the handles' locks would wait on it forever, so children never take them.
    pid: u32,
    mode: Conditioning,
    sources: Vec<Arc<dyn EntropySource>>,
    names: Vec<&'static str>,
    /// Per source (in `names` order), an engine over that source alone, started by the first
    /// conditioned `get_source_bytes` for it and kept for the pool's lifetime.
    per_source: Vec<OnceLock<Outputs>>,
}

impl NativePool {
    fn creator(&self) -> bool {
        std::process::id() == self.pid
    }

    /// `n` bytes of the pool's output in `mode`.
    fn draw<'py>(
        &self,
        py: Python<'py>,
        n: i64,
        mode: Conditioning,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut buffer = vec![0u8; request_len(n)?];
        let creator = self.creator();
        py.detach(|| self.main.fill(mode, &mut buffer, creator))
            .map_err(engine_error)?;
        Ok(PyBytes::new(py, &buffer))
    }

    fn source_index(&self, name: &str) -> PyResult<usize> {
        self.names.iter().position(|n| *n == name).ok_or_else(|| {
            PyValueError::new_err(format!(
                "'{name}' is not one of this pool's sources ({})",
                self.names.join(", ")
            ))
        })
    }

    /// Fills `out` from source `index` alone in `mode` (GIL released by the caller).
    fn fill_from_source(
        &self,
        index: usize,
        mode: Conditioning,
        out: &mut [u8],
    ) -> Result<(), EngineError> {
        let source = &self.sources[index];
        if mode == Conditioning::Raw {
            return collect_raw(source, out);
        }
        let slot = &self.per_source[index];
        if let Some(outputs) = slot.get() {
            return outputs.fill(mode, out, self.creator());
        }
        let started = Outputs::start(vec![Arc::clone(source)])?;
        if !self.creator() {
            // A forked child never stores into the parent's slots (a parent thread may have
            // been storing at the fork); an engine of its own serves this one call.
            return started.fill(mode, out, false);
        }
        // A thread racing us may have stored its engine first; then ours stops here.
        let _ = slot.set(started);
        slot.get()
            .expect("the slot was set above")
            .fill(mode, out, true)
    }
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
        let per_source = selected.iter().map(|_| OnceLock::new()).collect();
        let main = Outputs::start(selected.clone()).map_err(engine_error)?;
        // The pool's own mode is checked now, so a bad pool fails at construction.
        main.handle(mode).map_err(engine_error)?;
        Ok(NativePool {
            main,
            pid: std::process::id(),
            mode,
            sources: selected,
            names,
            per_source,
        })
    }

    /// `n` random bytes in the pool's conditioning mode.
    fn get_random_bytes<'py>(&self, py: Python<'py>, n: i64) -> PyResult<Bound<'py, PyBytes>> {
        self.draw(py, n, self.mode)
    }

    /// `n` bytes of the pool's output in `conditioning` (`sha256`, `drbg` or `raw`),
    /// whatever the pool's own mode.
    #[pyo3(signature = (n, conditioning="sha256"))]
    fn get_bytes<'py>(
        &self,
        py: Python<'py>,
        n: i64,
        conditioning: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mode = parse_mode(conditioning)?;
        self.draw(py, n, mode)
    }

    /// `n` unconditioned bytes: the XOR of fresh raw samples of every source.
    fn get_raw_bytes<'py>(&self, py: Python<'py>, n: i64) -> PyResult<Bound<'py, PyBytes>> {
        self.draw(py, n, Conditioning::Raw)
    }

    /// `n` bytes from the source `name` alone: its raw samples collected now (`raw`), or
    /// the output of an engine over that source only (`sha256`, `drbg`).
    #[pyo3(signature = (name, n, conditioning="sha256"))]
    fn get_source_bytes<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        n: i64,
        conditioning: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let index = self.source_index(name)?;
        let mode = parse_mode(conditioning)?;
        let mut buffer = vec![0u8; request_len(n)?];
        py.detach(|| self.fill_from_source(index, mode, &mut buffer))
            .map_err(engine_error)?;
        Ok(PyBytes::new(py, &buffer))
    }

    /// `n` raw samples of the source `name`, collected now.
    fn get_source_raw_bytes<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        n: i64,
    ) -> PyResult<Bound<'py, PyBytes>> {
        self.get_source_bytes(py, name, n, "raw")
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

    /// The pool's sources as dicts, as `known_sources()` lists them.
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        platform::status_list(py, self.sources.clone(), false)
    }

    /// Names of the pool's sources.
    fn source_names(&self) -> Vec<&'static str> {
        self.names.clone()
    }
    /// `{"healthy": n, "total": n, "sources": [...]}` from the engine's health state.
    fn health_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let status = py.detach(|| self.main.engine.status());
        let report = PyDict::new(py);
        report.set_item("healthy", status.sources_healthy)?;
        report.set_item("total", status.sources_total)?;
        report.set_item("credited_bits", status.credited_bits)?;
        report.set_item("reseeds", status.reseeds)?;
        report.set_item("blocks_revoked", status.blocks_revoked)?;
        report.set_item("blocks_available", status.blocks_available)?;
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
