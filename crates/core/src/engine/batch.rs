//! One batch from one source, in named steps: re-test a quarantined source, collect, run
//! the start-up test on a source's first batch, run the continuous health tests, gather
//! samples for the next full-size assessment, credit the batch, and assemble blocks.
//! Collection and estimators run outside the engine's lock; the steps that touch shared
//! state run under it, briefly.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::blocks::assemble_blocks;
use super::fork::publish;
use super::slot::{STARTUP_TEST_SAMPLES, Slot};
use super::{Inner, Shared, assess};
use crate::accounting::AssessmentOrigin;
use crate::health::Verdict;

/// Harvests one batch (`batch` samples once started) from source `index`: the samples
/// harvested, or `None` when the source is out of service.
pub(super) fn harvest_once(inner: &Arc<Inner>, index: usize, batch: usize) -> Option<usize> {
    let source = Arc::clone(&inner.config.sources[index]);
    let (retest_due, started, has_figure) = {
        let shared = inner.lock();
        let slot = &shared.slots[index];
        (
            slot.retest_due(),
            slot.started(),
            slot.account()
                .origin()
                .is_some_and(AssessmentOrigin::earns_credit),
        )
    };
    match retest_due {
        Some(false) => return None,
        Some(true) => return retest(inner, index).then_some(0),
        None => {}
    }
    let batch = match (started, has_figure) {
        (true, _) => batch,
        // A stored or trusted figure needs only the start-up test's samples.
        (false, true) => STARTUP_TEST_SAMPLES,
        (false, false) => inner.config.startup_samples,
    };
    let samples = match source.collect(batch) {
        Ok(samples) => samples,
        Err(e) => {
            let mut shared = inner.lock();
            shared.slots[index].extend_quarantine(e.to_string());
            publish(inner, index, &shared.slots[index]);
            return None;
        }
    };
    let mut shared = inner.lock();
    // A failed start-up test has quarantined the source: out of service like a persistent
    // failure of the continuous tests.
    let verdict = start_up(&mut shared.slots[index], &samples)
        .then(|| shared.slots[index].continuous_test(&samples));
    let in_service = matches!(verdict, Some(Verdict::Pass | Verdict::Intermittent(_)));
    match verdict {
        Some(Verdict::Persistent(_)) => take_back(inner, &mut shared, index),
        Some(Verdict::Intermittent(_)) => {
            // The failing run or window may have begun in the batches before this one.
            let lookback = shared.slots[index].health_lookback();
            shared.assembler.withdraw_tail(index, lookback);
        }
        _ => {}
    }
    let first = shared.slots[index].awaiting_measurement();
    let buffer = in_service.then(|| {
        shared.slots[index].record_samples(&samples);
        let buffer = gather(inner, &mut shared.slots[index], &samples);
        if verdict == Some(Verdict::Pass) {
            credit(&mut shared, index, &samples);
        } else {
            // An intermittent failure: the batch is mixed in, but earns nothing.
            shared.assembler.offer(index, 0, 0.0, &samples);
        }
        if assemble_blocks(inner, &mut shared) {
            inner.blocks_ready.notify_all();
        }
        buffer
    });
    publish(inner, index, &shared.slots[index]);
    drop(shared);
    if let Some(Some(buffer)) = buffer {
        assess::spawn(inner, index, buffer, first);
    }
    in_service.then_some(samples.len())
}

/// After a persistent failure has zeroed the source's accounts (`Account::fail`): its
/// queued credit is now worth nothing, the reservoir blocks that fall short of 320 bits
/// without it are revoked, and every DRBG re-checks its seed before its next 64 KiB.
fn take_back(inner: &Inner, shared: &mut Shared, index: usize) {
    let revoked = shared.revoke_short_blocks(index);
    inner.revision.fetch_add(1, Ordering::SeqCst);
    tracing::warn!(
        source = inner.config.sources[index].name(),
        revoked_blocks = revoked,
        "persistent health-test failure: the source's unserved credit is taken back"
    );
}

/// A quarantined source's re-test on a fresh start-up sample. Passing re-admits it, but
/// a failure means its figure may be wrong: it earns nothing again until a fresh full-size
/// assessment, and its provisional figure is never raised. Returns whether it passed.
fn retest(inner: &Arc<Inner>, index: usize) -> bool {
    let source = Arc::clone(&inner.config.sources[index]);
    let outcome = source.collect(inner.config.startup_samples);
    let fresh = outcome
        .as_ref()
        .ok()
        .and_then(|s| (inner.config.assessor)(s));
    let mut shared = inner.lock();
    let slot = &mut shared.slots[index];
    let passed = match outcome
        .map_err(Err)
        .and_then(|s| slot.startup_test(&s).map_err(Ok))
    {
        Ok(()) => {
            if slot.measured() {
                let old = slot.account().h();
                let h = match (old, fresh) {
                    (Some(old), Some(new)) => old.min(new),
                    (old, new) => old.or(new).unwrap_or(0.0),
                };
                slot.set_assessment(
                    h,
                    AssessmentOrigin::Startup,
                    inner.config.startup_samples as u64,
                );
            }
            slot.readmit();
            true
        }
        Err(Ok(failed)) => {
            slot.extend_quarantine_failed(failed, "in its re-test".into());
            false
        }
        Err(Err(e)) => {
            slot.extend_quarantine(e.to_string());
            false
        }
    };
    publish(inner, index, &shared.slots[index]);
    passed
}

/// A source's first batch: the start-up test (SP 800-90B §4.3), with cutoffs from a stored or
/// trusted figure, or else provisional ones (see `Slot`); no estimate is made on the batch,
/// since it would earn nothing and cost ~20 ms of CPU per source before the first output.
/// Returns false (and quarantines) when the test fails.
fn start_up(slot: &mut Slot, samples: &[u8]) -> bool {
    if slot.started() {
        return true;
    }
    slot.mark_started();
    match slot.startup_test(samples) {
        Ok(()) => true,
        Err(failed) => {
            slot.quarantine_failed(failed, "in its start-up test".into());
            false
        }
    }
}

/// Adds the batch to the source's assessment buffer when an assessment is due; returns
/// the full buffer when its assessment may start now.
fn gather(inner: &Inner, slot: &mut Slot, samples: &[u8]) -> Option<Vec<u8>> {
    if !slot.reassessment_due(inner.config.reassess_interval) {
        return None;
    }
    slot.gather(samples, inner.config.reassess_samples, || {
        assess::claim_turn(inner)
    })
}

/// Offers the batch to the block assembler at the source's current credit rate.
fn credit(shared: &mut Shared, index: usize, samples: &[u8]) {
    let (per_sample, epoch) = shared.slots[index].credit_rate();
    let accepted = shared.assembler.offer(index, epoch, per_sample, samples);
    shared.slots[index].add_credit(accepted);
    shared.credited_bits += accepted;
}
