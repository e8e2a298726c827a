//! One source's state inside the engine: its accounts (assessed min-entropy, origin,
//! epochs), its health tests and quarantine, and what it has earned. The fields are private:
//! [`Slot::set_assessment`] keeps `h`, its origin and the health-test cutoffs in step.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::accounting::{Account, AssessmentOrigin, Change, Ratios};
use crate::health::{FailedTest, HealthTests, Verdict};
use crate::{EntropySource, SourceCategory};

/// First quarantine back-off; it doubles on each failed re-test up to [`MAX_BACKOFF`].
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_secs(5);
/// Longest quarantine back-off.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Samples in a start-up (and re-admission) test: SP 800-90B §4.3 asks for at least 1024.
pub(crate) const STARTUP_TEST_SAMPLES: usize = 1024;
/// Samples kept per source for live display.
pub(crate) const RECENT_SAMPLES: usize = 4096;
/// Health-test entropy before any assessment: the least that can ever be credited, so the
/// provisional cutoffs (RCT 401 at α = 2^-20, 801 persistent) stop only a source that is
/// stuck or too weak to credit, and stop it within its first batch.
const UNASSESSED_H: f64 = crate::accounting::MIN_CREDITABLE_H;

pub(crate) struct Slot {
    source: Arc<dyn EntropySource>,
    family: usize,
    family_name: String,
    account: Account,
    safety: f64,
    health: HealthTests,
    quarantined_until: Option<Instant>,
    backoff: Duration,
    quarantine_events: u64,
    last_error: Option<String>,
    last_failure_sample: Option<u64>,
    /// The health test behind the current (or last) quarantine; `None` when the last
    /// quarantine was for another reason (a collection error).
    failed_test: Option<FailedTest>,
    samples: u64,
    credited_bits: f64,
    cpu_ns: u64,
    /// Wall time of its batches outside first measurements: what the schedule's low share
    /// counts (a first measurement runs at the full budget and is not held against the
    /// source).
    share_wall_ns: u64,
    /// Samples gathered for the next full-size assessment.
    assessment_buffer: Vec<u8>,
    /// When the last full-size assessment finished (`None`: none yet in this run).
    last_assessed: Option<Instant>,
    assessing: bool,
    /// The last full-size figure (this run's or a stored one) was too weak to credit.
    weak_at_full_size: bool,
    started: bool,
    /// Switched off at run time (`Engine::set_source_enabled`): not harvested, earns nothing.
    enabled: bool,
    recent: Vec<u8>,
}

/// What the engine reports about one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// Source name.
    pub name: &'static str,
    /// Mechanism category.
    pub category: SourceCategory,
    /// Correlation family: sources measuring one mechanism share a name (and one credit
    /// budget); a source in no group is a family of its own.
    pub family: String,
    /// The min-entropy per sample credit is computed from (or a trusted vendor claim), when
    /// known: the lowest of the source's recent creditable figures.
    pub min_entropy: Option<f64>,
    /// The latest creditable figure (this run's last full-size assessment, or the stored
    /// one it started from); above `min_entropy` while a higher figure has not yet held.
    pub latest_min_entropy: Option<f64>,
    /// Where `min_entropy` came from: `startup`, `stored`, `full` or `trusted`.
    pub assessment: Option<AssessmentOrigin>,
    /// Samples the current figure rests on.
    pub assessment_samples: u64,
    /// Whether the source earns credit now.
    pub credited: bool,
    /// Assessed, but below 0.05 bits per sample: too weak to credit.
    pub too_weak: bool,
    /// Whether the health tests currently pass.
    pub healthy: bool,
    /// Whether the source is in quarantine.
    pub quarantined: bool,
    /// False when switched off at run time: not harvested, earns nothing.
    pub enabled: bool,
    /// Samples harvested.
    pub samples: u64,
    /// Min-entropy credited to the pool from this source, in bits (as recorded; revoked
    /// blocks are counted in the engine's `blocks_revoked`).
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
    /// Repetition Count Test failures (intermittent, α = 2^-20: the batch earned nothing).
    pub rct_failures: u64,
    /// Adaptive Proportion Test failures (intermittent, α = 2^-20).
    pub apt_failures: u64,
    /// Persistent failures (α = 2^-40): each quarantined the source.
    pub persistent_failures: u64,
    /// The RCT and APT cutoffs in force.
    pub rct_cutoff: u32,
    /// See `rct_cutoff`.
    pub apt_cutoff: u32,
    /// The RCT cutoff of a persistent failure (α = 2^-40), which quarantines.
    pub rct_persistent_cutoff: u32,
    /// The APT cutoff of a persistent failure (α = 2^-40), within a window of 512 samples
    /// (1,024 for binary sources).
    pub apt_persistent_cutoff: u32,
    /// The last collection or health error.
    pub last_error: Option<String>,
    /// The last persistent health-test failure: how many samples into its batch the cutoff
    /// was crossed (a stuck run crosses it at sample `rct_persistent_cutoff`).
    pub last_failure_sample: Option<u64>,
    /// The health test behind the last quarantine, in numbers: `{"test": "rct"|"apt",
    /// "observed", "cutoff", "window", "persistent"}`; `None` when the source was never
    /// quarantined for a failed test, or its last quarantine had another cause.
    pub failed_test: Option<FailedTest>,
}

