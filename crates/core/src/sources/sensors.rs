//! Device sources found only on some machines: hardware-monitor and thermal sensors, and
//! the audio and video capture devices. Each is detected at run time and reports why it is
//! unavailable when the device is missing.

use std::path::{Path, PathBuf};

use crate::sources::util::{io_error, time_each};
use crate::{Availability, EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// Read-out timing of sensor files under a sysfs directory (hwmon or thermal zones).
#[derive(Debug)]
pub struct SensorReadout {
    info: &'static SourceInfo,
    root: PathBuf,
    /// File-name suffix of the sensor value files (`_input` for hwmon, `temp` for thermal).
    suffix: &'static str,
}

static HWMON: SourceInfo = SourceInfo {
    name: "hwmon_jitter",
    category: SourceCategory::Hardware,
    physics: "Reads hardware-monitor sensors (/sys/class/hwmon/*/*_input: temperatures, \
              voltages, fan speeds) and times each read-out, which goes over I2C/SMBus or an \
              embedded controller whose transaction timing varies.",
    speed: SpeedClass::Slow,
};

static THERMAL: SourceInfo = SourceInfo {
    name: "thermal_jitter",
    category: SourceCategory::Hardware,
    physics: "Reads thermal-zone temperatures (/sys/class/thermal/thermal_zone*/temp) and \
              times each read-out through the platform's ACPI or sensor driver.",
    speed: SpeedClass::Slow,
};

impl SensorReadout {
    /// hwmon sensors under /sys/class/hwmon.
    pub fn hwmon() -> Self {
        SensorReadout::at(&HWMON, "/sys/class/hwmon", "_input")
    }

    /// Thermal zones under /sys/class/thermal.
    pub fn thermal() -> Self {
        SensorReadout::at(&THERMAL, "/sys/class/thermal", "temp")
    }

    /// A sensor source over another directory (tests point it at a missing one).
    pub fn at(info: &'static SourceInfo, root: impl Into<PathBuf>, suffix: &'static str) -> Self {
        SensorReadout {
            info,
            root: root.into(),
            suffix,
        }
    }

    fn sensor_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return files;
        };
        for dir in entries.flatten() {
            let Ok(inner) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            for file in inner.flatten() {
                let name = file.file_name();
                if name.to_string_lossy().ends_with(self.suffix)
                    && std::fs::read(file.path()).is_ok()
                {
                    files.push(file.path());
                }
            }
        }
        files.sort();
        files
    }
}

impl EntropySource for SensorReadout {
    fn info(&self) -> &SourceInfo {
        self.info
    }

    fn availability(&self) -> Availability {
        if self.sensor_files().is_empty() {
            Availability::Unavailable(format!("no readable sensor under {}", self.root.display()))
        } else {
            Availability::Available
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let files = self.sensor_files();
        if files.is_empty() {
            return Err(SourceError::Unavailable {
                name: self.info.name,
                reason: format!("no readable sensor under {}", self.root.display()),
            });
        }
        let mut failure = None;
        let out = time_each(n, |i| {
            if let Err(e) = std::fs::read(&files[i % files.len()]) {
                failure.get_or_insert(e);
            }
        });
        match failure {
            Some(e) => Err(io_error(self.info.name)(e)),
            None => Ok(out),
        }
    }
}

/// A capture device (ALSA PCM or V4L2) whose raw noise wellspring can sample when present.
#[derive(Debug)]
pub struct CaptureDevice {
    info: &'static SourceInfo,
    dir: PathBuf,
    prefix: &'static str,
    suffix: &'static str,
}

static AUDIO: SourceInfo = SourceInfo {
    name: "audio_noise",
    category: SourceCategory::Hardware,
    physics: "Thermal and quantisation noise in the least-significant bits of an audio \
              capture device's samples (an ALSA PCM capture device, /dev/snd/pcmC*D*c), \
              present even with nothing plugged in.",
    speed: SpeedClass::Slow,
};

static VIDEO: SourceInfo = SourceInfo {
    name: "video_sensor_noise",
    category: SourceCategory::Hardware,
    physics: "Photon shot noise and read noise in the least-significant bits of a V4L2 \
              camera's pixels (/dev/video*), even with the lens covered.",
    speed: SpeedClass::Slow,
};

impl CaptureDevice {
    /// ALSA PCM capture devices.
    pub fn audio() -> Self {
        CaptureDevice {
            info: &AUDIO,
            dir: "/dev/snd".into(),
            prefix: "pcmC",
            suffix: "c",
        }
    }

    /// V4L2 video devices.
    pub fn video() -> Self {
        CaptureDevice {
            info: &VIDEO,
            dir: "/dev".into(),
            prefix: "video",
            suffix: "",
        }
    }

    fn devices(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        name.starts_with(self.prefix) && name.ends_with(self.suffix)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn dir(&self) -> &Path {
        &self.dir
    }
}

impl EntropySource for CaptureDevice {
    fn info(&self) -> &SourceInfo {
        self.info
    }

    fn availability(&self) -> Availability {
        match self.devices().first() {
            None => {
                Availability::Unavailable(format!("no capture device in {}", self.dir().display()))
            }
            // Raw PCM/V4L2 capture needs format negotiation through ioctls that wellspring
            // does not implement yet; say so instead of pretending.
            Some(dev) => Availability::Unavailable(format!(
                "{} found, but raw capture is not implemented yet",
                dev.display()
            )),
        }
    }

    fn collect(&self, _n: usize) -> Result<Vec<u8>, SourceError> {
        Err(SourceError::Unavailable {
            name: self.info.name,
            reason: self
                .availability()
                .reason()
                .unwrap_or("unavailable")
                .to_owned(),
        })
    }
}
