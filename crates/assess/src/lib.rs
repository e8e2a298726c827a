//! # wellspring-assess
//!
//! Statistics on sample slices, with no I/O: summary statistics used by every command,
//! the SP 800-90B min-entropy estimators and the SP 800-22 battery.

pub mod noise;
pub mod sp800_22;
pub mod sp800_90b;
pub mod summary;
