//! The output seam: the [`Conditioning`] modes and the [`ByteSource`] trait that every
//! output path (the engine's full-entropy blocks, its DRBG handles, raw output) implements,
//! so the CLI, the server and the Python module do not care which one they hold.

/// Anything that fills buffers with random bytes: engine output in any mode.
pub trait ByteSource {
    /// Fills `out` completely or fails.
    fn fill(&mut self, out: &mut [u8]) -> Result<(), PoolError>;
}

/// How output is derived from the collected samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conditioning {
    /// XOR of the sources' raw samples: for studying the noise, never for keys.
    Raw,
    /// SHA-256 over collected samples.
    Sha256,
    /// CTR_DRBG seeded from SHA-256 conditioned output.
    Drbg,
}

impl Conditioning {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Conditioning::Raw => "raw",
            Conditioning::Sha256 => "sha256",
            Conditioning::Drbg => "drbg",
        }
    }
}

/// Why output could not be produced: the engine's error, whose variants keep the cause
/// (starvation, nothing creditable, misuse) apart.
pub type PoolError = crate::error::EngineError;

/// A conditioning name that is not `raw`, `sha256` or `drbg`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("conditioning '{0}' is not raw, sha256 or drbg")]
pub struct UnknownConditioning(pub String);

impl std::str::FromStr for Conditioning {
    type Err = UnknownConditioning;

    /// Parses the names every interface uses (CLI flag, config file, HTTP, Python).
    ///
    /// ```
    /// use wellspring_core::pool::Conditioning;
    /// assert_eq!("drbg".parse::<Conditioning>().unwrap(), Conditioning::Drbg);
    /// assert!("sha1".parse::<Conditioning>().is_err());
    /// ```
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "raw" => Ok(Conditioning::Raw),
            "sha256" => Ok(Conditioning::Sha256),
            "drbg" => Ok(Conditioning::Drbg),
            other => Err(UnknownConditioning(other.to_owned())),
        }
    }
}
