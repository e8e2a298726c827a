//! Background harvesters: one thread per source family, under a shared CPU budget, pausing
//! when the reservoir of full-entropy blocks is full.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Inner;
use super::schedule::{FamilySchedule, STARTUP_SHARE};
use super::slot::{AssessmentOrigin, STARTUP_TEST_SAMPLES};
use crate::clock::read_clock;
use crate::{SourceCategory, SpeedClass};

/// Samples per batch for a fast source until its speed is known (see `schedule`).
const FAST_BATCH: usize = 4096;
/// Samples per batch for a slow source until its speed is known.
const SLOW_BATCH: usize = 256;

pub(super) fn spawn_harvesters(inner: &Arc<Inner>) -> Vec<JoinHandle<()>> {
    let mut families: Vec<(SourceCategory, Vec<usize>)> = Vec::new();
    for (index, source) in inner.config.sources.iter().enumerate() {
        let category = source.info().category;
        match families.iter_mut().find(|(c, _)| *c == category) {
            Some((_, members)) => members.push(index),
            None => families.push((category, vec![index])),
        }
    }
    families
        .into_iter()
        .filter_map(|(category, members)| {
            let inner = Arc::clone(inner);
            std::thread::Builder::new()
                .name(format!("ws-harvest-{category}"))
                .spawn(move || harvest_family(&inner, &members))
                .ok()
        })
        .collect()
}

fn thread_cpu_ns() -> u64 {
    read_clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// Sleeps while the harvesters together are over their CPU budget.
fn respect_budget(inner: &Inner, spent_ns: u64) {
    let used = inner.cpu_used_ns.fetch_add(spent_ns, Ordering::Relaxed) + spent_ns;
    let allowed = inner.started.elapsed().as_nanos() as f64 * inner.config.cpu_budget;
    let excess = used as f64 - allowed;
    if excess > 0.0 {
        let wait = Duration::from_nanos((excess / inner.config.cpu_budget) as u64);
        std::thread::sleep(wait.min(Duration::from_millis(250)));
    }
}

/// Blocks while the reservoir is full, unless `starting` (members still to start go ahead:
/// a start-up measures and tests a source, which `pool` and the monitor show even when no
/// output is drawn). Returns `None` when the engine stops, else whether the reservoir is full.
fn wait_for_room(inner: &Inner, starting: bool) -> Option<bool> {
    let mut shared = inner.lock();
    while shared.reservoir.len() >= inner.config.reservoir_blocks {
        if starting {
            return (!inner.stop.load(Ordering::SeqCst)).then_some(true);
        }
        if inner.stop.load(Ordering::SeqCst) {
            return None;
        }
        shared = inner
            .space_ready
            .wait_timeout(shared, Duration::from_millis(500))
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
    (!inner.stop.load(Ordering::SeqCst)).then_some(false)
}

/// How long a family waits when none of its members is due.
const IDLE_PAUSE: Duration = Duration::from_millis(20);

/// Publishes this family's best yield into the engine's decaying maximum and returns that
/// maximum. The decay (1% per call) lets the maximum follow a source that slows down.
fn publish_best(inner: &Inner, mine: f64) -> f64 {
    let updated = inner
        .best_yield
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
            let global = f64::from_bits(bits) * 0.99;
            Some(global.max(mine).to_bits())
        })
        .unwrap_or_else(|bits| bits);
    (f64::from_bits(updated) * 0.99).max(mine)
}

