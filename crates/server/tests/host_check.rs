//! The operator routes' `Host` allow-list (`--allowed-host`), the guard against DNS
//! rebinding: a page whose own name resolves to this server sends that name in `Host`, and
//! the operator routes must refuse it (421, JSON) while the random routes keep answering any
//! name. Through the router, and once through the real server on 127.0.0.1.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::raw_server::Server;
use serde_json::Value;
use tower::ServiceExt;
use wellspring_server::{ServeError, ServerConfig, app, apps};

/// Every operator route, as a request target.
const OPERATOR: &[&str] = &[
    "/pool/status",
    "/sources",
    "/metrics",
    "/api/v1/events",
    "/api/v1/sources/branch_timing/preview",
    "/api/v1/livecam/thumbnails",
    "/",
    "/assets/dashboard.js",
    "/assets/dashboard.css",
];

/// GET `uri` with `host` as the `Host` header (none for `None`): the status and the body as
/// JSON (`Null` when it is not JSON). The event stream never ends: only its head is read.
async fn get(router: &Router, uri: &str, host: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::get(uri);
    if let Some(host) = host {
        request = request.header(header::HOST, host);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    if uri == "/api/v1/events" && status == StatusCode::OK {
        return (status, Value::Null);
    }
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn assert_refused(status: StatusCode, json: &Value, what: &str) {
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{what}: {json}");
    assert_eq!(json["success"], false, "{what}");
    let error = json["error"].as_str().unwrap_or_default();
    assert!(error.contains("--allowed-host"), "{what}: {error}");
}

#[tokio::test]
async fn a_rebinding_name_is_refused_on_the_operator_routes_only() {
    let router = app(common::Counting::new(), &ServerConfig::default()).unwrap();
    let (status, json) = get(&router, "/pool/status", Some("evil.example")).await;
    assert_refused(status, &json, "/pool/status as evil.example");
    assert!(
        json["error"].as_str().unwrap().contains("evil.example"),
        "{json}"
    );
    let (status, json) = get(&router, "/pool/status", Some("localhost:8080")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(json["credited_bits"].is_number(), "{json}");
    // The random routes are served to the world under any name.
    let (status, json) = get(
        &router,
        "/api/v1/random?length=1&type=uint8",
        Some("evil.example"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["success"], true);
    for public in [
        "/API/jsonI.php?length=1&type=uint8",
        "/rng",
        "/openapi.json",
    ] {
        let (status, json) = get(&router, public, Some("evil.example")).await;
        assert_eq!(status, StatusCode::OK, "{public}: {json}");
    }
    // /health and /ready are probed by balancers under whatever name they use (/ready may
    // say 503 until the source is assessed: never 421).
    for probe in ["/health", "/ready"] {
        let (status, _) = get(&router, probe, Some("evil.example")).await;
        assert_ne!(status, StatusCode::MISDIRECTED_REQUEST, "{probe}");
    }
    // Every operator route, the dashboard and its assets included.
    for route in OPERATOR {
        let (status, json) = get(&router, route, Some("evil.example:8042")).await;
        assert_refused(status, &json, route);
        let (status, json) = get(&router, route, None).await;
        assert_refused(status, &json, &format!("{route} without Host"));
        for host in ["localhost", "127.0.0.1:8042", "[::1]:9042", "LOCALHOST."] {
            let (status, json) = get(&router, route, Some(host)).await;
            // The counting backend shows no previews: 503 from the handler, past the check.
            let expected = if route.ends_with("/preview") {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            };
            assert_eq!(status, expected, "{route} as {host}: {json}");
        }
    }
    // A refusal is counted like any other answer.
    let (_, _) = get(&router, "/metrics", Some("evil.example")).await;
    let response = router
        .clone()
        .oneshot(
            Request::get("/metrics")
                .header(header::HOST, "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let text = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&text);
    assert!(
        text.contains("wellspring_requests_total{route=\"/metrics\",status=\"421\"}"),
        "{text}"
    );
}

#[tokio::test]
async fn an_absolute_target_naming_another_host_is_refused() {
    let router = app(common::Counting::new(), &ServerConfig::default()).unwrap();
    let request = Request::get("http://evil.example/pool/status")
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test]
async fn named_hosts_the_listener_address_and_the_wildcard() {
    // The admin listener's own address is allowed; the public port's routes answer anyone.
    let config = ServerConfig {
        admin_addr: Some(([10, 0, 0, 5], 9042).into()),
        allowed_hosts: vec!["Admin.Example".into(), "fd00::7".into()],
        ..ServerConfig::default()
    };
    let (public, admin) = apps(common::Counting::new(), &config).unwrap();
    let admin = admin.unwrap();
    for host in [
        "10.0.0.5:9042",
        "admin.example",
        "ADMIN.EXAMPLE:443",
        "[fd00::7]:9042",
        "localhost",
    ] {
        let (status, json) = get(&admin, "/metrics", Some(host)).await;
        assert_eq!(status, StatusCode::OK, "{host}: {json}");
    }
    for host in [
        "evil.example",
        "10.0.0.6:9042",
        "admin.example.evil.example",
    ] {
        let (status, json) = get(&admin, "/metrics", Some(host)).await;
        assert_refused(status, &json, host);
    }
    // The public `/` is the JSON index there, not the dashboard: unchecked.
    let (status, json) = get(&public, "/", Some("evil.example")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["name"], "wellspring");

    // Bound to every interface, no address is added.
    let any = ServerConfig {
        addr: ([0, 0, 0, 0], 8042).into(),
        ..ServerConfig::default()
    };
    let router = app(common::Counting::new(), &any).unwrap();
    let (status, json) = get(&router, "/sources", Some("0.0.0.0:8042")).await;
    assert_refused(status, &json, "0.0.0.0");
    // Without an admin listener the public listener's address is the one allowed.
    let bound = ServerConfig {
        addr: ([192, 0, 2, 10], 8042).into(),
        ..ServerConfig::default()
    };
    let router = app(common::Counting::new(), &bound).unwrap();
    let (status, _) = get(&router, "/sources", Some("192.0.2.10:8042")).await;
    assert_eq!(status, StatusCode::OK);

    // `*` turns the check off.
    let off = ServerConfig {
        allowed_hosts: vec!["*".into()],
        ..ServerConfig::default()
    };
    let router = app(common::Counting::new(), &off).unwrap();
    let (status, json) = get(&router, "/pool/status", Some("evil.example")).await;
    assert_eq!(status, StatusCode::OK, "{json}");

    // An entry that is no host is a configuration error.
    let bad = ServerConfig {
        allowed_hosts: vec!["evil.example/x".into()],
        ..ServerConfig::default()
    };
    match app(common::Counting::new(), &bad) {
        Err(ServeError::BadConfig(message)) => {
            assert!(message.contains("--allowed-host"), "{message}")
        }
        other => panic!("expected BadConfig, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn the_real_server_refuses_a_rebinding_name() {
    let server = Server::start(common::Counting::new(), ServerConfig::default());
    let (status, json) = server.request_with_host("GET", "/pool/status", "evil.example");
    assert_refused(StatusCode::from_u16(status).unwrap(), &json, "real server");
    let (status, _) = server.request_with_host("GET", "/pool/status", &server.addr.to_string());
    assert_eq!(status, 200);
    let (status, json) =
        server.request_with_host("GET", "/api/v1/random?length=1&type=uint8", "evil.example");
    assert_eq!((status, &json["success"]), (200, &Value::Bool(true)));
}
