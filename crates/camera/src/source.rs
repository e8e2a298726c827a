//! The camera as an entropy source (category `camera`), so it shows in `scan`, `bench`,
//! `probe` and the pool like any other. Samples are the two least-significant bits of each
//! pixel channel, where sensor noise lives. Only private feeds that can deliver frames (a
//! folder marked `private = true`) are creditable; public webcam images are mixed in, never
//! credited.
//!
//! # The credited path and the public path are separate sources
//!
//! Whether a source earns credit is a fixed property, [`creditable`](EntropySource::creditable),
//! which an engine may read once, when it starts, and then apply to every batch. So one
//! source must never return both kinds of sample: a creditable source that fell back to
//! public regions while its private buffer was empty would have them credited. Hence:
//!
//! * **`camera`** ([`Camera::source`](crate::Camera::source)). When some private feed can
//!   deliver, it is creditable and returns only private regions, consumed (a credited region
//!   is never used twice) and taken all-or-nothing (a short buffer is never half-drained);
//!   with too few it fails the batch and takes nothing. When no private feed can deliver, it
//!   is not creditable and mixes public regions, exactly as before.
//! * **`camera_public`** ([`Camera::public_source`](crate::Camera::public_source)), present
//!   only beside a creditable `camera`: the public regions, one per group in rotation, never
//!   credited. It never takes private regions, which stay reserved for credit (a region
//!   mixed in uncredited must not be credited later).
//!
//! A private feed that delivers nothing therefore changes nothing about how public feeds are
//! mixed in: `camera` waits (and an engine may quarantine it) while `camera_public` keeps
//! flowing, the same rotation a camera without private feeds uses. Register both with
//! [`Camera::sources`](crate::Camera::sources).
//!
//! A private `device` feed does not count as able to deliver: V4L2 capture is not implemented
//! in this crate (see [`Feed::can_capture`](crate::Feed::can_capture)). When capture exists, a
//! private device feed will make `camera` creditable like a private folder does.

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

static PUBLIC_INFO: SourceInfo = SourceInfo {
    name: "camera_public",
    category: SourceCategory::Camera,
    physics: "The public webcam regions beside a creditable private camera: sensor noise in \
              the two least-significant bits of each channel, but visible to anyone who \
              fetches the same snapshot, so mixed in and never credited.",
    speed: SpeedClass::Slow,
};

/// Regions from the camera buffers as samples: private ones (credited) or public ones
/// (uncredited), never both.
#[derive(Debug)]
pub struct CameraSource {
    info: &'static SourceInfo,
    buffers: Option<Arc<GroupBuffers>>,
    /// Private regions only, credited; otherwise public regions only, uncredited.
    credited: bool,
    /// Why the source cannot collect, when it cannot.
    unavailable: Option<String>,
}

impl CameraSource {
    /// The `camera` source over running camera buffers. With `credited` (some private feed
    /// can deliver, [`CameraConfig::can_credit`](crate::CameraConfig::can_credit)) it returns
    /// private regions only and is creditable; without, public regions only, uncredited.
    pub fn new(buffers: Arc<GroupBuffers>, credited: bool) -> Self {
        CameraSource {
            info: &INFO,
            buffers: Some(buffers),
            credited,
            unavailable: None,
        }
    }

    /// The `camera_public` source: the public regions beside a creditable `camera`, never
    /// credited.
    pub fn public(buffers: Arc<GroupBuffers>) -> Self {
        CameraSource {
            info: &PUBLIC_INFO,
            buffers: Some(buffers),
            credited: false,
            unavailable: None,
        }
    }

    /// The source as listed when no camera is configured: unavailable, saying how to add one.
    pub fn unconfigured() -> Self {
        CameraSource {
            info: &INFO,
            buffers: None,
            credited: false,
            unavailable: Some(
                "no camera feeds configured (a [camera] table in the config file, or server \
                 --camera-config FILE)"
                    .into(),
            ),
        }
    }

