//! One source's state inside the engine: its assessed min-entropy, health tests, quarantine
//! and the credit it has earned.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::health::{HealthFailure, HealthTests};
use crate::{EntropySource, SourceCategory};

/// First quarantine back-off; it doubles on each failed re-test up to [`MAX_BACKOFF`].
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_secs(5);
/// Longest quarantine back-off.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Samples in a start-up (and re-admission) test: SP 800-90B §4.3 asks for at least 1024.
pub(crate) const STARTUP_TEST_SAMPLES: usize = 1024;

pub(crate) struct Slot {
    pub(crate) source: Arc<dyn EntropySource>,
    /// Assessed min-entropy per sample; `None` = not measured, so never credited.
    pub(crate) h: Option<f64>,
    /// Sources in this source's correlation group (credit is divided among them).
    pub(crate) group_size: usize,
    /// The safety factor: the entropy *claimed* (and credited) per sample is `h × safety`.
    pub(crate) safety: f64,
    pub(crate) health: Option<HealthTests>,
    pub(crate) quarantined_until: Option<Instant>,
    pub(crate) backoff: Duration,
    pub(crate) samples: u64,
    pub(crate) credited_bits: f64,
    /// Harvester CPU time spent on this source (collection, health tests, conditioning).
    pub(crate) cpu_ns: u64,
    pub(crate) quarantine_events: u64,
    pub(crate) rct_failures: u64,
    pub(crate) apt_failures: u64,
    pub(crate) last_error: Option<String>,
    /// Samples gathered since the last assessment, for the background re-assessment.
    pub(crate) assessment_buffer: Vec<u8>,
    /// When the last background re-assessment finished. `None` until the first, which
    /// follows start-up at once: estimates from the small start-up sample can be far too
    /// high (clock_jitter: 1.9 bits on 4,096 samples, 0.22 on 65,536), so the full-size
    /// measurement replaces them as soon as its samples are in.
    pub(crate) last_assessed: Option<Instant>,
    /// A background re-assessment is running; the buffer does not refill meanwhile.
    pub(crate) assessing: bool,
    /// Whether the start-up assessment and test have run.
    pub(crate) started: bool,
    /// Where `h` came from.
    pub(crate) origin: Option<AssessmentOrigin>,
    /// The latest samples, for live display.
    pub(crate) recent: Vec<u8>,
}

/// Where a source's assessed min-entropy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssessmentOrigin {
    /// This run's estimate on the start-up batch (or a re-admission test), which is small.
    Startup,
    /// A full-size assessment from an earlier run on this machine (see `AssessmentStore`).
    Stored,
    /// This run's background assessment on the full re-assessment sample.
    Full,
}

impl AssessmentOrigin {
    /// The name used in JSON and tables: `startup`, `stored` or `full`.
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentOrigin::Startup => "startup",
            AssessmentOrigin::Stored => "stored",
            AssessmentOrigin::Full => "full",
        }
    }
}

/// Samples kept per source for live display.
pub(crate) const RECENT_SAMPLES: usize = 512;

/// What the engine reports about one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// Source name.
    pub name: &'static str,
    /// Mechanism family.
    pub category: SourceCategory,
    /// Assessed min-entropy per sample, when measured.
    pub min_entropy: Option<f64>,
    /// Where `min_entropy` came from: `startup`, `stored` or `full`.
    pub assessment: Option<AssessmentOrigin>,
    /// Whether the source earns credit (measured and not quarantined).
    pub credited: bool,
    /// Whether the health tests currently pass.
    pub healthy: bool,
    /// Whether the source is in quarantine.
    pub quarantined: bool,
    /// Samples harvested.
    pub samples: u64,
    /// Min-entropy credited to the pool from this source, in bits.
    pub credited_bits: f64,
    /// Credited min-entropy per second of engine uptime, in bits.
    pub credited_bits_per_second: f64,
    /// Harvester CPU time spent on this source, in seconds (helper threads some sources
    /// run are not included).
    pub harvest_cpu_seconds: f64,
    /// Sources sharing this one's credit budget (1 = independent).
    pub correlation_group_size: usize,
    /// Times the source was quarantined.
    pub quarantine_events: u64,
    /// Repetition Count Test failures.
    pub rct_failures: u64,
    /// Adaptive Proportion Test failures.
    pub apt_failures: u64,
    /// The last collection or health error.
    pub last_error: Option<String>,
}

