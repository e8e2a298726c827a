//! System sources: changes in the kernel's event counters.

use crate::{Availability, EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// Deltas of the counters in /proc/stat, /proc/interrupts and /proc/vmstat.
#[derive(Debug, Default)]
pub struct ProcCounters;

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

const FILES: [&str; 3] = ["/proc/stat", "/proc/interrupts", "/proc/vmstat"];

/// Every unsigned integer token in `text`, in order.
fn counters(text: &str, into: &mut Vec<u64>) {
    into.extend(
        text.split(|c: char| c.is_whitespace() || c == ':')
            .filter_map(|token| token.parse::<u64>().ok()),
    );
}

fn snapshot(into: &mut Vec<u64>) -> std::io::Result<()> {
    into.clear();
    for file in FILES {
        counters(&std::fs::read_to_string(file)?, into);
    }
    Ok(())
}

impl EntropySource for ProcCounters {
    fn info(&self) -> &SourceInfo {
        &PROC_COUNTERS
    }

    fn availability(&self) -> Availability {
        match FILES.iter().find(|f| std::fs::File::open(f).is_err()) {
            Some(missing) => Availability::Unavailable(format!("cannot read {missing}")),
            None => Availability::Available,
        }
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let io_err = |source| SourceError::Io {
            name: PROC_COUNTERS.name,
            source,
        };
        let mut previous = Vec::new();
        let mut current = Vec::new();
        snapshot(&mut previous).map_err(io_err)?;
        let mut out = Vec::with_capacity(n);
        // Bounded: a machine so idle that no counter moves for this many reads is broken.
        let mut idle_rounds = 0;
        while out.len() < n {
            snapshot(&mut current).map_err(io_err)?;
            let before = out.len();
            for (now, then) in current.iter().zip(&previous) {
                if now != then && out.len() < n {
                    out.push(now.wrapping_sub(*then) as u8);
                }
            }
            if out.len() == before {
                idle_rounds += 1;
                if idle_rounds > 100_000 {
                    return Err(SourceError::Failed {
                        name: PROC_COUNTERS.name,
                        message: "no kernel counter changed".into(),
                    });
                }
            }
            std::mem::swap(&mut previous, &mut current);
        }
        Ok(out)
    }
}
