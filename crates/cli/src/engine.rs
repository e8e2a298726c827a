//! The engine settings every engine-running command shares: where full-size assessments
//! are kept across runs (`--assessment-cache`, or `assessment_cache` in the config file;
//! `off` disables it), which platform generators are trusted (`--trust-platform`), and the
//! harvesters' CPU budget (`--cpu-budget`).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use wellspring_core::EntropySource;
use wellspring_core::engine::{AssessmentStore, EngineConfig};

use crate::error::{CliError, CliResult};

static STORE: OnceLock<Option<AssessmentStore>> = OnceLock::new();
static TRUST: OnceLock<Vec<String>> = OnceLock::new();
static FAMILY_SHARE: OnceLock<f64> = OnceLock::new();
static CPU_BUDGET: OnceLock<f64> = OnceLock::new();

/// Sets the harvesters' CPU budget (`--cpu-budget`, or the config file's), in cores.
pub(crate) fn set_cpu_budget(cores: Option<f64>) {
    if let Some(cores) = cores {
        let _ = CPU_BUDGET.set(cores);
    }
}

/// Sets `max_family_share` from the config file.
pub(crate) fn set_max_family_share(share: Option<f64>) {
    if let Some(share) = share {
        let _ = FAMILY_SHARE.set(share);
    }
}

/// Sets the platform generators to trust (`--trust-platform`, or the config file's).
pub(crate) fn set_trust_platform(names: Vec<String>) -> CliResult {
    let names: Vec<String> = names
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let unknown =
        wellspring_core::accounting::trust::unknown_names(names.iter().map(String::as_str));
    if !unknown.is_empty() {
        return Err(CliError::usage(format!(
            "--trust-platform: {} is not a platform generator (rdrand, rdseed, os_random, hwrng, hwrng:virtio)",
            unknown.join(", ")
        )));
    }
    let _ = TRUST.set(names);
    Ok(())
}

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

/// Engine defaults for `sources`, with the assessment store and the trusted platform
/// generators; a trusted generator must be among the sources.
pub(crate) fn config(sources: Vec<Arc<dyn EntropySource>>) -> CliResult<EngineConfig> {
    let mut config = EngineConfig::new(sources);
    config.assessment_store = store().cloned();
    config.trust_platform = TRUST.get().cloned().unwrap_or_default();
    if let Some(share) = FAMILY_SHARE.get() {
        config.max_family_share = *share;
    }
    if let Some(cores) = CPU_BUDGET.get() {
        config.cpu_budget = *cores;
    }
    config.validate().map_err(CliError::engine)?;
    Ok(config)
}

/// Engine settings for `feed-kernel`: as [`config`], but no stored figure is read (nor
/// written). Credit given to the kernel can never be taken back, so every block it gets
/// rests on this run's own full-size assessments (or on a platform generator trusted by
/// name), not on a figure from an earlier run.
pub(crate) fn kernel_config(sources: Vec<Arc<dyn EntropySource>>) -> CliResult<EngineConfig> {
    let mut config = config(sources)?;
    config.assessment_store = None;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_kernel_never_credits_a_stored_figure() {
        set_assessment_cache(Some("/tmp/ws-kernel-config-test/assessments.json"));
        let sources = wellspring_core::registry::Registry::builtin()
            .select(Some("clock_jitter"))
            .unwrap();
        assert!(config(sources.clone()).unwrap().assessment_store.is_some());
        assert!(kernel_config(sources).unwrap().assessment_store.is_none());
    }
}