    /// The same source, unavailable for `reason` (every feed is one this build cannot
    /// capture from).
    pub fn unavailable(mut self, reason: impl Into<String>) -> Self {
        self.unavailable = Some(reason.into());
        self
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
        self.info
    }

    fn availability(&self) -> Availability {
        match &self.unavailable {
            None => Availability::Available,
            Some(reason) => Availability::Unavailable(reason.clone()),
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let buffers = match (&self.buffers, &self.unavailable) {
            (Some(buffers), None) => buffers,
            (_, reason) => {
                return Err(SourceError::Unavailable {
                    name: self.info.name,
                    reason: reason.clone().unwrap_or_default(),
                });
            }
        };
        let mut out = Vec::with_capacity(n);
        if self.credited {
            // Consumed, all or nothing: a credited region is never used twice.
            let per_region = buffers.region_bytes().max(1);
            samples_of(
                &buffers.take_private_exact(n.div_ceil(per_region)),
                n,
                &mut out,
            );
        } else {
            while out.len() < n {
                let regions = buffers.one_public_per_group();
                if regions.is_empty() {
                    break;
                }
                samples_of(&regions, n, &mut out);
            }
        }
        if out.len() < n {
            let which = if self.credited { "private" } else { "public" };
            return Err(SourceError::Failed {
                name: self.info.name,
                message: format!(
                    "only {} of {n} samples: waiting for fresh {which} camera frames",
                    out.len()
                ),
            });
        }
        Ok(out)
    }

    /// Fixed for the source's life: true only for `camera` when a private feed can deliver.
    fn creditable(&self) -> bool {
        self.credited
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions(tag: u8, k: usize) -> Vec<Region> {
        (0..k)
            .map(|i| Region {
                rgb: vec![tag + i as u8; 48],
            })
            .collect()
    }

    #[test]
    fn an_empty_private_buffer_stops_only_the_credited_path() {
        let buffers = Arc::new(GroupBuffers::new(&["lab".into(), "europe".into()], 10));
        buffers.push("europe", regions(4, 2), false);
        let credited = CameraSource::new(Arc::clone(&buffers), true);
        let public = CameraSource::public(Arc::clone(&buffers));
        assert!(credited.creditable() && !public.creditable());
        assert_eq!(
            (credited.name(), public.name()),
            ("camera", "camera_public")
        );
        // No private region yet: the credited source waits, public samples still flow.
        assert!(
            credited.collect(1).is_err(),
            "never public samples under credit"
        );
        for _ in 0..3 {
            let samples = public.collect(100).unwrap();
            assert!(
                samples
                    .iter()
                    .all(|s| [4 & LSB_MASK, 5 & LSB_MASK].contains(s))
            );
        }
        // Private regions arrive: the credited source consumes them; public ignores them.
        buffers.push("lab", regions(8, 3), true);
        let samples = public.collect(100).unwrap();
        assert!(
            samples
                .iter()
                .all(|s| [4 & LSB_MASK, 5 & LSB_MASK].contains(s))
        );
        let taken = credited.collect(96).unwrap();
        assert_eq!(taken, [[8 & LSB_MASK; 48], [9 & LSB_MASK; 48]].concat());
        // One private region left, two needed: nothing is half-drained.
        assert!(credited.collect(60).is_err());
        assert_eq!(buffers.take_private(10), regions(10, 1));
        assert!(
            credited.creditable(),
            "creditable is fixed, whatever the buffer holds"
        );
    }

    #[test]
    fn an_uncredited_camera_never_takes_private_regions() {
        let buffers = Arc::new(GroupBuffers::new(&["x".into()], 10));
        buffers.push("x", regions(1, 1), true);
        let source = CameraSource::new(Arc::clone(&buffers), false);
        assert!(!source.creditable());
        assert!(source.collect(1).is_err(), "no public region to mix");
        assert_eq!(buffers.total(), 1);
        let off = CameraSource::new(buffers, false).unavailable("device feeds only");
        assert!(off.availability().reason().is_some());
        assert!(off.collect(1).is_err());
    }
}
