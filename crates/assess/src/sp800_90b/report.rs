//! The serialisable result of an assessment, shaped as the `assess --json` contract of
//! docs/JSON.md: per-set estimator results (`null` where an estimator does not apply),
//! `h_original`, `h_bitstring`, `h_assessed` and the optional IID verdict. Extra detail
//! (alphabet size, translation, skip reasons) sits in additional keys.

use std::collections::BTreeMap;

use serde::Serialize;

use super::iid::IidReport;

/// Min-entropy estimates of one sequence, one per SP 800-90B §6.3 estimator; `None`
/// (JSON `null`) where the estimator does not apply or was skipped.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EstimatorSet {
    /// §6.3.1 Most Common Value.
    pub mcv: Option<f64>,
    /// §6.3.2 Collision (binary data only).
    pub collision: Option<f64>,
    /// §6.3.3 Markov (binary data only).
    pub markov: Option<f64>,
    /// §6.3.4 Compression (binary data only).
    pub compression: Option<f64>,
    /// §6.3.5 t-Tuple.
    pub t_tuple: Option<f64>,
    /// §6.3.6 Longest Repeated Substring.
    pub lrs: Option<f64>,
    /// §6.3.7 MultiMCW prediction.
    pub multi_mcw: Option<f64>,
    /// §6.3.8 Lag prediction.
    pub lag: Option<f64>,
    /// §6.3.9 MultiMMC prediction.
    pub multi_mmc: Option<f64>,
    /// §6.3.10 LZ78Y prediction.
    pub lz78y: Option<f64>,
}

impl EstimatorSet {
    /// The smallest estimate present, if any.
    pub fn min(&self) -> Option<f64> {
        [
            self.mcv,
            self.collision,
            self.markov,
            self.compression,
            self.t_tuple,
            self.lrs,
            self.multi_mcw,
            self.lag,
            self.multi_mmc,
            self.lz78y,
        ]
        .into_iter()
        .flatten()
        .reduce(f64::min)
    }

    /// Mutable access to the estimate called `name` (the JSON key).
    pub(crate) fn slot(&mut self, name: &str) -> Option<&mut Option<f64>> {
        Some(match name {
            "mcv" => &mut self.mcv,
            "collision" => &mut self.collision,
            "markov" => &mut self.markov,
            "compression" => &mut self.compression,
            "t_tuple" => &mut self.t_tuple,
            "lrs" => &mut self.lrs,
            "multi_mcw" => &mut self.multi_mcw,
            "lag" => &mut self.lag,
            "multi_mmc" => &mut self.multi_mmc,
            "lz78y" => &mut self.lz78y,
            _ => return None,
        })
    }
}

/// Per-symbol (`original`) and per-bit (`bitstring`) estimates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Estimators {
    /// Estimates on the samples as symbols.
    pub original: EstimatorSet,
    /// Estimates on the samples expanded to bits; `None` when the data are binary.
    pub bitstring: Option<EstimatorSet>,
}

/// The result of [`assess`](super::assess), serialising to the `assess --json` contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessReport {
    /// Number of samples assessed.
    pub samples: usize,
    /// Bits per sample (1..=8).
    pub bits_per_sample: u8,
    /// Every estimator's result.
    pub estimators: Estimators,
    /// min(bits_per_sample, every original-set estimate): min-entropy per sample.
    pub h_original: f64,
    /// min(1, every bitstring estimate): min-entropy per bit; `None` for binary data.
    pub h_bitstring: Option<f64>,
    /// min(bits_per_sample, h_original, bits_per_sample × h_bitstring).
    pub h_assessed: f64,
    /// The IID track's result when requested.
    pub iid: Option<IidReport>,
    /// Number of distinct sample values (the alphabet size the estimators use).
    pub alphabet_size: usize,
    /// Whether the samples were translated to dense ranks before estimating.
    pub translated: bool,
    /// Why an estimator is `null`, keyed `"original.lrs"`, `"bitstring.t_tuple"`, ...
    pub notes: BTreeMap<String, String>,
}
