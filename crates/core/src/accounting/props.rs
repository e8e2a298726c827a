//! Property tests of the accounting invariants, over arbitrary sequences of assessments,
//! batches and re-assessments:
//!
//! - credit is never more than samples × assessed h × safety factor ÷ group size, valued at
//!   the lowest figure any later assessment gave;
//! - no block leaves the assembler backed by less than 320 credited bits, valued under the
//!   accounts as they stand when it is released, and no family gives more than its cap;
//! - the DRBG never generates past its reseed limit without a reseed.

use proptest::prelude::*;

use super::{Account, AssessmentOrigin, MIN_CREDITABLE_H, assembler::Assembler};
use crate::conditioning::{ConditionerKind, FULL_ENTROPY_CREDIT_BITS};
use crate::drbg::{CtrDrbg, DrbgError, DrbgPolicy, SEED_LEN};

fn origin() -> impl Strategy<Value = AssessmentOrigin> {
    prop_oneof![
        Just(AssessmentOrigin::Startup),
        Just(AssessmentOrigin::Stored),
        Just(AssessmentOrigin::Full),
    ]
}

/// An assessed figure: mostly ordinary, sometimes out of range or not a number.
fn figure() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => 0.0..8.0f64,
        1 => Just(f64::NAN),
        1 => -2.0..12.0f64,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn credit_never_exceeds_samples_times_h_times_safety(
        safety in 0.1..1.0f64,
        group in 1usize..5,
        steps in prop::collection::vec((figure(), origin(), 1u64..100_000), 1..12),
    ) {
        let mut account = Account::new(safety, group, true);
        // (epoch, samples, per-sample credit) of each batch credited.
        let mut batches: Vec<(u32, u64, f64)> = Vec::new();
        let mut figures: Vec<(u32, f64)> = Vec::new();
        for (h, origin, samples) in steps {
            account.assess(h, origin, 65_536);
            let per_sample = account.per_sample();
            let current = account.h().unwrap();
            // A start-up figure or one too weak earns nothing (an earlier creditable
            // figure is not credited through it either).
            if !origin.earns_credit() || current < MIN_CREDITABLE_H {
                prop_assert_eq!(per_sample, 0.0);
            }
            if per_sample > 0.0 {
                prop_assert!(per_sample <= current * safety / group as f64 + 1e-12);
                batches.push((account.epoch(), samples, per_sample));
            }
            if origin.earns_credit() {
                figures.push((account.epoch(), current));
            }
        }
        for (epoch, samples, per_sample) in batches {
            // The lowest creditable figure from this epoch on bounds what the batch is worth.
            let lowest = figures
                .iter()
                .filter(|(e, _)| *e >= epoch)
                .map(|(_, h)| *h)
                .fold(f64::INFINITY, f64::min);
            let worth = samples as f64 * per_sample * account.ratio(epoch);
            prop_assert!(
                worth <= samples as f64 * lowest * safety / group as f64 + 1e-6,
                "worth {} > {} samples × {} × {} / {}", worth, samples, lowest, safety, group
            );
        }
    }

    #[test]
    fn no_block_is_released_with_less_than_320_credited_bits(
        family_of in prop::collection::vec(0usize..3, 1..6),
        cap in prop_oneof![Just(1.0), 0.34..1.0f64],
        events in prop::collection::vec(
            prop_oneof![
                // A batch: source, figure, samples.
                (any::<prop::sample::Index>(), 0.05..8.0f64, 1usize..3_000)
                    .prop_map(|(s, h, n)| (s, h, n, false)),
                // A re-assessment of a source, possibly lower.
                (any::<prop::sample::Index>(), 0.0..8.0f64, Just(0usize))
                    .prop_map(|(s, h, n)| (s, h, n, true)),
            ],
            1..60,
        ),
    ) {
        let families = family_of.iter().max().unwrap() + 1;
        let names = (0..families).map(|f| format!("family{f}")).collect();
        let cap_share = if families >= 2 { cap } else { 1.0 };
        let mut assembler =
            Assembler::new(ConditionerKind::Sha256, family_of.clone(), names, cap_share);
        let mut accounts: Vec<Account> =
            family_of.iter().map(|_| Account::new(0.5, 1, true)).collect();
        for (source, h, n, reassess) in events {
            let source = source.index(family_of.len());
            let account = &mut accounts[source];
            if reassess {
                account.assess(h, AssessmentOrigin::Full, 65_536);
                continue;
            }
            if account.h().is_none() {
                account.assess(h, AssessmentOrigin::Full, 65_536);
            }
            let samples = vec![0x5a; n];
            let (per_sample, epoch) = (account.per_sample(), account.epoch());
            assembler.offer(source, epoch, per_sample, &samples);
            while let Some((_, ledger, _)) = assembler.assemble(accounts.as_slice()) {
                let credit = ledger.credit(accounts.as_slice());
                prop_assert!(
                    credit >= FULL_ENTROPY_CREDIT_BITS,
                    "a block with {credit} bits"
                );
            }
        }
    }

    #[test]
    fn the_drbg_never_generates_past_its_reseed_limit(
        limit in 1u64..200_000,
        ops in prop::collection::vec(prop_oneof![
            3 => (1usize..70_000).prop_map(Some),
            1 => Just(None),
        ], 1..40),
    ) {
        let policy = DrbgPolicy::strict(limit, std::time::Duration::from_secs(3600));
        let mut drbg = CtrDrbg::new(&[7u8; SEED_LEN], policy);
        let mut since_seed = 0u64;
        for op in ops {
            match op {
                None => {
                    drbg.reseed(&[9u8; SEED_LEN]);
                    since_seed = 0;
                }
                Some(len) => {
                    let mut out = vec![0u8; len];
                    let result = drbg.generate(&mut out);
                    if len > crate::drbg::MAX_REQUEST {
                        prop_assert_eq!(result, Err(DrbgError::RequestTooLarge));
                    } else if since_seed + len as u64 > limit {
                        prop_assert_eq!(result, Err(DrbgError::ReseedRequired));
                        prop_assert!(out.iter().all(|&b| b == 0), "output despite refusal");
                    } else {
                        prop_assert_eq!(result, Ok(()));
                        since_seed += len as u64;
                    }
                }
            }
            prop_assert!(since_seed <= limit);
        }
    }
}
