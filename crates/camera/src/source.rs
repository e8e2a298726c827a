//! The camera as an entropy source (category `camera`), so it shows in `scan`, `bench`,
//! `probe` and the pool like any other. Samples are the two least-significant bits of each
//! pixel channel, where sensor noise lives. Only private feeds (a local camera or a folder
//! marked `private = true`) are creditable; public webcam images are mixed in, never credited.

use std::sync::Arc;

use wellspring_core::{
    Availability, EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass,
};

use crate::buffer::GroupBuffers;
use crate::regions::Region;

/// Bits of each pixel channel kept as a sample.
const LSB_MASK: u8 = 0b11;

static INFO: SourceInfo = SourceInfo {
    name: "camera",
    category: SourceCategory::Camera,
    physics: "Image sensors add shot noise (the Poisson statistics of photon arrivals) and \
              read noise to every pixel, a few levels of an 8-bit value even in a still \
              scene; the two least-significant bits of each channel carry it. Public webcam \
              snapshots (the LiveCam and LavaRand idea) are visible to anyone, so they are \
              mixed in but earn no credit; only private feeds are assessed and credited.",
    speed: SpeedClass::Slow,
};

/// Regions from the camera buffers as samples.
#[derive(Debug)]
pub struct CameraSource {
    buffers: Option<Arc<GroupBuffers>>,
    creditable: bool,
}

impl CameraSource {
    /// A source over running camera buffers; `creditable` when some feed is private.
    pub fn new(buffers: Arc<GroupBuffers>, creditable: bool) -> Self {
        CameraSource {
            buffers: Some(buffers),
            creditable,
        }
    }

    /// The source as listed when no camera is configured: unavailable, saying how to add one.
    pub fn unconfigured() -> Self {
        CameraSource {
            buffers: None,
            creditable: false,
        }
    }
}

fn samples_of(regions: &[Region], n: usize, out: &mut Vec<u8>) {
    for region in regions {
        for &b in &region.rgb {
            if out.len() == n {
                return;
            }
            out.push(b & LSB_MASK);
        }
    }
}

impl EntropySource for CameraSource {
    fn info(&self) -> &SourceInfo {
        &INFO
    }

    fn availability(&self) -> Availability {
        match &self.buffers {
            Some(_) => Availability::Available,
            None => Availability::Unavailable(
                "no camera feeds configured (a [camera] table in the config file, or server --camera-config FILE)".into(),
            ),
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let buffers = self
            .buffers
            .as_ref()
            .ok_or_else(|| SourceError::Unavailable {
                name: "camera",
                reason: "no camera feeds configured".into(),
            })?;
        let mut out = Vec::with_capacity(n);
        if self.creditable {
            // Private regions are consumed: a credited region is never used twice.
            let per_region = buffers.region_bytes().max(1);
            samples_of(&buffers.take_private(n.div_ceil(per_region)), n, &mut out);
        } else {
            while out.len() < n {
                let regions = buffers.one_per_group();
                if regions.is_empty() {
                    break;
                }
                samples_of(&regions, n, &mut out);
            }
        }
        if out.len() < n {
            return Err(SourceError::Failed {
                name: "camera",
                message: format!(
                    "only {} of {n} samples: waiting for fresh camera frames",
                    out.len()
                ),
            });
        }
        Ok(out)
    }

    fn creditable(&self) -> bool {
        self.creditable
    }
}
