//! The configuration file: default sources, conditioning and camera feeds.
//!
//! Read from `--config PATH`, or else `$XDG_CONFIG_HOME/wellspring/config.toml` (by default
//! `~/.config/wellspring/config.toml`) when it exists. Command-line flags always win.
//!
//! ```toml
//! sources = "timing,silicon"   # or a list: ["timing", "silicon"]
//! conditioning = "drbg"
//! assessment_cache = "off"   # or a path; default ~/.cache/wellspring/assessments.json
//! trust_platform = ["rdseed"] # platform generators credited at their vendor claim ("rdseed,hwrng" too)
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
    /// Default `--sources` filter: the flag's comma-separated string, or a list of its parts.
    #[serde(default, deserialize_with = "comma_separated")]
    pub(crate) sources: Option<String>,
    /// Default conditioning mode: raw, sha256 or drbg.
    pub(crate) conditioning: Option<String>,
    /// Where assessments are kept across runs, or "off" (see `crate::engine`).
    pub(crate) assessment_cache: Option<String>,
    /// Platform generators credited at their vendor claim (`--trust-platform`): a list, or
    /// the flag's comma-separated string.
    #[serde(default, deserialize_with = "name_list")]
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

/// What each key of the file takes, for an error about its value.
fn expects(key: &str) -> Option<&'static str> {
    Some(match key {
        "sources" => {
            "a comma-separated string or a list of strings, e.g. sources = \"timing,silicon\" \
             or sources = [\"timing\", \"silicon\"]"
        }
        "conditioning" => "\"raw\", \"sha256\" or \"drbg\", in quotes",
        "assessment_cache" => "a path in quotes, or \"off\"",
        "trust_platform" => {
            "a list of strings or a comma-separated string, e.g. trust_platform = [\"rdseed\"]"
        }
        "max_family_share" => "a number in (0, 1], e.g. max_family_share = 0.5",
        "cpu_budget" => "a number of cores, e.g. cpu_budget = 1.5",
        "camera" => "a [camera] table",
        _ => return None,
    })
}

/// The line number (from 1) and the top-level key of the line of `text` where `at` falls
/// (`key = value`, before any `[table]`), if it has one.
fn key_at(text: &str, at: usize) -> Option<(usize, &str)> {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[..start];
    if before.lines().any(|l| l.trim_start().starts_with('[')) {
        return None;
    }
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty()).then_some((before.lines().count() + 1, key))
}

/// The one-line message for a file that TOML or the fields cannot read: for a known key,
/// what it takes, then the parser's words; else the parser's words.
fn parse_error_message(path: &Path, text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim_end_matches('.');
    let hint = err
        .span()
        .and_then(|span| key_at(text, span.start))
        .and_then(|(line, key)| Some((line, key, expects(key)?)));
    match hint {
        Some((line, key, takes)) => format!(
            "config {} line {line}: {key} takes {takes} (the parser says: {message})",
            path.display()
        ),
        None => format!("config {}: {message}", path.display()),
    }
}

/// A string or a list of strings, as the parts of a comma-separated list.
struct Names(Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Names;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a comma-separated string or a list of strings")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Names, E> {
                Ok(Names(
                    text.split(',').map(|p| p.trim().to_owned()).collect(),
                ))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name.trim().to_owned());
                }
                Ok(Names(names))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `sources`: the flag's comma-separated string, or a list of its parts.
fn comma_separated<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(Names::deserialize(d)?.0.join(",")))
}

/// `trust_platform`: a list of names, or the flag's comma-separated string.
fn name_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let names = Names::deserialize(d)?.0;
    Ok(Some(names.into_iter().filter(|n| !n.is_empty()).collect()))
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
            .map_err(|e| CliError::usage(parse_error_message(&path, &text, &e)))?;
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

    /// Loads `text` as a config file of its own; the error's message on failure.
    fn load_text(name: &str, text: &str) -> Result<Config, String> {
        let path =
            std::env::temp_dir().join(format!("ws-config-unit-{}-{name}.toml", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let loaded = Config::load(Some(&path));
        std::fs::remove_file(&path).ok();
        loaded.map_err(|e| match e {
            CliError::Usage(m) | CliError::Runtime(m) => m,
        })
    }

    #[test]
    fn sources_and_trust_take_the_flags_string_or_a_list() {
        let config = load_text("string", "sources = \"timing,silicon\"").unwrap();
        assert_eq!(config.sources.as_deref(), Some("timing,silicon"));
        let config = load_text("list", "sources = [\"timing\", \"!tsc_jitter\"]").unwrap();
        assert_eq!(config.sources.as_deref(), Some("timing,!tsc_jitter"));
        let config = load_text("trust", "trust_platform = \"rdseed, hwrng\"").unwrap();
        assert_eq!(
            config.trust_platform,
            Some(vec!["rdseed".into(), "hwrng".into()])
        );
        let config = load_text("trust-list", "trust_platform = [\"rdseed\"]").unwrap();
        assert_eq!(config.trust_platform, Some(vec!["rdseed".into()]));
        let config = load_text("none", "").unwrap();
        assert!(config.sources.is_none() && config.trust_platform.is_none());
    }

    #[test]
    fn a_bad_value_says_what_its_key_takes() {
        // Unquoted: TOML's own words were "invalid boolean".
        let message = load_text("bare", "# defaults\nsources = timing\n").unwrap_err();
        assert!(
            message.contains("line 2: sources takes a comma-separated string or a list of strings"),
            "{message}"
        );
        assert_eq!(message.lines().count(), 1, "{message}");
        let message = load_text("number", "sources = 3").unwrap_err();
        assert!(message.contains("sources takes"), "{message}");
        let message = load_text("mode", "conditioning = drbg").unwrap_err();
        assert!(message.contains("conditioning takes \"raw\""), "{message}");
        let message = load_text("cores", "cpu_budget = \"2\"").unwrap_err();
        assert!(message.contains("cpu_budget takes a number"), "{message}");
        // An unknown key still lists the known ones.
        let message = load_text("unknown", "source = \"timing\"").unwrap_err();
        assert!(message.contains("unknown field `source`"), "{message}");
    }
}
