//! The camera configuration file (the `--camera-config` contract of docs/JSON.md): a `[camera]`
//! table with optional tuning keys and a list of feeds, each in a group and with exactly one
//! of `url`, `device` or `dir`. Unknown keys are errors, so a typo never silently disables a
//! feed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Why a configuration was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML, or keys that do not belong.
    #[error("{0}")]
    Parse(String),
    /// Valid TOML describing an unusable setup.
    #[error("{0}")]
    Invalid(String),
}

/// The whole file: everything sits under `[camera]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    camera: CameraConfig,
}

/// Camera settings and feeds, with the defaults of docs/JSON.md.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CameraConfig {
    /// How often each feed is re-fetched, in seconds (jittered by ±20%); 1 to 86,400.
    pub refresh_seconds: f64,
    /// Pixels per side of a region.
    pub region_size: u32,
    /// Regions kept per group; the oldest is dropped first.
    pub buffer_regions: usize,
    /// Per-request timeout, in seconds; at most 86,400.
    pub timeout_seconds: f64,
    /// Largest image body accepted, in bytes.
    pub max_image_bytes: u64,
    /// Largest decoded image accepted, in pixels (checked from the header before decoding,
    /// against decompression bombs). Default 12,000,000: webcams serve at most 4K UHD
    /// (8.3 Mpixel). The decoder's output may also take at most 3 bytes per capped pixel, so
    /// 16-bit or alpha images are refused at proportionally fewer pixels (see
    /// [`crate::decode`]). Not in docs/JSON.md's example; an addition.
    pub max_pixels: u64,
    /// The feeds.
    pub feeds: Vec<Feed>,
}

impl Default for CameraConfig {
    fn default() -> Self {
        CameraConfig {
            refresh_seconds: 60.0,
            region_size: 32,
            buffer_regions: 100,
            timeout_seconds: 10.0,
            max_image_bytes: 10_000_000,
            // Webcams serve at most 4K UHD (8.3 Mpixel); a 50,000 × 50,000 "image" is
            // 2,500 Mpixel. At 3 bytes a pixel the cap bounds a decoded frame at 36 MB.
            max_pixels: 12_000_000,
            feeds: Vec::new(),
        }
    }
}

/// One feed as written in the file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    /// The group it belongs to (a continent in the LiveCam layout).
    pub group: String,
    /// A JPEG or PNG snapshot over HTTP(S).
    pub url: Option<String>,
    /// A V4L2 camera device.
    pub device: Option<PathBuf>,
    /// A folder of images, re-read as files change.
    pub dir: Option<PathBuf>,
    /// True only for feeds nobody else can see (a local camera, a private folder).
    #[serde(default)]
    pub private: bool,
}

/// Where a feed's images come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedKind {
    /// A snapshot URL.
    Url(String),
    /// A V4L2 device.
    Device(PathBuf),
    /// A folder of images.
    Dir(PathBuf),
}

impl Feed {
    /// The one source this feed names (validated by [`CameraConfig::from_toml`]).
    pub fn kind(&self) -> FeedKind {
        match (&self.url, &self.device, &self.dir) {
            (Some(url), _, _) => FeedKind::Url(url.clone()),
            (_, Some(device), _) => FeedKind::Device(device.clone()),
            (_, _, Some(dir)) => FeedKind::Dir(dir.clone()),
            _ => unreachable!("validated: exactly one of url, device, dir"),
        }
    }

    /// A short label for logs: `europe: https://…`.
    pub fn label(&self) -> String {
        let what = match self.kind() {
            FeedKind::Url(u) => u,
            FeedKind::Device(d) | FeedKind::Dir(d) => d.display().to_string(),
        };
        format!("{}: {what}", self.group)
    }

    /// Whether its images may earn entropy credit: never for public URLs, which anyone can
    /// fetch; private folders and local devices only when marked `private = true`. This is
    /// the policy; whether the feed can deliver anything is [`can_capture`](Self::can_capture).
    pub fn creditable(&self) -> bool {
        self.private && self.url.is_none()
    }

    /// Whether this build can obtain frames from the feed at all. False for `device` feeds:
    /// V4L2 capture is not implemented in this crate, so a device feed never delivers a frame
    /// (the prefetcher logs why and stops it). When capture is added, this becomes true for
    /// devices too and a private device feed then makes the camera source creditable.
    pub fn can_capture(&self) -> bool {
        !matches!(self.kind(), FeedKind::Device(_))
    }

