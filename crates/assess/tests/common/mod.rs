//! Shared helpers of the integration tests.
#![allow(unreachable_pub, dead_code, missing_docs)]

pub mod datasets;
