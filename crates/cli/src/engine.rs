//! The engine settings every engine-running command shares: today, where full-size
//! assessments are kept across runs (`--assessment-cache`, or `assessment_cache` in the
//! config file; `off` disables it).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use wellspring_core::EntropySource;
use wellspring_core::engine::{AssessmentStore, EngineConfig};

static STORE: OnceLock<Option<AssessmentStore>> = OnceLock::new();

/// Sets the store from the flag or config value (`off`, a path, or absent for the default).
pub(crate) fn set_assessment_cache(setting: Option<&str>) {
    let store = match setting {
        Some("off") => None,
        Some(path) => Some(AssessmentStore::new(
            PathBuf::from(path),
            AssessmentStore::DEFAULT_MAX_AGE,
        )),
        None => AssessmentStore::at_default_path(),
    };
    let _ = STORE.set(store);
}

/// The assessment store, unless turned off.
pub(crate) fn store() -> Option<&'static AssessmentStore> {
    STORE.get().and_then(Option::as_ref)
}

/// Engine defaults for `sources`, with the assessment store.
pub(crate) fn config(sources: Vec<Arc<dyn EntropySource>>) -> EngineConfig {
    let mut config = EngineConfig::new(sources);
    config.assessment_store = store().cloned();
    config
}