impl Slot {
    pub(crate) fn new(source: Arc<dyn EntropySource>, group_size: usize, safety: f64) -> Self {
        Slot {
            source,
            h: None,
            group_size: group_size.max(1),
            safety,
            health: None,
            quarantined_until: None,
            backoff: FIRST_BACKOFF,
            samples: 0,
            credited_bits: 0.0,
            cpu_ns: 0,
            quarantine_events: 0,
            rct_failures: 0,
            apt_failures: 0,
            last_error: None,
            assessment_buffer: Vec::new(),
            last_assessed: None,
            assessing: false,
            started: false,
            origin: None,
            recent: Vec::new(),
        }
    }

    pub(crate) fn quarantined(&self) -> bool {
        self.quarantined_until.is_some()
    }

    pub(crate) fn credited(&self) -> bool {
        self.h.is_some() && !self.quarantined() && self.source.creditable()
    }

    /// The min-entropy per sample the health tests check: the claim the engine credits,
    /// `h × safety`. Testing the credited claim rather than the raw estimate keeps false
    /// alarms at α = 2^-20 for sources whose short-term behaviour drifts, while still
    /// catching a source that falls below what it is credited for.
    fn claimed_h(&self) -> f64 {
        self.h.map_or(0.5, |h| (h * self.safety).max(0.05))
    }

    /// Sets the assessed entropy and where it came from, and (re)derives the health-test
    /// cutoffs from it.
    pub(crate) fn set_entropy(&mut self, h: Option<f64>, origin: AssessmentOrigin) {
        self.h = h.filter(|h| *h > 0.0);
        self.origin = Some(origin);
        let cutoff_h = self.claimed_h();
        let (rct, apt) = self
            .health
            .as_ref()
            .map_or((0, 0), |t| (t.rct_failures, t.apt_failures));
        let mut tests = HealthTests::new(cutoff_h, false);
        tests.rct_failures = rct;
        tests.apt_failures = apt;
        self.health = Some(tests);
    }

    /// Runs a fresh start-up test over `samples`; true when it passes.
    pub(crate) fn startup_test(&self, samples: &[u8]) -> Result<(), HealthFailure> {
        let mut tests = HealthTests::new(self.claimed_h(), false);
        match tests.feed_all(&samples[..samples.len().min(STARTUP_TEST_SAMPLES)]) {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    /// Feeds the continuous tests; on failure, quarantines and returns the failure.
    pub(crate) fn continuous_test(&mut self, samples: &[u8]) -> Option<HealthFailure> {
        let tests = self
            .health
            .get_or_insert_with(|| HealthTests::new(0.5, false));
        let failure = tests.feed_all(samples);
        self.rct_failures = tests.rct_failures;
        self.apt_failures = tests.apt_failures;
        if let Some(failure) = failure {
            self.quarantine(format!("{failure:?} health test failed"));
        }
        failure
    }

    pub(crate) fn quarantine(&mut self, reason: String) {
        self.quarantine_events += 1;
        self.quarantined_until = Some(Instant::now() + self.backoff);
        self.last_error = Some(reason);
    }

    /// After a passing re-test: back in service, back-off reset.
    pub(crate) fn readmit(&mut self) {
        self.quarantined_until = None;
        self.backoff = FIRST_BACKOFF;
    }

    /// After a failing re-test: stay out, wait longer next time.
    pub(crate) fn extend_quarantine(&mut self, reason: String) {
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        self.quarantine(reason);
    }

    /// What the engine reports about this source, `uptime` seconds after start.
    pub(crate) fn report(&self, uptime: f64) -> SourceReport {
        let info = self.source.info();
        SourceReport {
            name: info.name,
            category: info.category,
            min_entropy: self.h,
            assessment: self.h.and(self.origin),
            credited: self.credited(),
            healthy: !self.quarantined(),
            quarantined: self.quarantined(),
            samples: self.samples,
            credited_bits: self.credited_bits,
            credited_bits_per_second: self.credited_bits / uptime.max(1e-9),
            harvest_cpu_seconds: self.cpu_ns as f64 / 1e9,
            correlation_group_size: self.group_size,
            quarantine_events: self.quarantine_events,
            rct_failures: self.rct_failures,
            apt_failures: self.apt_failures,
            last_error: self.last_error.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AssessmentOrigin;

    #[test]
    fn origin_names_match_their_json() {
        for origin in [
            AssessmentOrigin::Startup,
            AssessmentOrigin::Stored,
            AssessmentOrigin::Full,
        ] {
            assert_eq!(serde_json::to_value(origin).unwrap(), origin.as_str());
        }
    }
}
