//! Source discovery and machine facts for Python: `known_sources()` (every built-in source
//! with an `available` flag), `detect_available_sources()` (only the available ones, as
//! openentropy returns them) and the native half of `platform_info()`.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use wellspring_core::registry::Registry;
use wellspring_core::{EntropySource, SourceStatus, SpeedClass};

/// A source's status as a dict: name, category, description, speed, available, reason.
pub(crate) fn status_dict<'py>(py: Python<'py>, s: &SourceStatus) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", s.name)?;
    d.set_item("category", s.category.as_str())?;
    d.set_item("description", s.description)?;
    d.set_item(
        "speed",
        match s.speed {
            SpeedClass::Fast => "fast",
            SpeedClass::Slow => "slow",
        },
    )?;
    d.set_item("available", s.available)?;
    d.set_item("reason", s.reason.as_deref())?;
    Ok(d)
}

/// Probes `sources` (on the calling thread, GIL released) and lists them as dicts.
pub(crate) fn status_list<'py>(
    py: Python<'py>,
    sources: Vec<Arc<dyn EntropySource>>,
    only_available: bool,
) -> PyResult<Bound<'py, PyList>> {
    let statuses = py.detach(|| Registry::from_sources(sources).detect());
    let list = PyList::empty(py);
    for s in statuses.iter().filter(|s| s.available || !only_available) {
        list.append(status_dict(py, s)?)?;
    }
    Ok(list)
}

/// Every built-in source, available here or not: name, category, description, speed,
/// available, reason.
#[pyfunction]
pub(crate) fn known_sources<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    status_list(py, Registry::builtin().all().to_vec(), false)
}

/// The built-in sources that can collect on this machine (same dicts as `known_sources`).
#[pyfunction]
pub(crate) fn detect_available_sources<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    status_list(py, Registry::builtin().all().to_vec(), true)
}

/// What Python's `platform` module cannot say: `cpu_model` (from /proc/cpuinfo, or None),
/// `cores` (logical CPUs this process may use), `kernel_release` (or None), and whether the
/// kernel lists the `rdrand` and `rdseed` CPU flags.
#[pyfunction]
pub(crate) fn platform_details<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |key: &str| {
        cpuinfo.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == key && !v.trim().is_empty()).then(|| v.trim().to_owned())
        })
    };
    // x86 says "model name"; ARM and others use one of the rest.
    let cpu_model = ["model name", "Model", "Hardware", "cpu model", "cpu"]
        .iter()
        .find_map(|k| field(k));
    let flags = field("flags")
        .or_else(|| field("Features"))
        .unwrap_or_default();
    let has_flag = |f: &str| flags.split_whitespace().any(|x| x == f);
    let kernel_release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let d = PyDict::new(py);
    d.set_item("cpu_model", cpu_model)?;
    d.set_item(
        "cores",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    )?;
    d.set_item("kernel_release", kernel_release)?;
    d.set_item("rdrand", has_flag("rdrand"))?;
    d.set_item("rdseed", has_flag("rdseed"))?;
    Ok(d)
}
