//! `--assessment-cache`: full-size assessments kept across runs, filled by
//! `bench --samples 65536` and by the engine, and used at the next start-up.

mod common;

use std::path::PathBuf;

use common::{report, stdout_json as json, wellspring_ok};

fn temp_cache(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ws-cli-cache-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("assessments.json")
}

const SOURCES: &str = "branch_timing,cache_contention";

/// Each source's state after the engine harvested `SOURCES` for a second with `cache`.
fn pool_sources(cache: &str) -> Vec<serde_json::Value> {
    let pool = json(&[
        "--assessment-cache",
        cache,
        "pool",
        "--sources",
        SOURCES,
        "--seconds",
        "1",
        "--json",
    ]);
    pool["sources"].as_array().unwrap().clone()
}

#[test]
fn bench_on_full_size_samples_fills_the_cache_the_engine_starts_from() {
    let cache = temp_cache("fill");
    let c = cache.to_str().unwrap();
    let bench = json(&[
        "--assessment-cache",
        c,
        "bench",
        "--sources",
        SOURCES,
        "--samples",
        "65536",
        "--json",
    ]);
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).expect("bench wrote the cache")).unwrap();
    let mut kept = Vec::new();
    for s in bench["sources"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let stored = &file["sources"][name];
        if s["healthy"].as_bool() == Some(true) && s["min_entropy"].as_f64().unwrap() > 0.0 {
            // Exactly what bench measured, on the samples it measured it on.
            assert_eq!(stored["min_entropy"], s["min_entropy"], "{name}");
            assert_eq!(stored["samples"], 65536, "{name}");
            kept.push(name.to_owned());
        } else {
            assert!(
                stored.is_null(),
                "{name}: an unhealthy measurement was kept"
            );
        }
    }
    assert!(!kept.is_empty(), "neither source was healthy: {bench}");

    for s in &pool_sources(c) {
        let name = s["name"].as_str().unwrap();
        if !kept.iter().any(|k| k == name) || s["quarantined"].as_bool() == Some(true) {
            continue;
        }
        match s["assessment"].as_str() {
            Some("stored") => assert_eq!(s["min_entropy"], file["sources"][name]["min_entropy"]),
            // The engine's own re-measurement comes 5 s after start: not within this run.
            other => panic!("{name}: started from {other:?}, not the stored assessment"),
        }
    }

    // Turned off, nothing stored is used.
    for s in &pool_sources("off") {
        assert_ne!(s["assessment"], "stored", "{s}");
    }
}

#[test]
fn small_benches_keep_nothing() {
    let cache = temp_cache("small");
    let c = cache.to_str().unwrap();
    json(&[
        "--assessment-cache",
        c,
        "bench",
        "--sources",
        SOURCES,
        "--samples",
        "20000",
        "--json",
    ]);
    assert!(!cache.exists(), "an assessment on 20,000 samples was kept");
}

#[test]
fn an_unwritable_cache_never_stops_output() {
    let out = wellspring_ok(&[
        "--assessment-cache",
        "/proc/wellspring-no-such-dir/a.json",
        "stream",
        "--bytes",
        "64",
        "--format",
        "hex",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim().len(),
        128,
        "{}",
        report(&out)
    );
}
