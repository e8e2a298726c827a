//! NIST SP 800-22 rev1a statistical tests, following NIST's sts 2.1.2 where the document and
//! the tool differ (see shared/notes/nist-reference-behaviour.md).
//!
//! So far: the bit-stream readers, the special functions, and the frequency, block
//! frequency, runs, longest-run and cumulative-sums tests. Each test is a pure function on a
//! [`Bits`] value returning its p-value(s), checked against the worked examples of the
//! document's section 2.

mod bits;
mod block_frequency;
mod cumulative_sums;
mod frequency;
mod longest_run;
mod runs;
pub mod special;

pub use bits::Bits;
pub use block_frequency::block_frequency;
pub use cumulative_sums::cumulative_sums;
pub use frequency::frequency;
pub use longest_run::longest_run;
pub use runs::runs;
