//! The conditions a session was recorded in: the machine's fixed facts (written once into
//! the manifest) and a system snapshot taken every second (one line of `conditions.jsonl`).
//! Everything is read from /proc and /sys; what a machine does not expose (temperatures in
//! most VMs, CPU frequency under some hypervisors) is absent, never invented.

use std::collections::BTreeMap;
use std::fs;

use serde::{Deserialize, Serialize};

/// Fixed facts about the machine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name.
    pub cpu: Option<String>,
    /// CPU feature flags (as /proc/cpuinfo lists them).
    #[serde(default)]
    pub cpu_flags: Vec<String>,
    /// Logical CPUs.
    pub cores: usize,
    /// Kernel release.
    pub kernel: Option<String>,
    /// Hypervisor, as far as it can be told (`kvm`, `vmware`, ...), `none` on bare metal
    /// when the CPU says so, or null when unknown.
    pub virtualization: Option<String>,
    /// The kernel's current clock source (`tsc`, `kvm-clock`, ...).
    pub clocksource: Option<String>,
}

fn read(path: &str) -> Option<String> {
    fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn cpuinfo_field<'a>(cpuinfo: &'a str, key: &str) -> Option<&'a str> {
    cpuinfo.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == key).then(|| v.trim())
    })
}

impl Machine {
    /// Reads the machine's facts.
    pub fn detect() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let flags: Vec<String> = cpuinfo_field(&cpuinfo, "flags")
            .map(|f| f.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let virtualization = if flags.iter().any(|f| f == "hypervisor") {
            let vendor = read("/sys/class/dmi/id/sys_vendor").unwrap_or_default();
            let product = read("/sys/class/dmi/id/product_name").unwrap_or_default();
            let text = format!("{vendor} {product}").to_lowercase();
            Some(
                [
                    ("qemu", "kvm"),
                    ("kvm", "kvm"),
                    ("firecracker", "firecracker"),
                    ("vmware", "vmware"),
                    ("virtualbox", "virtualbox"),
                    ("microsoft", "hyperv"),
                    ("xen", "xen"),
                    ("amazon", "kvm"),
                    ("google", "kvm"),
                ]
                .iter()
                .find(|(needle, _)| text.contains(needle))
                .map_or("unknown hypervisor", |(_, name)| name)
                .to_owned(),
            )
        } else if flags.is_empty() {
            None
        } else {
            Some("none".to_owned())
        };
        Machine {
            cpu: cpuinfo_field(&cpuinfo, "model name").map(str::to_owned),
            cpu_flags: flags,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel: read("/proc/sys/kernel/osrelease"),
            virtualization,
            clocksource: read("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
        }
    }
}

/// One system snapshot (a line of `conditions.jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conditions {
    /// Seconds since the session started.
    pub t: f64,
    /// Load average over 1, 5 and 15 minutes.
    pub load_average: Option<[f64; 3]>,
    /// Mean current CPU frequency over the CPUs that report one, in MHz.
    pub cpu_mhz: Option<f64>,
    /// Temperatures by thermal zone type, in °C.
    pub temperatures_c: BTreeMap<String, f64>,
    /// Memory available, in KiB.
    pub mem_available_kib: Option<u64>,
    /// Share of the last 10 s some task stalled on memory (PSI `some avg10`), in percent.
    pub memory_pressure: Option<f64>,
}

impl Conditions {
    /// A snapshot taken now, `t` seconds into the session.
    pub fn snapshot(t: f64) -> Conditions {
        let load_average = read("/proc/loadavg").and_then(|l| {
            let v: Vec<f64> = l
                .split_whitespace()
                .take(3)
                .filter_map(|x| x.parse().ok())
                .collect();
            (v.len() == 3).then(|| [v[0], v[1], v[2]])
        });
        let mut khz = Vec::new();
        for cpu in 0..std::thread::available_parallelism().map_or(1, |n| n.get()) {
            let path = format!("/sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_cur_freq");
            if let Some(v) = read(&path).and_then(|v| v.parse::<f64>().ok()) {
                khz.push(v);
            }
        }
        let cpu_mhz = if khz.is_empty() {
            let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
            let mhz: Vec<f64> = cpuinfo
                .lines()
                .filter_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    (k.trim() == "cpu MHz").then(|| v.trim().parse().ok())?
                })
                .collect();
            (!mhz.is_empty()).then(|| mhz.iter().sum::<f64>() / mhz.len() as f64)
        } else {
            Some(khz.iter().sum::<f64>() / khz.len() as f64 / 1000.0)
        };
        let mut temperatures_c = BTreeMap::new();
        if let Ok(zones) = fs::read_dir("/sys/class/thermal") {
            for zone in zones.flatten() {
                let path = zone.path();
                let name = fs::read_to_string(path.join("type")).ok();
                let milli = fs::read_to_string(path.join("temp"))
                    .ok()
                    .and_then(|t| t.trim().parse::<f64>().ok());
                if let (Some(name), Some(milli)) = (name, milli) {
                    temperatures_c.insert(name.trim().to_owned(), milli / 1000.0);
                }
            }
        }
        let mem_available_kib = read("/proc/meminfo").and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemAvailable:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        });
        let memory_pressure = read("/proc/pressure/memory").and_then(|p| {
            p.lines()
                .find(|l| l.starts_with("some"))?
                .split_whitespace()
                .find_map(|f| f.strip_prefix("avg10="))?
                .parse()
                .ok()
        });
        Conditions {
            t,
            load_average,
            cpu_mhz,
            temperatures_c,
            mem_available_kib,
            memory_pressure,
        }
    }
}
