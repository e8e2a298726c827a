//! The prefetcher against a loopback webcam server: buffers fill per group and stay
//! bounded, every kind of bad feed is skipped with its reason and nothing hangs, and a frame
//! seen before (from any feed) earns nothing, and a private feed that cannot deliver never
//! makes the camera creditable nor stops public regions reaching the source.

mod common;

use std::time::{Duration, Instant};

use wellspring_camera::{Camera, CameraConfig, FeedStatus};
use wellspring_core::EntropySource;

/// A fresh empty folder under the system temp dir, unique to this process and `name`.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wellspring-camera-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

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
    let full = wait_until(Duration::from_secs(120), || {
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
    let all_seen = wait_until(Duration::from_secs(120), || {
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
    let stale = wait_until(Duration::from_secs(120), || {
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
    let stale = wait_until(Duration::from_secs(120), || {
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
    assert!(wait_until(Duration::from_secs(120), || camera
        .stats()
        .feeds()[0]
        .failed
        == 1));
    let err = camera.stats().feeds()[0].last_error.clone().unwrap();
    assert!(err.contains("V4L2") && err.contains("no credit"), "{err}");
    // Nothing can deliver: the source says so instead of failing every collection.
    let source = camera.source();
    let reason = source.availability().reason().map(str::to_string);
    assert!(
        reason.as_deref().unwrap_or("").contains("V4L2"),
        "{reason:?}"
    );
    assert!(!source.creditable());
}

#[test]
fn a_private_device_feed_neither_credits_nor_starves_public_regions() {
    let dir = temp_dir("public");
    std::fs::write(
        dir.join("frame.png"),
        common::noisy_image(64, 32, 11, image::ImageFormat::Png),
    )
    .unwrap();
    let camera = Camera::start(config(&format!(
        "[camera]\nrefresh_seconds = 1\nregion_size = 16\n\
         [[camera.feeds]]\ngroup = \"lab\"\ndevice = \"/dev/video0\"\nprivate = true\n\
         [[camera.feeds]]\ngroup = \"street\"\ndir = \"{}\"\n",
        dir.display()
    )))
    .unwrap();
    let source = camera.source();
    // V4L2 capture is not built in: the private device cannot deliver, so no credit.
    assert!(!source.creditable());
    assert!(source.availability().reason().is_none());
    let arrived = wait_until(Duration::from_secs(120), || {
        camera.health().by_group["street"] == 8
    });
    assert!(arrived, "{:?}", camera.stats().feeds());
    // The public folder's regions reach the source, uncredited, as often as asked.
    for _ in 0..3 {
        let samples = source.collect(6_144).unwrap();
        assert!(samples.iter().all(|&s| s < 4));
        assert!(!source.creditable());
    }
    assert!(
        camera.public_source().is_none(),
        "`camera` mixes them itself"
    );
    assert_eq!(camera.sources().len(), 1);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_private_folder_that_delivers_nothing_leaves_public_mixing_alone() {
    let (private, public) = (temp_dir("empty-private"), temp_dir("street"));
    std::fs::write(
        public.join("frame.png"),
        common::noisy_image(64, 32, 12, image::ImageFormat::Png),
    )
    .unwrap();
    let camera = Camera::start(config(&format!(
        "[camera]\nrefresh_seconds = 1\nregion_size = 16\n\
         [[camera.feeds]]\ngroup = \"lab\"\ndir = \"{}\"\nprivate = true\n\
         [[camera.feeds]]\ngroup = \"street\"\ndir = \"{}\"\n",
        private.display(),
        public.display()
    )))
    .unwrap();
    let arrived = wait_until(Duration::from_secs(120), || {
        camera.health().by_group["street"] == 8
    });
    assert!(arrived, "{:?}", camera.stats().feeds());
    let sources = camera.sources();
    let names: Vec<&str> = sources.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["camera", "camera_public"]);
    let (credited, mixed) = (&sources[0], &sources[1]);
    assert!(credited.creditable() && !mixed.creditable());
    // The empty private folder stops only the credited path, never with public samples...
    assert!(credited.collect(256).is_err());
    // ...while the public regions keep flowing, uncredited.
    for _ in 0..3 {
        assert_eq!(mixed.collect(6_144).unwrap().len(), 6_144);
    }
    for dir in [private, public] {
        std::fs::remove_dir_all(dir).ok();
    }
}

#[test]
fn the_same_frame_in_two_private_folders_is_credited_once() {
    let (a, b) = (temp_dir("twin-a"), temp_dir("twin-b"));
    let frame = common::noisy_image(64, 32, 21, image::ImageFormat::Png);
    for dir in [&a, &b] {
        std::fs::write(dir.join("frame.png"), &frame).unwrap();
    }
    let camera = Camera::start(config(&format!(
        "[camera]\nrefresh_seconds = 1\nregion_size = 16\n\
         [[camera.feeds]]\ngroup = \"lab-a\"\ndir = \"{}\"\nprivate = true\n\
         [[camera.feeds]]\ngroup = \"lab-b\"\ndir = \"{}\"\nprivate = true\n",
        a.display(),
        b.display()
    )))
    .unwrap();
    // Both feeds have read the file at least once (in whichever order).
    let both = wait_until(Duration::from_secs(120), || {
        camera
            .stats()
            .feeds()
            .iter()
            .all(|f| f.fresh + f.stale >= 1)
    });
    let feeds = camera.stats().feeds();
    assert!(both, "{feeds:?}");
    assert_eq!(feeds.iter().map(|f| f.fresh).sum::<u64>(), 1, "{feeds:?}");
    assert_eq!(camera.health().total_regions, 8, "one frame's regions");
    let source = camera.source();
    assert!(source.creditable());
    // 8 regions of 16 × 16 × 3 samples: credited once, never twice.
    assert_eq!(source.collect(6_144).unwrap().len(), 6_144);
    assert!(source.creditable());
    assert!(source.collect(1).is_err(), "the twin earned nothing");
    for dir in [a, b] {
        std::fs::remove_dir_all(dir).ok();
    }
}
