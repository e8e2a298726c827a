//! # wellspring-core
//!
//! Entropy sources that measure physical noise inside an ordinary computer, and the
//! machinery that turns their samples into random numbers people can audit: parallel
//! collection, health tests, measured entropy accounting, conditioning and a DRBG.
//!
//! ```
//! use wellspring_core::{engine::{Engine, EngineConfig}, pool::Conditioning, registry::Registry};
//!
//! let sources = Registry::builtin().select(Some("memory_timing")).unwrap();
//! let engine = Engine::start(EngineConfig::new(sources)).unwrap();
//! let mut key = [0u8; 32];
//! engine.fill_full_entropy(&mut key).unwrap(); // 320 measured bits behind each 32 bytes
//! ```

pub mod accounting;
pub mod clock;
pub mod collect;
pub mod conditioning;
pub mod drbg;
pub mod engine;
pub mod health;
pub mod kernel;
pub mod pool;
pub mod registry;
mod source;
pub mod sources;

pub use registry::{SourceStatus, detect_available_sources};
pub use source::{
    Availability, EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass,
};
