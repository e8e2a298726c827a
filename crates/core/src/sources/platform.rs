//! Platform generators: RDRAND, the OS generator and /dev/hwrng.
//!
//! These are not physical noise measured by wellspring: they are other people's generators,
//! already conditioned. They are offered so users can mix them in, and are easy to exclude
//! with `--sources '!platform'`.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use crate::{
    Availability, EntropySource, PlatformDevice, SourceCategory, SourceError, SourceInfo,
    SpeedClass,
};

/// `n` bytes from a 64-bit generator instruction, little-endian, failing when it does.
fn words(
    n: usize,
    mut step: impl FnMut() -> Option<u64>,
    name: &'static str,
    failure: &str,
) -> Result<Vec<u8>, SourceError> {
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        let word = step().ok_or_else(|| SourceError::Failed {
            name,
            message: failure.to_owned(),
        })?;
        out.extend_from_slice(&word.to_le_bytes());
    }
    out.truncate(n);
    Ok(out)
}

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
            // SAFETY: RDRAND support was detected at run time just above.
            let step = || unsafe { rdrand_step() };
            return words(n, step, RDRAND.name, "RDRAND failed ten times in a row");
        }
        Err(SourceError::Unavailable {
            name: RDRAND.name,
            reason: "the CPU does not advertise RDRAND".into(),
        })
    }
}

/// The x86 RDSEED instruction, only when the kernel reports it as usable.
#[derive(Debug, Default)]
pub struct Rdseed;

static RDSEED: SourceInfo = SourceInfo {
    name: "rdseed",
    category: SourceCategory::Platform,
    physics: "Intel/AMD on-chip entropy source output after AES-CBC-MAC conditioning, without               the DRBG that RDRAND adds. Still a platform generator's whitened output. Used               only when the kernel lists `rdseed` in /proc/cpuinfo: kernels mask it on CPUs               where it is known to be broken, even though raw CPUID still advertises it.",
    speed: SpeedClass::Fast,
};

/// Whether the kernel lists `flag` for the CPU (it clears flags of broken features).
fn kernel_cpu_flag(flag: &str) -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|text| {
            text.lines()
                .filter(|l| l.starts_with("flags"))
                .any(|l| l.split_whitespace().any(|f| f == flag))
        })
        .unwrap_or(false)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "rdseed")]
fn rdseed_step() -> Option<u64> {
    let mut value = 0u64;
    // RDSEED may legitimately run dry; retry a few times with a pause.
    for _ in 0..100 {
        if core::arch::x86_64::_rdseed64_step(&mut value) == 1 {
            return Some(value);
        }
        std::hint::spin_loop();
    }
    None
}

impl EntropySource for Rdseed {
    fn info(&self) -> &SourceInfo {
        &RDSEED
    }

    fn availability(&self) -> Availability {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("rdseed") && !kernel_cpu_flag("rdseed") {
            return Availability::Unavailable(
                "CPUID advertises RDSEED but the kernel masks it as broken on this CPU".into(),
            );
        }
        if kernel_cpu_flag("rdseed") {
            Availability::Available
        } else {
            Availability::Unavailable("the CPU or kernel does not offer RDSEED".into())
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        if let Some(reason) = self.availability().reason() {
            return Err(SourceError::Unavailable {
                name: RDSEED.name,
                reason: reason.to_owned(),
            });
        }
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: the kernel reports RDSEED as present and working (checked above).
            let step = || unsafe { rdseed_step() };
            words(n, step, RDSEED.name, "RDSEED failed 100 times in a row")
        }
        #[cfg(not(target_arch = "x86_64"))]
        Err(SourceError::Unavailable {
            name: RDSEED.name,
            reason: "not x86_64".into(),
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
    /// The `hw_random` class folder that names the current device and its quality.
    class_dir: PathBuf,
}

impl Default for DevHwrng {
    fn default() -> Self {
        DevHwrng::at("/dev/hwrng")
    }
}

impl DevHwrng {
    /// Where the kernel describes the current hardware generator.
    pub const CLASS_DIR: &'static str = "/sys/class/misc/hw_random";

    /// A hwrng source reading from `path` (tests point it at a missing file).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        DevHwrng::with_class_dir(path, Self::CLASS_DIR)
    }

    /// A hwrng source reading from `path`, with the device's name (`rng_current`) and
    /// quality (`rng_quality`) read from `class_dir` (tests describe a device of their own).
    pub fn with_class_dir(path: impl Into<PathBuf>, class_dir: impl Into<PathBuf>) -> Self {
        DevHwrng {
            path: path.into(),
            class_dir: class_dir.into(),
        }
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

    fn device(&self) -> Option<PlatformDevice> {
        let read = |file: &str| std::fs::read_to_string(self.class_dir.join(file)).ok();
        let name = read("rng_current")?.trim().to_owned();
        let quality = read("rng_quality").and_then(|q| q.trim().parse().ok());
        Some(PlatformDevice { name, quality })
    }
}
