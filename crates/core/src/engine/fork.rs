//! Full-entropy output in a forked child.
//!
//! After `fork()` only the forking thread exists in the child: the harvesters are gone, and
//! the engine's lock may have been copied while a harvester held it, so touching it could
//! deadlock. The child therefore never uses the shared state. It reads the per-source
//! credit rates and test entropies the parent published (lock-free), admits a source only
//! after the SP 800-90B start-up test on the child's own samples, runs the continuous tests
//! on everything it collects (a failing source is dropped, as quarantine), and assembles
//! blocks with its own assembler under the same family cap. Its output therefore never
//! repeats the parent's. When nothing is ready it sleeps rather than spins.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::slot::{STARTUP_TEST_SAMPLES, Slot};
use super::{EngineError, Inner};
use crate::accounting::{Assembler, Unrevised};
use crate::conditioning::BLOCK_BYTES;
use crate::health::{HealthTests, Verdict};

/// Samples per collection in the child.
const CHILD_BATCH: usize = 1024;
/// Pause between rounds that produced nothing.
const PAUSE: Duration = Duration::from_millis(20);

struct Admitted {
    index: usize,
    per_sample: f64,
    tests: HealthTests,
}

pub(super) fn fill_in_child(inner: &Inner, out: &mut [u8]) -> Result<(), EngineError> {
    if inner.families_selected == 0 {
        return Err(EngineError::NothingCreditable(super::uncreditable_names(
            inner,
        )));
    }
    let start = Instant::now();
    let timeout = inner.config.starvation_timeout;
    let mut admitted = admit(inner, start, timeout)?;
    let (family_of, family_names) = super::setup::families(&inner.config);
    let mut assembler = Assembler::new(
        inner.config.conditioner,
        family_of,
        family_names,
        Inner::cap_share(&inner.config, inner.families_selected),
    );
    let mut written = 0;
    let mut last_progress = Instant::now();
    while written < out.len() {
        let mut progressed = false;
        let mut k = 0;
        while k < admitted.len() {
            let member = &mut admitted[k];
            let source = &inner.config.sources[member.index];
            let outcome = source
                .collect(CHILD_BATCH)
                .map(|samples| (member.tests.feed_batch(&samples), samples));
            match outcome {
                Ok((Verdict::Pass, samples)) => {
                    assembler.offer(member.index, 0, member.per_sample, &samples);
                    k += 1;
                }
                Ok((Verdict::Intermittent(_), samples)) => {
                    assembler.offer(member.index, 0, 0.0, &samples);
                    k += 1;
                }
                // A failure quarantines the source for the rest of this request.
                _ => {
                    admitted.swap_remove(k);
                }
            }
        }
        if admitted.is_empty() {
            return Err(EngineError::ChildNotAdmitted(
                "every admitted source failed its continuous health tests".into(),
            ));
        }
        while let Some((block, _, _)) = assembler.assemble(&Unrevised) {
            let take = (out.len() - written).min(BLOCK_BYTES);
            out[written..written + take].copy_from_slice(&block[..take]);
            written += take;
            progressed = true;
            if written == out.len() {
                return Ok(());
            }
        }
        if progressed {
            last_progress = Instant::now();
        } else if admit_more(inner, &mut admitted) {
            // A source that failed its start-up test (or was not ready) at first has passed
            // now: the family cap may have been waiting for it.
        } else if last_progress.elapsed() >= timeout {
            return Err(EngineError::Starved(
                "in a forked child: the admitted sources did not deliver enough credit".into(),
            ));
        } else {
            std::thread::sleep(PAUSE);
        }
    }
    Ok(())
}

/// Tries the start-up test again for creditable sources not admitted yet; true when one
/// passed.
fn admit_more(inner: &Inner, admitted: &mut Vec<Admitted>) -> bool {
    let before = admitted.len();
    for index in 0..inner.config.sources.len() {
        if admitted.iter().any(|a| a.index == index) {
            continue;
        }
        if let Ok(source) = try_admit(inner, index) {
            admitted.push(source);
        }
    }
    admitted.len() > before
}

/// Runs the start-up test on fresh samples of source `index`, if the parent credited it.
fn try_admit(inner: &Inner, index: usize) -> Result<Admitted, Option<String>> {
    let published = &inner.published[index];
    let per_sample = f64::from_bits(published.per_sample.load(Ordering::Relaxed));
    if per_sample <= 0.0 {
        return Err(None);
    }
    let source = &inner.config.sources[index];
    let test_h = f64::from_bits(published.test_h.load(Ordering::Relaxed));
    let mut tests = HealthTests::new(test_h, false);
    match source.collect(STARTUP_TEST_SAMPLES) {
        Ok(samples) => match tests.feed_batch(&samples) {
            Verdict::Persistent(failure) => Err(Some(format!("{} ({failure:?})", source.name()))),
            Verdict::Intermittent(_) | Verdict::Pass => Ok(Admitted {
                index,
                per_sample,
                tests,
            }),
        },
        Err(e) => Err(Some(format!("{} ({e})", source.name()))),
    }
}

/// Runs the start-up test on each creditable source's fresh samples until at least one
/// passes or the timeout ends.
fn admit(inner: &Inner, start: Instant, timeout: Duration) -> Result<Vec<Admitted>, EngineError> {
    loop {
        let mut admitted = Vec::new();
        let mut reasons = Vec::new();
        for index in 0..inner.config.sources.len() {
            match try_admit(inner, index) {
                Ok(source) => admitted.push(source),
                Err(Some(reason)) => reasons.push(reason),
                Err(None) => {}
            }
        }
        if !admitted.is_empty() {
            return Ok(admitted);
        }
        if start.elapsed() >= timeout {
            let why = if reasons.is_empty() {
                "no source was credited in the parent when it forked".to_owned()
            } else {
                reasons.join(", ")
            };
            return Err(EngineError::ChildNotAdmitted(why));
        }
        std::thread::sleep(PAUSE * 10);
    }
}

/// Publishes a source's credit rate and test entropy for a forked child (lock-free).
pub(super) fn publish(inner: &Inner, index: usize, slot: &Slot) {
    let published = &inner.published[index];
    published
        .per_sample
        .store(slot.credit_rate().0.to_bits(), Ordering::Relaxed);
    published
        .test_h
        .store(slot.test_h().to_bits(), Ordering::Relaxed);
}
