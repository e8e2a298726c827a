//! `assess` (SP 800-90B) and `report` (SP 800-22) for Python: each returns the very JSON
//! document the CLI prints with `--json`, so Python and the CLI can never disagree on shape.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use wellspring_assess::sp800_22::{BatteryParams, Bits, run_battery, run_streams};
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

/// SP 800-22 battery on `data` as a JSON document in the shape of `wellspring report --json`
/// (with `"streams"` added when `streams` > 1, as the CLI does).
#[pyfunction]
#[pyo3(signature = (data, input_format="bytes", samples=None, set=Vec::new(), streams=1))]
pub(crate) fn report_json(
    py: Python<'_>,
    data: &[u8],
    input_format: &str,
    samples: Option<usize>,
    set: Vec<String>,
    streams: usize,
) -> PyResult<String> {
    let bits = match input_format {
        "bytes" => Bits::from_bytes(data),
        "ascii" => Bits::from_ascii(data),
        other => {
            return Err(PyValueError::new_err(format!(
                "input_format must be 'bytes' or 'ascii', not '{other}'"
            )));
        }
    };
    let bits = match samples {
        None => bits,
        Some(n) if n <= bits.len() => bits.slice(0, n),
        Some(n) => {
            return Err(PyValueError::new_err(format!(
                "samples={n} asks for more bits than the data holds ({})",
                bits.len()
            )));
        }
    };
    if bits.is_empty() {
        return Err(PyValueError::new_err("the data holds no bits"));
    }
    if streams == 0 {
        return Err(PyValueError::new_err("streams must be at least 1"));
    }
    let mut params = BatteryParams::default();
    for assignment in &set {
        params
            .set_assignment(assignment)
            .map_err(|e| PyValueError::new_err(format!("set {assignment}: {e}")))?;
    }
    let (report, multi) = py.detach(|| {
        let report = run_battery(&bits, &params);
        let multi = (streams > 1).then(|| run_streams(&bits, streams, &params));
        (report, multi)
    });
    let mut value = serde_json::to_value(&report).map_err(to_value_error)?;
    if let Some(multi) = multi {
        let multi = multi.map_err(|e| PyValueError::new_err(e.to_string()))?;
        value["streams"] = serde_json::to_value(&multi).map_err(to_value_error)?;
    }
    serde_json::to_string(&value).map_err(to_value_error)
}

fn to_value_error(e: serde_json::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}
