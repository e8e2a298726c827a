//! The assessment cache file (`~/.cache/wellspring/assessments.json`), which anything with
//! write access to the cache directory controls: the fuzz bytes are written to a temporary
//! file and loaded with `AssessmentStore::load`.
//!
//! A file from another machine is dropped right after parsing, so to reach the checks on
//! the entries the placeholder `@M` is replaced with this machine's fingerprint and `@T`
//! with the current Unix time (the seed corpus uses both).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use wellspring_core::engine::AssessmentStore;

struct Setup {
    store: AssessmentStore,
    fingerprint: String,
}

/// A store on a file of this process's own (`$TMPDIR/wellspring-fuzz-store/PID/`), and this
/// machine's fingerprint (read back from a file the store wrote itself).
fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir: PathBuf = std::env::temp_dir()
            .join("wellspring-fuzz-store")
            .join(std::process::id().to_string());
        let store = AssessmentStore::new(dir.join("assessments.json"), Duration::from_secs(3600));
        store
            .save("probe", 1.0, 65_536)
            .expect("write the probe file");
        let text = std::fs::read(store.path()).expect("read the probe file");
        let file: serde_json::Value =
            serde_json::from_slice(&text).expect("the probe file is JSON");
        let fingerprint = file["machine"]
            .as_str()
            .expect("a machine field")
            .to_owned();
        Setup { store, fingerprint }
    })
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let bytes = replace(data, b"@M", setup.fingerprint.as_bytes());
    let bytes = replace(&bytes, b"@T", now.to_string().as_bytes());
    std::fs::write(setup.store.path(), &bytes).expect("write the fuzz file");
    for (name, stored) in setup.store.load() {
        assert!(
            stored.min_entropy.is_finite() && (0.0..=8.0).contains(&stored.min_entropy),
            "{name}: min-entropy {}",
            stored.min_entropy
        );
        assert!(
            stored.samples >= 65_536,
            "{name}: {} samples",
            stored.samples
        );
    }
});

/// `data` with every `from` replaced by `to`.
fn replace(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}
