//! `GET /api/v1/events`: Server-Sent Events for the dashboard.
//!
//! Each stream sends the engine's status once a second as event `status` (the `/pool/status`
//! document, plus `server`: requests counted by route; read and serialised once per second
//! for all streams, see [`super::status_feed`]), and, before it,
//! one event `health` for each change since the previous second: a quarantine, a
//! re-admission, a re-assessment (`old_h` → `new_h`) or revoked blocks. The events are
//! derived from consecutive statuses, so they reach a viewer within a second of happening,
//! and a viewer that reconnects is never sent an old event twice.
//!
//! Streams are capped ([`ServerConfig::max_event_streams`](crate::ServerConfig), default
//! 64): past the cap a request gets `503` with a JSON body, so the stream cannot be used to
//! pin the server's memory or threads. A stream's permit is released when the client goes.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, watch};
use wellspring_core::engine::EngineStatus;

use super::status_feed::Snapshot;
use crate::error::ApiError;
use crate::state::AppState;

/// How often a status is sent.
pub(crate) const STATUS_INTERVAL: Duration = Duration::from_secs(1);
/// What a browser waits before reconnecting after the stream ends (a server restart).
const RETRY: Duration = Duration::from_millis(1000);

/// Per source, what the health events are derived from.
#[derive(Debug, Clone, PartialEq)]
struct SourceMark {
    quarantined: bool,
    quarantine_events: u64,
    h: Option<f64>,
    origin: Option<String>,
    last_error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Marks {
    sources: BTreeMap<String, SourceMark>,
    blocks_revoked: u64,
}

impl Marks {
    pub(crate) fn of(status: &EngineStatus) -> Marks {
        Marks {
            sources: status
                .sources
                .iter()
                .map(|s| {
                    let origin = s.assessment.map(|o| o.as_str().to_owned());
                    (
                        s.name.to_owned(),
                        SourceMark {
                            quarantined: s.quarantined,
                            quarantine_events: s.quarantine_events,
                            h: s.min_entropy,
                            origin,
                            last_error: s.last_error.clone(),
                        },
                    )
                })
                .collect(),
            blocks_revoked: status.blocks_revoked,
        }
    }
}

/// The health events between two consecutive statuses, at `uptime` seconds.
fn health_events(before: &Marks, now: &Marks, uptime: f64) -> Vec<Value> {
    let mut events = Vec::new();
    for (name, mark) in &now.sources {
        let Some(old) = before.sources.get(name) else {
            continue;
        };
        if mark.quarantine_events > old.quarantine_events {
            events.push(json!({
                "source": name, "kind": "quarantine", "reason": mark.last_error,
                "quarantine_events": mark.quarantine_events, "uptime_seconds": uptime,
            }));
        } else if old.quarantined && !mark.quarantined {
            events.push(json!({
                "source": name, "kind": "readmission", "uptime_seconds": uptime,
            }));
        }
        let changed = match (old.h, mark.h) {
            (Some(a), Some(b)) => (a - b).abs() > 1e-9 || old.origin != mark.origin,
            (None, Some(_)) => true,
            _ => false,
        };
        if changed {
            events.push(json!({
                "source": name, "kind": "reassessment", "old_h": old.h, "new_h": mark.h,
                "origin": mark.origin, "uptime_seconds": uptime,
            }));
        }
    }
    if now.blocks_revoked > before.blocks_revoked {
        events.push(json!({
            "source": null, "kind": "revocation",
            "blocks": now.blocks_revoked - before.blocks_revoked, "uptime_seconds": uptime,
        }));
    }
    events
}

/// The `status` event's data: the `/pool/status` document and the server's counters.
pub(crate) fn status_document(state: &AppState, status: &EngineStatus) -> Value {
    let mut value = super::info::pool_document(status);
    if let Some(map) = value.as_object_mut() {
        let mut modes = vec!["drbg", "sha256"];
        if state.allow_raw {
            modes.push("raw");
        }
        map.insert(
            "server".into(),
            json!({"requests": state.metrics.requests_by_route(), "modes": modes}),
        );
    }
    value
}

struct Feed {
    snapshots: watch::Receiver<Option<Arc<Snapshot>>>,
    /// The last snapshot this stream sent.
    last: Option<Arc<Snapshot>>,
    pending: VecDeque<Event>,
    first: bool,
    _permit: OwnedSemaphorePermit,
}

impl Feed {
    /// The next event; `None` once the server is gone.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            self.snapshots.changed().await.ok()?;
            let Some(now) = self.snapshots.borrow_and_update().clone() else {
                continue;
            };
            if let Some(before) = &self.last {
                for event in health_events(&before.marks, &now.marks, now.uptime) {
                    self.pending
                        .push_back(Event::default().event("health").data(event.to_string()));
                }
            }
            let mut event = Event::default().event("status").data(&now.data);
            if std::mem::take(&mut self.first) {
                event = event.retry(RETRY);
            }
            self.pending.push_back(event);
            self.last = Some(now);
        }
    }
}

pub(crate) async fn events(
    State(state): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let permit = Arc::clone(&state.event_streams)
        .try_acquire_owned()
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many event streams are open; try again later",
            )
            .retry_after(5)
        })?;
    let feed = Feed {
        snapshots: state.status_feed.subscribe(&state),
        last: None,
        pending: VecDeque::new(),
        first: true,
        _permit: permit,
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        let event = feed.next().await?;
        Some((Ok(event), feed))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(quarantined: bool, events: u64, h: Option<f64>) -> SourceMark {
        SourceMark {
            quarantined,
            quarantine_events: events,
            h,
            origin: Some("full".into()),
            last_error: quarantined.then(|| "RepetitionCount".into()),
        }
    }

    fn marks(list: &[(&str, SourceMark)], revoked: u64) -> Marks {
        Marks {
            sources: list
                .iter()
                .map(|(n, m)| ((*n).to_owned(), m.clone()))
                .collect(),
            blocks_revoked: revoked,
        }
    }

    #[test]
    fn each_change_between_two_statuses_is_one_event() {
        let before = marks(
            &[
                ("a", mark(false, 0, Some(2.0))),
                ("b", mark(true, 1, Some(1.0))),
                ("c", mark(false, 0, Some(3.0))),
            ],
            4,
        );
        let now = marks(
            &[
                ("a", mark(true, 1, Some(2.0))),
                ("b", mark(false, 1, Some(1.0))),
                ("c", mark(false, 0, Some(2.5))),
            ],
            6,
        );
        let events = health_events(&before, &now, 12.0);
        let kinds: Vec<(&str, &str)> = events
            .iter()
            .map(|e| {
                (
                    e["source"].as_str().unwrap_or("-"),
                    e["kind"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", "quarantine"),
                ("b", "readmission"),
                ("c", "reassessment"),
                ("-", "revocation")
            ]
        );
        assert_eq!(events[2]["old_h"], 3.0);
        assert_eq!(events[2]["new_h"], 2.5);
        assert_eq!(events[3]["blocks"], 2);
        assert!(health_events(&now, &now, 13.0).is_empty());
    }
}
