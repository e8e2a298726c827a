//! Parallel collection from several sources with a deadline per source.
//!
//! Each source collects on its own thread; the caller waits at most the timeout, so one slow
//! or hung source cannot stall the others. A source still running when the deadline passes
//! is skipped until its thread finishes, rather than piling up more threads behind it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::EntropySource;

/// What one source produced in one collection round.
#[derive(Debug)]
pub struct Collected {
    /// The source's name.
    pub name: &'static str,
    /// Its samples, or why there are none.
    pub outcome: Result<Vec<u8>, String>,
    /// Wall-clock time the collection took (up to the deadline).
    pub seconds: f64,
}

/// A set of sources collected from in parallel.
pub struct ParallelCollector {
    sources: Vec<(Arc<dyn EntropySource>, Arc<AtomicBool>)>,
    timeout: Duration,
}

impl ParallelCollector {
    /// Collects from `sources`, waiting at most `timeout` for each round.
    pub fn new(sources: Vec<Arc<dyn EntropySource>>, timeout: Duration) -> Self {
        ParallelCollector {
            sources: sources
                .into_iter()
                .map(|s| (s, Arc::new(AtomicBool::new(false))))
                .collect(),
            timeout,
        }
    }

    /// The sources, in order.
    pub fn sources(&self) -> impl Iterator<Item = &Arc<dyn EntropySource>> {
        self.sources.iter().map(|(s, _)| s)
    }

    /// Asks every source for `n` samples at once and returns what arrived in time, in the
    /// sources' order.
    pub fn collect(&self, n: usize) -> Vec<Collected> {
        let start = Instant::now();
        let (tx, rx) = mpsc::channel::<(usize, Result<Vec<u8>, String>, f64)>();
        let mut results: Vec<Option<Collected>> = (0..self.sources.len()).map(|_| None).collect();
        let mut pending = 0;
        for (index, (source, busy)) in self.sources.iter().enumerate() {
            if busy.swap(true, Ordering::AcqRel) {
                results[index] = Some(Collected {
                    name: source.name(),
                    outcome: Err("still busy with an earlier collection that timed out".into()),
                    seconds: 0.0,
                });
                continue;
            }
            let source = Arc::clone(source);
            let busy = Arc::clone(busy);
            let tx = tx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("ws-{}", source.name()))
                .spawn(move || {
                    let t0 = Instant::now();
                    let outcome = source.collect(n).map_err(|e| e.to_string());
                    busy.store(false, Ordering::Release);
                    let _ = tx.send((index, outcome, t0.elapsed().as_secs_f64()));
                });
            match spawned {
                Ok(_) => pending += 1,
                Err(e) => {
                    self.sources[index].1.store(false, Ordering::Release);
                    results[index] = Some(Collected {
                        name: self.sources[index].0.name(),
                        outcome: Err(format!("cannot start a collector thread: {e}")),
                        seconds: 0.0,
                    });
                }
            }
        }
        drop(tx);
        let deadline = start + self.timeout;
        while pending > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok((index, outcome, seconds)) => {
                    pending -= 1;
                    results[index] = Some(Collected {
                        name: self.sources[index].0.name(),
                        outcome,
                        seconds,
                    });
                }
                Err(_) => break,
            }
        }
        results
            .into_iter()
            .enumerate()
            .map(|(index, r)| {
                r.unwrap_or_else(|| Collected {
                    name: self.sources[index].0.name(),
                    outcome: Err(format!(
                        "timed out after {:.1} s",
                        self.timeout.as_secs_f64()
                    )),
                    seconds: self.timeout.as_secs_f64(),
                })
            })
            .collect()
    }
}
