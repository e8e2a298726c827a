//! The background prefetcher: one tokio task per feed on a runtime of its own, refreshing on
//! the configured interval with ±20% jitter (so feeds never fetch in lock-step), backing off
//! exponentially while a feed fails, and logging every skip with its reason. Fetching and
//! decoding run on the blocking pool; the buffers' lock is taken only to push regions.
//! Freshness is global: all feeds share one [`SeenFrames`], so a frame already seen from any
//! feed is stale and earns nothing.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use tokio::sync::Notify;

use crate::buffer::GroupBuffers;
use crate::config::{CameraConfig, Feed, FeedKind};
use crate::decode::decode;
use crate::fetch::fetch;
use crate::freshness::{SeenFrames, digest};
use crate::regions::slice_at_most;

/// Longest back-off for a failing feed.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Fetch durations kept for the recipe's network-jitter input.
const TIMINGS_KEPT: usize = 64;

/// Counters of one feed, for `/health`, logs and tests.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FeedStatus {
    /// `group: url-or-path`.
    pub label: String,
    /// Its group.
    pub group: String,
    /// Images fetched or read that decoded and were fresh.
    pub fresh: u64,
    /// Images identical (bytes or pixels) to one seen before from any feed: earn nothing.
    pub stale: u64,
    /// Fetches or decodes that failed.
    pub failed: u64,
    /// Regions dropped as flat (dark or saturated).
    pub flat_regions: u64,
    /// Why the last attempt was skipped, if it was.
    pub last_error: Option<String>,
}

/// Shared state the tasks update and readers poll.
#[derive(Debug, Default)]
pub struct Stats {
    running: AtomicBool,
    feeds: Mutex<Vec<FeedStatus>>,
    timings: Mutex<VecDeque<u64>>,
}

impl Stats {
    /// Whether the prefetcher is running.
    pub fn prefetching(&self) -> bool {
        self.running.load(Ordering::Relaxed)
    }

