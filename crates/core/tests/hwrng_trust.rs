//! /dev/hwrng is credited by the device behind it, never "whatever the device": a virtio
//! device (the host's generator forwarded to a VM) only when named as `hwrng:virtio`, another
//! device at half its driver's quality, and none when the driver rates it at zero.
//!
//! The device here is /dev/urandom described by a `hw_random` class folder of the test's own,
//! as the kernel describes the real one in /sys/class/misc/hw_random.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::config;
use wellspring_core::engine::{AssessmentOrigin, Engine, EngineError};
use wellspring_core::sources::DevHwrng;
use wellspring_core::{EntropySource, PlatformDevice};

/// An empty class folder for the test `tag`.
fn class_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ws-hwrng-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A hwrng source reading /dev/urandom, described as `device` at `quality` (none: no
/// `rng_quality` file, as on kernels before 5.18).
fn hwrng(dir: &Path, device: &str, quality: Option<u32>) -> Arc<dyn EntropySource> {
    std::fs::write(dir.join("rng_current"), format!("{device}\n")).unwrap();
    let quality_file = dir.join("rng_quality");
    match quality {
        Some(q) => std::fs::write(&quality_file, format!("{q}\n")).unwrap(),
        None => {
            let _ = std::fs::remove_file(&quality_file);
        }
    }
    Arc::new(DevHwrng::with_class_dir("/dev/urandom", dir))
}

/// What an engine trusting `trust` credits the hwrng at: `None` when it fails fast for want
/// of anything creditable.
fn credited_figure(source: Arc<dyn EntropySource>, trust: &[&str]) -> Option<f64> {
    let mut cfg = config(vec![source]);
    cfg.trust_platform = trust.iter().map(|t| t.to_string()).collect();
    let engine = Engine::start(cfg).unwrap();
    match engine.fill_full_entropy(&mut [0u8; 32]) {
        Ok(()) => {
            let s = &engine.status().sources[0];
            assert_eq!(s.assessment, Some(AssessmentOrigin::Trusted), "{s:?}");
            assert!(s.credited_bits >= 320.0, "{s:?}");
            s.min_entropy
        }
        Err(err) => {
            assert!(matches!(err, EngineError::NothingCreditable(_)), "{err}");
            let s = &engine.status().sources[0];
            assert_eq!(s.credited_bits, 0.0, "{s:?}");
            assert_ne!(s.assessment, Some(AssessmentOrigin::Trusted), "{s:?}");
            None
        }
    }
}

#[test]
fn the_class_folder_names_the_device_and_its_quality() {
    let dir = class_dir("describe");
    let source = hwrng(&dir, "tpm-rng-0", Some(512));
    assert_eq!(
        source.device(),
        Some(PlatformDevice {
            name: "tpm-rng-0".into(),
            quality: Some(512)
        })
    );
    let missing = DevHwrng::with_class_dir("/dev/urandom", dir.join("absent"));
    assert_eq!(missing.device(), None);
}

#[test]
fn a_virtio_device_is_credited_only_when_named_as_such() {
    let dir = class_dir("virtio");
    // The kernel rates virtio-rng at 1,024 per 1,024 bits; `hwrng` alone still earns nothing.
    assert_eq!(
        credited_figure(hwrng(&dir, "virtio_rng.0", Some(1024)), &["hwrng"]),
        None
    );
    assert_eq!(
        credited_figure(hwrng(&dir, "virtio_rng.0", Some(1024)), &["hwrng:virtio"]),
        Some(1.0 / 128.0),
        "the host's kernel generator forwarded: the OS generator's figure"
    );
}

#[test]
fn another_device_is_credited_at_half_its_drivers_quality() {
    let dir = class_dir("board");
    assert_eq!(
        credited_figure(hwrng(&dir, "tpm-rng-0", Some(512)), &["hwrng"]),
        Some(2.0)
    );
    assert_eq!(
        credited_figure(hwrng(&dir, "timeriomem_rng", Some(1024)), &["hwrng"]),
        Some(4.0)
    );
    // Rated at zero, not rated at all, no device selected, or trusted only as virtio: nothing.
    for (device, quality, trust) in [
        ("tpm-rng-0", Some(0), "hwrng"),
        ("tpm-rng-0", None, "hwrng"),
        ("none", Some(1024), "hwrng"),
        ("tpm-rng-0", Some(512), "hwrng:virtio"),
    ] {
        assert_eq!(
            credited_figure(hwrng(&dir, device, quality), &[trust]),
            None,
            "{device} at {quality:?} trusted as {trust}"
        );
    }
}