fn harvest_family(inner: &Arc<Inner>, members: &[usize]) {
    let mut schedule = FamilySchedule::new(members.len());
    while let Some(full) = wait_for_room(inner, !schedule.all_started()) {
        let global_best = publish_best(inner, schedule.best());
        let budget_ns = inner.started.elapsed().as_nanos() as f64 * inner.config.cpu_budget;
        let (mut ran, mut idle) = (false, true);
        // One start-up per family per round: the family's first at once, later ones while
        // start-ups stay within their share of the budget.
        let mut may_start = !schedule.any_started()
            || (inner.startup_cpu_ns.load(Ordering::Relaxed) as f64) < STARTUP_SHARE * budget_ns;
        for (k, &index) in members.iter().enumerate() {
            if inner.stop.load(Ordering::SeqCst) {
                return;
            }
            if full && schedule.started(k) {
                continue;
            }
            let source = &inner.config.sources[index];
            let default_batch = match source.info().speed {
                SpeedClass::Fast => FAST_BATCH,
                SpeedClass::Slow => SLOW_BATCH,
            };
            let (credit0, cpu_used) = {
                let shared = inner.lock();
                (
                    shared.slots[index].credited_bits,
                    shared.slots[index].cpu_ns,
                )
            };
            let Some(batch) = schedule.plan(
                k,
                global_best,
                cpu_used,
                budget_ns,
                default_batch,
                may_start,
            ) else {
                continue;
            };
            let starting = !schedule.started(k);
            may_start &= !starting;
            ran = true;
            let cpu0 = thread_cpu_ns();
            let harvested = harvest_once(inner, index, batch);
            idle &= harvested.is_none();
            let spent = thread_cpu_ns().saturating_sub(cpu0);
            let credit1 = {
                let mut shared = inner.lock();
                let slot = &mut shared.slots[index];
                slot.cpu_ns += spent;
                slot.credited_bits
            };
            if starting {
                inner.startup_cpu_ns.fetch_add(spent, Ordering::Relaxed);
            }
            schedule.record(k, credit1 - credit0, spent, harvested.unwrap_or(0));
            respect_budget(inner, spent);
        }
        if !ran {
            std::thread::sleep(IDLE_PAUSE);
        } else if idle {
            // Every member is quarantined or failing: check back without spinning.
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// One batch (of `batch` samples once started) from one source: the samples harvested, or
/// `None` when the source is out of service.
fn harvest_once(inner: &Arc<Inner>, index: usize, batch: usize) -> Option<usize> {
    let in_service = harvest_batch(inner, index, batch);
    let claim = {
        let shared = inner.lock();
        let slot = &shared.slots[index];
        match (slot.credited(), slot.h) {
            (true, Some(h)) => h * inner.config.safety_factor / slot.group_size as f64,
            _ => 0.0,
        }
    };
    inner.claims[index].store(claim.to_bits(), Ordering::Relaxed);
    in_service
}

fn harvest_batch(inner: &Arc<Inner>, index: usize, batch: usize) -> Option<usize> {
    let source = Arc::clone(&inner.config.sources[index]);
    let retest = {
        let shared = inner.lock();
        match shared.slots[index].quarantined_until {
            Some(until) if Instant::now() < until => return None,
            Some(_) => true,
            None => false,
        }
    };
    if retest {
        // A failure means the claim was wrong: measure again on a fresh start-up sample and
        // never raise the claim on re-admission, only lower it.
        let outcome = source.collect(inner.config.startup_samples.max(STARTUP_TEST_SAMPLES));
        let fresh_h = outcome
            .as_ref()
            .ok()
            .and_then(|s| (inner.config.assessor)(s));
        let mut shared = inner.lock();
        let slot = &mut shared.slots[index];
        if let (Some(old), Some(new)) = (slot.h, fresh_h)
            && new < old
        {
            slot.set_entropy(Some(new), AssessmentOrigin::Startup);
        }
        match outcome.map_err(|e| e.to_string()).and_then(|s| {
            slot.startup_test(&s)
                .map_err(|f| format!("re-test {f:?} failed"))
        }) {
            Ok(()) => slot.readmit(),
            Err(reason) => {
                slot.extend_quarantine(reason);
                return None;
            }
        }
        return Some(0);
    }
    let (started, stored) = {
        let shared = inner.lock();
        let slot = &shared.slots[index];
        (slot.started, slot.origin == Some(AssessmentOrigin::Stored))
    };
    let batch = match (started, stored) {
        (true, _) => batch,
        // A stored assessment needs only the start-up test's samples.
        (false, true) => STARTUP_TEST_SAMPLES,
        (false, false) => inner.config.startup_samples,
    };
    let samples = match source.collect(batch) {
        Ok(samples) => samples,
        Err(e) => {
            let mut shared = inner.lock();
            shared.slots[index].extend_quarantine(e.to_string());
            return None;
        }
    };
    let reassess = {
        let mut shared = inner.lock();
        let slot = &mut shared.slots[index];
        slot.samples += samples.len() as u64;
        let keep = samples.len().min(super::slot::RECENT_SAMPLES);
        slot.recent.clear();
        slot.recent
            .extend_from_slice(&samples[samples.len() - keep..]);
        if !slot.started {
            // Start-up (SP 800-90B §4.3): assess on this sample unless an earlier run's
            // full assessment is at hand, then run the start-up test over its first 1024
            // samples with cutoffs from the assessment.
            slot.started = true;
            if !stored {
                slot.set_entropy((inner.config.assessor)(&samples), AssessmentOrigin::Startup);
            }
            if let Err(failure) = slot.startup_test(&samples) {
                slot.quarantine(format!("start-up {failure:?} test failed"));
                return None;
            }
        }
        if slot.continuous_test(&samples).is_some() {
            return None;
        }
        let per_sample = match slot.h {
            Some(h) if slot.source.creditable() => {
                h * inner.config.safety_factor / slot.group_size as f64
            }
            _ => 0.0,
        };
        // Published before any block from this batch can be served (see engine::fork).
        inner.claims[index].store(per_sample.to_bits(), Ordering::Relaxed);
        let credit = samples.len() as f64 * per_sample;
        slot.credited_bits += credit;
        let due = !slot.assessing
            && slot
                .last_assessed
                .is_none_or(|t| t.elapsed() >= inner.config.reassess_interval);
        let reassess = if due {
            let room = inner
                .config
                .reassess_samples
                .saturating_sub(slot.assessment_buffer.len());
            slot.assessment_buffer
                .extend_from_slice(&samples[..room.min(samples.len())]);
            // One re-assessment at a time per engine: bounded memory (the estimators' tables
            // for 65,536 samples run to megabytes) and at most one extra thread's CPU. A
            // source whose buffer is full waits for its turn and keeps its samples.
            let full = slot.assessment_buffer.len() >= inner.config.reassess_samples;
            let turn = full
                && inner
                    .assessor_busy
                    .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok();
            slot.assessing |= turn;
            turn.then(|| std::mem::take(&mut slot.assessment_buffer))
        } else {
            None
        };
        let shared = &mut *shared;
        shared.credited_bits += credit;
        if condition(shared, &samples, credit) {
            inner.blocks_ready.notify_all();
        }
        reassess
    };
    if let Some(buffer) = reassess {
        reassess_in_background(inner, index, buffer);
    }
    Some(samples.len())
}

/// Re-assesses a source on its own thread, so harvesting and the continuous health tests
/// never pause for the estimators (seconds on a loaded machine), while the thread's CPU time
/// is still charged to the harvesters' budget.
fn reassess_in_background(inner: &Arc<Inner>, index: usize, buffer: Vec<u8>) {
    let task = Arc::clone(inner);
    let samples = buffer.len() as u64;
    let finish = move |h: Option<f64>| {
        if let (Some(h), Some(store)) = (h, &task.config.assessment_store) {
            // A cache: failing to write it costs the next run a start-up assessment, no more.
            let _ = store.save(task.config.sources[index].name(), h, samples);
        }
        let mut shared = task.lock();
        let slot = &mut shared.slots[index];
        if h.is_some() {
            slot.set_entropy(h, AssessmentOrigin::Full);
        }
        slot.last_assessed = Some(Instant::now());
        slot.assessing = false;
        task.assessor_busy.store(false, Ordering::Release);
    };
    let worker = Arc::clone(inner);
    let spawned = std::thread::Builder::new()
        .name("ws-assess".into())
        .spawn(move || {
            lower_priority();
            let cpu0 = thread_cpu_ns();
            let h = (worker.config.assessor)(&buffer);
            let spent = thread_cpu_ns().saturating_sub(cpu0);
            worker.cpu_used_ns.fetch_add(spent, Ordering::Relaxed);
            finish(h);
        });
    if spawned.is_err() {
        // No thread to spare: keep the current estimate and try again after the interval.
        let mut shared = inner.lock();
        let slot = &mut shared.slots[index];
        slot.last_assessed = Some(Instant::now());
        slot.assessing = false;
        inner.assessor_busy.store(false, Ordering::Release);
    }
}

/// Absorbs a batch into the conditioner in slices that each complete a block, so a batch
/// with far more than 320 bits of credit yields many blocks instead of one. Returns true
/// when at least one block was produced.
fn condition(shared: &mut super::Shared, samples: &[u8], credit: f64) -> bool {
    use crate::conditioning::FULL_ENTROPY_CREDIT_BITS;
    if credit <= 0.0 {
        // Uncredited input is still mixed in; it just never completes a block by itself.
        shared.conditioner.absorb(samples, 0.0);
        return false;
    }
    let per_sample = credit / samples.len() as f64;
    let mut rest = samples;
    let mut produced = false;
    while !rest.is_empty() {
        let missing = (FULL_ENTROPY_CREDIT_BITS - shared.conditioner.credit_bits()).max(0.0);
        let take = ((missing / per_sample).ceil() as usize).clamp(1, rest.len());
        shared
            .conditioner
            .absorb(&rest[..take], take as f64 * per_sample);
        rest = &rest[take..];
        if let Some(block) = shared.conditioner.squeeze() {
            shared.reservoir.push_back(block);
            shared.blocks_produced += 1;
            produced = true;
        }
    }
    produced
}

/// Runs the calling thread at the lowest scheduling priority (nice 19), so a re-assessment
/// (a second of CPU in one go, charged to the budget only when it ends) yields to whatever
/// serves output. Best effort: on failure the thread keeps its priority.
fn lower_priority() {
    // SAFETY: gettid has no preconditions; setpriority only reads its integer arguments and
    // changes the priority of this very thread (Linux applies PRIO_PROCESS to a thread id).
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19) };
}
