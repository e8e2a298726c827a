//! Assembling full-entropy blocks from credited samples, with the diversity rule.
//!
//! Credited samples wait in one queue per correlation family. A block is made when the
//! queues together hold [`BLOCK_CREDIT_BITS`] (320 bits and a 10% margin) that respect the
//! family cap: with two or more families selected, each family supplies at most
//! `max_family_share` of a block (default half), so one mis-assessed mechanism cannot carry
//! whole blocks alone. The amount taken from each family is set by water-filling: the lowest
//! level `L ≤ cap` at which `Σ min(available_f, L)` reaches the block's credit, so the slower
//! families give what they have and the fast ones the rest. Credit a family earns beyond what its queue may hold is mixed in
//! uncredited, and the harvest scheduler spends its time on the other families until it drains.
//!
//! Queued samples carry the (source, epoch) they were credited under, and are valued at
//! assembly time under the accounts as they stand then, so a lowered assessment also lowers
//! what is still waiting.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use zeroize::Zeroizing;

use super::{Ledger, Ratios};
use crate::conditioning::{BLOCK_BYTES, Conditioner, ConditionerKind, FULL_ENTROPY_CREDIT_BITS};

/// Credit a block is assembled with: 320 bits and a 10% margin, so that a re-assessment a
/// little lower than the last (estimates on 65,536 samples vary by several percent from one
/// sample to the next) does not revoke every block its source contributed to. A block is
/// revoked only when its recomputed credit falls below 320 bits (a drop of more than 9%).
pub(crate) const BLOCK_CREDIT_BITS: f64 = FULL_ENTROPY_CREDIT_BITS * 1.1;

/// Most credit one family's queue holds (bits, as recorded): 32 blocks' worth.
const QUEUE_BITS: f64 = 32.0 * FULL_ENTROPY_CREDIT_BITS;
/// Most samples one family's queue holds, whatever their credit.
const QUEUE_BYTES: usize = 1 << 20;
/// Blocks over which family shares are reported.
const SHARE_WINDOW: usize = 1000;
/// Slack for floating-point sums (of up to ~10^5 terms) when checking that 320 bits are there.
const SLACK: f64 = 1e-6;

struct Pending {
    samples: Zeroizing<Vec<u8>>,
    start: usize,
    source: usize,
    epoch: u32,
    /// Credit per sample as recorded.
    per_sample: f64,
    harvested: Instant,
}

impl Pending {
    fn left(&self) -> usize {
        self.samples.len() - self.start
    }
}

#[derive(Default)]
struct FamilyQueue {
    items: VecDeque<Pending>,
    recorded_bits: f64,
    bytes: usize,
}

impl FamilyQueue {
    /// Mixes in, uncredited, and drops every item now worth nothing (its source failed, or
    /// its credit was withdrawn). Such items would otherwise hold the queue's room for
    /// ever: no block can take them, and a full queue credits nothing new.
    fn mix_in_worthless(
        &mut self,
        accounts: &(impl Ratios + ?Sized),
        conditioner: &mut Conditioner,
    ) {
        if self
            .items
            .iter()
            .all(|p| p.per_sample * accounts.ratio(p.source, p.epoch) > 0.0)
        {
            return;
        }
        let mut kept = VecDeque::with_capacity(self.items.len());
        for item in self.items.drain(..) {
            if item.per_sample * accounts.ratio(item.source, item.epoch) > 0.0 {
                kept.push_back(item);
            } else {
                conditioner.absorb(&item.samples[item.start..], 0.0);
                self.recorded_bits -= item.left() as f64 * item.per_sample;
                self.bytes -= item.left();
            }
        }
        self.items = kept;
        if self.items.is_empty() {
            self.recorded_bits = 0.0;
        }
    }

    fn available(&self, accounts: &(impl Ratios + ?Sized)) -> f64 {
        self.items
            .iter()
            .map(|p| p.left() as f64 * p.per_sample * accounts.ratio(p.source, p.epoch))
            .sum()
    }
}

/// Each family's share of the credit in the last [`SHARE_WINDOW`] blocks.
#[derive(Debug, Default, Clone)]
pub struct FamilyShares {
    recent: VecDeque<Vec<(usize, f64)>>,
    sums: Vec<f64>,
}

