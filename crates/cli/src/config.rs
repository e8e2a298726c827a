//! The configuration file: default sources, conditioning and camera feeds.
//!
//! Read from `--config PATH`, or else `$XDG_CONFIG_HOME/wellspring/config.toml` (by default
//! `~/.config/wellspring/config.toml`) when it exists. Command-line flags always win.
//!
//! ```toml
//! sources = "timing,silicon"
//! conditioning = "drbg"
//! assessment_cache = "off"   # or a path; default ~/.cache/wellspring/assessments.json
//! trust_platform = ["rdseed"] # platform generators credited at their vendor claim
//! max_family_share = 0.5      # most of a block one correlation family may supply (1.0: off)
//! cpu_budget = 1.0            # cores the harvesters may use (--cpu-budget)
//!
//! [camera]            # the same [camera] table as `server --camera-config`
//! refresh_seconds = 60
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{CliError, CliResult};
use wellspring_core::pool::Conditioning;

/// Defaults from the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// Default `--sources` filter.
    pub(crate) sources: Option<String>,
    /// Default conditioning mode: raw, sha256 or drbg.
    pub(crate) conditioning: Option<String>,
    /// Where assessments are kept across runs, or "off" (see `crate::engine`).
    pub(crate) assessment_cache: Option<String>,
    /// Platform generators credited at their vendor claim (`--trust-platform`).
    pub(crate) trust_platform: Option<Vec<String>>,
    /// With two or more correlation families, the most of a block one family may supply.
    pub(crate) max_family_share: Option<f64>,
    /// Cores the harvesters may use (`--cpu-budget`).
    pub(crate) cpu_budget: Option<f64>,
    /// Camera feeds, in the `--camera-config` format (see `crate::camera`).
    pub(crate) camera: Option<toml::Table>,
    /// Where the file was read from.
    #[serde(skip)]
    pub(crate) path: Option<PathBuf>,
}

fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("wellspring").join("config.toml"))
}

impl Config {
    /// Loads `explicit` (an error if missing), or the default file if it exists.
    pub(crate) fn load(explicit: Option<&Path>) -> CliResult<Config> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match default_path().filter(|p| p.is_file()) {
                Some(p) => p,
                None => return Ok(Config::default()),
            },
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CliError::usage(format!("cannot read config {}: {e}", path.display())))?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| CliError::usage(format!("config {}: {}", path.display(), e.message())))?;
        if let Some(mode) = &config.conditioning {
            mode.parse::<Conditioning>()
                .map_err(|e| CliError::usage(format!("config {}: {e}", path.display())))?;
        }
        if let Some(share) = config.max_family_share
            && !(share > 0.0 && share <= 1.0)
        {
            return Err(CliError::usage(format!(
                "config {}: max_family_share must be in (0, 1], not {share}",
                path.display()
            )));
        }
        if let Some(cores) = config.cpu_budget
            && let Err(e) = crate::args::parse_cpu_budget(&cores.to_string())
        {
            return Err(CliError::usage(format!(
                "config {}: cpu_budget {cores}: {e}",
                path.display()
            )));
        }
        config.path = Some(path);
        Ok(config)
    }

    /// The flag if given, else the config's sources.
    pub(crate) fn sources(&self, flag: Option<String>) -> Option<String> {
        flag.or_else(|| self.sources.clone())
    }

    /// The flag if given, else the config's mode (checked by `load`), else sha256.
    pub(crate) fn conditioning(&self, flag: Option<Conditioning>) -> Conditioning {
        flag.or_else(|| self.conditioning.as_deref().and_then(|m| m.parse().ok()))
            .unwrap_or(Conditioning::Sha256)
    }
}
