//! The monitor's state: the latest engine snapshot, the cursor and the selected source, the
//! chart view and sample window, the refresh rate, pause, and a short history of the selected
//! source's figures (one point per refresh).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wellspring_assess::summary::{mcv_min_entropy, shannon_entropy};
use wellspring_core::EntropySource;
use wellspring_core::engine::{Engine, EngineStatus};

use super::views::View;

/// Sample windows `n` cycles through (the engine keeps the last 4,096 samples per source).
pub(crate) const WINDOWS: [usize; 3] = [256, 1024, 4096];
/// Refresh intervals `+`/`-` move between, in seconds.
const REFRESH_LIMITS: (f64, f64) = (0.1, 10.0);
/// Points of history kept per figure.
const HISTORY: usize = 256;

pub(crate) struct App {
    engine: Engine,
    physics: HashMap<&'static str, &'static str>,
    pub(crate) status: EngineStatus,
    pub(crate) cursor: usize,
    pub(crate) selected: usize,
    pub(crate) samples: Vec<u8>,
    pub(crate) recent_shannon: f64,
    pub(crate) recent_mcv: Option<f64>,
    /// Credited bits per second over the last refresh interval.
    pub(crate) credit_rate: f64,
    last: Option<(Instant, f64)>,
    pub(crate) refreshes: u64,
    pub(crate) view: View,
    pub(crate) window: usize,
    pub(crate) refresh: Duration,
    pub(crate) paused: bool,
    /// A line for the user (a snapshot's path, an error), shown until the next key.
    pub(crate) message: Option<String>,
    pub(crate) shannon_history: VecDeque<f64>,
    pub(crate) mcv_history: VecDeque<f64>,
    pub(crate) ns_history: VecDeque<f64>,
    /// The selected source's (CPU seconds, samples) at the last refresh.
    last_cost: Option<(f64, u64)>,
}

impl App {
    pub(crate) fn new(
        engine: Engine,
        sources: &[Arc<dyn EntropySource>],
        refresh: Duration,
    ) -> Self {
        let status = engine.status();
        App {
            engine,
            physics: sources
                .iter()
                .map(|s| (s.name(), s.info().physics))
                .collect(),
            status,
            cursor: 0,
            selected: 0,
            samples: Vec::new(),
            recent_shannon: 0.0,
            recent_mcv: None,
            credit_rate: 0.0,
            last: None,
            refreshes: 0,
            view: View::OutputValue,
            window: WINDOWS[0],
            refresh,
            paused: false,
            message: None,
            shannon_history: VecDeque::new(),
            mcv_history: VecDeque::new(),
            ns_history: VecDeque::new(),
            last_cost: None,
        }
    }

    pub(crate) fn refresh(&mut self) {
        if self.paused {
            return;
        }
        self.status = self.engine.status();
        let now = Instant::now();
        if let Some((then, bits)) = self.last {
            let dt = now.duration_since(then).as_secs_f64().max(1e-3);
            self.credit_rate = (self.status.credited_bits - bits).max(0.0) / dt;
        }
        self.last = Some((now, self.status.credited_bits));
        if let Some(source) = self.status.sources.get(self.selected) {
            let recent = self.engine.recent_samples(source.name).unwrap_or_default();
            self.samples = recent[recent.len().saturating_sub(self.window)..].to_vec();
            self.recent_shannon = shannon_entropy(&self.samples);
            self.recent_mcv = mcv_min_entropy(&self.samples);
            let cost = (source.harvest_cpu_seconds, source.samples);
            if let Some((cpu, samples)) = self.last_cost
                && cost.1 > samples
            {
                push(
                    &mut self.ns_history,
                    (cost.0 - cpu) * 1e9 / (cost.1 - samples) as f64,
                );
            }
            self.last_cost = Some(cost);
            push(&mut self.shannon_history, self.recent_shannon);
            push(&mut self.mcv_history, self.recent_mcv.unwrap_or(0.0));
        }
        self.refreshes += 1;
    }

    /// The history the current view draws, if it draws one.
    pub(crate) fn history(&self) -> Vec<f64> {
        match self.view {
            View::Shannon => self.shannon_history.iter().copied().collect(),
            View::MinEntropy => self.mcv_history.iter().copied().collect(),
            View::CollectionTime => self.ns_history.iter().copied().collect(),
            _ => Vec::new(),
        }
    }

