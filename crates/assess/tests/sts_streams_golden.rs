//! Agreement of the multi-stream analysis with NIST's sts 2.1.2 `finalAnalysisReport.txt`.
//!
//! Provenance: sts 2.1.2 (the build described in `sts_golden.rs`) run on 2026-11-22 as
//! `./assess 1000000` with 10 bit streams, binary input, default parameters, on the
//! 1,250,000 bytes of `splitmix_bytes(25, 1_250_000)` (10^7 bits). Each row below is one
//! line of its `finalAnalysisReport.txt`, in its order: the ten histogram counts C1..C10,
//! the uniformity P-VALUE (`None` where sts prints `----`, fewer than ten samples) and the
//! PROPORTION passing/sample size. Random excursions applied in 6 of the 10 streams.
//! The uniformity is printed to six decimals, so agreement is to 1e-6.

#![allow(clippy::excessive_precision, clippy::unreadable_literal)]

mod common;

use common::datasets::splitmix_bytes;
use wellspring_assess::sp800_22::{BatteryParams, Bits, run_streams};

type Row = ([usize; 10], Option<f64>, usize, usize);

#[rustfmt::skip]
const FINAL_ANALYSIS: &[Row] = &[
    ([0, 1, 2, 1, 0, 2, 0, 1, 1, 2], Some(0.739918), 10, 10), // Frequency
    ([1, 2, 1, 1, 0, 1, 0, 2, 2, 0], Some(0.739918), 10, 10), // BlockFrequency
    ([1, 1, 1, 2, 0, 2, 0, 2, 0, 1], Some(0.739918), 10, 10), // CumulativeSums
    ([0, 1, 0, 3, 1, 1, 0, 2, 1, 1], Some(0.534146), 10, 10), // CumulativeSums
    ([0, 2, 2, 0, 1, 1, 1, 2, 1, 0], Some(0.739918), 10, 10), // Runs
    ([1, 1, 2, 0, 0, 0, 1, 2, 1, 2], Some(0.739918), 10, 10), // LongestRun
    ([2, 1, 0, 2, 0, 1, 0, 1, 2, 1], Some(0.739918), 10, 10), // Rank
    ([0, 0, 2, 0, 4, 0, 1, 0, 2, 1], Some(0.066882), 10, 10), // FFT
    ([3, 1, 2, 1, 1, 0, 0, 0, 1, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([2, 1, 1, 1, 2, 1, 0, 1, 1, 0], Some(0.911413), 9, 10), // NonOverlappingTemplate
    ([3, 1, 0, 0, 2, 1, 1, 0, 1, 1], Some(0.534146), 9, 10), // NonOverlappingTemplate
    ([0, 2, 1, 3, 1, 0, 0, 2, 0, 1], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 1, 0, 1, 2, 0, 2, 0, 2, 2], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([2, 0, 4, 1, 1, 0, 1, 0, 0, 1], Some(0.122325), 9, 10), // NonOverlappingTemplate
    ([0, 0, 1, 1, 2, 1, 1, 1, 1, 2], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([3, 1, 1, 0, 0, 3, 0, 0, 2, 0], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([1, 2, 2, 1, 0, 0, 1, 0, 1, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 0, 2, 0, 1, 3, 0, 0, 2, 1], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([1, 0, 2, 1, 1, 0, 0, 1, 4, 0], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([2, 1, 1, 1, 1, 0, 0, 3, 1, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 0, 1, 3, 1, 1, 1, 0, 2, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 0, 0, 2, 3, 0, 3, 2, 0, 0], Some(0.066882), 10, 10), // NonOverlappingTemplate
    ([1, 0, 2, 1, 1, 2, 1, 1, 1, 0], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 0, 1, 1, 1, 2, 1, 0, 3, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([1, 0, 2, 0, 1, 1, 1, 0, 3, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 0, 0, 0, 2, 2, 2, 4, 0, 0], Some(0.035174), 10, 10), // NonOverlappingTemplate
    ([1, 1, 2, 0, 1, 1, 2, 0, 1, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([3, 1, 0, 2, 0, 0, 0, 2, 1, 1], Some(0.350485), 9, 10), // NonOverlappingTemplate
    ([1, 0, 3, 0, 1, 0, 2, 1, 0, 2], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([1, 3, 2, 0, 0, 0, 1, 1, 0, 2], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([3, 0, 0, 1, 1, 1, 1, 1, 0, 2], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([2, 0, 2, 0, 1, 1, 1, 2, 1, 0], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 0, 2, 0, 1, 0, 1, 2, 1, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 2, 1, 3, 1, 1, 1, 0, 0, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([1, 2, 1, 1, 1, 0, 0, 1, 2, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([3, 0, 2, 0, 1, 0, 1, 1, 0, 2], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 2, 2, 1, 0, 0, 1, 1, 2, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 0, 0, 1, 1, 1, 2, 1, 0, 3], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([4, 1, 0, 1, 2, 0, 0, 0, 0, 2], Some(0.066882), 9, 10), // NonOverlappingTemplate
    ([0, 0, 0, 1, 1, 1, 3, 1, 3, 0], Some(0.213309), 10, 10), // NonOverlappingTemplate
    ([0, 2, 2, 2, 1, 1, 0, 1, 0, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 1, 2, 3, 1, 1, 0, 1, 1, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 0, 0, 4, 0, 3, 1, 1, 0, 1], Some(0.035174), 10, 10), // NonOverlappingTemplate
    ([0, 3, 1, 2, 1, 0, 0, 0, 0, 3], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([3, 1, 2, 0, 0, 1, 0, 0, 1, 2], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 3, 1, 2, 1, 2, 1, 0, 0, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([1, 1, 0, 2, 0, 2, 2, 1, 0, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 1, 2, 2, 1, 0, 2, 0, 1, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([2, 2, 2, 0, 1, 1, 1, 1, 0, 0], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 2, 1, 0, 2, 0, 2, 1, 0, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([2, 0, 4, 1, 0, 1, 1, 1, 0, 0], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([1, 1, 3, 2, 0, 1, 0, 1, 1, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([2, 0, 1, 1, 1, 2, 0, 2, 0, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 0, 1, 1, 1, 1, 1, 0, 0, 4], Some(0.213309), 9, 10), // NonOverlappingTemplate
    ([0, 3, 0, 4, 1, 0, 1, 1, 0, 0], Some(0.035174), 10, 10), // NonOverlappingTemplate
    ([0, 0, 2, 1, 1, 0, 1, 2, 1, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 2, 1, 0, 0, 2, 1, 2, 1, 0], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 0, 1, 4, 0, 1, 1, 0, 0, 2], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([2, 1, 0, 2, 0, 0, 1, 1, 2, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 2, 1, 1, 0, 1, 1, 1, 1, 1], Some(0.991468), 10, 10), // NonOverlappingTemplate
    ([0, 1, 1, 2, 0, 3, 1, 1, 0, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([3, 0, 0, 2, 0, 3, 0, 1, 0, 1], Some(0.122325), 9, 10), // NonOverlappingTemplate
    ([0, 0, 1, 0, 0, 2, 1, 1, 2, 3], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([1, 1, 1, 2, 1, 0, 0, 1, 2, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 1, 0, 0, 2, 0, 2, 2, 1, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 3, 1, 1, 1, 1, 0, 1, 2, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([1, 1, 1, 0, 0, 2, 2, 1, 2, 0], Some(0.739918), 9, 10), // NonOverlappingTemplate
    ([1, 3, 0, 0, 0, 3, 1, 1, 0, 1], Some(0.213309), 10, 10), // NonOverlappingTemplate
    ([0, 2, 3, 0, 0, 3, 0, 0, 1, 1], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([0, 1, 3, 0, 1, 0, 2, 3, 0, 0], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([2, 1, 1, 0, 0, 2, 2, 1, 1, 0], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 2, 1, 2, 0, 0, 1, 2, 1, 0], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 2, 1, 1, 1, 1, 1, 2, 0, 0], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([2, 3, 1, 1, 0, 1, 0, 0, 0, 2], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([1, 0, 1, 3, 0, 2, 0, 0, 1, 2], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([2, 0, 4, 1, 0, 0, 1, 1, 0, 1], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([2, 0, 1, 1, 1, 1, 1, 0, 1, 2], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([2, 0, 0, 0, 2, 0, 2, 2, 1, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([3, 0, 1, 1, 0, 2, 1, 0, 1, 1], Some(0.534146), 9, 10), // NonOverlappingTemplate
    ([1, 1, 1, 0, 1, 0, 3, 2, 1, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 0, 1, 1, 0, 1, 4, 1, 1, 1], Some(0.213309), 10, 10), // NonOverlappingTemplate
    ([1, 3, 1, 0, 2, 0, 0, 2, 1, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([3, 1, 2, 1, 1, 0, 0, 0, 1, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([1, 1, 1, 0, 3, 0, 2, 0, 2, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 2, 1, 3, 1, 1, 1, 0, 0, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 0, 0, 3, 1, 2, 1, 0, 2, 1], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([1, 1, 0, 1, 2, 1, 1, 1, 1, 1], Some(0.991468), 10, 10), // NonOverlappingTemplate
    ([1, 1, 3, 0, 2, 2, 0, 0, 1, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 1, 1, 1, 2, 1, 1, 0, 2, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([0, 2, 1, 1, 1, 2, 1, 2, 0, 0], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([2, 1, 1, 1, 0, 0, 0, 1, 3, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([3, 0, 1, 1, 1, 2, 0, 2, 0, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([2, 0, 0, 2, 1, 1, 1, 2, 1, 0], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 1, 1, 3, 1, 1, 0, 2, 1, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([2, 2, 0, 1, 1, 2, 0, 1, 1, 0], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 2, 2, 0, 1, 3, 1, 0, 1, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 2, 1, 1, 1, 0, 1, 1, 2, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([2, 0, 0, 2, 1, 1, 1, 1, 1, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 0, 1, 0, 2, 0, 1, 2, 2, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 4, 0, 0, 0, 0, 2, 2, 0, 2], Some(0.035174), 10, 10), // NonOverlappingTemplate
    ([0, 2, 3, 0, 2, 0, 0, 1, 1, 1], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([2, 0, 0, 0, 0, 0, 1, 2, 2, 3], Some(0.213309), 10, 10), // NonOverlappingTemplate
    ([1, 1, 0, 2, 0, 1, 2, 1, 0, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 0, 0, 1, 0, 2, 2, 0, 2, 2], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([2, 2, 0, 0, 1, 0, 1, 0, 1, 3], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([1, 1, 1, 2, 1, 0, 0, 0, 3, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([1, 0, 2, 4, 0, 0, 0, 1, 0, 2], Some(0.066882), 10, 10), // NonOverlappingTemplate
    ([0, 2, 0, 1, 3, 0, 1, 0, 0, 3], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([1, 1, 0, 2, 1, 2, 1, 1, 0, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([0, 2, 2, 1, 1, 0, 0, 1, 1, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 4, 1, 0, 0, 1, 0, 0, 1, 3], Some(0.035174), 10, 10), // NonOverlappingTemplate
    ([1, 1, 0, 0, 3, 1, 1, 1, 1, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([2, 1, 0, 1, 3, 0, 2, 0, 1, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([2, 2, 0, 1, 1, 2, 0, 1, 0, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 1, 2, 1, 0, 1, 0, 2, 2, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 0, 0, 1, 1, 3, 2, 0, 0, 2], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 1, 2, 0, 2, 1, 1, 1, 0, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 1, 0, 2, 1, 2, 1, 1, 1, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 1, 0, 1, 2, 0, 1, 1, 1, 2], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 0, 1, 3, 0, 2, 0, 1, 1, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 0, 3, 0, 0, 0, 2, 2, 3, 0], Some(0.066882), 10, 10), // NonOverlappingTemplate
    ([2, 1, 0, 0, 1, 1, 2, 1, 1, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 0, 0, 1, 1, 1, 2, 1, 3, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 2, 0, 1, 0, 2, 2, 0, 2, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 1, 0, 0, 1, 0, 2, 2, 1, 3], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 1, 2, 1, 0, 5, 0, 0, 1, 0], Some(0.008879), 10, 10), // NonOverlappingTemplate
    ([0, 1, 2, 1, 2, 1, 1, 0, 1, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([0, 1, 2, 0, 0, 3, 2, 1, 1, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 1, 1, 0, 1, 1, 1, 1, 2, 2], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 0, 1, 1, 0, 0, 2, 2, 1, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 1, 0, 1, 0, 1, 2, 1, 2, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 0, 2, 1, 1, 2, 1, 1, 0, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([2, 2, 0, 0, 0, 0, 2, 0, 2, 2], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 0, 0, 3, 0, 3, 1, 1, 1, 1], Some(0.213309), 10, 10), // NonOverlappingTemplate
    ([0, 0, 0, 2, 1, 1, 2, 2, 0, 2], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 1, 0, 2, 1, 2, 1, 2, 0, 1], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 1, 2, 2, 1, 0, 0, 1, 1, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([1, 1, 1, 0, 1, 1, 2, 1, 1, 1], Some(0.991468), 10, 10), // NonOverlappingTemplate
    ([0, 0, 1, 3, 2, 1, 0, 2, 1, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([1, 2, 0, 0, 0, 1, 2, 4, 0, 0], Some(0.066882), 10, 10), // NonOverlappingTemplate
    ([0, 1, 0, 2, 0, 2, 2, 2, 0, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([1, 0, 3, 1, 0, 1, 2, 1, 0, 1], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([1, 2, 1, 0, 1, 1, 0, 0, 2, 2], Some(0.739918), 10, 10), // NonOverlappingTemplate
    ([0, 0, 1, 0, 3, 3, 1, 2, 0, 0], Some(0.122325), 10, 10), // NonOverlappingTemplate
    ([1, 0, 1, 0, 2, 2, 1, 1, 1, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([2, 1, 0, 0, 1, 0, 3, 2, 0, 1], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([2, 1, 1, 1, 2, 1, 1, 0, 0, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([2, 0, 2, 0, 1, 0, 0, 2, 1, 2], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([1, 1, 2, 0, 2, 1, 0, 1, 1, 1], Some(0.911413), 9, 10), // NonOverlappingTemplate
    ([1, 1, 1, 0, 1, 1, 0, 2, 1, 2], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([0, 0, 2, 0, 1, 3, 2, 1, 0, 1], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([0, 1, 1, 0, 2, 1, 2, 3, 0, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([2, 2, 0, 2, 1, 1, 0, 2, 0, 0], Some(0.534146), 10, 10), // NonOverlappingTemplate
    ([0, 1, 1, 0, 2, 2, 1, 1, 1, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 1, 1, 0, 0, 1, 2, 2, 1, 1], Some(0.911413), 10, 10), // NonOverlappingTemplate
    ([1, 3, 1, 0, 2, 0, 0, 2, 1, 0], Some(0.350485), 10, 10), // NonOverlappingTemplate
    ([2, 1, 0, 2, 1, 0, 0, 1, 1, 2], Some(0.739918), 10, 10), // OverlappingTemplate
    ([0, 1, 2, 2, 0, 0, 2, 1, 1, 1], Some(0.739918), 10, 10), // Universal
    ([1, 2, 1, 0, 0, 0, 4, 1, 0, 1], Some(0.122325), 10, 10), // ApproximateEntropy
    ([0, 1, 1, 1, 1, 0, 0, 0, 1, 1], None, 6, 6), // RandomExcursions
    ([2, 0, 1, 0, 2, 0, 0, 0, 0, 1], None, 6, 6), // RandomExcursions
    ([0, 0, 1, 1, 0, 0, 0, 0, 2, 2], None, 6, 6), // RandomExcursions
    ([0, 1, 1, 0, 1, 1, 0, 1, 1, 0], None, 6, 6), // RandomExcursions
    ([1, 0, 0, 0, 2, 1, 0, 0, 2, 0], None, 6, 6), // RandomExcursions
    ([0, 0, 1, 0, 1, 2, 0, 0, 0, 2], None, 6, 6), // RandomExcursions
    ([0, 1, 1, 0, 0, 2, 1, 0, 1, 0], None, 6, 6), // RandomExcursions
    ([0, 0, 1, 1, 2, 1, 0, 1, 0, 0], None, 6, 6), // RandomExcursions
    ([0, 0, 0, 1, 3, 0, 0, 1, 1, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 0, 0, 0, 1, 0, 2, 2, 1, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 0, 0, 1, 0, 1, 0, 2, 1, 1], None, 6, 6), // RandomExcursionsVariant
    ([0, 1, 0, 1, 0, 1, 1, 0, 1, 1], None, 6, 6), // RandomExcursionsVariant
    ([0, 0, 1, 1, 0, 0, 1, 1, 1, 1], None, 6, 6), // RandomExcursionsVariant
    ([0, 0, 1, 0, 0, 0, 0, 1, 3, 1], None, 6, 6), // RandomExcursionsVariant
    ([0, 1, 0, 0, 0, 1, 0, 2, 2, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 1, 1, 0, 0, 1, 0, 0, 1, 2], None, 6, 6), // RandomExcursionsVariant
    ([0, 0, 2, 0, 0, 1, 1, 1, 1, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 2, 0, 1, 0, 2, 1, 0, 0, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 1, 1, 0, 1, 0, 1, 0, 2, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 2, 1, 0, 1, 0, 1, 0, 1, 0], None, 6, 6), // RandomExcursionsVariant
    ([1, 0, 2, 1, 0, 0, 0, 0, 2, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 1, 1, 1, 2, 1, 0, 0, 0, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 0, 2, 0, 3, 0, 0, 1, 0, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 0, 4, 0, 1, 0, 1, 0, 0, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 2, 0, 2, 1, 1, 0, 0, 0, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 2, 0, 2, 1, 0, 0, 0, 1, 0], None, 6, 6), // RandomExcursionsVariant
    ([0, 2, 5, 0, 1, 1, 0, 0, 0, 1], Some(0.008879), 10, 10), // Serial
    ([2, 4, 0, 0, 0, 0, 2, 0, 1, 1], Some(0.066882), 10, 10), // Serial
    ([1, 0, 0, 2, 2, 1, 2, 1, 0, 1], Some(0.739918), 9, 10), // LinearComplexity
];

#[test]
fn ten_streams_of_a_million_bits() {
    let bits = Bits::from_bytes(&splitmix_bytes(25, 1_250_000));
    let report = run_streams(&bits, 10, &BatteryParams::default()).unwrap();
    assert_eq!((report.streams, report.bits_per_stream), (10, 1_000_000));
    let rows: Vec<_> = report
        .tests
        .iter()
        .flat_map(|t| t.rows.iter().map(move |r| (t.name, r)))
        .collect();
    assert_eq!(rows.len(), FINAL_ANALYSIS.len());
    for (i, ((name, row), (hist, uniformity, passing, sample))) in
        rows.iter().zip(FINAL_ANALYSIS).enumerate()
    {
        let at = format!("row {i} ({name} {})", row.label);
        assert_eq!(&row.histogram, hist, "{at}");
        assert_eq!((row.passing, row.sample_size), (*passing, *sample), "{at}");
        match (row.uniformity, uniformity) {
            (Some(got), Some(want)) => assert!((got - want).abs() < 1e-6, "{at}: {got} vs {want}"),
            (got, want) => assert_eq!(got, *want, "{at}"),
        }
        // sts flags no row of this report.
        assert!(row.passed, "{at}");
    }
    assert!(report.tests.iter().all(|t| t.passed));
}
