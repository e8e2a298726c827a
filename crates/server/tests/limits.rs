//! What one client can pull: a burst of concurrent large requests is limited like a sequence
//! (the response is charged before it is generated), and a request for more bytes than the
//! server serves at once is refused before any are made.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;
use wellspring_core::engine::EngineStatus;
use wellspring_core::pool::Conditioning;
use wellspring_server::{Backend, BackendError, ServerConfig, app};

/// A backend with nothing pre-generated: every request waits 200 ms for its bytes, so
/// concurrent requests are all in flight together. It counts the bytes it generates.
struct Slow {
    inner: Arc<common::Counting>,
    generated: AtomicUsize,
}

impl Backend for Slow {
    fn try_take(&self, _mode: Conditioning, _n: usize) -> Option<Vec<u8>> {
        None
    }
    fn take(&self, mode: Conditioning, n: usize) -> Result<Vec<u8>, BackendError> {
        std::thread::sleep(Duration::from_millis(200));
        self.generated.fetch_add(n, Ordering::SeqCst);
        self.inner.take(mode, n)
    }
    fn status(&self) -> EngineStatus {
        self.inner.status()
    }
}

fn from(peer: [u8; 4], uri: &str) -> Request<Body> {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((peer, 40000))));
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_concurrent_burst_of_large_requests_is_limited_like_a_sequence() {
    let backend = Arc::new(Slow {
        inner: common::Counting::new(),
        generated: AtomicUsize::new(0),
    });
    // The public default: 100 tokens a second, so twenty requests are admitted at once; each
    // answer is 64 KiB as hex (~130 KiB, ~130 tokens), so one leaves the client in debt.
    let config = ServerConfig {
        rate_limit: Some(100.0),
        ..ServerConfig::default()
    };
    let router = app(backend.clone(), &config).unwrap();
    let big = "/API/jsonI.php?length=1024&type=hex16&size=64";
    let burst: Vec<_> = (0..20)
        .map(|_| tokio::spawn(router.clone().oneshot(from([192, 0, 2, 1], big))))
        .collect();
    let mut statuses = Vec::new();
    for request in burst {
        statuses.push(request.await.unwrap().unwrap().status());
    }
    let served = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((served, limited), (1, 19), "{statuses:?}");
    assert_eq!(
        backend.generated.load(Ordering::SeqCst),
        64 * 1024,
        "the refused requests never generated their bytes"
    );
    // Another client is not affected.
    let other = router
        .clone()
        .oneshot(from([192, 0, 2, 2], big))
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_request_past_the_byte_cap_is_refused_naming_the_cap() {
    let config = ServerConfig {
        max_request_bytes: Some(65_536),
        ..ServerConfig::default()
    };
    let router = app(common::Counting::new(), &config).unwrap();
    let send = |uri: &'static str| router.clone().oneshot(from([192, 0, 2, 3], uri));
    let at_cap = send("/api/v1/random?length=1024&type=hex16&size=64")
        .await
        .unwrap();
    assert_eq!(at_cap.status(), StatusCode::OK);
    let over = send("/API/jsonI.php?length=1024&type=hex16&size=65")
        .await
        .unwrap();
    assert_eq!(over.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = axum::body::to_bytes(over.into_body(), 1 << 16)
        .await
        .unwrap();
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["success"], false);
    let error = json["error"].as_str().unwrap();
    assert!(
        error.contains("66560") && error.contains("65536"),
        "{error}"
    );
    // uint16 counts two bytes a value: 1,024 values are 2,048 bytes, under any sane cap.
    let config = ServerConfig {
        max_request_bytes: Some(2_047),
        ..ServerConfig::default()
    };
    let router = app(common::Counting::new(), &config).unwrap();
    let uint16 = router
        .oneshot(from(
            [192, 0, 2, 3],
            "/api/v1/random?length=1024&type=uint16",
        ))
        .await
        .unwrap();
    assert_eq!(uint16.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