    /// The selected source's physics note.
    pub(crate) fn physics(&self) -> &'static str {
        self.status
            .sources
            .get(self.selected)
            .and_then(|s| self.physics.get(s.name))
            .copied()
            .unwrap_or("")
    }

    pub(crate) fn move_cursor(&mut self, delta: isize) {
        let n = self.status.sources.len().max(1);
        self.cursor = (self.cursor as isize + delta).rem_euclid(n as isize) as usize;
    }

    /// Makes the source under the cursor the selected one (its history starts over).
    pub(crate) fn select(&mut self) {
        if self.selected != self.cursor {
            self.shannon_history.clear();
            self.mcv_history.clear();
            self.ns_history.clear();
            self.last_cost = None;
        }
        self.selected = self.cursor;
        self.refresh();
    }

    /// Switches the source under the cursor off or back on in the running engine.
    pub(crate) fn toggle(&mut self) {
        let Some(source) = self.status.sources.get(self.cursor) else {
            return;
        };
        let (name, enabled) = (source.name, !source.enabled);
        self.message = Some(match self.engine.set_source_enabled(name, enabled) {
            Ok(()) if enabled => format!("{name} on: start-up test, then it earns again"),
            Ok(()) => format!("{name} off: no longer harvested"),
            Err(e) => e.to_string(),
        });
        let paused = std::mem::replace(&mut self.paused, false);
        self.refresh();
        self.paused = paused;
    }

    pub(crate) fn cycle_view(&mut self) {
        self.view = self.view.next();
    }

    pub(crate) fn cycle_window(&mut self) {
        let i = WINDOWS.iter().position(|w| *w == self.window).unwrap_or(0);
        self.window = WINDOWS[(i + 1) % WINDOWS.len()];
        self.message = Some(format!("sample window {}", self.window));
    }

    pub(crate) fn toggle_pause(&mut self) {
        self.paused = !self.paused;
        self.message = Some(if self.paused { "paused" } else { "running" }.to_owned());
    }

    /// Halves (`faster`) or doubles the refresh interval within 0.1-10 s.
    pub(crate) fn change_refresh(&mut self, faster: bool) {
        let secs = self.refresh.as_secs_f64() * if faster { 0.5 } else { 2.0 };
        self.refresh = Duration::from_secs_f64(secs.clamp(REFRESH_LIMITS.0, REFRESH_LIMITS.1));
        self.message = Some(format!("refresh every {:.2} s", self.refresh.as_secs_f64()));
    }

    /// Writes the current state as JSON to `dir` and says where.
    pub(crate) fn snapshot(&mut self, dir: &std::path::Path) {
        let path = snapshot_path(dir, wellspring_session::time::now().0);
        let selected = self.status.sources.get(self.selected).map(|s| s.name);
        let document = serde_json::json!({
            "selected": selected,
            "view": self.view,
            "window": self.window,
            "refresh_seconds": self.refresh.as_secs_f64(),
            "paused": self.paused,
            "recent": {
                "samples": self.samples.len(),
                "shannon": self.recent_shannon,
                "mcv_min_entropy": self.recent_mcv,
                "values": self.samples,
            },
            "credit_rate_bits_per_second": self.credit_rate,
            "status": self.status,
        });
        let written = serde_json::to_vec_pretty(&document)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&path, bytes));
        self.message = Some(match written {
            Ok(()) => format!("snapshot written to {}", path.display()),
            Err(e) => format!("snapshot failed: {e}"),
        });
    }
}

/// A snapshot file name in `dir` that is not taken yet: `wellspring-monitor-<UTC time, e.g.
/// 20261205T221503Z>.json`, with `-2`, `-3`, … for more snapshots in the same second.
fn snapshot_path(dir: &std::path::Path, unix_seconds: u64) -> std::path::PathBuf {
    let stamp = wellspring_session::time::compact(unix_seconds);
    (1..)
        .map(|n| match n {
            1 => dir.join(format!("wellspring-monitor-{stamp}.json")),
            n => dir.join(format!("wellspring-monitor-{stamp}-{n}.json")),
        })
        .find(|path| !path.exists())
        .expect("a free name")
}

fn push(history: &mut VecDeque<f64>, value: f64) {
    if history.len() == HISTORY {
        history.pop_front();
    }
    history.push_back(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_named_by_their_utc_time_and_never_overwrite() {
        let dir = std::env::temp_dir().join(format!("ws-snapshot-names-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // 2026-12-05 22:15:03 UTC.
        let first = snapshot_path(&dir, 1_796_508_903);
        assert_eq!(first, dir.join("wellspring-monitor-20261205T221503Z.json"));
        std::fs::write(&first, "{}").unwrap();
        let second = snapshot_path(&dir, 1_796_508_903);
        assert_eq!(
            second,
            dir.join("wellspring-monitor-20261205T221503Z-2.json")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