impl Slot {
    pub(crate) fn new(
        source: Arc<dyn EntropySource>,
        family: (usize, String),
        group_size: usize,
        safety: f64,
        eligible: bool,
    ) -> Self {
        Slot {
            source,
            family: family.0,
            family_name: family.1,
            account: Account::new(safety, group_size, eligible),
            safety,
            health: HealthTests::new(UNASSESSED_H, false),
            quarantined_until: None,
            backoff: FIRST_BACKOFF,
            quarantine_events: 0,
            last_error: None,
            last_failure_sample: None,
            failed_test: None,
            samples: 0,
            credited_bits: 0.0,
            cpu_ns: 0,
            share_wall_ns: 0,
            assessment_buffer: Vec::new(),
            last_assessed: None,
            assessing: false,
            weak_at_full_size: false,
            started: false,
            enabled: true,
            recent: Vec::new(),
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        self.source.name()
    }

    pub(crate) fn family(&self) -> usize {
        self.family
    }

    pub(crate) fn account(&self) -> &Account {
        &self.account
    }

    pub(crate) fn quarantined(&self) -> bool {
        self.quarantined_until.is_some()
    }

    /// `Some(true)` when a quarantined source is due for its re-test, `Some(false)` while
    /// it waits, `None` when it is in service.
    pub(crate) fn retest_due(&self) -> Option<bool> {
        self.quarantined_until.map(|t| Instant::now() >= t)
    }

    pub(crate) fn started(&self) -> bool {
        self.started
    }

    pub(crate) fn credited(&self) -> bool {
        self.enabled && !self.quarantined() && self.account.per_sample() > 0.0
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// Switches the source off (not harvested; credit already queued stays valid, since it
    /// was measured) or back on (it runs the start-up test again before it earns).
    pub(crate) fn set_enabled(&mut self, enabled: bool) {
        if enabled && !self.enabled {
            self.started = false;
        }
        self.enabled = enabled;
    }

    /// Credit per sample earned now, and the epoch it is recorded under.
    pub(crate) fn credit_rate(&self) -> (f64, u32) {
        if self.quarantined() || !self.enabled {
            return (0.0, 0);
        }
        (self.account.per_sample(), self.account.epoch())
    }

    /// Whether this source is measured by full-size assessments at all (platform
    /// generators and public feeds are not: no estimate of theirs is ever credited).
    pub(crate) fn measured(&self) -> bool {
        self.account.eligible() && self.account.origin() != Some(AssessmentOrigin::Trusted)
    }

    /// Whether the source still waits for this run's own full-size measurement (it has no
    /// figure, a re-test estimate, or a stored figure): it harvests at the full budget even
    /// while the reservoir is full.
    pub(crate) fn awaiting_measurement(&self) -> bool {
        self.measured()
            && self.enabled
            && !self.quarantined()
            && self.account.origin() != Some(AssessmentOrigin::Full)
    }

    /// Whether the source awaits a measurement it needs to earn anything: it earns nothing
    /// now (no figure yet, or a re-test estimate after a quarantine) and its last full-size
    /// figure, if any, was not too weak to credit. Only such a
    /// measurement is worth the full budget while output is drawn; a source credited from a
    /// stored figure is re-measured from the samples it harvests within its share.
    pub(crate) fn needs_first_measurement(&self) -> bool {
        self.awaiting_measurement() && !self.credited() && !self.weak_at_full_size
    }

    /// Whether the source is in service and this run has not yet tried a full-size
    /// assessment of it, nor has it ever been quarantined: its first measurement is under
    /// way.
    pub(crate) fn first_measurement_pending(&self) -> bool {
        self.measured()
            && self.enabled
            && !self.quarantined()
            && self.quarantine_events == 0
            && self.last_assessed.is_none()
    }

    /// Whether a periodic re-assessment is due (its buffer may still be filling).
    pub(crate) fn reassessment_due(&self, interval: Duration) -> bool {
        self.measured()
            && !self.assessing
            && self.last_assessed.is_none_or(|t| t.elapsed() >= interval)
    }

    /// Sets the figure and where it came from, and derives the health-test cutoffs from
    /// it: from the assessed `h` itself for a creditable figure (SP 800-90B §4.4, α = 2^-20),
    /// and from `h × safety` for a provisional start-up estimate, which runs high on small
    /// samples and would otherwise raise false alarms before the full assessment.
    pub(crate) fn set_assessment(
        &mut self,
        h: f64,
        origin: AssessmentOrigin,
        samples: u64,
    ) -> Change {
        let change = self.account.assess(h, origin, samples);
        if matches!(origin, AssessmentOrigin::Full | AssessmentOrigin::Stored) {
            // Weak by the figure it is credited at (the lowest recent one), which a higher
            // latest figure does not lift until it holds.
            let credited_h = self.account.h().unwrap_or(h);
            self.weak_at_full_size = credited_h < crate::accounting::MIN_CREDITABLE_H;
        }
        let cutoff_h = if origin.earns_credit() {
            h
        } else {
            h * self.safety
        };
        let old = std::mem::replace(&mut self.health, HealthTests::new(cutoff_h, false));
        self.health.rct_failures = old.rct_failures;
        self.health.apt_failures = old.apt_failures;
        self.health.persistent_failures = old.persistent_failures;
        change
    }

    /// Runs a fresh start-up test (SP 800-90B §4.3) over the first 1024 of `samples` with
    /// the cutoffs in force, graded as the continuous tests are: a persistent failure fails
    /// it; an intermittent one (expected about once per 2^20 samples of a healthy source) does
    /// not, and its batch earns nothing.
    pub(crate) fn startup_test(&self, samples: &[u8]) -> Result<(), FailedTest> {
        let mut tests = HealthTests::new(self.health.h, false);
        match tests.feed_batch(&samples[..samples.len().min(STARTUP_TEST_SAMPLES)]) {
            Verdict::Persistent(failure) => Err(tests.failed_test(failure, true)),
            Verdict::Intermittent(_) | Verdict::Pass => Ok(()),
        }
    }

    /// The entropy the health-test cutoffs in force come from.
    pub(crate) fn test_h(&self) -> f64 {
        self.health.h
    }

    /// Marks the start-up as done.
    pub(crate) fn mark_started(&mut self) {
        self.started = true;
    }

    /// Feeds the continuous tests. A persistent failure quarantines the source; an
    /// intermittent one is logged and the caller credits nothing for the batch.
    pub(crate) fn continuous_test(&mut self, samples: &[u8]) -> Verdict {
        // The counts a failure reports are this batch's (with the run or window it
        // continues), not the largest since the cutoffs were set.
        let peaks = (self.health.longest_run, self.health.max_apt_count);
        (self.health.longest_run, self.health.max_apt_count) = (0, 0);
        let (verdict, at) = self.health.feed_batch_located(samples);
        let failed = match verdict {
            Verdict::Persistent(failure) => Some(self.health.failed_test(failure, true)),
            _ => None,
        };
        self.health.longest_run = self.health.longest_run.max(peaks.0);
        self.health.max_apt_count = self.health.max_apt_count.max(peaks.1);
        match verdict {
            Verdict::Persistent(_) => {
                self.last_failure_sample = at.map(|n| n as u64);
                self.account.fail();
                let failed = failed.expect("a persistent failure");
                self.quarantine_failed(
                    failed,
                    format!("at sample {} of a batch", at.unwrap_or(samples.len())),
                );
            }
            Verdict::Intermittent(failure) => tracing::debug!(
                source = self.name(),
                test = ?failure,
                "intermittent health-test failure: batch not credited"
            ),
            Verdict::Pass => {}
        }
        verdict
    }

    /// Samples before a batch that may belong to a run or window failing in it
    /// ([`HealthTests::lookback`]).
    pub(crate) fn health_lookback(&self) -> usize {
        self.health.lookback()
    }

    /// Counts a harvested batch and keeps its tail for display.
    pub(crate) fn record_samples(&mut self, samples: &[u8]) {
        self.samples += samples.len() as u64;
        let keep = samples.len().min(RECENT_SAMPLES);
        self.recent.clear();
        self.recent
            .extend_from_slice(&samples[samples.len() - keep..]);
    }

    pub(crate) fn recent(&self) -> &[u8] {
        &self.recent
    }

    pub(crate) fn add_credit(&mut self, bits: f64) {
        self.credited_bits += bits;
    }

    pub(crate) fn credited_bits(&self) -> f64 {
        self.credited_bits
    }

    /// Records a batch's harvesting CPU and wall time; `measuring` tells whether it went to
    /// the source's first measurement in this run (not held against its share).
    pub(crate) fn add_batch_time(&mut self, cpu_ns: u64, wall_ns: u64, measuring: bool) {
        self.cpu_ns += cpu_ns;
        if !measuring {
            self.share_wall_ns += wall_ns;
        }
    }

    pub(crate) fn share_wall_ns(&self) -> u64 {
        self.share_wall_ns
    }

    /// Adds samples to the assessment buffer; returns the full buffer (and marks the
    /// source as being assessed) once it holds `needed` samples and `may_start` allows.
    pub(crate) fn gather(
        &mut self,
        samples: &[u8],
        needed: usize,
        may_start: impl FnOnce() -> bool,
    ) -> Option<Vec<u8>> {
        if self.assessing {
            return None;
        }
        let room = needed.saturating_sub(self.assessment_buffer.len());
        self.assessment_buffer
            .extend_from_slice(&samples[..room.min(samples.len())]);
        if self.assessment_buffer.len() < needed || !may_start() {
            return None;
        }
        self.assessing = true;
        Some(std::mem::take(&mut self.assessment_buffer))
    }

    /// Samples gathered for the next assessment so far.
    pub(crate) fn buffered(&self) -> usize {
        self.assessment_buffer.len()
    }

    /// After a full-size assessment (`None`: it measured nothing).
    pub(crate) fn assessed(&mut self, h: Option<f64>, samples: u64) -> Change {
        self.assessing = false;
        self.last_assessed = Some(Instant::now());
        match h {
            Some(h) => self.set_assessment(h, AssessmentOrigin::Full, samples),
            None => Change::None,
        }
    }

    /// An assessment could not run: try again after the interval.
    pub(crate) fn assessment_abandoned(&mut self) {
        self.assessing = false;
        self.last_assessed = Some(Instant::now());
    }

    /// Makes this run's first measurement of a stored figure come soon rather than after a
    /// whole interval.
    pub(crate) fn recheck_soon(&mut self, interval: Duration, after: Duration) {
        self.last_assessed = Instant::now().checked_sub(interval.saturating_sub(after));
    }

    /// Quarantines the source for a failed health test; `context` says where (`at sample
    /// N of a batch`, `in its start-up test`).
    pub(crate) fn quarantine_failed(&mut self, failed: FailedTest, context: String) {
        let grade = if failed.persistent {
            "persistent"
        } else {
            "intermittent"
        };
        self.quarantine_for(format!("{grade} {failed}, {context}"), Some(failed));
    }

    /// Quarantines the source for a reason other than a failed health test (a collection
    /// error).
    pub(crate) fn quarantine(&mut self, reason: String) {
        self.quarantine_for(reason, None);
    }

    fn quarantine_for(&mut self, reason: String, failed: Option<FailedTest>) {
        self.failed_test = failed;
        self.quarantine_events += 1;
        self.quarantined_until = Some(Instant::now() + self.backoff);
        // A source too weak to credit here earns nothing either way: not an operator's alarm.
        if self.account.too_weak() {
            tracing::info!(
                source = self.name(),
                samples = self.samples,
                %reason,
                "source quarantined (too weak to credit here; it earned nothing)"
            );
        } else {
            // The numbers of the test that quarantined it (`test`, `observed`, `cutoff`) are
            // in `reason`; the intermittent cutoffs are not logged here, as they are not the
            // ones a quarantine crosses.
            tracing::warn!(
                source = self.name(),
                test = failed.map(|f| f.test.short_name()),
                observed = failed.map(|f| f.observed),
                cutoff = failed.map(|f| f.cutoff),
                intermittent_rct_failures = self.health.rct_failures,
                intermittent_apt_failures = self.health.apt_failures,
                samples = self.samples,
                %reason,
                "source quarantined"
            );
        }
        self.last_error = Some(reason);
    }

    /// After a passing re-test: back in service with the back-off reset. A failure means
    /// the figure may be wrong, so the source earns nothing until a fresh full-size
    /// assessment (the buffer starts over).
    pub(crate) fn readmit(&mut self) {
        self.quarantined_until = None;
        self.backoff = FIRST_BACKOFF;
        self.assessment_buffer.clear();
        self.last_assessed = None;
        tracing::info!(source = self.name(), "source re-admitted");
    }

    /// After a failing re-test: stay out, wait longer next time.
    pub(crate) fn extend_quarantine(&mut self, reason: String) {
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        self.quarantine(reason);
    }

    /// After a re-test failed a health test: stay out, wait longer next time.
    pub(crate) fn extend_quarantine_failed(&mut self, failed: FailedTest, context: String) {
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        self.quarantine_failed(failed, context);
    }

    pub(crate) fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// What the engine reports about this source, `uptime` seconds after start.
    pub(crate) fn report(&self, uptime: f64) -> SourceReport {
        let info = self.source.info();
        SourceReport {
            name: info.name,
            category: info.category,
            family: self.family_name.clone(),
            min_entropy: self.account.h(),
            latest_min_entropy: self.account.latest(),
            assessment: self.account.origin(),
            assessment_samples: self.account.assessment_samples(),
            credited: self.credited(),
            too_weak: self.account.too_weak(),
            healthy: !self.quarantined(),
            quarantined: self.quarantined(),
            enabled: self.enabled,
            samples: self.samples,
            credited_bits: self.credited_bits,
            credited_bits_per_second: self.credited_bits / uptime.max(1e-9),
            harvest_cpu_seconds: self.cpu_ns as f64 / 1e9,
            correlation_group_size: self.account.group_size(),
            quarantine_events: self.quarantine_events,
            rct_failures: self.health.rct_failures,
            apt_failures: self.health.apt_failures,
            persistent_failures: self.health.persistent_failures,
            rct_cutoff: self.health.rct_cutoff,
            apt_cutoff: self.health.apt_cutoff,
            rct_persistent_cutoff: self.health.rct_persistent,
            apt_persistent_cutoff: self.health.apt_persistent,
            last_error: self.last_error.clone(),
            last_failure_sample: self.last_failure_sample,
            failed_test: self.failed_test,
        }
    }
}

impl Ratios for [Slot] {
    fn ratio(&self, source: usize, epoch: u32) -> f64 {
        self.get(source).map_or(1.0, |s| s.account.ratio(epoch))
    }
}

impl Ratios for Vec<Slot> {
    fn ratio(&self, source: usize, epoch: u32) -> f64 {
        self.as_slice().ratio(source, epoch)
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
            AssessmentOrigin::Trusted,
        ] {
            assert_eq!(serde_json::to_value(origin).unwrap(), origin.as_str());
        }
    }
}
