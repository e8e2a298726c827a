//! Why the engine could not deliver, with a kind per cause so that callers (the CLI's exit
//! codes, HTTP statuses, Python exceptions) can tell starvation from misuse. At the crate's
//! root, not in `engine`, because the output seam (`pool`) names it too and `engine`
//! implements that seam: neither module imports the other's error.

/// Why the engine could not deliver.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// Sources that can earn credit exist, but none delivered enough within the wait.
    #[error("no full-entropy output: {0}")]
    Starved(String),
    /// None of the selected sources can ever earn credit (platform generators not named in
    /// `--trust-platform`, public camera feeds): full-entropy output is impossible.
    #[error(
        "no selected source can earn entropy credit ({0}); platform generators are credited only when named in --trust-platform"
    )]
    NothingCreditable(String),
    /// In a forked child, no source passed the start-up health test within the timeout.
    #[error("in a forked child, no source passed its start-up health test: {0}")]
    ChildNotAdmitted(String),
    /// The engine was given no sources.
    #[error("the engine needs at least one source")]
    NoSources,
    /// No source of this name runs in the engine.
    #[error("no source named '{0}' runs in this engine")]
    UnknownSource(String),
    /// A setting is out of range.
    #[error("invalid engine configuration: {0}")]
    InvalidConfig(String),
    /// Raw output was asked for through a cryptographic interface.
    #[error("raw output is unconditioned and not a cryptographic RNG; use Engine::output")]
    NotCryptographic,
    /// Raw collection failed for every source.
    #[error("no source delivered raw samples: {0}")]
    RawFailed(String),
}

impl EngineError {
    /// True for errors caused by the caller (configuration, misuse) rather than by the
    /// sources at run time.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            EngineError::NoSources
                | EngineError::InvalidConfig(_)
                | EngineError::NotCryptographic
                | EngineError::UnknownSource(_)
        )
    }
}
