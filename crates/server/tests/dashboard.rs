//! The dashboard's server side through the router: `/` as HTML (with a policy that keeps the
//! page on this server) or as a JSON index, the embedded assets, fresh sample previews, and
//! the event stream (a `status` event a second; the cap on concurrent streams).

mod common;

use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use serde_json::Value;
use tower::ServiceExt;
use wellspring_core::engine::{Engine, EngineConfig};
use wellspring_core::registry::Registry;
use wellspring_server::{EngineBackend, ServerConfig, app};

async fn get(router: &axum::Router, uri: &str, accept: &str) -> axum::response::Response {
    router
        .clone()
        .oneshot(
            Request::get(uri)
                .header(header::HOST, "127.0.0.1:8042")
                .header(header::ACCEPT, accept)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap()
}

async fn body_text(response: axum::response::Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn the_page_its_assets_and_the_json_index() {
    let router = app(common::Counting::new(), &ServerConfig::default()).unwrap();
    let page = get(&router, "/", "text/html,application/xhtml+xml,*/*").await;
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"));
    let html = body_text(page).await;
    // Only same-origin assets: nothing from a CDN, no external fonts.
    assert!(html.contains("/assets/dashboard.js") && html.contains("/assets/dashboard.css"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );

    for (asset, kind) in [
        ("/assets/dashboard.js", "text/javascript"),
        ("/assets/dashboard.css", "text/css"),
    ] {
        let response = get(&router, asset, "*/*").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        let text = body_text(response).await;
        assert!(!text.contains("https://"), "{asset} reaches outside");
    }

    let index = get(&router, "/", "application/json").await;
    assert_eq!(index.status(), StatusCode::OK);
    let json: Value = serde_json::from_str(&body_text(index).await).unwrap();
    let paths: Vec<&str> = json["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"/api/v1/random") && paths.contains(&"/health"));
}

#[tokio::test]
async fn previews_are_fresh_samples_of_a_known_source() {
    let sources = Registry::builtin().select(Some("branch_timing")).unwrap();
    let backend = EngineBackend::new(Engine::start(EngineConfig::new(sources)).unwrap());
    let router = app(backend, &ServerConfig::default()).unwrap();
    let response = get(&router, "/api/v1/sources/branch_timing/preview", "*/*").await;
    assert_eq!(response.status(), StatusCode::OK);
    let json: Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(json["source"], "branch_timing");
    assert_eq!(json["samples"].as_array().unwrap().len(), 1024);
    assert!(json["physics"].as_str().unwrap().len() > 20);
    let missing = get(&router, "/api/v1/sources/no_such_source/preview", "*/*").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let json: Value = serde_json::from_str(&body_text(missing).await).unwrap();
    assert_eq!(json["success"], false);
}

/// Reads the stream until `count` complete events have arrived (or a generous timeout).
async fn read_events(body: &mut BodyDataStream, count: usize) -> Vec<(String, Value)> {
    let mut text = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let data = tokio::time::timeout(Duration::from_secs(30), body.next())
            .await
            .expect("an event within 30 s")
            .expect("the stream goes on")
            .unwrap();
        text.push_str(std::str::from_utf8(&data).unwrap());
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let mut name = String::from("message");
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !data.is_empty() {
                events.push((name, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    events
}

#[tokio::test]
async fn the_event_stream_sends_the_pool_status_each_second_and_is_capped() {
    let config = ServerConfig {
        max_event_streams: 1,
        ..ServerConfig::default()
    };
    let router = app(common::Counting::new(), &config).unwrap();
    let first = get(&router, "/api/v1/events", "text/event-stream").await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(
        first.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = first.into_body().into_data_stream();
    // Two statuses, and any health events between them (the engine's first assessment
    // may land meanwhile: a `reassessment` from no figure to one).
    let mut statuses = Vec::new();
    while statuses.len() < 2 {
        for (name, doc) in read_events(&mut body, 1).await {
            match name.as_str() {
                "status" => {
                    assert!(doc["sources"].is_array() && doc["blocks_available"].is_u64());
                    assert!(doc["server"]["requests"].is_object(), "{doc}");
                    assert_eq!(
                        doc["server"]["modes"],
                        serde_json::json!(["drbg", "sha256"])
                    );
                    statuses.push(doc);
                }
                "health" => {
                    assert!(!statuses.is_empty(), "a change needs a status before it");
                    assert!(
                        doc["kind"].is_string() && doc.get("source").is_some(),
                        "{doc}"
                    );
                }
                other => panic!("unexpected event {other}: {doc}"),
            }
        }
    }
    let (a, b) = (&statuses[0], &statuses[1]);
    assert!(b["uptime_seconds"].as_f64() > a["uptime_seconds"].as_f64());

    // The cap: a second stream is refused with a JSON 503 while the first is open...
    let second = get(&router, "/api/v1/events", "text/event-stream").await;
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    let json: Value = serde_json::from_str(&body_text(second).await).unwrap();
    assert_eq!(json["success"], false);
    // ...and served once it has gone.
    drop(body);
    let third = get(&router, "/api/v1/events", "text/event-stream").await;
    assert_eq!(third.status(), StatusCode::OK);
}

/// A folder holding one noisy 64×64 PNG (so its 32-pixel regions have variance and are kept).
fn image_folder(name: &str, seed: u32) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ws-thumbs-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut state = seed;
    let image = image::RgbImage::from_fn(64, 64, |_, _| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    image.save(dir.join("frame.png")).unwrap();
    dir
}

#[tokio::test]
async fn thumbnails_show_public_feeds_and_never_private_ones() {
    let public = image_folder("public", 1);
    let private = image_folder("private", 2);
    let toml = format!(
        "[camera]\nrefresh_seconds = 1\n\
         [[camera.feeds]]\ngroup = \"europe\"\ndir = \"{}\"\nprivate = false\n\
         [[camera.feeds]]\ngroup = \"lab\"\ndir = \"{}\"\nprivate = true\n",
        public.display(),
        private.display()
    );
    let config = wellspring_camera::config::CameraConfig::from_toml(&toml).unwrap();
    let camera = wellspring_camera::Camera::start(config).unwrap();
    let start = std::time::Instant::now();
    while camera
        .buffers()
        .counts()
        .values()
        .filter(|&&n| n > 0)
        .count()
        < 2
    {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "feeds never loaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let server = ServerConfig {
        camera: Some(camera),
        ..ServerConfig::default()
    };
    let router = app(common::Counting::new(), &server).unwrap();
    let response = get(&router, "/api/v1/livecam/thumbnails", "*/*").await;
    assert_eq!(response.status(), StatusCode::OK);
    let json: Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(json["region_size"], 32);
    let europe = json["groups"]["europe"].as_array().unwrap();
    assert!(!europe.is_empty() && europe.len() <= 4);
    use base64::Engine as _;
    for url in europe {
        let encoded = url
            .as_str()
            .unwrap()
            .strip_prefix("data:image/png;base64,")
            .unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (32, 32));
    }
    // The private feed's group has regions, but none is shown.
    assert_eq!(json["groups"]["lab"], serde_json::json!([]));
    let _ = std::fs::remove_dir_all(public);
    let _ = std::fs::remove_dir_all(private);
}
