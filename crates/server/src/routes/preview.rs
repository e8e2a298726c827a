//! `GET /api/v1/sources/{name}/preview`: fresh raw samples of one source for the dashboard's
//! charts, collected for display only and never mixed into output.
//!
//! A collection blocks a thread for as long as the source takes, and cannot be interrupted
//! (a source's `collect` is plain blocking code). So requests never start work in proportion
//! to their number:
//!
//! - **one collection in flight per source**, whose result every request waiting for it
//!   shares (a review's 40 concurrent previews of a slow source started 40 collections and 31
//!   threads, and slowed `/api/v1/random` from 0.8 ms to 173 ms at p99);
//! - **at most [`MAX_COLLECTIONS`] in flight in all**; a request that would start another gets
//!   the source's last preview if there is one, else 503;
//! - a result is reused for [`PREVIEW_MAX_AGE`]; a failure is reused for [`FAILURE_MAX_AGE`];
//! - a request waits at most [`PREVIEW_TIMEOUT`]; the collection goes on without it and its
//!   result is kept, so a source slower than the timeout is shown from its last collection
//!   (it never was before: each request abandoned its own collection);
//! - names the engine does not run are refused with 404 before anything starts, so the map
//!   of previews holds only the engine's sources.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, watch};

use crate::error::ApiError;
use crate::reservoir::BackendError;
use crate::state::AppState;

/// Samples in a preview.
pub(crate) const PREVIEW_SAMPLES: usize = 1024;
/// A preview is re-collected at most this often per source, however many viewers ask.
const PREVIEW_MAX_AGE: Duration = Duration::from_secs(1);
/// A failed collection is not retried for this long.
const FAILURE_MAX_AGE: Duration = Duration::from_secs(2);
/// How long a request waits for a collection.
const PREVIEW_TIMEOUT: Duration = Duration::from_secs(5);
/// Collections in flight at once, over all sources.
pub(crate) const MAX_COLLECTIONS: usize = 4;

/// Why a preview could not be had (shared by every request waiting for one collection).
#[derive(Debug, Clone)]
struct Failure {
    status: StatusCode,
    message: String,
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        ApiError::new(f.status, f.message)
    }
}

type Outcome = Result<Arc<Vec<u8>>, Failure>;

/// One source's previews: the last result, the last failure, the collection in flight.
#[derive(Default)]
struct Entry {
    last: Option<(Instant, Arc<Vec<u8>>)>,
    failed: Option<(Instant, Failure)>,
    in_flight: Option<watch::Receiver<Option<Outcome>>>,
}

/// Previews by source, and the permits for collections.
pub(crate) struct Previews {
    entries: Mutex<HashMap<String, Entry>>,
    collections: Arc<Semaphore>,
}

impl Default for Previews {
    fn default() -> Self {
        Previews {
            entries: Mutex::new(HashMap::new()),
            collections: Arc::new(Semaphore::new(MAX_COLLECTIONS)),
        }
    }
}

/// What a request does, decided under the lock.
enum Plan {
    Serve(Arc<Vec<u8>>),
    Refuse(Failure),
    Wait(watch::Receiver<Option<Outcome>>),
}

impl Previews {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Serves a recent result or failure, joins the collection in flight, or starts one.
    fn plan(self: &Arc<Self>, state: &AppState, name: &str) -> Plan {
        let mut entries = self.lock();
        let entry = entries.entry(name.to_owned()).or_default();
        if let Some((at, failure)) = &entry.failed
            && at.elapsed() < FAILURE_MAX_AGE
        {
            return Plan::Refuse(failure.clone());
        }
        if let Some((at, samples)) = &entry.last
            && at.elapsed() < PREVIEW_MAX_AGE
        {
            return Plan::Serve(Arc::clone(samples));
        }
        if let Some(rx) = &entry.in_flight {
            return Plan::Wait(rx.clone());
        }
        let Ok(permit) = Arc::clone(&self.collections).try_acquire_owned() else {
            return match &entry.last {
                Some((_, samples)) => Plan::Serve(Arc::clone(samples)),
                None => Plan::Refuse(Failure {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    message: format!(
                        "{MAX_COLLECTIONS} previews are being collected already; try again shortly"
                    ),
                }),
            };
        };
        let (tx, rx) = watch::channel(None);
        entry.in_flight = Some(rx.clone());
        drop(entries);
        let backend = state.backend.clone();
        let previews = Arc::clone(self);
        let source = name.to_owned();
        tokio::spawn(async move {
            let task = {
                let source = source.clone();
                tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    backend.preview(&source, PREVIEW_SAMPLES)
                })
            };
            let outcome = match task.await {
                Ok(Ok(samples)) => Ok(Arc::new(samples)),
                Ok(Err(BackendError::UnknownSource(_))) => Err(Failure {
                    status: StatusCode::NOT_FOUND,
                    message: "no source of that name runs in this engine (see /sources)".into(),
                }),
                Ok(Err(e)) => Err(Failure {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    message: e.to_string(),
                }),
                Err(e) => Err(Failure {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: format!("preview task failed: {e}"),
                }),
            };
            {
                let mut entries = previews.lock();
                let entry = entries.entry(source).or_default();
                entry.in_flight = None;
                match &outcome {
                    Ok(samples) => {
                        entry.last = Some((Instant::now(), Arc::clone(samples)));
                        entry.failed = None;
                    }
                    Err(failure) => entry.failed = Some((Instant::now(), failure.clone())),
                }
            }
            // Nobody may be waiting any more; the result is kept above either way.
            let _ = tx.send(Some(outcome));
        });
        Plan::Wait(rx)
    }
}

/// Fresh samples of one source (never mixed into output).
pub(crate) async fn preview(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let known = state
        .backend
        .status()
        .sources
        .iter()
        .any(|s| s.name == name);
    if !known {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no source of that name runs in this engine (see /sources)",
        ));
    }
    let samples = match state.previews.plan(&state, &name) {
        Plan::Serve(samples) => samples,
        Plan::Refuse(failure) => return Err(failure.into()),
        Plan::Wait(mut rx) => {
            match tokio::time::timeout(PREVIEW_TIMEOUT, rx.wait_for(Option::is_some)).await {
                Ok(Ok(outcome)) => outcome.clone().expect("waited for Some")?,
                Ok(Err(_)) => {
                    return Err(ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the preview collection ended without a result",
                    ));
                }
                Err(_) => {
                    return Err(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!(
                            "{name} gave no samples within {PREVIEW_TIMEOUT:?}; the collection \
                             goes on and its samples will be shown when it ends"
                        ),
                    ));
                }
            }
        }
    };
    let physics = wellspring_core::registry::find(&name).map(|s| s.info().physics);
    Ok(Json(json!({
        "source": name,
        "physics": physics,
        "samples": samples.as_slice(),
        "note": "fresh samples collected for display; never mixed into output",
    })))
}
