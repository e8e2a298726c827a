//! The camera configuration file (`--camera-config`, and the `[camera]` table of the CLI's
//! config file): `CameraConfig::from_toml` on arbitrary UTF-8, then everything that starting
//! the camera asks of an accepted configuration.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wellspring_camera::CameraConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = CameraConfig::from_toml(text) else {
        return;
    };
    // What `Camera::start` and the prefetcher read from an accepted configuration.
    let _ = config.refresh();
    let _ = config.timeout();
    let _ = (
        config.can_credit(),
        config.can_capture(),
        config.has_public_feeds(),
    );
    assert!(config.groups().len() <= config.feeds.len());
    for feed in &config.feeds {
        let _ = (feed.kind(), feed.label(), feed.delivers_credit());
    }
});
