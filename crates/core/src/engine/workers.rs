//! The engine's assessment threads: long-lived, so that the estimators' tables (~12 MB per
//! assessment) are allocated again and again in the same few allocator arenas. A thread per
//! assessment, as before, let each new thread take a fresh glibc arena whenever the earlier
//! ones were attached to live threads (blocked request threads in a server, say), and the
//! freed tables stayed in every arena: a server whose sources were quarantined and
//! re-admitted ten times grew from 24 MB to 114 MB. Two workers at normal priority take
//! first measurements, one at the lowest priority takes periodic re-assessments; how many
//! run at once is still bounded by `assess::MAX_CONCURRENT`.
//!
//! The workers hold only their channel's receiving end, and each job carries what it needs,
//! so they exit when the engine (which holds the sending ends) is dropped.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// A queued assessment.
pub(super) type Job = Box<dyn FnOnce() + Send>;

/// Workers at normal priority, for first measurements.
const FIRST_WORKERS: usize = super::assess::MAX_CONCURRENT;

/// The sending ends of the two queues.
pub(super) struct Workers {
    first: Mutex<Option<Sender<Job>>>,
    periodic: Mutex<Option<Sender<Job>>>,
}

fn serve(queue: Arc<Mutex<Receiver<Job>>>) {
    loop {
        // The lock is held only while waiting for the next job, not while running it.
        let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Starts one queue's `count` threads; `None` when no thread could be started.
fn start_queue(count: usize, name: &str, lowest_priority: bool) -> Option<Sender<Job>> {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    let mut started = 0;
    for _ in 0..count {
        let queue = Arc::clone(&rx);
        let spawned = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                if lowest_priority {
                    super::cpu::lower_priority(19);
                }
                serve(queue);
            });
        started += usize::from(spawned.is_ok());
    }
    (started > 0).then_some(tx)
}

impl Workers {
    /// Starts the workers.
    pub(super) fn start() -> Workers {
        Workers {
            first: Mutex::new(start_queue(FIRST_WORKERS, "ws-assess", false)),
            periodic: Mutex::new(start_queue(1, "ws-reassess", true)),
        }
    }

    /// Queues `job` (a first measurement or a periodic re-assessment); hands it back when
    /// no worker can take it.
    pub(super) fn submit(&self, first: bool, job: Job) -> Result<(), Job> {
        let queue = if first { &self.first } else { &self.periodic };
        let sender = queue.lock().unwrap_or_else(|p| p.into_inner());
        match sender.as_ref() {
            Some(tx) => tx.send(job).map_err(|e| e.0),
            None => Err(job),
        }
    }
}
