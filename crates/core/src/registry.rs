//! The catalogue of sources: listing, availability probing and `--sources` filters.
//!
//! A filter is a comma-separated list of source names and category names. `all` means every
//! available source, fast or slow. A token prefixed with `!` removes that source or category.
//! With no positive token the base set is the default one: every available fast source that
//! is not a platform generator (wellspring measures noise; RDRAND and the OS generator are
//! other people's conditioned output and are opted into, never assumed).

use std::sync::Arc;

use serde::Serialize;

use crate::{EntropySource, SourceCategory, SpeedClass, sources};

/// A set of sources that can be listed and filtered.
#[derive(Clone)]
pub struct Registry {
    sources: Vec<Arc<dyn EntropySource>>,
}

/// One line of `scan`: a source and whether it can run here.
#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    /// Stable source name.
    pub name: &'static str,
    /// Mechanism family.
    pub category: SourceCategory,
    /// Whether it can collect on this machine.
    pub available: bool,
    /// Why it cannot, when it cannot.
    pub reason: Option<String>,
    /// The physics note.
    pub description: &'static str,
    /// Fast or slow.
    pub speed: SpeedClass,
}

/// Why a `--sources` filter could not be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectError {
    /// A token names neither a source nor a category.
    #[error("unknown source or category '{0}' (run `wellspring scan` for the list)")]
    Unknown(String),
    /// A source was named explicitly but cannot run here.
    #[error("source '{name}' is not available here: {reason}")]
    Unavailable {
        /// The source.
        name: String,
        /// Why.
        reason: String,
    },
    /// The filter left nothing to collect from.
    #[error("the source filter '{0}' selects no available source")]
    Empty(String),
}

impl Default for Registry {
    fn default() -> Self {
        Registry::builtin()
    }
}

impl Registry {
    /// Every source compiled into `wellspring-core`.
    pub fn builtin() -> Self {
        let sources = sources::all();
        #[cfg(feature = "fault-injection")]
        let sources = crate::faults::wrap_from_env(sources);
        Registry { sources }
    }

    /// A registry over an explicit list (tests, or other crates adding their sources).
    pub fn from_sources(sources: Vec<Arc<dyn EntropySource>>) -> Self {
        Registry { sources }
    }

    /// Adds a source, e.g. the camera source from `wellspring-camera`.
    pub fn push(&mut self, source: Arc<dyn EntropySource>) {
        self.sources.push(source);
    }

    /// Every source, available or not.
    pub fn all(&self) -> &[Arc<dyn EntropySource>] {
        &self.sources
    }

    /// The source with this exact name.
    pub fn find(&self, name: &str) -> Option<Arc<dyn EntropySource>> {
        self.sources.iter().find(|s| s.name() == name).cloned()
    }

    /// Probes every source's availability.
    pub fn detect(&self) -> Vec<SourceStatus> {
        self.sources
            .iter()
            .map(|s| {
                let availability = s.availability();
                let info = s.info();
                SourceStatus {
                    name: info.name,
                    category: info.category,
                    available: availability.is_available(),
                    reason: availability.reason().map(str::to_owned),
                    description: info.physics,
                    speed: info.speed,
                }
            })
            .collect()
    }

    /// Applies a `--sources` filter (`None` = the default set) and returns available sources.
    pub fn select(&self, filter: Option<&str>) -> Result<Vec<Arc<dyn EntropySource>>, SelectError> {
        let filter_text = filter.unwrap_or("").trim();
        let mut include: Vec<&str> = Vec::new();
        let mut exclude: Vec<&str> = Vec::new();
        for token in filter_text
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            match token.strip_prefix('!') {
                Some(neg) => exclude.push(neg.trim()),
                None => include.push(token),
            }
        }
        for token in include.iter().chain(&exclude) {
            if *token != "all"
                && SourceCategory::parse(token).is_none()
                && self.find(token).is_none()
            {
                return Err(SelectError::Unknown((*token).to_owned()));
            }
        }
        let matches = |source: &Arc<dyn EntropySource>, token: &str| {
            token == "all" || source.name() == token || source.info().category.as_str() == token
        };
        let mut chosen = Vec::new();
        for source in &self.sources {
            let wanted = if include.is_empty() {
                source.info().speed == SpeedClass::Fast
                    && source.info().category != SourceCategory::Platform
            } else {
                include.iter().any(|t| matches(source, t))
            };
            if !wanted || exclude.iter().any(|t| matches(source, t)) {
                continue;
            }
            match source.availability().reason() {
                None => chosen.push(Arc::clone(source)),
                // Naming one source explicitly and not getting it is an error, not a silent skip.
                Some(reason) if include.contains(&source.name()) => {
                    return Err(SelectError::Unavailable {
                        name: source.name().to_owned(),
                        reason: reason.to_owned(),
                    });
                }
                Some(_) => {}
            }
        }
        if chosen.is_empty() {
            return Err(SelectError::Empty(filter_text.to_owned()));
        }
        Ok(chosen)
    }
}

/// Lists every built-in source and whether it is available here.
///
/// ```
/// let statuses = wellspring_core::detect_available_sources();
/// assert!(statuses.iter().any(|s| s.name == "clock_jitter" && s.available));
/// ```
pub fn detect_available_sources() -> Vec<SourceStatus> {
    Registry::builtin().detect()
}

/// The built-in source with this name.
pub fn find(name: &str) -> Option<Arc<dyn EntropySource>> {
    Registry::builtin().find(name)
}
