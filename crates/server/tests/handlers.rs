//! Every route and every bad input, through the router with no socket.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;
use wellspring_core::engine::EngineStatus;
use wellspring_core::pool::Conditioning;
use wellspring_server::{Backend, BackendError, ServerConfig, app};

async fn get(uri: &str, config: &ServerConfig) -> (StatusCode, Value) {
    get_from(common::Counting::new(), uri, config).await
}

async fn get_from(
    backend: Arc<dyn Backend>,
    uri: &str,
    config: &ServerConfig,
) -> (StatusCode, Value) {
    let router = app(backend, config).unwrap();
    let response = router.oneshot(local(uri)).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

/// A GET as a client on this machine sends it (`Host: localhost`), which the operator
/// routes' Host check allows.
fn local(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header("host", "localhost:8042")
        .body(Body::empty())
        .unwrap()
}

fn default() -> ServerConfig {
    ServerConfig::default()
}

/// A counting backend whose engine has finished its start-up assessment of branch_timing
/// and credits it: right after start no source is credited yet, so /health would say
/// "failed" or "ok" depending on how fast the assessment ran.
async fn credited() -> Arc<common::Counting> {
    let backend = common::Counting::new();
    let start = Instant::now();
    loop {
        let status = backend.status();
        if status.sources.iter().all(|s| s.credited) {
            return backend;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "branch_timing never credited: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A credited backend whose status is changed by `shape` before /health sees it.
struct Reshaped {
    inner: Arc<common::Counting>,
    shape: fn(&mut EngineStatus),
}

impl Backend for Reshaped {
    fn try_take(&self, mode: Conditioning, n: usize) -> Option<Vec<u8>> {
        self.inner.try_take(mode, n)
    }
    fn take(&self, mode: Conditioning, n: usize) -> Result<Vec<u8>, BackendError> {
        self.inner.take(mode, n)
    }
    fn status(&self) -> EngineStatus {
        let mut status = self.inner.status();
        (self.shape)(&mut status);
        status
    }
}

/// Puts source `i` in quarantine, as the engine reports it: unhealthy and not credited.
fn quarantine(status: &mut EngineStatus, i: usize) {
    let source = &mut status.sources[i];
    source.quarantined = true;
    source.healthy = false;
    source.credited = false;
    status.quarantined.push(source.name);
    status.sources_healthy -= 1;
}

#[tokio::test]
async fn legacy_uint8_uint16_and_hex16_have_the_anu_shapes() {
    let (status, json) = get("/API/jsonI.php?length=4&type=uint8", &default()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json,
        serde_json::json!({"type": "uint8", "length": 4, "data": [0, 1, 2, 3], "success": true})
    );

    // uint16 from big-endian byte pairs: (0,1) -> 1, (2,3) -> 515.
    let (_, json) = get("/API/jsonI.php?length=2&type=uint16&size=1", &default()).await;
    assert_eq!(json["data"], serde_json::json!([1, 515]));
    assert_eq!(json["type"], "uint16");

    let (_, json) = get("/API/jsonI.php?length=2&type=hex16&size=3", &default()).await;
    assert_eq!(
        json,
        serde_json::json!({"type": "string", "length": 2, "size": 3, "data": ["000102", "030405"], "success": true})
    );
    let (_, json) = get("/API/jsonI.php?length=1&type=hex16", &default()).await;
    assert_eq!(json["size"], 1);
    assert_eq!(json["data"][0].as_str().unwrap().len(), 2);
}

#[tokio::test]
async fn v1_takes_conditioning_and_guards_raw() {
    let (status, json) = get(
        "/api/v1/random?length=1024&type=uint8&conditioning=sha256",
        &default(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["data"].as_array().unwrap().len(), 1024);
    let (status, json) = get("/api/v1/random?length=3&type=uint8&raw=true", &default()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(json["success"], false);
    let allow = ServerConfig {
        allow_raw: true,
        ..default()
    };
    let (status, _) = get("/api/v1/random?length=3&type=uint8&raw=true", &allow).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_bad_input_is_a_400_or_414_naming_the_parameter() {
    let long = format!(
        "/api/v1/random?length=1&type=uint8&size={}",
        "9".repeat(60_000)
    );
    let cases: Vec<(String, &str)> = vec![
        ("/API/jsonI.php?length=0&type=uint8".into(), "length"),
        ("/API/jsonI.php?length=-1&type=uint8".into(), "length"),
        ("/API/jsonI.php?length=1025&type=uint8".into(), "length"),
        (
            "/API/jsonI.php?length=100000000000000000000&type=uint8".into(),
            "length",
        ),
        ("/API/jsonI.php?length=ten&type=uint8".into(), "length"),
        ("/API/jsonI.php?type=uint8".into(), "length"),
        ("/API/jsonI.php?length=5&type=uint32".into(), "type"),
        ("/API/jsonI.php?length=5".into(), "type"),
        ("/API/jsonI.php?length=5&type=hex16&size=0".into(), "size"),
        (
            "/API/jsonI.php?length=5&type=hex16&size=1025".into(),
            "size",
        ),
        (
            "/API/jsonI.php?length=5&type=uint8&length=6".into(),
            "length",
        ),
        (
            "/api/v1/random?length=5&type=uint8&conditioning=md5".into(),
            "conditioning",
        ),
        ("/api/v1/random?length=5&type=uint8&bogus=1".into(), "bogus"),
        (long, "query string"),
    ];
    for (uri, names) in cases {
        let (status, json) = get(&uri, &default()).await;
        // A query past 4 KiB is refused as too long before it is parsed.
        let expected = if uri.len() > 4096 {
            StatusCode::URI_TOO_LONG
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(status, expected, "{uri}");
        assert_eq!(json["success"], false, "{uri}");
        let error = json["error"].as_str().unwrap();
        assert!(error.contains(names), "{uri}: {error}");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let (status, json) = get("/no/such/route", &default()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json["success"], false);
    let router = app(common::Counting::new(), &default()).unwrap();
    let response = router
        .oneshot(Request::post("/rng").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap()["success"],
        false
    );
}

#[tokio::test]
async fn every_response_says_nosniff() {
    let router = app(common::Counting::new(), &default()).unwrap();
    for target in [
        "/rng",
        "/health",
        "/api/v1/random?length=4&type=uint8",
        "/API/jsonI.php?length=4&type=hex16",
        "/openapi.json",
        "/no/such/route",
        "/api/v1/random?length=0",
    ] {
        let response = router
            .clone()
            .oneshot(Request::get(target).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{target}: {}",
            response.status()
        );
    }
}

#[tokio::test]
async fn rng_health_sources_status_metrics_and_openapi() {
    // The LiveCam recipe mixes the pool's bytes with OS randomness, jitter, a counter and a
    // timestamp under HMAC: two servers whose pools give identical bytes still differ.
    let (_, a) = get("/rng", &default()).await;
    let (_, b) = get("/rng", &default()).await;
    let (a, b) = (a["random"].as_f64().unwrap(), b["random"].as_f64().unwrap());
    assert!((0.0..1.0).contains(&a) && (0.0..1.0).contains(&b));
    assert_ne!(a, b);

    // branch_timing assessed, credited and healthy: "ok".
    let (_, health) = get_from(credited().await, "/health", &default()).await;
    for key in [
        "status",
        "entropy_sources",
        "sources_healthy",
        "sources_total",
        "livecam_total_regions",
        "livecam_by_continent",
        "livecam_prefetching",
    ] {
        assert!(!health[key].is_null(), "{key}");
    }
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["sources_healthy"], 1);
    assert_eq!(health["sources_total"], 1);
    assert_eq!(
        health["entropy_sources"],
        serde_json::json!(["branch_timing"])
    );
    assert_eq!(health["livecam_mode"], "pool", "no camera configured");
    assert_eq!(
        health["entropy_mechanisms"],
        serde_json::json!(["cpu_timing_jitter", "os_random"]),
        "LiveCam's words for what feeds /rng without a camera"
    );
    assert_eq!(health["livecam_total_regions"], 0);

    let (_, sources) = get("/sources", &default()).await;
    assert_eq!(sources["sources"][0]["name"], "branch_timing");
    let (_, pool) = get("/pool/status", &default()).await;
    assert!(pool["credited_bits"].is_number() && pool["reseeds"].is_number());

    let router = app(common::Counting::new(), &default()).unwrap();
    let response = router.oneshot(local("/metrics")).await.unwrap();
    let text = String::from_utf8(
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains("# TYPE wellspring_bytes_served_total counter"));
    assert!(text.contains("wellspring_source_healthy{source=\"branch_timing\"}"));

    let (_, doc) = get("/openapi.json", &default()).await;
    for route in wellspring_server::openapi::ROUTES {
        assert!(
            doc["paths"][route.path].is_object(),
            "{} undocumented",
            route.path
        );
        // Every documented route is actually served (not a 404).
        let (status, _) = get(route.path, &default()).await;
        assert_ne!(
            status,
            StatusCode::NOT_FOUND,
            "{} documented but not served",
            route.path
        );
    }
}

#[tokio::test]
async fn health_is_degraded_with_a_source_in_quarantine_and_failed_with_none_credited() {
    // Two sources, one of them quarantined: one is still credited, so "degraded".
    let degraded = Reshaped {
        inner: credited().await,
        shape: |status| {
            let mut other = status.sources[0].clone();
            other.name = "clock_jitter";
            status.sources.push(other);
            status.sources_healthy += 1;
            status.sources_total += 1;
            quarantine(status, 1);
        },
    };
    let degraded = Arc::new(degraded);
    let (status, health) = get_from(degraded.clone(), "/health", &default()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(
        health["reasons"][0].as_str().unwrap().split(':').next(),
        Some("clock_jitter quarantined"),
        "{health}"
    );
    // Degraded still serves backed output: ready for a load balancer.
    let (status, ready) = get_from(degraded, "/ready", &default()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ready["credited_sources"], 1, "{ready}");
    assert_eq!(health["sources_healthy"], 1);
    assert_eq!(health["sources_total"], 2);

    // The only source quarantined: nothing is credited, so "failed".
    let failed = Reshaped {
        inner: credited().await,
        shape: |status| quarantine(status, 0),
    };
    let failed = Arc::new(failed);
    let (_, health) = get_from(failed.clone(), "/health", &default()).await;
    assert_eq!(health["status"], "failed", "{health}");
    assert_eq!(health["sources_healthy"], 0);
    // Not ready: 503 with a JSON body, so a balancer or orchestrator drains it.
    let (status, ready) = get_from(failed, "/ready", &default()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready["success"], false, "{ready}");

    // The quarantined source measured too weak to credit here: it earned nothing either
    // way, so credited capacity is not reduced: "ok", and the source listed as too weak.
    let too_weak = Reshaped {
        inner: credited().await,
        shape: |status| {
            let mut other = status.sources[0].clone();
            other.name = "clock_jitter";
            other.too_weak = true;
            other.last_error = Some("RepetitionCount".into());
            status.sources.push(other);
            status.sources_healthy += 1;
            status.sources_total += 1;
            quarantine(status, 1);
        },
    };
    let (_, health) = get_from(Arc::new(too_weak), "/health", &default()).await;
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["reasons"], serde_json::json!([]), "{health}");
    assert_eq!(
        health["sources_too_weak_here"],
        serde_json::json!(["clock_jitter"])
    );

    // Healthy but not yet assessed (no figure, so no credit): also "failed".
    let unassessed = Reshaped {
        inner: credited().await,
        shape: |status| status.sources[0].credited = false,
    };
    let (_, health) = get_from(Arc::new(unassessed), "/health", &default()).await;
    assert_eq!(health["status"], "failed", "{health}");
    assert_eq!(health["sources_healthy"], 1);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let config = ServerConfig {
        rate_limit: Some(2.0),
        ..default()
    };
    let router = app(common::Counting::new(), &config).unwrap();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..5 {
        let response = router
            .clone()
            .oneshot(Request::get("/rng").body(Body::empty()).unwrap())
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = response.headers().get("retry-after").cloned();
        }
        statuses.push(response.status());
    }
    assert_eq!(statuses[..2], [StatusCode::OK, StatusCode::OK]);
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(retry_after.unwrap(), "1");
}

#[tokio::test]
async fn cors_is_off_by_default_and_allows_only_the_named_origin() {
    let request = || {
        Request::get("/rng")
            .header("origin", "https://app.example")
            .body(Body::empty())
            .unwrap()
    };
    let router = app(common::Counting::new(), &default()).unwrap();
    let response = router.oneshot(request()).await.unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let config = ServerConfig {
        cors_origin: Some("https://app.example".into()),
        ..default()
    };
    let router = app(common::Counting::new(), &config).unwrap();
    let response = router.oneshot(request()).await.unwrap();
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://app.example"
    );
}

#[tokio::test]
async fn health_and_rng_use_configured_camera_feeds() {
    // A private folder feed in "europe" holding one noisy 64 x 64 PNG: 4 regions of 32 x 32.
    let dir = std::env::temp_dir().join(format!("wellspring-server-cam-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = image::ImageBuffer::from_fn(64, 64, |x, y| {
        image::Rgb([
            (x * 7 + y * 3) as u8,
            (x * y % 251) as u8,
            ((x ^ y) * 5) as u8,
        ])
    });
    img.save(dir.join("frame.png")).unwrap();
    let camera = wellspring_camera::Camera::start(
        wellspring_camera::CameraConfig::from_toml(&format!(
            "[camera]\nrefresh_seconds = 1\n[[camera.feeds]]\ngroup = \"europe\"\ndir = \"{}\"\nprivate = true\n[[camera.feeds]]\ngroup = \"asia\"\nurl = \"http://127.0.0.1:9/offline.jpg\"\n",
            dir.display()
        ))
        .unwrap(),
    )
    .unwrap();
    let config = ServerConfig {
        camera: Some(camera),
        ..ServerConfig::default()
    };
    let mut health = Value::Null;
    for _ in 0..100 {
        health = get("/health", &config).await.1;
        if health["livecam_total_regions"] == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(health["livecam_total_regions"], 4, "{health}");
    assert_eq!(health["livecam_by_continent"]["europe"], 4);
    assert_eq!(
        health["livecam_by_continent"]["asia"], 0,
        "listed while it fails"
    );
    assert_eq!(health["livecam_prefetching"], true);
    assert_eq!(health["livecam_mode"], "camera");
    assert_eq!(
        health["entropy_mechanisms"],
        serde_json::json!([
            "cpu_timing_jitter",
            "network_timing_jitter",
            "live_camera_images",
            "os_random"
        ])
    );
    let (status, rng) = get("/rng", &config).await;
    assert_eq!(status, StatusCode::OK);
    assert!((0.0..1.0).contains(&rng["random"].as_f64().unwrap()));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_rate_limit_charges_by_bytes_and_trusts_only_configured_proxies() {
    let config = ServerConfig {
        rate_limit: Some(5.0),
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..default()
    };
    let router = app(common::Counting::new(), &config).unwrap();
    let send =
        |uri: &str, peer: [u8; 4], forwarded: Option<&str>| {
            let mut request = Request::get(uri).body(Body::empty()).unwrap();
            request.extensions_mut().insert(axum::extract::ConnectInfo(
                std::net::SocketAddr::from((peer, 40000)),
            ));
            if let Some(value) = forwarded {
                request
                    .headers_mut()
                    .insert("x-forwarded-for", value.parse().unwrap());
            }
            router.clone().oneshot(request)
        };
    let big = "/API/jsonI.php?length=1024&type=hex16&size=1024";
    // One 2 MiB answer costs about 2,000 tokens: the next request, however small, waits.
    assert_eq!(
        send(big, [192, 0, 2, 1], None).await.unwrap().status(),
        StatusCode::OK
    );
    let after = send("/rng", [192, 0, 2, 1], None).await.unwrap();
    assert_eq!(after.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = after.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 300, "debt of ~2,000 tokens at 5/s: {wait} s");
    // Behind a trusted proxy the forwarded client is limited, not the proxy...
    let via = |client: &'static str| send("/rng", [10, 0, 0, 1], Some(client));
    assert_eq!(via("198.51.100.7").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send(big, [10, 0, 0, 1], Some("198.51.100.8"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        via("198.51.100.8").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(via("198.51.100.9").await.unwrap().status(), StatusCode::OK);
    // ...and from an untrusted peer the header is ignored: the indebted client stays limited.
    let forged = send("/rng", [192, 0, 2, 1], Some("198.51.100.10"))
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// A backend with nothing ready whose blocking `take` would pin a thread for two seconds;
/// it counts how often it is asked to wait.
struct NothingReady {
    engine: Arc<common::Counting>,
    waits: std::sync::atomic::AtomicUsize,
}

impl Backend for NothingReady {
    fn try_take(&self, _mode: Conditioning, _n: usize) -> Option<Vec<u8>> {
        None
    }
    fn take(&self, _mode: Conditioning, _n: usize) -> Result<Vec<u8>, BackendError> {
        self.waits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        std::thread::sleep(Duration::from_secs(2));
        Err(BackendError::Unavailable("starved".into()))
    }
    fn status(&self) -> EngineStatus {
        self.engine.status()
    }
}

#[tokio::test]
async fn a_large_full_entropy_request_fails_at_once_instead_of_pinning_a_thread() {
    let backend = Arc::new(NothingReady {
        engine: common::Counting::new(),
        waits: Default::default(),
    });
    let router = app(backend.clone(), &default()).unwrap();
    // The backend counts waits: that, not a wall-clock bound, shows the request never
    // waited (a busy machine may take any time to run the handler).
    let response = router
        .clone()
        .oneshot(
            Request::get("/api/v1/random?length=1024&type=hex16&size=16&conditioning=sha256")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.headers()["retry-after"],
        "1",
        "servable later: say when"
    );
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("conditioning=drbg"),
        "{json}"
    );
    assert_eq!(
        backend.waits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "never waited"
    );
    // A small one may wait for blocks to be made.
    let small = router
        .oneshot(
            Request::get("/api/v1/random?length=8&type=uint8&conditioning=sha256")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(small.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(backend.waits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn with_an_admin_listener_the_operator_routes_leave_the_public_port() {
    let config = ServerConfig {
        admin_addr: Some(([127, 0, 0, 1], 9).into()),
        ..default()
    };
    let (public, admin) = wellspring_server::apps(common::Counting::new(), &config).unwrap();
    let admin = admin.expect("an admin router");
    let status_of = |router: axum::Router, uri: &'static str| async move {
        let response = router.oneshot(local(uri)).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .unwrap();
        (status, body)
    };
    for route in wellspring_server::ADMIN_ROUTES {
        let (status, body) = status_of(public.clone(), route).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "public {route}");
        let json: Value = serde_json::from_slice(&body).expect("a JSON error");
        assert_eq!(json["success"], false);
        // The event stream never ends: only its head is read.
        let response = admin.clone().oneshot(local(route)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "admin {route}");
    }
    // The dashboard moves with them; the public `/` keeps the JSON index.
    let (status, body) = status_of(public.clone(), "/").await;
    assert_eq!(status, StatusCode::OK);
    let index: Value = serde_json::from_slice(&body).expect("the JSON index");
    assert_eq!(index["name"], "wellspring");
    let (status, body) = status_of(admin.clone(), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("<title>wellspring</title>"));
    // Both answer /health (load balancers probe the public port); only the public port
    // serves random numbers.
    assert_eq!(status_of(public.clone(), "/health").await.0, StatusCode::OK);
    assert_eq!(status_of(admin.clone(), "/health").await.0, StatusCode::OK);
    let random = "/api/v1/random?length=4&type=uint8";
    assert_eq!(status_of(public, random).await.0, StatusCode::OK);
    assert_eq!(status_of(admin, random).await.0, StatusCode::NOT_FOUND);
    // Without an admin listener everything stays on the one port.
    let (single, none) = wellspring_server::apps(common::Counting::new(), &default()).unwrap();
    assert!(none.is_none());
    for route in ["/pool/status", "/sources", "/metrics"] {
        assert_eq!(status_of(single.clone(), route).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn full_entropy_output_is_shared_fairly_between_clients() {
    // Behind a trusted proxy (the test's requests come from 0.0.0.0), X-Forwarded-For names
    // the client.
    let config = ServerConfig {
        trusted_proxies: vec!["0.0.0.0/32".parse().unwrap()],
        ..default()
    };
    let router = app(common::Counting::new(), &config).unwrap();
    let draw = |client: &'static str, uri: &'static str| {
        let router = router.clone();
        async move {
            let request = Request::get(uri)
                .header("x-forwarded-for", client)
                .body(Body::empty())
                .unwrap();
            router.oneshot(request).await.unwrap()
        }
    };
    const KIB: &str = "/api/v1/random?length=1&type=hex16&size=1024&conditioning=sha256";
    const SMALL: &str = "/api/v1/random?length=16&type=uint8&conditioning=sha256";
    // A client alone takes what it likes.
    for _ in 0..200 {
        assert_eq!(draw("192.0.2.1", KIB).await.status(), StatusCode::OK);
    }
    // With a second client active, the first runs into its share...
    assert_eq!(draw("198.51.100.2", SMALL).await.status(), StatusCode::OK);
    let mut refused = None;
    for _ in 0..20_000 {
        let response = draw("192.0.2.1", KIB).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = refused.expect("the first client was never limited");
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "retry after {retry}");
    let body = axum::body::to_bytes(refused.into_body(), 1 << 16)
        .await
        .unwrap();
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["success"], false);
    let message = json["error"].as_str().unwrap();
    assert!(message.contains("share"), "{message}");
    assert!(
        !message.contains("  "),
        "one space between words: {message:?}"
    );
    // ...while the second still gets its part, and DRBG output is not affected.
    assert_eq!(draw("198.51.100.2", SMALL).await.status(), StatusCode::OK);
    assert_eq!(
        draw("192.0.2.1", "/api/v1/random?length=16&type=uint8")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_full_entropy_request_larger_than_the_reservoir_is_413_not_try_again() {
    // The review's case: 65 KiB of sha256 against a 64 KiB reservoir was a 503 "try again
    // shortly" for ever.
    let backend = common::Counting::new();
    let max = backend.max_full_entropy_bytes().unwrap();
    assert_eq!(max, 65_536);
    let ask = |length: usize| {
        let target =
            format!("/api/v1/random?length={length}&type=hex16&size=1024&conditioning=sha256");
        let backend: Arc<dyn Backend> = backend.clone();
        async move { get_from(backend, &target, &default()).await }
    };
    let (status, json) = ask(65).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{json}");
    assert_eq!(json["success"], false);
    let message = json["error"].as_str().unwrap();
    assert!(
        message.contains("65536") && message.contains("conditioning=drbg"),
        "{message}"
    );
    // Exactly the reservoir is servable (this backend has it ready).
    let (status, json) = ask(64).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
