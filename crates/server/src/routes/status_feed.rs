//! One status a second for every event stream: the engine's status is read and serialised
//! once per tick and shared, not once per open stream.
//!
//! Each `/api/v1/events` stream sends the `/pool/status` document every second. Read and
//! serialised per stream, 64 streams cost 64 status reads (each takes the engine's lock) and
//! 64 serialisations a second; here one ticker task does it and publishes a [`Snapshot`] on
//! a watch channel that every stream reads. The ticker runs only while a stream is open: the
//! first subscriber starts it, and it stops at the first tick with nobody subscribed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

use super::events::{Marks, STATUS_INTERVAL, status_document};
use crate::state::AppState;

/// One tick's status, as every stream sends it.
pub(crate) struct Snapshot {
    /// The `status` event's data: the serialised status document.
    pub(crate) data: String,
    /// What the health events are derived from.
    pub(crate) marks: Marks,
    /// The engine's uptime at the tick.
    pub(crate) uptime: f64,
}

/// The shared ticker's channel.
pub(crate) struct StatusFeed {
    tx: watch::Sender<Option<Arc<Snapshot>>>,
    running: AtomicBool,
}

impl Default for StatusFeed {
    fn default() -> Self {
        StatusFeed {
            tx: watch::Sender::new(None),
            running: AtomicBool::new(false),
        }
    }
}

impl StatusFeed {
    /// A receiver of every tick's snapshot, starting the ticker if it is not running. The
    /// receiver has not seen the latest snapshot (if any), so it is delivered at once.
    pub(crate) fn subscribe(&self, state: &AppState) -> watch::Receiver<Option<Arc<Snapshot>>> {
        let mut rx = self.tx.subscribe();
        rx.mark_changed();
        if !self.running.swap(true, Ordering::SeqCst) {
            tokio::spawn(tick(state.clone()));
        }
        rx
    }
}

/// Publishes a snapshot every [`STATUS_INTERVAL`] while anyone is subscribed.
async fn tick(state: AppState) {
    let feed = Arc::clone(&state.status_feed);
    let mut interval = tokio::time::interval(STATUS_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if feed.tx.receiver_count() == 0 {
            feed.running.store(false, Ordering::SeqCst);
            // A stream that subscribed after the count was read, but saw the ticker
            // running, would otherwise wait for nothing.
            if feed.tx.receiver_count() == 0 || feed.running.swap(true, Ordering::SeqCst) {
                return;
            }
        }
        let status = state.backend.status();
        let snapshot = Snapshot {
            data: status_document(&state, &status).to_string(),
            marks: Marks::of(&status),
            uptime: status.uptime_seconds,
        };
        feed.tx.send_replace(Some(Arc::new(snapshot)));
    }
}
