//! Full-size assessments in the background, and what follows from their result.
//!
//! They run on the engine's assessment workers (`workers`), so harvesting and the continuous
//! health tests never pause for the estimators (0.3-0.6 s of CPU for 65,536 samples on the reference VM). A periodic
//! re-assessment runs at the lowest priority and its CPU time is charged to the harvesters'
//! budget; a source's first measurement in a run runs at normal priority and is not charged
//! (no credit flows until it is in). Both are charged to the idle budget when nobody reads. At most [`MAX_CONCURRENT`] run at once: bounded
//! memory (the estimators' tables run to ~12 MB) and at most that many cores.
//!
//! A result lower than the figure it replaces revises the accounts: every earlier epoch of
//! the source is valued at the new figure, reservoir blocks that no longer reach 320 bits
//! are revoked, and DRBG handles whose seed was among them reseed before their next output.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Inner;
use super::blocks::assemble_blocks;
use super::cpu::{charge_idle, thread_cpu_ns};
use super::fork::publish;
use crate::accounting::Change;

/// Full-size assessments that may run at once: one per core of the reference VM, so the
/// first two families are measured (and credit can start) within a second of a cold start.
pub(super) const MAX_CONCURRENT: usize = 2;

/// Takes an assessment turn if one is free.
pub(super) fn claim_turn(inner: &Inner) -> bool {
    inner
        .assessors
        .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |n| {
            (n < MAX_CONCURRENT).then_some(n + 1)
        })
        .is_ok()
}

/// Whether every assessment turn is taken.
pub(super) fn all_busy(inner: &Inner) -> bool {
    inner.assessors.load(Ordering::Acquire) >= MAX_CONCURRENT
}

/// Assesses `buffer` (source `index`'s consecutive samples) on an assessment worker. A
/// periodic re-assessment runs at the lowest priority; a source's first measurement in this
/// run does not, since no credit flows from it until the measurement is in (on a busy
/// machine a nice-19 thread can wait for seconds).
pub(super) fn spawn(inner: &Arc<Inner>, index: usize, buffer: Vec<u8>, first: bool) {
    let worker = Arc::clone(inner);
    let job = Box::new(move || {
        let cpu0 = thread_cpu_ns();
        let h = (worker.config.assessor)(&buffer);
        let spent = thread_cpu_ns().saturating_sub(cpu0);
        // A periodic re-assessment is charged to the harvest budget; a first measurement
        // (once per source per run, at start-up or after a quarantine) is not, or the
        // harvesters would stall on the debt right when the first credit can flow.
        if !first {
            worker.cpu_used_ns.fetch_add(spent, Ordering::Relaxed);
        }
        charge_idle(&worker, spent);
        finish(&worker, index, h, buffer.len() as u64);
    });
    if inner.workers.submit(first, job).is_err() {
        // No thread to spare: keep the current figure and try again after the interval.
        let mut shared = inner.lock();
        shared.slots[index].assessment_abandoned();
        inner.assessors.fetch_sub(1, Ordering::AcqRel);
    }
}

fn finish(inner: &Inner, index: usize, h: Option<f64>, samples: u64) {
    let name = inner.config.sources[index].name();
    if let (Some(h), Some(store)) = (h, &inner.config.assessment_store) {
        // A cache: failing to write it costs the next run a start-up wait, no more.
        if let Err(e) = store.save(name, h, samples) {
            tracing::debug!(source = name, error = %e, "assessment not stored");
        }
    }
    let mut shared = inner.lock();
    let change = shared.slots[index].assessed(h, samples);
    match change {
        Change::Lowered { old, new } => {
            let revoked = shared.revoke_short_blocks(index);
            inner.revision.fetch_add(1, Ordering::SeqCst);
            // Routine accounting, not a failure: figures move between assessments.
            tracing::info!(
                source = name,
                old_h = old,
                new_h = new,
                revoked_blocks = revoked,
                "re-assessment lowered min-entropy; earlier credit revised"
            );
        }
        _ => tracing::debug!(source = name, h = ?h, "assessed"),
    }
    publish(inner, index, &shared.slots[index]);
    if assemble_blocks(inner, &mut shared) {
        inner.blocks_ready.notify_all();
    }
    drop(shared);
    inner.assessors.fetch_sub(1, Ordering::AcqRel);
}
