//! # wellspring-core
//!
//! Entropy sources that measure physical noise inside an ordinary computer, and the
//! machinery that turns their samples into random numbers people can audit: parallel
//! collection, health tests, measured entropy accounting, conditioning and a DRBG.
//!
//! ```no_run
//! let pool = wellspring_core::EntropyPool::auto()?;
//! let key = pool.get_random_bytes(32)?; // each 32 bytes backed by measured min-entropy
//! # Ok::<(), wellspring_core::engine::EngineError>(())
//! ```
//!
//! The engine underneath ([`engine::Engine`]) gives every setting, a `rand_core` RNG
//! ([`EntropyPool::rng`]) and raw output for research.

pub mod accounting;
pub mod clock;
pub mod collect;
pub mod conditioning;
pub mod drbg;
pub mod engine;
mod error;
mod facade;
#[cfg(feature = "fault-injection")]
pub mod faults;
pub mod health;
pub mod kernel;
pub mod pool;
pub mod registry;
mod source;
pub mod sources;

pub use facade::{
    EntropyPool, HealthReport, QuickQuality, grade_min_entropy, quick_min_entropy, quick_quality,
    quick_shannon,
};
pub use registry::{SourceStatus, detect_available_sources};
pub use source::{
    Availability, EntropySource, PlatformDevice, SourceCategory, SourceError, SourceInfo,
    SpeedClass,
};
