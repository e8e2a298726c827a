//! Camera feeds for the CLI: from `server --camera-config FILE`, or from the `[camera]` table
//! of the configuration file. The prefetcher starts only when a command asks for the source
//! registry, and the `camera` source is always listed (unavailable, saying how to configure
//! it, when there are no feeds).

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use wellspring_camera::{Camera, CameraConfig, CameraSource};
use wellspring_core::registry::Registry;

use crate::error::{CliError, CliResult};

static CONFIG: Mutex<Option<CameraConfig>> = Mutex::new(None);
static CAMERA: OnceLock<Option<Arc<Camera>>> = OnceLock::new();

fn set(config: CameraConfig) {
    *CONFIG.lock().unwrap_or_else(|p| p.into_inner()) = Some(config);
}

/// Takes the `[camera]` table of the configuration file, if any.
pub(crate) fn from_config_table(table: Option<&toml::Table>) -> CliResult {
    let Some(table) = table else { return Ok(()) };
    let mut file = toml::Table::new();
    file.insert("camera".into(), toml::Value::Table(table.clone()));
    let text = toml::to_string(&file).map_err(|e| CliError::usage(format!("[camera]: {e}")))?;
    let config = CameraConfig::from_toml(&text)
        .map_err(|e| CliError::usage(format!("config [camera]: {e}")))?;
    set(config);
    Ok(())
}

/// Takes a `--camera-config` file, replacing the configuration file's table.
pub(crate) fn from_file(path: &Path) -> CliResult {
    let config = CameraConfig::load(path)
        .map_err(|e| CliError::usage(format!("--camera-config {}: {e}", path.display())))?;
    if config.feeds.is_empty() {
        return Err(CliError::usage(format!(
            "--camera-config {}: no [[camera.feeds]]",
            path.display()
        )));
    }
    set(config);
    Ok(())
}

/// The running camera, started on first use; `None` without feeds.
pub(crate) fn camera() -> CliResult<Option<Arc<Camera>>> {
    if let Some(c) = CAMERA.get() {
        return Ok(c.clone());
    }
    let config = CONFIG.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let started =
        match config.filter(|c| !c.feeds.is_empty()) {
            Some(config) => Some(Camera::start(config).map_err(|e| {
                CliError::runtime(format!("cannot start the camera prefetcher: {e}"))
            })?),
            None => None,
        };
    Ok(CAMERA.get_or_init(|| started).clone())
}

/// Every built-in source plus `camera` (and `camera_public`, which mixes public regions in
/// uncredited, when a private folder makes `camera` creditable).
pub(crate) fn registry() -> CliResult<Registry> {
    let mut registry = Registry::builtin();
    match camera()? {
        Some(camera) => {
            for source in camera.sources() {
                registry.push(Arc::new(source));
            }
        }
        None => registry.push(Arc::new(CameraSource::unconfigured())),
    }
    Ok(registry)
}

/// Collects `n` raw samples from the source called `name`: an unknown or unavailable name is
/// a usage error (as for `--sources`), a failing source a runtime error.
pub(crate) fn collect_from(name: &str, n: usize) -> CliResult<Vec<u8>> {
    let source = registry()?.find(name).ok_or_else(|| {
        CliError::usage(format!(
            "unknown source '{name}' (run `wellspring scan` for the list)"
        ))
    })?;
    if let Some(reason) = source.availability().reason() {
        return Err(CliError::usage(format!(
            "source '{name}' is not available here: {reason}"
        )));
    }
    source
        .collect(n)
        .map_err(|e| CliError::runtime(e.to_string()))
}
