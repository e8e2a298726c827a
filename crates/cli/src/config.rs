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

impl Config {
    /// One line per setting of this file that weakens a default guarantee (platform
    /// generators trusted, or one family allowed more than half of a block), naming the
    /// file: such settings must never take effect silently. `trust_from_flag`: the command
    /// line named its own trust list, which replaces the file's.
    pub(crate) fn weakening_notes(&self, trust_from_flag: bool) -> Vec<String> {
        let from = self
            .path
            .as_deref()
            .map_or_else(|| "the config file".to_owned(), |p| p.display().to_string());
        let mut notes = Vec::new();
        if let Some(trusted) = self.trust_platform.as_ref().filter(|t| !t.is_empty())
            && !trust_from_flag
        {
            notes.push(format!(
                "wellspring: note: trusting {} at the vendor claim (trust_platform in {from})",
                trusted.join(", ")
            ));
        }
        if let Some(share) = self.max_family_share.filter(|s| *s > 0.5) {
            notes.push(format!(
                "wellspring: note: one correlation family may supply up to {share} of a block \
                 (max_family_share in {from}; the default is 0.5)"
            ));
        }
        notes
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_and_a_raised_family_share_from_the_file_are_announced() {
        let config = Config {
            trust_platform: Some(vec!["rdseed".into()]),
            max_family_share: Some(1.0),
            path: Some(PathBuf::from("/etc/ws.toml")),
            ..Config::default()
        };
        let notes = config.weakening_notes(false);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("rdseed") && notes[0].contains("/etc/ws.toml"));
        assert!(notes[1].contains("max_family_share") && notes[1].contains("/etc/ws.toml"));
        // The command line's own trust list replaces the file's: nothing to announce there.
        assert_eq!(config.weakening_notes(true).len(), 1);
        assert!(Config::default().weakening_notes(false).is_empty());
    }
}
