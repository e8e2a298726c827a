//! Statistics for studying a noise source's samples (the building blocks of `analyze`):
//! autocorrelation with the Ljung-Box test ([`autocorrelation`]), the runs test about the
//! median ([`runs`]), per-bit bias with exact binomial tests and the byte histogram's
//! chi-square ([`bias`]), Holm's correction for many tests at once ([`holm`]), and the
//! two-sample comparison behind `compare` ([`compare`]). Each
//! p-value comes from a test with a stated null distribution (see each module), and each is
//! checked against a textbook or hand-computed value.

pub mod analysis;
pub mod autocorrelation;
pub mod bias;
pub mod compare;
pub mod cross;
pub mod holm;
pub mod runs;
pub mod spectrum;
pub mod stationarity;
