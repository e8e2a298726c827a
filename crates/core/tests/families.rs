//! Every built-in source belongs to exactly one named correlation family, and sources that
//! time the same mechanism cannot pass as diverse.

use std::collections::BTreeMap;

use wellspring_core::engine::{DEFAULT_CORRELATED_GROUPS, Engine, EngineConfig};
use wellspring_core::registry::Registry;

fn family_of() -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (family, members) in DEFAULT_CORRELATED_GROUPS {
        for member in *members {
            of.entry(member).or_default().push(family);
        }
    }
    of
}

#[test]
fn every_built_in_source_is_in_exactly_one_named_family() {
    let of = family_of();
    for source in wellspring_core::sources::all() {
        let families = of.get(source.name()).cloned().unwrap_or_default();
        assert_eq!(
            families.len(),
            1,
            "{} must be in exactly one family of DEFAULT_CORRELATED_GROUPS (and in \
             docs/SOURCES.md), not {families:?}",
            source.name()
        );
    }
    // No family names a source that does not exist (a typo would leave the real one alone).
    let known: Vec<&str> = wellspring_core::sources::all()
        .iter()
        .map(|s| s.name())
        .chain(["camera", "camera_public"])
        .collect();
    for name in of.keys() {
        assert!(known.contains(name), "family member {name} is no source");
    }
}

#[test]
fn the_families_an_attacker_would_model_are_one_family_each() {
    let of = family_of();
    let same = |names: &[&str]| {
        let families: Vec<&str> = names.iter().map(|n| of[n][0]).collect();
        assert!(
            families.windows(2).all(|w| w[0] == w[1]),
            "{names:?} are in {families:?}"
        );
    };
    same(&[
        "tsc_jitter",
        "hash_timing",
        "division_timing",
        "branch_timing",
        "compression_timing",
    ]);
    same(&["page_fault_timing", "mmap_timing", "tlb_miss"]);
    same(&["thread_spawn", "yield_jitter", "futex_wake", "pipe_wake"]);
    same(&["syscall_latency", "signal_latency", "dlopen_timing"]);
    same(&["hwmon_jitter", "thermal_jitter"]);
    same(&["rdrand", "rdseed", "os_random"]);
}

#[test]
fn five_sources_timing_cpu_work_are_a_single_family() {
    let sources = Registry::builtin()
        .select(Some(
            "tsc_jitter,hash_timing,division_timing,branch_timing,compression_timing",
        ))
        .unwrap();
    let engine = Engine::start(EngineConfig::new(sources)).unwrap();
    let status = engine.status();
    assert_eq!(status.diversity, "single-family", "{status:?}");
    for source in &status.sources {
        assert_eq!(source.family, "cpu_work", "{source:?}");
        assert_eq!(source.correlation_group_size, 5, "{source:?}");
    }
}