    /// Whether the feed can actually deliver creditable frames: creditable by policy and
    /// able to capture. Only such feeds make the camera source creditable.
    pub fn delivers_credit(&self) -> bool {
        self.creditable() && self.can_capture()
    }
}

impl CameraConfig {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text)
    }

    /// Parses and validates configuration text.
    ///
    /// ```
    /// let config = wellspring_camera::CameraConfig::from_toml(
    ///     "[camera]\n[[camera.feeds]]\ngroup = \"europe\"\nurl = \"http://127.0.0.1:9/cam.jpg\"\n",
    /// ).unwrap();
    /// assert_eq!(config.region_size, 32);
    /// assert_eq!(config.feeds[0].group, "europe");
    /// ```
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let file: File =
            toml::from_str(text).map_err(|e| ConfigError::Parse(e.message().replace('\n', " ")))?;
        let config = file.camera;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        // At most a day: a finite but huge value (1e300) does not fit in a `Duration`, and
        // `refresh()`/`timeout()` would panic on it.
        const MAX_SECONDS: f64 = 86_400.0;
        if !(self.refresh_seconds >= 1.0 && self.refresh_seconds <= MAX_SECONDS) {
            return bad(format!(
                "refresh_seconds must be from 1 to {MAX_SECONDS}, not {}",
                self.refresh_seconds
            ));
        }
        if !(self.timeout_seconds > 0.0 && self.timeout_seconds <= MAX_SECONDS) {
            return bad(format!(
                "timeout_seconds must be positive and at most {MAX_SECONDS}, not {}",
                self.timeout_seconds
            ));
        }
        if !(4..=1024).contains(&self.region_size) {
            return bad(format!(
                "region_size must be 4..=1024, not {}",
                self.region_size
            ));
        }
        if self.buffer_regions == 0 || self.buffer_regions > 100_000 {
            return bad(format!(
                "buffer_regions must be 1..=100000, not {}",
                self.buffer_regions
            ));
        }
        if self.max_image_bytes == 0 || self.max_pixels == 0 {
            return bad("max_image_bytes and max_pixels must be positive".into());
        }
        for (i, feed) in self.feeds.iter().enumerate() {
            let n = [
                feed.url.is_some(),
                feed.device.is_some(),
                feed.dir.is_some(),
            ]
            .iter()
            .filter(|&&x| x)
            .count();
            if n != 1 {
                return bad(format!(
                    "feed {} (group '{}') needs exactly one of url, device, dir; it has {n}",
                    i + 1,
                    feed.group
                ));
            }
            if feed.group.trim().is_empty() {
                return bad(format!("feed {} has an empty group", i + 1));
            }
            if let Some(url) = &feed.url {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return bad(format!(
                        "feed {}: url must be http:// or https://, not '{url}'",
                        i + 1
                    ));
                }
                if feed.private {
                    return bad(format!(
                        "feed {}: a URL feed cannot be private (anyone who can fetch it can see it)",
                        i + 1
                    ));
                }
            }
        }
        Ok(())
    }

    /// The refresh interval.
    pub fn refresh(&self) -> Duration {
        Duration::from_secs_f64(self.refresh_seconds)
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_seconds)
    }

    /// Whether some feed can deliver creditable frames (a `dir` feed marked private; a
    /// private `device` feed does not count while V4L2 capture is unimplemented).
    pub fn can_credit(&self) -> bool {
        self.feeds.iter().any(Feed::delivers_credit)
    }

    /// Whether some feed can deliver frames at all (any `url` or `dir` feed).
    pub fn can_capture(&self) -> bool {
        self.feeds.iter().any(Feed::can_capture)
    }

    /// Whether some feed delivers public (uncredited) frames: a `url`, or a `dir` not
    /// marked private.
    pub fn has_public_feeds(&self) -> bool {
        self.feeds
            .iter()
            .any(|f| f.can_capture() && !f.creditable())
    }

    /// Group names in first-seen order.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        for feed in &self.feeds {
            if !groups.contains(&feed.group) {
                groups.push(feed.group.clone());
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_those_of_the_design() {
        let c = CameraConfig::from_toml("[camera]\n").unwrap();
        assert_eq!(
            (
                c.refresh_seconds,
                c.region_size,
                c.buffer_regions,
                c.timeout_seconds,
                c.max_image_bytes
            ),
            (60.0, 32, 100, 10.0, 10_000_000)
        );
        assert_eq!(c.max_pixels, 12_000_000);
        assert!(c.feeds.is_empty());
    }

    #[test]
    fn every_kind_of_feed_parses() {
        let c = CameraConfig::from_toml(
            r#"
            [camera]
            refresh_seconds = 5
            region_size = 16
            [[camera.feeds]]
            group = "europe"
            url = "https://example.org/cam.jpg"
            [[camera.feeds]]
            group = "asia"
            device = "/dev/video0"
            private = true
            [[camera.feeds]]
            group = "asia"
            dir = "/srv/frames"
            "#,
        )
        .unwrap();
        assert_eq!(c.groups(), ["europe", "asia"]);
        assert_eq!(c.feeds[1].kind(), FeedKind::Device("/dev/video0".into()));
        assert!(!c.feeds[0].creditable() && c.feeds[1].creditable() && !c.feeds[2].creditable());
        // The private device is creditable by policy but cannot capture in this build.
        assert!(!c.feeds[1].can_capture() && !c.feeds[1].delivers_credit());
        assert!(!c.can_credit() && c.can_capture() && c.has_public_feeds());
    }

    #[test]
    fn the_shipped_example_is_valid() {
        let text = include_str!("../../../examples/webcams.toml");
        let c = CameraConfig::from_toml(text).unwrap();
        assert_eq!(
            c.groups(),
            [
                "europe",
                "north-america",
                "south-america",
                "asia",
                "africa",
                "australia-oceania",
                "lab"
            ]
        );
        assert_eq!(c.feeds.iter().filter(|f| f.creditable()).count(), 1);
        assert!(c.can_credit(), "the lab feed is a private folder");
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("[camera]\nrefresh = 5\n", "unknown field"),
            (
                "[camera]\n[[camera.feeds]]\ngroup = \"x\"\n",
                "exactly one of url, device, dir; it has 0",
            ),
            (
                "[camera]\n[[camera.feeds]]\ngroup = \"x\"\nurl = \"http://a/\"\ndir = \"/tmp\"\n",
                "it has 2",
            ),
            (
                "[camera]\n[[camera.feeds]]\ngroup = \"x\"\nurl = \"ftp://a/\"\n",
                "http:// or https://",
            ),
            (
                "[camera]\n[[camera.feeds]]\ngroup = \"x\"\nurl = \"http://a/\"\nprivate = true\n",
                "cannot be private",
            ),
            ("[camera]\nregion_size = 2\n", "region_size"),
            ("[camera]\nbuffer_regions = 0\n", "buffer_regions"),
            ("nonsense", "expected"),
        ];
        for (text, message) in cases {
            let err = CameraConfig::from_toml(text).unwrap_err().to_string();
            assert!(err.contains(message), "{text:?}: {err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    /// Found by the `camera_config` fuzz target: finite durations too large for a
    /// `Duration` were accepted, and `refresh()`/`timeout()` then panicked.
    #[test]
    fn huge_durations_are_refused_not_a_panic() {
        let cases = [
            ("[camera]\nrefresh_seconds = 1e300\n", "refresh_seconds"),
            ("[camera]\ntimeout_seconds = 1e300\n", "timeout_seconds"),
            ("[camera]\nrefresh_seconds = 86400.5\n", "refresh_seconds"),
            ("[camera]\ntimeout_seconds = inf\n", "timeout_seconds"),
            ("[camera]\nrefresh_seconds = nan\n", "refresh_seconds"),
        ];
        for (text, message) in cases {
            let err = CameraConfig::from_toml(text).unwrap_err().to_string();
            assert!(err.contains(message), "{text:?}: {err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
        let c =
            CameraConfig::from_toml("[camera]\nrefresh_seconds = 86400\ntimeout_seconds = 86400\n")
                .unwrap();
        assert_eq!(c.refresh(), Duration::from_secs(86_400));
        assert_eq!(c.timeout(), Duration::from_secs(86_400));
    }
}