    /// A snapshot of every feed's counters.
    pub fn feeds(&self) -> Vec<FeedStatus> {
        self.feeds.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Durations (ns) of the most recent fetches, newest last.
    pub fn network_timings(&self) -> Vec<u64> {
        self.timings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .copied()
            .collect()
    }

    fn update(&self, index: usize, f: impl FnOnce(&mut FeedStatus)) {
        if let Some(status) = self
            .feeds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(index)
        {
            f(status);
        }
    }

    fn record_timing(&self, ns: u64) {
        let mut t = self.timings.lock().unwrap_or_else(|p| p.into_inner());
        if t.len() == TIMINGS_KEPT {
            t.pop_front();
        }
        t.push_back(ns);
    }
}

/// A running prefetcher; dropping it stops the tasks.
#[derive(Debug)]
pub struct Prefetcher {
    stop: Arc<Notify>,
    stats: Arc<Stats>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Prefetcher {
    /// Starts one task per feed, filling `buffers`.
    pub fn start(config: &CameraConfig, buffers: Arc<GroupBuffers>) -> std::io::Result<Self> {
        let stats = Arc::new(Stats::default());
        *stats.feeds.lock().unwrap_or_else(|p| p.into_inner()) = config
            .feeds
            .iter()
            .map(|f| FeedStatus {
                label: f.label(),
                group: f.group.clone(),
                ..FeedStatus::default()
            })
            .collect();
        stats.running.store(true, Ordering::Relaxed);
        let stop = Arc::new(Notify::new());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .max_blocking_threads(4)
            .thread_name("ws-camera")
            .build()?;
        let (config, task_stats, task_stop) =
            (config.clone(), Arc::clone(&stats), Arc::clone(&stop));
        // One memory of recent frames for every feed: freshness is global.
        let seen = Arc::new(SeenFrames::default());
        let thread = std::thread::Builder::new()
            .name("ws-camera".into())
            .spawn(move || {
                let done_stats = Arc::clone(&task_stats);
                runtime.block_on(async move {
                    let mut tasks = Vec::new();
                    for (index, feed) in config.feeds.iter().enumerate() {
                        tasks.push(tokio::spawn(run_feed(
                            index,
                            feed.clone(),
                            config.clone(),
                            Arc::clone(&buffers),
                            Arc::clone(&task_stats),
                            Arc::clone(&seen),
                        )));
                    }
                    task_stop.notified().await;
                    for t in tasks {
                        t.abort();
                    }
                });
                done_stats.running.store(false, Ordering::Relaxed);
            })?;
        Ok(Prefetcher {
            stop,
            stats,
            thread: Some(thread),
        })
    }

    /// The counters.
    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }
}

impl Drop for Prefetcher {
    fn drop(&mut self) {
        self.stop.notify_one();
        if let Some(t) = self.thread.take() {
            // Blocking calls in flight finish within their timeout; do not wait for them.
            drop(t);
        }
    }
}

/// What one attempt produced.
enum Outcome {
    Fresh { regions: usize, flat: usize },
    Stale,
    Failed(String),
}

/// A feed's loop: attempt, then sleep the jittered interval or the back-off.
async fn run_feed(
    index: usize,
    feed: Feed,
    config: CameraConfig,
    buffers: Arc<GroupBuffers>,
    stats: Arc<Stats>,
    seen: Arc<SeenFrames>,
) {
    let mut failures = 0u32;
    loop {
        let outcome = attempt(&feed, &config, &buffers, &stats, &seen).await;
        match outcome {
            Outcome::Fresh { regions, flat } => {
                failures = 0;
                stats.update(index, |s| {
                    s.fresh += 1;
                    s.flat_regions += flat as u64;
                    s.last_error = None;
                });
                tracing::debug!(feed = %feed.label(), regions, flat, "camera frame");
            }
            Outcome::Stale => {
                stats.update(index, |s| s.stale += 1);
                tracing::debug!(feed = %feed.label(), "camera frame unchanged: no credit");
            }
            Outcome::Failed(reason) => {
                failures += 1;
                tracing::warn!(feed = %feed.label(), %reason, "camera feed skipped");
                stats.update(index, |s| {
                    s.failed += 1;
                    s.last_error = Some(reason);
                });
                if !feed.can_capture() {
                    return; // a device feed cannot start to work later in this build
                }
            }
        }
        let base = config.refresh().as_secs_f64();
        let delay = if failures == 0 {
            base * (0.8 + 0.4 * unit_random())
        } else {
            (base * f64::from(1u32 << failures.min(12))).min(MAX_BACKOFF.as_secs_f64())
        };
        tokio::time::sleep(Duration::from_secs_f64(delay)).await;
    }
}

fn unit_random() -> f64 {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// Fetches (or reads) one image, checks freshness, decodes and slices it into the buffers.
async fn attempt(
    feed: &Feed,
    config: &CameraConfig,
    buffers: &GroupBuffers,
    stats: &Stats,
    seen: &SeenFrames,
) -> Outcome {
    let body = match feed.kind() {
        FeedKind::Url(url) => {
            let (timeout, cap) = (config.timeout(), config.max_image_bytes);
            let result = tokio::task::spawn_blocking(move || fetch(&url, timeout, cap)).await;
            match result {
                Ok(Ok(fetched)) => {
                    stats.record_timing(fetched.elapsed_ns);
                    fetched.body
                }
                Ok(Err(e)) => return Outcome::Failed(e.to_string()),
                Err(e) => return Outcome::Failed(format!("fetch task failed: {e}")),
            }
        }
        FeedKind::Dir(dir) => {
            let cap = config.max_image_bytes;
            match tokio::task::spawn_blocking(move || newest_image(&dir, cap)).await {
                Ok(Ok(body)) => body,
                Ok(Err(e)) => return Outcome::Failed(e),
                Err(e) => return Outcome::Failed(format!("read task failed: {e}")),
            }
        }
        FeedKind::Device(path) => {
            // V4L2 capture is not implemented in this crate: a device feed delivers nothing,
            // and so (see `Feed::can_capture`) never makes the camera source creditable.
            return Outcome::Failed(format!(
                "{}: V4L2 capture is not built into this version, so this feed delivers no \
                 frames and earns no credit; use a `dir` feed that a capture tool (e.g. \
                 ffmpeg -f v4l2) writes frames into",
                path.display()
            ));
        }
    };
    if !seen.remember(digest(&body)) {
        return Outcome::Stale;
    }
    let max_pixels = config.max_pixels;
    let decoded = tokio::task::spawn_blocking(move || decode(&body, max_pixels)).await;
    let frame = match decoded {
        Ok(Ok(frame)) => frame,
        Ok(Err(e)) => return Outcome::Failed(e.to_string()),
        Err(e) => return Outcome::Failed(format!("decode task failed: {e}")),
    };
    // A re-encoded copy of an old frame has new bytes but the same pixels.
    if !seen.remember(digest(&frame.rgb)) {
        return Outcome::Stale;
    }
    let (regions, flat) = slice_at_most(&frame, config.region_size, config.buffer_regions);
    let kept = regions.len();
    buffers.push(&feed.group, regions, feed.creditable());
    Outcome::Fresh {
        regions: kept,
        flat,
    }
}

/// The most recently modified `.jpg`/`.jpeg`/`.png` file in `dir`, read with a size cap.
fn newest_image(dir: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut newest: BTreeMap<SystemTime, std::path::PathBuf> = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let is_image = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"));
        if let (true, Ok(meta)) = (is_image, entry.metadata())
            && meta.is_file()
            && meta.len() <= cap
        {
            newest.insert(meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), path);
        }
    }
    let (_, path) = newest
        .pop_last()
        .ok_or_else(|| format!("{}: no JPEG or PNG file under the size cap", dir.display()))?;
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy_png(seed: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(64, 32, |x, y| {
            let n = (x * 7 + y * 13 + seed).wrapping_mul(2_654_435_761) >> 24;
            image::Rgb([(x + n) as u8, (y * 2 + n) as u8, (x ^ y ^ n) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    fn private_dir(group: &str, dir: &Path) -> Feed {
        Feed {
            group: group.into(),
            url: None,
            device: None,
            dir: Some(dir.to_path_buf()),
            private: true,
        }
    }

    #[test]
    fn a_frame_in_two_private_folders_is_fresh_and_credited_once() {
        let root = std::env::temp_dir().join(format!("ws-camera-fresh-{}", std::process::id()));
        let (a, b) = (root.join("a"), root.join("b"));
        for dir in [&a, &b] {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join("frame.png"), noisy_png(1)).unwrap();
        }
        let config = CameraConfig {
            region_size: 16,
            ..CameraConfig::default()
        };
        let buffers = GroupBuffers::new(&["a".into(), "b".into()], 100);
        let (stats, seen) = (Stats::default(), SeenFrames::default());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let run = |feed: &Feed| runtime.block_on(attempt(feed, &config, &buffers, &stats, &seen));
        let first = run(&private_dir("a", &a));
        assert!(
            matches!(first, Outcome::Fresh { regions: 8, .. }),
            "64 × 32 in 16s"
        );
        // The same file from the other folder (and a different group) earns nothing.
        assert!(matches!(run(&private_dir("b", &b)), Outcome::Stale));
        // Nor does the same picture re-encoded (new bytes, same pixels).
        let image = image::load_from_memory(&noisy_png(1)).unwrap();
        let mut bmp_like = std::io::Cursor::new(Vec::new());
        image
            .write_with_encoder(image::codecs::png::PngEncoder::new_with_quality(
                &mut bmp_like,
                image::codecs::png::CompressionType::Best,
                image::codecs::png::FilterType::Paeth,
            ))
            .unwrap();
        assert_ne!(bmp_like.get_ref(), &noisy_png(1));
        std::fs::write(b.join("frame.png"), bmp_like.into_inner()).unwrap();
        assert!(matches!(run(&private_dir("b", &b)), Outcome::Stale));
        // A new frame is fresh again.
        std::fs::write(b.join("frame.png"), noisy_png(2)).unwrap();
        assert!(matches!(run(&private_dir("b", &b)), Outcome::Fresh { .. }));
        // Credited regions: one frame per distinct picture, not one per folder.
        assert_eq!(buffers.take_private(100).len(), 16);
        std::fs::remove_dir_all(root).ok();
    }
}
