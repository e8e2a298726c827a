//! Source previews do bounded work, whatever the requests: one collection in flight per
//! source, shared by every request waiting for it; at most four in all; a failure reused for
//! two seconds; a collection slower than the request's wait is kept for the next request. A
//! backend whose previews are slow (or failing) counts the collections it was asked for.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;
use wellspring_core::engine::{Engine, EngineConfig, EngineStatus};
use wellspring_core::pool::Conditioning;
use wellspring_core::registry::Registry;
use wellspring_server::{Backend, BackendError, ServerConfig, app};

/// Sources the engine runs, so their names are known to the preview route.
const SOURCES: &str = "branch_timing,page_fault_timing,clock_jitter,hash_timing,division_timing";

struct SlowPreview {
    engine: Engine,
    delay: Duration,
    fail: bool,
    started: AtomicUsize,
    running: AtomicUsize,
    most_running: AtomicUsize,
}

impl SlowPreview {
    fn new(delay: Duration, fail: bool) -> Arc<Self> {
        let sources = Registry::builtin().select(Some(SOURCES)).unwrap();
        Arc::new(SlowPreview {
            engine: Engine::start(EngineConfig::new(sources)).unwrap(),
            delay,
            fail,
            started: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            most_running: AtomicUsize::new(0),
        })
    }
}

impl Backend for SlowPreview {
    fn try_take(&self, _mode: Conditioning, _n: usize) -> Option<Vec<u8>> {
        None
    }
    fn take(&self, _mode: Conditioning, _n: usize) -> Result<Vec<u8>, BackendError> {
        Err(BackendError::Unavailable("not in this test".into()))
    }
    fn status(&self) -> EngineStatus {
        self.engine.status()
    }
    fn preview(&self, _source: &str, n: usize) -> Result<Vec<u8>, BackendError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        self.running.fetch_sub(1, Ordering::SeqCst);
        if self.fail {
            Err(BackendError::Unavailable("the source is broken".into()))
        } else {
            Ok(vec![7; n])
        }
    }
}

async fn preview(router: &axum::Router, source: &str) -> (StatusCode, Value) {
    let response = router
        .clone()
        .oneshot(
            Request::get(format!("/api/v1/sources/{source}/preview"))
                .header("host", "localhost:8042")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_concurrent_previews_of_a_slow_source_share_one_collection() {
    // The review's case: 40 concurrent previews started 40 collections (threads 63 -> 94).
    let backend = SlowPreview::new(Duration::from_millis(1500), false);
    let router = app(backend.clone(), &ServerConfig::default()).unwrap();
    let requests: Vec<_> = (0..40)
        .map(|_| {
            let router = router.clone();
            tokio::spawn(async move { preview(&router, "branch_timing").await })
        })
        .collect();
    for request in requests {
        let (status, json) = request.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(json["samples"].as_array().unwrap().len(), 1024);
    }
    assert_eq!(backend.started.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_slower_than_the_wait_is_shown_from_its_finished_collection() {
    // 6 s against the request's 5 s wait: the waiting request gets 503, the collection goes
    // on, and the next request is served from it without a second collection. Before, every
    // request abandoned its own collection, and such a source was never shown.
    let backend = SlowPreview::new(Duration::from_secs(6), false);
    let router = app(backend.clone(), &ServerConfig::default()).unwrap();
    let (status, json) = preview(&router, "clock_jitter").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{json}");
    assert_eq!(json["success"], false);
    // The collection ends about a second later.
    let (status, json) = preview(&router, "clock_jitter").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(backend.started.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collections_are_capped_in_all_and_failures_are_reused() {
    let backend = SlowPreview::new(Duration::from_millis(1500), true);
    let router = app(backend.clone(), &ServerConfig::default()).unwrap();
    let names: Vec<&str> = SOURCES.split(',').collect();
    let requests: Vec<_> = names
        .iter()
        .map(|name| {
            let router = router.clone();
            let name = name.to_string();
            tokio::spawn(async move { preview(&router, &name).await })
        })
        .collect();
    let mut busy = 0;
    for request in requests {
        let (status, json) = request.await.unwrap();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{json}");
        busy += json["error"]
            .as_str()
            .unwrap()
            .contains("being collected already") as usize;
    }
    // Five sources, four permits: one request was refused without a collection.
    assert_eq!(backend.started.load(Ordering::SeqCst), 4);
    assert_eq!(backend.most_running.load(Ordering::SeqCst), 4);
    assert_eq!(busy, 1);
    // A failure is reused for two seconds: asking for all five again at once collects only
    // the source refused before.
    let again: Vec<_> = names
        .iter()
        .map(|name| {
            let router = router.clone();
            let name = name.to_string();
            tokio::spawn(async move { preview(&router, &name).await })
        })
        .collect();
    for request in again {
        let (status, json) = request.await.unwrap();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{json}");
        assert!(json["error"].as_str().unwrap().contains("broken"), "{json}");
    }
    assert_eq!(backend.started.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn a_name_the_engine_does_not_run_starts_nothing() {
    let backend = SlowPreview::new(Duration::ZERO, false);
    let router = app(backend.clone(), &ServerConfig::default()).unwrap();
    for i in 0..50 {
        let (status, json) = preview(&router, &format!("no_such_source_{i}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    }
    assert_eq!(backend.started.load(Ordering::SeqCst), 0);
}
