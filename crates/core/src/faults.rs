//! Fault injection for tests: make a chosen source stuck, biased, slow or failing at run
//! time, to show from the outside that the engine quarantines it, stops output when too few
//! sources remain, and resumes when the source heals.
//!
//! Compiled only with the `fault-injection` cargo feature, which only test builds enable
//! (the CLI's and the server's dev-dependencies, and the Python module as `scripts/test.sh`
//! builds it); a release binary has no way to inject a
//! fault. In such a build, [`Registry::builtin`](crate::registry::Registry::builtin) wraps
//! every source in a [`FaultySource`] when the environment variable [`FAULT_FILE_ENV`]
//! names a file. The file is re-read on every collection, so a test (or `bench/soak.sh`)
//! injects and heals faults by rewriting it. One fault per line:
//!
//! ```text
//! # source = fault   (fault: stuck, biased, stuck-late, biased-late, slow, error or none;
//! #                  `*` is every source)
//! branch_timing = stuck
//! * = error
//! ```
//!
//! A line naming the source wins over `*`. A missing or unreadable file means no faults.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::{Availability, EntropySource, SourceError, SourceInfo};

/// The environment variable naming the fault file.
pub const FAULT_FILE_ENV: &str = "WELLSPRING_FAULT_FILE";

/// The value a stuck source repeats. Rare in real timing noise, so a stuck run starts at
/// the first faulty sample.
pub const STUCK_VALUE: u8 = 0xA5;

/// How long a slow source sleeps before each collection.
pub const SLOW_DELAY: Duration = Duration::from_millis(200);

/// What goes wrong with a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Every sample is [`STUCK_VALUE`]: the Repetition Count Test's case.
    Stuck,
    /// Four samples of every five are [`STUCK_VALUE`] and the fifth is real, so one value
    /// fills 80% of every window while runs stay at four: the Adaptive Proportion Test's
    /// case. (A period of five, prime to the 512-sample window, starts most windows on the
    /// biased value whatever the window's phase.)
    Biased,
    /// The first half of every collection real, the second half [`Fault::Stuck`]: a source
    /// failing during a collection, as `probe` and `bench` see one (they set the cutoffs
    /// from the first half and test the second).
    StuckLate,
    /// The first half of every collection real, the second half [`Fault::Biased`].
    BiasedLate,
    /// Real samples, after sleeping [`SLOW_DELAY`].
    Slow,
    /// Collection fails.
    Error,
}

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "stuck" => Ok(Fault::Stuck),
            "biased" => Ok(Fault::Biased),
            "stuck-late" => Ok(Fault::StuckLate),
            "biased-late" => Ok(Fault::BiasedLate),
            "slow" => Ok(Fault::Slow),
            "error" => Ok(Fault::Error),
            other => Err(format!(
                "unknown fault '{other}' (stuck, biased, stuck-late, biased-late, slow, error \
                 or none)"
            )),
        }
    }
}

/// Where a [`FaultySource`] learns its current fault: a map set in-process, or a file.
#[derive(Debug, Clone)]
pub enum FaultControl {
    /// Set with [`FaultControl::set`]; shared by clones.
    Shared(Arc<RwLock<BTreeMap<String, Fault>>>),
    /// Re-read on every collection (see the module documentation for the format).
    File(PathBuf),
}

impl FaultControl {
    /// A control with no fault set, for in-process tests.
    pub fn shared() -> Self {
        FaultControl::Shared(Arc::default())
    }

    /// Sets (or with `None` heals) the fault of `source` (`*` = every source). Has no
    /// effect on a file control.
    pub fn set(&self, source: &str, fault: Option<Fault>) {
        if let FaultControl::Shared(map) = self {
            let mut map = map.write().unwrap_or_else(|e| e.into_inner());
            match fault {
                Some(fault) => map.insert(source.to_owned(), fault),
                None => map.remove(source),
            };
        }
    }

    /// The fault `source` has now.
    pub fn current(&self, source: &str) -> Option<Fault> {
        match self {
            FaultControl::Shared(map) => {
                let map = map.read().unwrap_or_else(|e| e.into_inner());
                map.get(source).or_else(|| map.get("*")).copied()
            }
            FaultControl::File(path) => std::fs::read_to_string(path)
                .ok()
                .and_then(|text| fault_in(&text, source)),
        }
    }
}

/// The fault the file text gives `source`; malformed lines are ignored.
fn fault_in(text: &str, source: &str) -> Option<Fault> {
    let mut named = None;
    let mut every = None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some((name, fault)) = line.split_once('=') else {
            continue;
        };
        let fault = match fault.trim() {
            "none" => None,
            other => match other.parse() {
                Ok(fault) => Some(fault),
                Err(_) => continue,
            },
        };
        match name.trim() {
            "*" => every = Some(fault),
            name if name == source => named = Some(fault),
            _ => {}
        }
    }
    named.or(every).flatten()
}

