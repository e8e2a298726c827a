//! Building the engine's per-source state from its configuration: each source's correlation
//! family (a configured group, or a family of its own), whether it may earn credit at all
//! (platform generators only when trusted; public feeds never), and its starting figure (a
//! trusted vendor claim, or a full-size assessment kept from an earlier run on this machine).

use std::sync::Arc;
use std::time::Duration;

use super::slot::Slot;
use super::{AssessmentOrigin, AssessmentStore, CorrelationGroup, EngineConfig};
use crate::EntropySource;

/// How soon a source started from a stored assessment is measured again in this run.
const STORED_RECHECK: Duration = Duration::from_secs(5);

/// Each source's family index, and the family names in index order.
pub(super) fn families(config: &EngineConfig) -> (Vec<usize>, Vec<String>) {
    let names = family_names(config);
    let of = config
        .sources
        .iter()
        .map(|s| match family_of(config, s.name()) {
            Some((i, _)) => i,
            None => names.iter().position(|n| n == s.name()).unwrap_or(0),
        })
        .collect();
    (of, names)
}

/// Family names in index order: the configured groups, then one per ungrouped source.
pub(super) fn family_names(config: &EngineConfig) -> Vec<String> {
    let mut names: Vec<String> = config
        .correlated_groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    for source in &config.sources {
        if family_of(config, source.name()).is_none() {
            names.push(source.name().to_owned());
        }
    }
    names
}

fn family_of<'a>(config: &'a EngineConfig, name: &str) -> Option<(usize, &'a CorrelationGroup)> {
    config
        .correlated_groups
        .iter()
        .enumerate()
        .find(|(_, g)| g.members.iter().any(|m| m == name))
}

/// The claim a platform generator named in `--trust-platform` is credited at; `None` when it
/// is not named, or is named but its device earns nothing (said in a warning).
fn trusted_claim_of(
    source: &dyn EntropySource,
    trusted: &[String],
) -> Option<crate::accounting::trust::VendorClaim> {
    use crate::accounting::trust;
    let name = source.name();
    if !trust::is_named(name, trusted) {
        return None;
    }
    match trust::trusted_claim(name, source.device().as_ref(), trusted) {
        Ok(claim) => {
            tracing::info!(source = name, bits_per_byte = claim.bits_per_byte, basis = %claim.basis, "trusted");
            Some(claim)
        }
        Err(why) => {
            tracing::warn!(source = name, "trusted but not credited: {why}");
            None
        }
    }
}

/// The engine's per-source state, and the number of correlation families among the
/// sources that can earn credit.
pub(super) fn new_slots(config: &EngineConfig) -> (Vec<Slot>, usize) {
    let stored = config
        .assessment_store
        .as_ref()
        .map(AssessmentStore::load)
        .unwrap_or_default();
    let names = family_names(config);
    let mut creditable_families = std::collections::BTreeSet::new();
    let slots = config
        .sources
        .iter()
        .map(|source| {
            let name = source.name();
            let (family, group_size) = match family_of(config, name) {
                Some((i, g)) => (i, g.members.len()),
                None => (names.iter().position(|n| n == name).unwrap_or(0), 1),
            };
            let platform = source.info().category == crate::SourceCategory::Platform;
            let claim = platform
                .then(|| trusted_claim_of(source.as_ref(), &config.trust_platform))
                .flatten();
            let eligible = source.creditable() && (!platform || claim.is_some());
            if eligible {
                creditable_families.insert(family);
            }
            let mut slot = Slot::new(
                Arc::clone(source),
                (family, names[family].clone()),
                group_size,
                config.safety_factor,
                eligible,
            );
            if let Some(claim) = claim {
                slot.set_assessment(claim.bits_per_byte, AssessmentOrigin::Trusted, 0);
            } else if let Some(entry) = stored.get(name).filter(|_| slot.measured()) {
                slot.set_assessment(entry.min_entropy, AssessmentOrigin::Stored, entry.samples);
                // The stored figure serves start-up; this run's own measurement follows
                // after STORED_RECHECK, since the stored one may come from another context
                // (`bench` runs every source at once).
                slot.recheck_soon(config.reassess_interval, STORED_RECHECK);
            }
            slot
        })
        .collect();
    (slots, creditable_families.len())
}
