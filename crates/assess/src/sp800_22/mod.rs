//! NIST SP 800-22 rev1a statistical tests, following NIST's sts 2.1.2 where the document and
//! the tool differ (each such choice is noted at the test that makes it).
//!
//! Each test is a pure function on a packed [`Bits`] value returning its p-value(s), checked
//! against the worked examples of the document's section 2; [`run_battery`] runs all fifteen
//! in parallel with sts's defaults and gives the `report --json` shape, and [`run_streams`]
//! adds sts's multi-stream analysis (proportion passing and uniformity of p-values).

mod approximate_entropy;
mod battery;
mod bits;
mod block_frequency;
mod cumulative_sums;
mod dft;
mod frequency;
mod linear_complexity;
mod longest_run;
mod non_overlapping_template;
mod overlapping_template;
mod random_excursions;
mod random_excursions_variant;
mod rank;
mod runs;
mod serial;
pub mod special;
mod streams;
mod universal;

pub use approximate_entropy::approximate_entropy;
pub use battery::{
    ALPHA, BatteryParams, BatteryReport, ParamError, TEST_NAMES, TestResult, run_battery,
};
pub use bits::Bits;
pub use block_frequency::block_frequency;
pub use cumulative_sums::cumulative_sums;
pub use dft::dft;
pub use frequency::frequency;
pub use linear_complexity::linear_complexity;
pub use longest_run::longest_run;
pub use non_overlapping_template::{aperiodic_templates, non_overlapping_template, sts_templates};
pub use overlapping_template::overlapping_template;
pub use random_excursions::{EXCURSION_STATES, random_excursions};
pub use random_excursions_variant::{VARIANT_STATES, random_excursions_variant};
pub use rank::rank;
pub use runs::runs;
pub use serial::serial;
pub use streams::{StreamRow, StreamTest, StreamsError, StreamsReport, run_streams};
pub use universal::universal;
