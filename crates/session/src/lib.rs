//! # wellspring-session
//!
//! Recorded sessions of raw samples, for people who study hardware noise: the on-disk format
//! ([`format`], version [`format::FORMAT_VERSION`], documented in docs/SESSIONS.md), the
//! recorder ([`recorder`]), the machine facts and per-second conditions recorded with the
//! samples ([`machine`]), finding and opening sessions ([`list`]), and the UTC timestamps
//! sessions are named by ([`time`]).
//!
//! ```no_run
//! use std::sync::atomic::AtomicBool;
//! use wellspring_session::recorder::{Length, Recorder, Request};
//!
//! let sources = wellspring_core::registry::Registry::builtin().select(Some("clock_jitter"))?;
//! let recorder = Recorder::start(Request {
//!     sources,
//!     length: Length::Samples(100_000),
//!     tags: Default::default(),
//!     note: None,
//!     output: "sessions".into(),
//!     command: vec!["example".into()],
//!     version: "0.1.0".into(),
//!     conditioned: false,
//! })?;
//! let recording = recorder.run(&AtomicBool::new(false), || "stopped".into())?;
//! println!("{}", recording.path.display());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod align;
pub mod analysis;
pub mod compare;
pub mod conditioned;
pub mod format;
pub mod list;
pub mod machine;
pub mod recorder;
pub mod time;