impl FamilyShares {
    fn record(&mut self, parts: Vec<(usize, f64)>) {
        for &(family, bits) in &parts {
            if self.sums.len() <= family {
                self.sums.resize(family + 1, 0.0);
            }
            self.sums[family] += bits;
        }
        self.recent.push_back(parts);
        if self.recent.len() > SHARE_WINDOW
            && let Some(old) = self.recent.pop_front()
        {
            for (family, bits) in old {
                self.sums[family] -= bits;
            }
        }
    }

    /// Share per family index (summing to 1 when any block was made).
    fn shares(&self) -> Vec<f64> {
        let total: f64 = self.sums.iter().map(|s| s.max(0.0)).sum();
        self.sums
            .iter()
            .map(|s| if total > 0.0 { s.max(0.0) / total } else { 0.0 })
            .collect()
    }
}

/// Turns credited samples into full-entropy blocks under the family cap.
pub struct Assembler {
    conditioner: Conditioner,
    queues: Vec<FamilyQueue>,
    /// Family index of each source.
    family_of: Vec<usize>,
    family_names: Vec<String>,
    /// Bits one family may supply per block.
    cap_bits: f64,
    /// The most of a block one family may supply (1.0 without the diversity rule).
    cap_share: f64,
    shares: FamilyShares,
}

impl Assembler {
    /// An assembler for sources whose families are `family_of` (indices into
    /// `family_names`); `cap_share` is the most of a block one family may supply (1.0 when
    /// the diversity rule does not apply).
    pub(crate) fn new(
        kind: ConditionerKind,
        family_of: Vec<usize>,
        family_names: Vec<String>,
        cap_share: f64,
    ) -> Self {
        Assembler {
            conditioner: Conditioner::new(kind),
            queues: family_names
                .iter()
                .map(|_| FamilyQueue::default())
                .collect(),
            family_of,
            family_names,
            cap_bits: cap_share.clamp(0.0, 1.0) * BLOCK_CREDIT_BITS,
            cap_share: cap_share.clamp(0.0, 1.0),
            shares: FamilyShares::default(),
        }
    }

    /// Takes a batch from `source` credited at `per_sample` bits each under `epoch`.
    /// Returns the credit accepted into the queue (0 when the batch earns nothing or the
    /// family's queue is full; the samples are then mixed in uncredited).
    pub(crate) fn offer(
        &mut self,
        source: usize,
        epoch: u32,
        per_sample: f64,
        samples: &[u8],
    ) -> f64 {
        if per_sample <= 0.0 || samples.is_empty() || self.saturated(source) {
            self.conditioner.absorb(samples, 0.0);
            return 0.0;
        }
        let queue = &mut self.queues[self.family_of[source]];
        let bits = per_sample * samples.len() as f64;
        queue.recorded_bits += bits;
        queue.bytes += samples.len();
        queue.items.push_back(Pending {
            samples: Zeroizing::new(samples.to_vec()),
            start: 0,
            source,
            epoch,
            per_sample,
            harvested: Instant::now(),
        });
        bits
    }

    /// What a block is worth now: its ledger's credit under `accounts`, each family
    /// counted up to its cap of a full-entropy block (`max_family_share` × 320 bits). A
    /// block revalued below 320 bits this way is short, even when its plain sum is not: a
    /// block assembled at 176 + 176 bits whose second family is revalued to 144 holds 320
    /// bits, 55% of them from one family, and counts 160 + 144 = 304.
    pub(crate) fn block_credit(&self, ledger: &Ledger, accounts: &(impl Ratios + ?Sized)) -> f64 {
        let mut by_family = vec![0.0; self.queues.len()];
        for (source, bits) in ledger.credit_by_source(accounts) {
            by_family[self.family_of[source]] += bits;
        }
        let cap = self.cap_share * FULL_ENTROPY_CREDIT_BITS;
        by_family.iter().map(|bits| bits.min(cap)).sum()
    }

