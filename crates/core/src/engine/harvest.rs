//! Background harvesters: one thread per source category, under a shared CPU budget.
//!
//! While the reservoir has room, each harvester spends its share of the budget as the
//! schedule says (mostly on the sources that earn the most credit per CPU-ns). While the
//! reservoir is full and nobody reads, sources still harvest for their assessments:
//! a source awaiting this run's first full-size measurement at the full budget (so every
//! source is measured within seconds of start, demand or not), and a source due for its
//! periodic re-assessment within the idle budget (`idle_cpu_budget`, 5% of one core).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Inner;
use super::assess;
use super::batch::harvest_once;
use super::blocks::reservoir_full;
use super::cpu::{self, charge_idle, idle_allows, thread_cpu_ns};
use super::schedule::{FamilySchedule, STARTUP_SHARE};
use crate::{SourceCategory, SpeedClass};

/// Samples per batch for a fast source until its speed is known (see `schedule`).
const FAST_BATCH: usize = 4096;
/// Samples per batch for a slow source until its speed is known.
const SLOW_BATCH: usize = 256;
/// Samples per batch when a fast source harvests only for its assessment.
const MEASURE_BATCH: usize = 16_384;
/// Scheduling priority of the harvesters and the helper threads they start. Harvesting is
/// background work under its own CPU budget; at nice 0 seven harvester threads, each woken
/// by its sources' timers and sockets, took most of the core a DRBG reader ran on (256 MiB
/// of output took 3× as long). At nice 10 the reader comes first, and the harvesters still
/// get all the CPU nobody else wants, which is when full-entropy readers wait for them.
const HARVEST_NICE: i32 = 10;
/// How long a harvester with nothing to do waits before looking again (it is woken at once
/// when blocks are taken).
const IDLE_PAUSE: Duration = Duration::from_millis(100);

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

/// Publishes this harvester's best yield (in the slot of its first member) and returns the
/// best of all harvesters'. Each publishes what its members earn now, so the maximum follows
/// a source that slows down or whose family's queue fills.
fn publish_best(inner: &Inner, slot: usize, mine: f64) -> f64 {
    inner.best_yields[slot].store(mine.to_bits(), Ordering::Relaxed);
    inner
        .best_yields
        .iter()
        .map(|bits| f64::from_bits(bits.load(Ordering::Relaxed)))
        .fold(mine, f64::max)
}

/// What a harvester needs to know about a member before planning its batch.
struct MemberView {
    enabled: bool,
    buffered: usize,
    credit: f64,
    credited: bool,
    /// Wall time of its batches outside its first measurement.
    share_wall_ns: u64,
    waiting_in_quarantine: bool,
    /// Quarantined and due for its re-test: it harvests whatever its share, or it would stay
    /// quarantined.
    retest_due: bool,
    /// Waits for this run's own full-size measurement (it may have a stored figure).
    awaiting_measurement: bool,
    /// Awaits a measurement it needs to earn anything (`Slot::needs_first_measurement`).
    measuring_first: bool,
    wants_samples: bool,
    /// Its correlation family's queue is full: more samples would be mixed in uncredited.
    saturated: bool,
}

fn view(inner: &Inner, index: usize) -> MemberView {
    let shared = inner.lock();
    let slot = &shared.slots[index];
    MemberView {
        enabled: slot.enabled(),
        buffered: slot.buffered(),
        credit: slot.credited_bits(),
        credited: slot.credited(),
        share_wall_ns: slot.share_wall_ns(),
        waiting_in_quarantine: slot.retest_due() == Some(false),
        retest_due: slot.retest_due() == Some(true),
        awaiting_measurement: slot.awaiting_measurement(),
        measuring_first: slot.needs_first_measurement(),
        wants_samples: slot.reassessment_due(inner.config.reassess_interval),
        saturated: shared.assembler.saturated(index),
    }
}

