//! The CLI's configuration file (crates/cli/src/config.rs) as far as it reaches the
//! libraries. Its serde type lives in the `wellspring` binary, not in a library, and the
//! engine's `EngineConfig` is not deserialised, so this target parses the TOML as a table
//! and hands each key the CLI reads, with the type the CLI gives it, to the library code the
//! CLI hands it to:
//!
//! - `conditioning` to `Conditioning::from_str`;
//! - `sources` to `Registry::select` (over a registry of stand-in sources, so that nothing
//!   probes the hardware);
//! - `trust_platform` and `max_family_share` into `EngineConfig`, then `validate()`; the
//!   engine settings no file sets yet (`safety_factor`, `cpu_budget`, ...) are read too,
//!   under their field names, to reach every check of `validate()`;
//! - the `[camera]` table re-serialised under `camera` and given to
//!   `CameraConfig::from_toml`, as `crates/cli/src/camera.rs` does.

#![no_main]

use std::sync::Arc;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use toml::{Table, Value};
use wellspring_camera::CameraConfig;
use wellspring_core::accounting::trust::unknown_names;
use wellspring_core::engine::EngineConfig;
use wellspring_core::pool::Conditioning;
use wellspring_core::registry::Registry;
use wellspring_core::{
    Availability, EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass,
};

/// A source that is never run: only its description and availability are read.
struct StandIn {
    info: SourceInfo,
    available: bool,
}

impl EntropySource for StandIn {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn availability(&self) -> Availability {
        if self.available {
            Availability::Available
        } else {
            Availability::Unavailable("stand-in".into())
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        Ok(vec![0; n])
    }
}

fn stand_in(
    name: &'static str,
    category: SourceCategory,
    speed: SpeedClass,
    available: bool,
) -> Arc<dyn EntropySource> {
    Arc::new(StandIn {
        info: SourceInfo {
            name,
            category,
            physics: "stand-in for fuzzing",
            speed,
        },
        available,
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = toml::from_str::<Table>(text) else {
        return;
    };

    if let Some(mode) = table.get("conditioning").and_then(Value::as_str)
        && let Ok(parsed) = mode.parse::<Conditioning>()
    {
        assert_eq!(parsed.as_str(), mode);
    }

    let registry = Registry::from_sources(vec![
        stand_in(
            "clock_jitter",
            SourceCategory::Timing,
            SpeedClass::Fast,
            true,
        ),
        stand_in(
            "sleep_jitter",
            SourceCategory::Timing,
            SpeedClass::Slow,
            true,
        ),
        stand_in("disk_io", SourceCategory::Hardware, SpeedClass::Slow, false),
        stand_in("rdseed", SourceCategory::Platform, SpeedClass::Fast, true),
    ]);
    let sources = match table.get("sources").and_then(Value::as_str) {
        Some(filter) => registry.select(Some(filter)).unwrap_or_default(),
        None => Vec::new(),
    };
    let sources = if sources.is_empty() {
        registry.all().to_vec()
    } else {
        sources
    };

    let mut config = EngineConfig::new(sources);
    if let Some(names) = table.get("trust_platform").and_then(Value::as_array) {
        let names: Vec<String> = names
            .iter()
            .filter_map(Value::as_str)
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let _ = unknown_names(names.iter().map(String::as_str));
        config.trust_platform = names;
    }
    let float = |key: &str| table.get(key).and_then(Value::as_float);
    let count = |key: &str| {
        table
            .get(key)
            .and_then(Value::as_integer)
            .and_then(|n| usize::try_from(n).ok())
    };
    let seconds = |key: &str| float(key).and_then(|s| Duration::try_from_secs_f64(s).ok());
    if let Some(share) = float("max_family_share") {
        config.max_family_share = share;
    }
    if let Some(v) = float("safety_factor") {
        config.safety_factor = v;
    }
    if let Some(v) = float("cpu_budget") {
        config.cpu_budget = v;
    }
    if let Some(v) = float("idle_cpu_budget") {
        config.idle_cpu_budget = v;
    }
    if let Some(v) = count("startup_samples") {
        config.startup_samples = v;
    }
    if let Some(v) = count("reassess_samples") {
        config.reassess_samples = v;
    }
    if let Some(v) = count("reservoir_blocks") {
        config.reservoir_blocks = v;
    }
    if let Some(v) = seconds("startup_timeout") {
        config.startup_timeout = v;
    }
    if let Some(v) = seconds("reassess_interval") {
        config.reassess_interval = v;
    }
    if let Some(v) = seconds("starvation_timeout") {
        config.starvation_timeout = v;
    }
    if config.validate().is_ok() {
        assert!(config.max_family_share > 0.0 && config.max_family_share <= 1.0);
        assert!(unknown_names(config.trust_platform.iter().map(String::as_str)).is_empty());
    }

    if let Some(camera) = table.get("camera").and_then(Value::as_table) {
        let mut file = Table::new();
        file.insert("camera".into(), Value::Table(camera.clone()));
        if let Ok(text) = toml::to_string(&file)
            && let Ok(config) = CameraConfig::from_toml(&text)
        {
            let _ = (config.refresh(), config.timeout(), config.groups());
        }
    }
});