    /// Takes back the credit of `source`'s last `samples` queued samples (whole batches,
    /// so possibly a little more): they may belong to a run or window that crossed a
    /// health-test cutoff in the batch after them. Samples already assembled into a block
    /// are not reached. Returns the recorded bits taken back.
    pub(crate) fn withdraw_tail(&mut self, source: usize, samples: usize) -> f64 {
        let queue = &mut self.queues[self.family_of[source]];
        let mut left = samples;
        let mut withdrawn = 0.0;
        for item in queue.items.iter_mut().rev() {
            if left == 0 {
                break;
            }
            if item.source != source || item.left() == 0 {
                continue;
            }
            let bits = item.left() as f64 * item.per_sample;
            withdrawn += bits;
            queue.recorded_bits -= bits;
            item.per_sample = 0.0;
            left = left.saturating_sub(item.left());
        }
        withdrawn
    }

    /// Whether `source`'s family queue is full, so that more of its samples would be mixed
    /// in uncredited: harvesting that family earns nothing until the others catch up (or
    /// blocks are taken).
    pub(crate) fn saturated(&self, source: usize) -> bool {
        let queue = &self.queues[self.family_of[source]];
        queue.recorded_bits >= QUEUE_BITS || queue.bytes >= QUEUE_BYTES
    }

    /// Credit waiting in the queues, valued under `accounts`.
    pub(crate) fn queued_bits(&self, accounts: &(impl Ratios + ?Sized)) -> f64 {
        self.queues.iter().map(|q| q.available(accounts)).sum()
    }

    /// Makes one block if the queues hold a block's credit within the family cap: the block, what
    /// each source contributed to it, and when its oldest credited sample was harvested.
    pub(crate) fn assemble(
        &mut self,
        accounts: &(impl Ratios + ?Sized),
    ) -> Option<([u8; BLOCK_BYTES], Ledger, Instant)> {
        for queue in &mut self.queues {
            queue.mix_in_worthless(accounts, &mut self.conditioner);
        }
        let available: Vec<f64> = self.queues.iter().map(|q| q.available(accounts)).collect();
        let level = water_level(&available, self.cap_bits, BLOCK_CREDIT_BITS)?;
        let mut counted = 0.0;
        let mut ledger = Ledger::default();
        let mut parts = Vec::new();
        let mut oldest: Option<Instant> = None;
        for (family, queue) in self.queues.iter_mut().enumerate() {
            let mut want = available[family].min(level);
            let mut given = 0.0;
            while want > 0.0
                && let Some(item) = queue.items.front_mut()
            {
                let worth = item.per_sample * accounts.ratio(item.source, item.epoch);
                let take = if worth > 0.0 {
                    ((want / worth).ceil() as usize).clamp(1, item.left())
                } else {
                    item.left()
                };
                let slice = &item.samples[item.start..item.start + take];
                self.conditioner.absorb(slice, 0.0);
                if worth > 0.0 {
                    counted += take as f64 * worth;
                    oldest = Some(oldest.map_or(item.harvested, |o| o.min(item.harvested)));
                    ledger.add(item.source, item.epoch, take as f64 * item.per_sample);
                    want -= take as f64 * worth;
                    given += take as f64 * item.per_sample;
                }
                item.start += take;
                queue.recorded_bits -= take as f64 * item.per_sample;
                queue.bytes -= take;
                if item.left() == 0 {
                    queue.items.pop_front();
                }
            }
            if queue.items.is_empty() {
                // No drift from floating-point subtraction.
                queue.recorded_bits = 0.0;
            }
            if given > 0.0 {
                parts.push((family, given));
            }
        }
        // Each family gave at least its share of the level (rounded up to whole samples).
        debug_assert!(counted >= BLOCK_CREDIT_BITS - SLACK, "{counted}");
        let block = self.conditioner.release();
        self.shares.record(parts);
        Some((block, ledger, oldest.unwrap_or_else(Instant::now)))
    }

    /// Each family's share of the credit in the last 1,000 blocks, by family name.
    pub fn family_shares(&self) -> BTreeMap<String, f64> {
        self.shares
            .shares()
            .into_iter()
            .enumerate()
            .filter(|(_, s)| *s > 0.0)
            .map(|(f, s)| (self.family_names[f].clone(), s))
            .collect()
    }
}