fn harvest_family(inner: &Arc<Inner>, members: &[usize]) {
    cpu::lower_priority(HARVEST_NICE);
    let mut schedule = FamilySchedule::new(members.len());
    while !inner.stop.load(Ordering::SeqCst) {
        let full = reservoir_full(inner);
        let budget_ns = inner.started.elapsed().as_nanos() as f64 * inner.config.cpu_budget;
        let (mut ran, mut idle) = (false, true);
        // One start-up per family per round: the family's first at once, later ones while
        // start-ups stay within their share of the budget.
        // (and not while every assessment turn is taken: the first output waits for those).
        let mut may_start = !schedule.any_started()
            || ((inner.startup_cpu_ns.load(Ordering::Relaxed) as f64) < STARTUP_SHARE * budget_ns
                && !assess::all_busy(inner));
        let views: Vec<MemberView> = members.iter().map(|&index| view(inner, index)).collect();
        // Members whose yield is no yardstick now: a full queue, or out of service (a
        // quarantined source's old yield made the one left serving count as low-yield).
        let unavailable: Vec<bool> = views
            .iter()
            .map(|v| v.saturated || v.waiting_in_quarantine || v.retest_due || !v.enabled)
            .collect();
        let global_best = publish_best(inner, members[0], schedule.best(&unavailable));
        let focus = first_measurement_focus(&schedule, &views, inner.config.reassess_samples);
        for (k, (&index, member)) in members.iter().zip(views).enumerate() {
            if inner.stop.load(Ordering::SeqCst) {
                return;
            }
            let source = &inner.config.sources[index];
            let (default_batch, measure_batch) = match source.info().speed {
                SpeedClass::Fast => (FAST_BATCH, MEASURE_BATCH),
                SpeedClass::Slow => (SLOW_BATCH, SLOW_BATCH),
            };
            if member.waiting_in_quarantine || !member.enabled {
                continue;
            }
            let starting = !schedule.started(k);
            if !starting
                && member.measuring_first
                && member.wants_samples
                && (focus != Some(k) || assess::all_busy(inner))
            {
                // One first measurement at a time per harvester, cheapest first (the first
                // credit comes when two families are measured, not when all are), and none
                // while every assessment turn is taken: the samples would wait, and the CPU
                // they cost would slow the assessments that are running.
                continue;
            }
            let measuring_only = full && !starting;
            let batch = if starting {
                if !may_start {
                    continue;
                }
                may_start = false;
                default_batch
            } else if member.retest_due {
                default_batch
            } else if measuring_only {
                // Nobody reads: harvest only for assessments.
                if !member.wants_samples || !(member.awaiting_measurement || idle_allows(inner)) {
                    continue;
                }
                measure_batch
            } else {
                let planned = schedule.plan(
                    k,
                    global_best,
                    member.share_wall_ns,
                    inner.started.elapsed().as_nanos() as f64,
                    default_batch,
                    member.saturated,
                );
                match planned {
                    Some(batch) => batch,
                    // A source earning nothing yet still gathers its first measurement.
                    None if member.wants_samples && member.measuring_first => measure_batch,
                    None => continue,
                }
            };
            ran = true;
            let (cpu0, wall0) = (thread_cpu_ns(), Instant::now());
            let harvested = harvest_once(inner, index, batch);
            idle &= harvested.is_none();
            let spent = thread_cpu_ns().saturating_sub(cpu0);
            let wall = wall0.elapsed().as_nanos() as u64;
            let (credit1, saturated_after) = {
                let mut shared = inner.lock();
                let saturated_after = shared.assembler.saturated(index);
                let slot = &mut shared.slots[index];
                slot.add_batch_time(spent, wall, member.measuring_first);
                (slot.credited_bits(), saturated_after)
            };
            if starting {
                inner.startup_cpu_ns.fetch_add(spent, Ordering::Relaxed);
            }
            if measuring_only && !member.awaiting_measurement {
                charge_idle(inner, spent);
            }
            schedule.record(
                k,
                credit1 - member.credit,
                spent,
                harvested.unwrap_or(0),
                // A batch refused (wholly or partly) by a full queue says nothing of the
                // source's yield.
                member.credited && !member.saturated && !saturated_after,
            );
            respect_budget(inner, spent);
        }
        if !ran {
            wait_for_work(inner);
        } else if idle {
            // Every member is quarantined or failing: check back without spinning.
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The started member whose first full-size measurement costs the least CPU to complete
/// (samples still missing × CPU per sample), if any member is gathering one.
fn first_measurement_focus(
    schedule: &FamilySchedule,
    views: &[MemberView],
    needed: usize,
) -> Option<usize> {
    views
        .iter()
        .enumerate()
        .filter(|(k, v)| schedule.started(*k) && v.measuring_first && v.wants_samples)
        .map(|(k, v)| {
            let per_sample = schedule.ns_per_sample(k);
            let cost = needed.saturating_sub(v.buffered) as f64
                * if per_sample.is_finite() {
                    per_sample
                } else {
                    f64::MAX / 1e9
                };
            (k, cost)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k)
}

/// Waits until blocks are taken, a request wants fresh blocks, or [`IDLE_PAUSE`] passes.
fn wait_for_work(inner: &Inner) {
    let shared = inner.lock();
    if inner.stop.load(Ordering::SeqCst) {
        return;
    }
    let _ = inner
        .space_ready
        .wait_timeout(shared, IDLE_PAUSE)
        .unwrap_or_else(|p| p.into_inner());
}
