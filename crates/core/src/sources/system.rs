//! System sources: changes in the kernel's event counters, each source over its own files.

use crate::{Availability, EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// Deltas of the integer counters in a set of /proc files: the low byte of every counter
/// that changed between two reads.
#[derive(Debug)]
pub struct KernelCounters {
    info: &'static SourceInfo,
    files: &'static [&'static str],
}

static PROC_COUNTERS: SourceInfo = SourceInfo {
    name: "proc_counters",
    category: SourceCategory::System,
    physics: "Re-reads the kernel's event counters (CPU time per state, interrupts per line \
              and CPU, virtual-memory events) and emits the low byte of every counter that \
              changed since the previous read. The counts are driven by device interrupts, \
              timer ticks, page reclaim and every other process on the machine; their exact \
              values at the instant of reading are not predictable from outside.",
    // Each snapshot reads three files and yields a handful of changed counters: ~3,000/s.
    speed: SpeedClass::Slow,
};

static SCHEDSTAT: SourceInfo = SourceInfo {
    name: "schedstat_counters",
    category: SourceCategory::System,
    physics: "The scheduler's per-CPU statistics from /proc/schedstat (kernels built with \
              CONFIG_SCHEDSTATS): nanoseconds spent running and waiting and timeslice counts, \
              which accumulate the run times of every task on the machine.",
    speed: SpeedClass::Fast,
};

impl KernelCounters {
    /// /proc/stat, /proc/interrupts and /proc/vmstat.
    pub fn proc_counters() -> Self {
        KernelCounters {
            info: &PROC_COUNTERS,
            files: &["/proc/stat", "/proc/interrupts", "/proc/vmstat"],
        }
    }
    /// /proc/schedstat.
    pub fn schedstat() -> Self {
        KernelCounters {
            info: &SCHEDSTAT,
            files: &["/proc/schedstat"],
        }
    }
    /// A counter source over other files (tests point it at missing ones).
    pub fn with_files(info: &'static SourceInfo, files: &'static [&'static str]) -> Self {
        KernelCounters { info, files }
    }
}

/// Every unsigned integer token in `text`, in order.
fn counters(text: &str, into: &mut Vec<u64>) {
    into.extend(
        text.split(|c: char| c.is_whitespace() || c == ':')
            .filter_map(|token| token.parse::<u64>().ok()),
    );
}

fn snapshot(files: &[&str], into: &mut Vec<u64>) -> std::io::Result<()> {
    into.clear();
    for file in files {
        counters(&std::fs::read_to_string(file)?, into);
    }
    Ok(())
}

impl EntropySource for KernelCounters {
    fn info(&self) -> &SourceInfo {
        self.info
    }

    fn availability(&self) -> Availability {
        match self.files.iter().find(|f| std::fs::File::open(f).is_err()) {
            Some(missing) => Availability::Unavailable(format!("cannot read {missing}")),
            None => Availability::Available,
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let name = self.info.name;
        let io_err = |source| SourceError::Io { name, source };
        let mut previous = Vec::new();
        let mut current = Vec::new();
        snapshot(self.files, &mut previous).map_err(io_err)?;
        let mut out = Vec::with_capacity(n);
        // Bounded: a machine on which no counter moves for five seconds is broken.
        let mut last_change = std::time::Instant::now();
        while out.len() < n {
            snapshot(self.files, &mut current).map_err(io_err)?;
            let before = out.len();
            for (now, then) in current.iter().zip(&previous) {
                if now != then && out.len() < n {
                    out.push(now.wrapping_sub(*then) as u8);
                }
            }
            if out.len() > before {
                last_change = std::time::Instant::now();
            } else if last_change.elapsed() > std::time::Duration::from_secs(5) {
                return Err(SourceError::Failed {
                    name,
                    message: "no kernel counter changed for 5 s".into(),
                });
            } else {
                // Nothing moved yet: wait a little instead of re-reading in a busy loop.
                std::thread::sleep(std::time::Duration::from_micros(100));
            }
            std::mem::swap(&mut previous, &mut current);
        }
        Ok(out)
    }
}