/// The lowest level `L ≤ cap` with `Σ min(a, L) ≥ target`, or `None` when even the cap
/// does not reach it.
fn water_level(available: &[f64], cap: f64, target: f64) -> Option<f64> {
    let at = |level: f64| available.iter().map(|a| a.min(level)).sum::<f64>();
    if at(cap) < target - SLACK {
        return None;
    }
    // Σ min(a, L) is piecewise linear and increasing in L: walk the sorted breakpoints.
    let mut sorted: Vec<f64> = available.iter().copied().filter(|a| *a > 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let mut below = 0.0; // Σ of the values under the current segment
    for (i, &a) in sorted.iter().enumerate() {
        let above = (sorted.len() - i) as f64;
        // Within this segment, Σ = below + above × L.
        let level = (target - below) / above;
        if level <= a {
            return Some(level.min(cap));
        }
        below += a;
    }
    Some(cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounting::{Account, AssessmentOrigin};

    fn accounts(n: usize) -> Vec<Account> {
        (0..n)
            .map(|_| {
                let mut a = Account::new(0.5, 1, true);
                a.assess(2.0, AssessmentOrigin::Full, 65_536);
                a
            })
            .collect()
    }

    #[test]
    fn water_level_fills_the_slow_families_first() {
        // Hand-computed: 50 + L + L = 320 -> L = 135.
        assert_eq!(
            water_level(&[50.0, 1000.0, 1000.0], 160.0, 320.0),
            Some(135.0)
        );
        // The cap holds: 100 + 160 < 320.
        assert_eq!(water_level(&[100.0, 1000.0], 160.0, 320.0), None);
        // No cap (1.0 share): one family alone.
        assert_eq!(water_level(&[1000.0], 320.0, 320.0), Some(320.0));
        assert_eq!(water_level(&[0.0, 0.0], 320.0, 320.0), None);
    }

    #[test]
    fn one_family_cannot_make_a_block_alone_under_the_cap() {
        let acc = accounts(2);
        let mut asm = Assembler::new(
            ConditionerKind::Sha256,
            vec![0, 1],
            vec!["a".into(), "b".into()],
            0.5,
        );
        // Source 0 (family a): 4096 samples at 1 bit each, far more than a block.
        assert_eq!(asm.offer(0, 0, 1.0, &[7u8; 4096]), 4096.0);
        assert!(
            asm.assemble(&acc).is_none(),
            "family a alone may give only 176 bits"
        );
        // Family b brings 200 bits: a block of 176 + 176 (352 = 320 + 10%).
        asm.offer(1, 0, 1.0, &[9u8; 200]);
        let (_, ledger, _) = asm.assemble(&acc).expect("two families within the cap");
        assert_eq!(ledger.credit(&acc), 352.0);
        assert!(asm.assemble(&acc).is_none(), "b has only 24 bits left");
        let shares = asm.family_shares();
        assert_eq!(shares["a"], 0.5);
        assert_eq!(shares["b"], 0.5);
    }

    #[test]
    fn without_the_cap_one_family_makes_many_blocks_from_one_batch() {
        let acc = accounts(1);
        let mut asm = Assembler::new(ConditionerKind::Sha256, vec![0], vec!["a".into()], 1.0);
        asm.offer(0, 0, 0.5, &[1u8; 7040]); // 3,520 bits: ten blocks of 352
        let mut blocks = Vec::new();
        while let Some((block, ledger, _)) = asm.assemble(&acc) {
            assert!((ledger.recorded_bits() - 352.0).abs() < 1e-9);
            blocks.push(block);
        }
        assert_eq!(blocks.len(), 10);
        blocks.dedup();
        assert_eq!(blocks.len(), 10, "every block differs");
        assert!(asm.queued_bits(&acc) < 1e-6);
    }

    #[test]
    fn queued_credit_is_valued_under_a_lowered_assessment() {
        let mut acc = accounts(1);
        let mut asm = Assembler::new(ConditionerKind::Sha256, vec![0], vec!["a".into()], 1.0);
        asm.offer(0, 0, 1.0, &[3u8; 400]);
        assert!(asm.assemble(&acc).is_some(), "400 bits make a block of 352");
        asm.offer(0, 0, 1.0, &[3u8; 400]);
        acc[0].assess(1.0, AssessmentOrigin::Full, 65_536); // h 2 -> 1: worth half
        assert_eq!(asm.queued_bits(&acc), 224.0);
        assert!(asm.assemble(&acc).is_none());
    }

    #[test]
    fn a_full_queue_mixes_further_samples_in_uncredited() {
        let acc = accounts(1);
        let mut asm = Assembler::new(ConditionerKind::Sha256, vec![0], vec!["a".into()], 1.0);
        let mut accepted = 0.0;
        for _ in 0..100 {
            accepted += asm.offer(0, 0, 1.0, &[5u8; 4096]);
        }
        assert!(
            (QUEUE_BITS..QUEUE_BITS + 4096.0).contains(&accepted),
            "{accepted}"
        );
        assert_eq!(asm.queued_bits(&acc), accepted);
    }

    #[test]
    fn a_revalued_block_counts_each_family_only_up_to_its_cap() {
        // The audit's case: assembled at 176 + 176 of 352 bits; family b revalued to 144
        // leaves 320 bits in sum, 55% of them from family a.
        let mut acc = accounts(2);
        let mut asm = Assembler::new(
            ConditionerKind::Sha256,
            vec![0, 1],
            vec!["a".into(), "b".into()],
            0.5,
        );
        asm.offer(0, 0, 1.0, &[7u8; 176]);
        asm.offer(1, 0, 1.0, &[9u8; 176]);
        let (_, ledger, _) = asm.assemble(&acc).expect("176 + 176");
        assert_eq!(
            asm.block_credit(&ledger, &acc),
            320.0,
            "160 + 160 within the cap"
        );
        // h 2.0 -> 1.6364 for source 1: its 176 bits are worth 144.
        acc[1].assess(2.0 * 144.0 / 176.0, AssessmentOrigin::Full, 65_536);
        assert!(
            (ledger.credit(&acc) - 320.0).abs() < 1e-9,
            "the plain sum still reaches 320"
        );
        assert!((asm.block_credit(&ledger, &acc) - 304.0).abs() < 1e-9);
        // Without the diversity rule (one family, cap 1.0) the sum is what counts.
        let acc = accounts(1);
        let mut one = Assembler::new(ConditionerKind::Sha256, vec![0], vec!["a".into()], 1.0);
        one.offer(0, 0, 1.0, &[7u8; 352]);
        let (_, ledger, _) = one.assemble(&acc).unwrap();
        assert_eq!(one.block_credit(&ledger, &acc), 320.0);
    }

    #[test]
    fn withdrawing_a_tail_zeroes_the_sources_last_queued_batches_only() {
        let acc = accounts(2);
        // Both sources in one family, so their batches interleave in one queue.
        let mut asm = Assembler::new(ConditionerKind::Sha256, vec![0, 0], vec!["a".into()], 1.0);
        asm.offer(0, 0, 0.5, &[1u8; 100]); // 50 bits
        asm.offer(1, 0, 0.5, &[2u8; 100]); // 50 bits
        asm.offer(0, 0, 0.5, &[3u8; 100]); // 50 bits
        // 150 samples back from source 0: its two batches (whole batches).
        assert_eq!(asm.withdraw_tail(0, 150), 100.0);
        assert_eq!(asm.queued_bits(&acc), 50.0, "source 1's batch stays");
        // A tail within the last batch takes only that batch.
        asm.offer(0, 0, 0.5, &[4u8; 100]);
        assert_eq!(asm.withdraw_tail(0, 10), 50.0);
        assert_eq!(asm.queued_bits(&acc), 50.0);
    }

    #[test]
    fn credit_worth_nothing_leaves_the_queue_so_new_credit_can_enter() {
        // A full queue whose source then failed (every epoch worth 0) held its room for
        // ever: nothing could be assembled from it, and new credit was refused as saturated.
        let mut acc = accounts(1);
        let mut asm = Assembler::new(ConditionerKind::Sha256, vec![0], vec!["a".into()], 1.0);
        while !asm.saturated(0) {
            asm.offer(0, 0, 1.0, &[5u8; 4096]);
        }
        acc[0].fail();
        acc[0].assess(2.0, AssessmentOrigin::Full, 65_536); // epoch 1, after re-admission
        assert!(
            asm.assemble(&acc).is_none(),
            "the old credit is worth nothing"
        );
        assert!(!asm.saturated(0), "and no longer holds the queue");
        assert_eq!(asm.offer(0, 1, 1.0, &[6u8; 400]), 400.0);
        assert!(asm.assemble(&acc).is_some());
    }
}
