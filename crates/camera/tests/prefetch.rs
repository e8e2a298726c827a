//! The prefetcher against a loopback webcam server: buffers fill per group and stay
//! bounded, every kind of bad feed is skipped with its reason and nothing hangs, and a frame
//! seen before earns nothing.

mod common;

use std::time::{Duration, Instant};

use wellspring_camera::{Camera, CameraConfig, FeedStatus};
use wellspring_core::EntropySource;

fn config(text: &str) -> CameraConfig {
    CameraConfig::from_toml(text).expect("valid config")
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

fn feed<'a>(feeds: &'a [FeedStatus], needle: &str) -> &'a FeedStatus {
    feeds
        .iter()
        .find(|f| f.label.contains(needle))
        .expect("feed listed")
}

#[test]
fn buffers_fill_per_group_and_stay_bounded() {
    let server = common::start();
    let camera = Camera::start(config(&format!(
        r#"
        [camera]
        refresh_seconds = 1
        region_size = 16
        buffer_regions = 30
        [[camera.feeds]]
        group = "europe"
        url = "{}"
        [[camera.feeds]]
        group = "asia"
        url = "{}"
        [[camera.feeds]]
        group = "africa"
        url = "{}"
        "#,
        server.url("fresh-eu.jpg"),
        server.url("fresh-as.png"),
        server.url("fresh-af.jpg"),
    )))
    .unwrap();
    // A 96 × 64 frame gives 24 regions of 16 × 16; the second frame overflows 30.
    let full = wait_until(Duration::from_secs(15), || {
        let h = camera.health();
        h.by_group.values().all(|&n| n == 30) && camera.stats().feeds().iter().all(|f| f.fresh >= 2)
    });
    let health = camera.health();
    assert!(full, "{health:?} {:?}", camera.stats().feeds());
    assert_eq!(health.total_regions, 90);
    assert!(health.prefetching);
    assert_eq!(camera.buffers().region_bytes(), 3 * 16 * 16);
    // Public feeds only: the camera source is available but never creditable.
    let source = camera.source();
    assert!(!source.creditable());
    let samples = source.collect(10_000).unwrap();
    assert!(
        samples.iter().all(|&s| s < 4),
        "two least-significant bits only"
    );
    // Network timings of the fetches are recorded for the recipe.
    assert!(!camera.stats().network_timings().is_empty());
}

#[test]
fn bad_feeds_are_skipped_with_their_reason_and_nothing_hangs() {
    let server = common::start();
    let names = [
        "truncated.jpg",
        "html",
        "missing",
        "slow",
        "bomb.png",
        "endless",
    ];
    let mut text = String::from(
        "[camera]\nrefresh_seconds = 1\ntimeout_seconds = 1\nmax_image_bytes = 1000000\nregion_size = 16\n",
    );
    for name in names {
        text.push_str(&format!(
            "[[camera.feeds]]\ngroup = \"bad\"\nurl = \"{}\"\n",
            server.url(name)
        ));
    }
    text.push_str(&format!(
        "[[camera.feeds]]\ngroup = \"good\"\nurl = \"{}\"\n",
        server.url("fresh-ok.jpg")
    ));
    let camera = Camera::start(config(&text)).unwrap();
    let all_seen = wait_until(Duration::from_secs(20), || {
        camera
            .stats()
            .feeds()
            .iter()
            .all(|f| f.failed + f.fresh > 0)
    });
    let feeds = camera.stats().feeds();
    assert!(all_seen, "{feeds:#?}");
    let expect = [
        ("truncated.jpg", "cannot decode"),
        ("html", "not a JPEG or PNG"),
        ("missing", "HTTP status 404"),
        ("slow", "timed out"),
        ("bomb.png", "50000x50000 pixels exceeds the cap"),
        ("endless", "larger than 1000000 bytes"),
    ];
    for (name, reason) in expect {
        let f = feed(&feeds, name);
        assert_eq!(f.fresh, 0, "{name}");
        let err = f.last_error.as_deref().unwrap_or("");
        assert!(err.contains(reason), "{name}: {err}");
    }
    let good = feed(&feeds, "fresh-ok.jpg");
    assert!(good.fresh >= 1 && good.last_error.is_none(), "{good:?}");
    let health = camera.health();
    assert_eq!(health.by_group["bad"], 0);
    assert!(health.by_group["good"] > 0);
}

#[test]
fn a_repeated_frame_is_stale_and_earns_nothing() {
    let server = common::start();
    let camera = Camera::start(config(&format!(
        "[camera]\nrefresh_seconds = 1\nregion_size = 16\n[[camera.feeds]]\ngroup = \"x\"\nurl = \"{}\"\n",
        server.url("same.jpg")
    )))
    .unwrap();
    let stale = wait_until(Duration::from_secs(10), || {
        camera.stats().feeds()[0].stale >= 2
    });
    let f = &camera.stats().feeds()[0];
    assert!(stale, "{f:?}");
    assert_eq!(f.fresh, 1);
    // Only the first frame's 24 regions are buffered.
    assert_eq!(camera.health().total_regions, 24);
}

#[test]
fn a_private_folder_is_creditable_and_unchanged_files_earn_once() {
    let dir = std::env::temp_dir().join(format!("wellspring-camera-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("frame.png"),
        common::noisy_image(64, 32, 5, image::ImageFormat::Png),
    )
    .unwrap();
    let camera = Camera::start(config(&format!(
        "[camera]\nrefresh_seconds = 1\nregion_size = 16\n[[camera.feeds]]\ngroup = \"lab\"\ndir = \"{}\"\nprivate = true\n",
        dir.display()
    )))
    .unwrap();
    let stale = wait_until(Duration::from_secs(10), || {
        camera.stats().feeds()[0].stale >= 1
    });
    assert!(stale, "{:?}", camera.stats().feeds());
    let source = camera.source();
    assert!(source.creditable());
    // One 64 × 32 frame: 8 regions of 16 × 16 × 3 = 6,144 samples, consumed once.
    let samples = source.collect(6_144).unwrap();
    assert!(samples.iter().all(|&s| s < 4));
    assert!(
        source.collect(1).is_err(),
        "a credited region is never used twice"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_device_feed_reports_why_it_is_unavailable() {
    let camera = Camera::start(config(
        "[camera]\n[[camera.feeds]]\ngroup = \"lab\"\ndevice = \"/dev/video0\"\nprivate = true\n",
    ))
    .unwrap();
    assert!(wait_until(Duration::from_secs(5), || camera
        .stats()
        .feeds()[0]
        .failed
        == 1));
    let err = camera.stats().feeds()[0].last_error.clone().unwrap();
    assert!(err.contains("V4L2"), "{err}");
}
