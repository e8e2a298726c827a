//! The monitor's state: the latest engine snapshot, the cursor, the selected source and the
//! output rate between refreshes.

use std::time::Instant;

use wellspring_assess::summary::{mcv_min_entropy, shannon_entropy};
use wellspring_core::engine::{Engine, EngineStatus};

pub(crate) struct App {
    engine: Engine,
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
}

impl App {
    pub(crate) fn new(engine: Engine) -> Self {
        let status = engine.status();
        App {
            engine,
            status,
            cursor: 0,
            selected: 0,
            samples: Vec::new(),
            recent_shannon: 0.0,
            recent_mcv: None,
            credit_rate: 0.0,
            last: None,
            refreshes: 0,
        }
    }

    pub(crate) fn refresh(&mut self) {
        self.status = self.engine.status();
        let now = Instant::now();
        if let Some((then, bits)) = self.last {
            let dt = now.duration_since(then).as_secs_f64().max(1e-3);
            self.credit_rate = (self.status.credited_bits - bits).max(0.0) / dt;
        }
        self.last = Some((now, self.status.credited_bits));
        if let Some(source) = self.status.sources.get(self.selected) {
            self.samples = self.engine.recent_samples(source.name).unwrap_or_default();
            self.recent_shannon = shannon_entropy(&self.samples);
            self.recent_mcv = mcv_min_entropy(&self.samples);
        }
        self.refreshes += 1;
    }

    pub(crate) fn move_cursor(&mut self, delta: isize) {
        let n = self.status.sources.len().max(1);
        self.cursor = (self.cursor as isize + delta).rem_euclid(n as isize) as usize;
    }

    pub(crate) fn select(&mut self) {
        self.selected = self.cursor;
        self.refresh();
    }
}
