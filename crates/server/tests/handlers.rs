//! Every route and every bad input, through the router with no socket.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;
use wellspring_server::{ServerConfig, app};

async fn get(uri: &str, config: &ServerConfig) -> (StatusCode, Value) {
    let router = app(common::Counting::new(), config).unwrap();
    let response = router
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

fn default() -> ServerConfig {
    ServerConfig::default()
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
async fn every_bad_input_is_a_400_naming_the_parameter() {
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
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
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
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap()["success"],
        false
    );
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

    let (_, health) = get("/health", &default()).await;
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
    assert!(["ok", "degraded", "failed"].contains(&health["status"].as_str().unwrap()));
    assert_eq!(health["livecam_mode"], "pool", "no camera configured");
    assert_eq!(
        health["entropy_mechanisms"],
        serde_json::json!(["cpu_timing_jitter", "os_random"]),
        "LiveCam's words for what feeds /rng without a camera"
    );
    assert_eq!(health["livecam_total_regions"], 0);

    let (_, sources) = get("/sources", &default()).await;
    assert_eq!(sources["sources"][0]["name"], "memory_timing");
    let (_, pool) = get("/pool/status", &default()).await;
    assert!(pool["credited_bits"].is_number() && pool["reseeds"].is_number());

    let router = app(common::Counting::new(), &default()).unwrap();
    let response = router
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let text = String::from_utf8(
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains("# TYPE wellspring_bytes_served_total counter"));
    assert!(text.contains("wellspring_source_healthy{source=\"memory_timing\"}"));

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
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
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
