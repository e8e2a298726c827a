//! `assess` (SP 800-90B) and `report` (SP 800-22) for Python: each returns the very JSON
//! document the CLI prints with `--json`, so Python and the CLI can never disagree on shape.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use wellspring_assess::sp800_90b::{AssessOptions, assess};

/// SP 800-90B assessment of `data` (one sample per byte, in its low `bits_per_sample` bits)
/// as a JSON document in the shape of `wellspring assess --json`.
#[pyfunction]
#[pyo3(signature = (data, bits_per_sample=8, iid=false, seed=None))]
pub(crate) fn assess_json(
    py: Python<'_>,
    data: &[u8],
    bits_per_sample: u8,
    iid: bool,
    seed: Option<u64>,
) -> PyResult<String> {
    let opts = AssessOptions {
        bits_per_sample,
        iid,
        seed,
        ..AssessOptions::default()
    };
    let report = py
        .detach(|| assess(data, &opts))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    serde_json::to_string(&report).map_err(|e| PyValueError::new_err(e.to_string()))
}
