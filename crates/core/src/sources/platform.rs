//! Platform generators: RDRAND, the OS generator and /dev/hwrng.
//!
//! These are not physical noise measured by wellspring: they are other people's generators,
//! already conditioned. They are offered so users can mix them in, and are easy to exclude
//! with `--sources '!platform'`.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use crate::{Availability, EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// The x86 RDRAND instruction.
#[derive(Debug, Default)]
pub struct Rdrand;

static RDRAND: SourceInfo = SourceInfo {
    name: "rdrand",
    category: SourceCategory::Platform,
    physics: "Intel/AMD on-chip generator: a thermal-noise entropy source conditioned by \
              AES-CBC-MAC and expanded by an on-chip CTR_DRBG. Its output is already whitened, \
              so its statistics say nothing about the underlying noise; it is a platform \
              generator, not a measurement.",
    speed: SpeedClass::Fast,
};

#[cfg(target_arch = "x86_64")]
fn rdrand_supported() -> bool {
    std::arch::is_x86_feature_detected!("rdrand")
}

#[cfg(not(target_arch = "x86_64"))]
fn rdrand_supported() -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "rdrand")]
fn rdrand_step() -> Option<u64> {
    let mut value = 0u64;
    // Intel recommends up to ten retries before declaring the unit failed.
    for _ in 0..10 {
        if core::arch::x86_64::_rdrand64_step(&mut value) == 1 {
            return Some(value);
        }
    }
    None
}

impl EntropySource for Rdrand {
    fn info(&self) -> &SourceInfo {
        &RDRAND
    }

    fn availability(&self) -> Availability {
        if rdrand_supported() {
            Availability::Available
        } else {
            Availability::Unavailable("the CPU does not advertise RDRAND".into())
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        #[cfg(target_arch = "x86_64")]
        if rdrand_supported() {
            let mut out = Vec::with_capacity(n + 8);
            while out.len() < n {
                // SAFETY: RDRAND support was detected at run time just above.
                match unsafe { rdrand_step() } {
                    Some(v) => out.extend_from_slice(&v.to_le_bytes()),
                    None => {
                        return Err(SourceError::Failed {
                            name: RDRAND.name,
                            message: "RDRAND failed ten times in a row".into(),
                        });
                    }
                }
            }
            out.truncate(n);
            return Ok(out);
        }
        Err(SourceError::Unavailable {
            name: RDRAND.name,
            reason: "the CPU does not advertise RDRAND".into(),
        })
    }
}

/// The operating system's generator, through `getrandom(2)`.
#[derive(Debug, Default)]
pub struct OsRandom;

static OS_RANDOM: SourceInfo = SourceInfo {
    name: "os_random",
    category: SourceCategory::Platform,
    physics: "The kernel's ChaCha20-based generator via getrandom(2), seeded from interrupt \
              timing, jitter and hardware generators. Cryptographically strong but already \
              conditioned: a platform generator, not a measurement.",
    speed: SpeedClass::Fast,
};

impl EntropySource for OsRandom {
    fn info(&self) -> &SourceInfo {
        &OS_RANDOM
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let mut out = vec![0u8; n];
        let mut filled = 0;
        while filled < n {
            // SAFETY: the pointer and length describe the unfilled tail of `out`.
            let got = unsafe { libc::getrandom(out[filled..].as_mut_ptr().cast(), n - filled, 0) };
            if got < 0 {
                let err = std::io::Error::last_os_error();
                if err.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(SourceError::Io {
                    name: OS_RANDOM.name,
                    source: err,
                });
            }
            filled += got as usize;
        }
        Ok(out)
    }
}

/// A hardware RNG device exposed by the kernel, normally `/dev/hwrng`.
#[derive(Debug)]
pub struct DevHwrng {
    path: PathBuf,
}

impl Default for DevHwrng {
    fn default() -> Self {
        DevHwrng::at("/dev/hwrng")
    }
}

impl DevHwrng {
    /// A hwrng source reading from `path` (tests point it at a missing file).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        DevHwrng { path: path.into() }
    }
}

static DEV_HWRNG: SourceInfo = SourceInfo {
    name: "hwrng",
    category: SourceCategory::Platform,
    physics: "The kernel's hw_random device (on a VM usually virtio-rng, which forwards the \
              host's generator). Its output is whatever the device provides, typically \
              conditioned; treat it as a platform generator.",
    speed: SpeedClass::Slow,
};

impl EntropySource for DevHwrng {
    fn info(&self) -> &SourceInfo {
        &DEV_HWRNG
    }

    fn availability(&self) -> Availability {
        match File::open(&self.path) {
            Ok(_) => Availability::Available,
            Err(e) => {
                Availability::Unavailable(format!("cannot open {}: {e}", self.path.display()))
            }
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let io_err = |source| SourceError::Io {
            name: DEV_HWRNG.name,
            source,
        };
        let mut out = vec![0u8; n];
        File::open(&self.path)
            .and_then(|mut f| f.read_exact(&mut out))
            .map_err(io_err)?;
        Ok(out)
    }
}
