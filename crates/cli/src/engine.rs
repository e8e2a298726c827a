//! The engine settings every engine-running command shares: today, where full-size
//! assessments are kept across runs (`--assessment-cache`, or `assessment_cache` in the
//! config file; `off` disables it).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use wellspring_core::EntropySource;
use wellspring_core::engine::{AssessmentStore, EngineConfig};

/// How long a stored assessment counts: long enough that repeated short runs start fast,
/// short enough that a changed machine state (new kernel settings, a new neighbour on the
/// host) is re-measured within a day.
const STORE_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

static STORE: OnceLock<Option<AssessmentStore>> = OnceLock::new();

/// Sets the store from the flag or config value (`off`, a path, or absent for the default).
pub(crate) fn set_assessment_cache(setting: Option<&str>) {
    let store = match setting {
        Some("off") => None,
        Some(path) => Some(AssessmentStore::new(PathBuf::from(path), STORE_MAX_AGE)),
        None => AssessmentStore::default_path().map(|p| AssessmentStore::new(p, STORE_MAX_AGE)),
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
