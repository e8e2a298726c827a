//! Image entropy for wellspring: webcam snapshots (HTTP/HTTPS), image folders and (where
//! supported) local cameras, decoded, cut into regions and kept in bounded per-group buffers
//! by a background prefetcher; the LiveCam `/rng` recipe over them; and the camera as an
//! [`EntropySource`](wellspring_core::EntropySource).
//!
//! ```no_run
//! use std::sync::Arc;
//! use wellspring_camera::{Camera, CameraConfig};
//!
//! let config = CameraConfig::load("examples/webcams.toml".as_ref())?;
//! let camera = Camera::start(config)?;
//! let rng = camera.livecam();
//! let x = rng.next_f64();
//! assert!((0.0..1.0).contains(&x));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod buffer;
pub mod config;
pub mod decode;
pub mod fetch;
pub mod freshness;
pub mod prefetcher;
pub mod recipe;
pub mod regions;
pub mod source;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

pub use buffer::GroupBuffers;
pub use config::{CameraConfig, ConfigError, Feed, FeedKind};
pub use prefetcher::{FeedStatus, Prefetcher, Stats};
pub use recipe::{Clock, LiveCam, SystemClock};
pub use source::CameraSource;

/// What `/health` reports about the camera.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CameraHealth {
    /// Regions buffered in all groups.
    pub total_regions: usize,
    /// Regions buffered per group (every configured group, even when empty).
    pub by_group: BTreeMap<String, usize>,
    /// Whether the prefetcher is running.
    pub prefetching: bool,
}

/// A running camera: configuration, buffers and prefetcher.
#[derive(Debug)]
pub struct Camera {
    config: CameraConfig,
    buffers: Arc<GroupBuffers>,
    prefetcher: Prefetcher,
}

impl Camera {
    /// Starts prefetching every feed of `config`.
    pub fn start(config: CameraConfig) -> std::io::Result<Arc<Camera>> {
        let buffers = Arc::new(GroupBuffers::new(&config.groups(), config.buffer_regions));
        let prefetcher = Prefetcher::start(&config, Arc::clone(&buffers))?;
        Ok(Arc::new(Camera {
            config,
            buffers,
            prefetcher,
        }))
    }

    /// The configuration it runs.
    pub fn config(&self) -> &CameraConfig {
        &self.config
    }

    /// The region buffers.
    pub fn buffers(&self) -> &Arc<GroupBuffers> {
        &self.buffers
    }

    /// Per-feed counters and network timings.
    pub fn stats(&self) -> &Arc<Stats> {
        self.prefetcher.stats()
    }

    /// The `/rng` generator over this camera, with the system clock.
    pub fn livecam(&self) -> LiveCam {
        LiveCam::new(
            Some(Arc::clone(&self.buffers)),
            Some(Arc::clone(self.stats())),
            Arc::new(SystemClock::default()),
        )
    }

    /// The `camera` entropy source. Creditable only when some private feed can actually
    /// deliver frames (a private `dir` feed; a private `device` feed does not count, V4L2
    /// capture not being built in), and then it returns private regions only; otherwise it
    /// mixes public regions, uncredited. Unavailable when no feed can deliver at all.
    pub fn source(&self) -> CameraSource {
        let source = CameraSource::new(Arc::clone(&self.buffers), self.config.can_credit());
        if self.config.can_capture() {
            source
        } else {
            source.unavailable(
                "every camera feed is a `device` feed, and V4L2 capture is not built into this \
                 version; add a `dir` feed that a capture tool (e.g. ffmpeg -f v4l2) writes \
                 frames into",
            )
        }
    }

    /// The `camera_public` source: public regions, never credited, kept apart from a
    /// creditable [`source`](Self::source) so they reach the engine whatever the private
    /// feeds deliver. `None` when `camera` is not creditable (it mixes the public regions
    /// itself) or there are no public feeds.
    pub fn public_source(&self) -> Option<CameraSource> {
        (self.config.can_credit() && self.config.has_public_feeds())
            .then(|| CameraSource::public(Arc::clone(&self.buffers)))
    }

    /// Every camera source to register: [`source`](Self::source), and
    /// [`public_source`](Self::public_source) when there is one.
    pub fn sources(&self) -> Vec<CameraSource> {
        std::iter::once(self.source())
            .chain(self.public_source())
            .collect()
    }

    /// Buffer fill and prefetcher state for `/health`.
    pub fn health(&self) -> CameraHealth {
        let mut by_group: BTreeMap<String, usize> =
            self.config.groups().into_iter().map(|g| (g, 0)).collect();
        by_group.extend(self.buffers.counts());
        CameraHealth {
            total_regions: by_group.values().sum(),
            by_group,
            prefetching: self.stats().prefetching(),
        }
    }
}