/// A source wrapped so that faults can be injected into it.
pub struct FaultySource {
    inner: Arc<dyn EntropySource>,
    control: FaultControl,
}

impl FaultySource {
    /// Wraps `inner`; its faults come from `control`.
    pub fn new(inner: Arc<dyn EntropySource>, control: FaultControl) -> Self {
        FaultySource { inner, control }
    }
}

impl EntropySource for FaultySource {
    fn info(&self) -> &SourceInfo {
        self.inner.info()
    }

    fn availability(&self) -> Availability {
        self.inner.availability()
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let name = self.inner.name();
        match self.control.current(name) {
            None => self.inner.collect(n),
            Some(Fault::Stuck) => Ok(vec![STUCK_VALUE; n]),
            Some(Fault::Biased) => {
                let mut samples = self.inner.collect(n)?;
                bias(&mut samples);
                Ok(samples)
            }
            Some(fault @ (Fault::StuckLate | Fault::BiasedLate)) => {
                let mut samples = self.inner.collect(n)?;
                let late = &mut samples[n / 2..];
                if fault == Fault::StuckLate {
                    late.fill(STUCK_VALUE);
                } else {
                    bias(late);
                }
                Ok(samples)
            }
            Some(Fault::Slow) => {
                std::thread::sleep(SLOW_DELAY);
                self.inner.collect(n)
            }
            Some(Fault::Error) => Err(SourceError::Failed {
                name,
                message: "injected fault".to_owned(),
            }),
        }
    }

    fn creditable(&self) -> bool {
        self.inner.creditable()
    }
}

/// Makes four samples of every five [`STUCK_VALUE`] and the fifth anything else.
fn bias(samples: &mut [u8]) {
    for (i, sample) in samples.iter_mut().enumerate() {
        if i % 5 != 4 {
            *sample = STUCK_VALUE;
        } else if *sample == STUCK_VALUE {
            *sample ^= 1;
        }
    }
}

/// Wraps every source in a [`FaultySource`] reading the file [`FAULT_FILE_ENV`] names; the
/// sources unchanged when it is unset.
pub fn wrap_from_env(sources: Vec<Arc<dyn EntropySource>>) -> Vec<Arc<dyn EntropySource>> {
    let Some(path) = std::env::var_os(FAULT_FILE_ENV) else {
        return sources;
    };
    let control = FaultControl::File(PathBuf::from(path));
    sources
        .into_iter()
        .map(|s| Arc::new(FaultySource::new(s, control.clone())) as Arc<dyn EntropySource>)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_line_wins_over_the_wildcard_and_none_heals() {
        let text = "# faults\n* = error\nbranch_timing = stuck\nclock_jitter = none\n";
        assert_eq!(fault_in(text, "branch_timing"), Some(Fault::Stuck));
        assert_eq!(fault_in(text, "page_fault_timing"), Some(Fault::Error));
        assert_eq!(fault_in(text, "clock_jitter"), None);
        assert_eq!(fault_in("", "clock_jitter"), None);
        assert_eq!(fault_in("x = melted\nbroken line", "x"), None);
    }

    #[test]
    fn faults_change_what_the_source_returns() {
        let inner = crate::registry::find("clock_jitter").expect("clock_jitter exists");
        let control = FaultControl::shared();
        let source = FaultySource::new(inner, control.clone());
        assert_eq!(source.collect(64).unwrap().len(), 64);
        control.set("clock_jitter", Some(Fault::Stuck));
        assert_eq!(source.collect(64).unwrap(), vec![STUCK_VALUE; 64]);
        control.set("*", Some(Fault::Error));
        control.set("clock_jitter", Some(Fault::Biased));
        let biased = source.collect(64).unwrap();
        let stuck = biased.iter().filter(|&&s| s == STUCK_VALUE).count();
        assert_eq!(
            stuck, 52,
            "four of every five samples (the fifth is never the value)"
        );
        assert!(
            biased
                .windows(5)
                .all(|w| w.iter().any(|&s| s != STUCK_VALUE))
        );
        control.set("clock_jitter", Some(Fault::StuckLate));
        let late = source.collect(64).unwrap();
        assert_eq!(late[32..], [STUCK_VALUE; 32], "the second half is stuck");
        control.set("clock_jitter", Some(Fault::BiasedLate));
        let late = source.collect(64).unwrap();
        assert_eq!(late[32..].iter().filter(|&&s| s == STUCK_VALUE).count(), 26);
        assert_eq!(fault_in("x = stuck-late", "x"), Some(Fault::StuckLate));
        assert_eq!(fault_in("x = biased-late", "x"), Some(Fault::BiasedLate));
        control.set("clock_jitter", None);
        assert!(source.collect(8).is_err(), "the wildcard still applies");
        control.set("*", None);
        assert_eq!(source.collect(8).unwrap().len(), 8);
    }
}
