//! The real server on 127.0.0.1, driven by a real HTTP client library (ureq), with the real
//! engine behind it.

use std::sync::Arc;

use serde_json::Value;
use wellspring_core::engine::{Engine, EngineConfig};
use wellspring_core::registry::Registry;
use wellspring_server::{EngineBackend, ServerConfig, serve_on};

#[test]
fn real_client_gets_numbers_errors_and_the_server_keeps_serving() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let sources = Registry::builtin()
        .select(Some("branch_timing,page_fault_timing"))
        .unwrap();
    let backend: Arc<dyn wellspring_server::Backend> =
        EngineBackend::new(Engine::start(EngineConfig::new(sources)).unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(serve_on(
        listener,
        backend,
        ServerConfig::default(),
        async {
            let _ = stop_rx.await;
        },
    ));
    let base = format!("http://{addr}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let fetch = |path: &str| {
        let mut response = agent.get(&format!("{base}{path}")).call().unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_json::<Value>().unwrap())
    };
    for _ in 0..3 {
        let (status, json) = fetch("/API/jsonI.php?length=1024&type=uint16");
        assert_eq!(status, 200);
        let data = json["data"].as_array().unwrap();
        assert_eq!(data.len(), 1024);
        assert!(data.iter().all(|v| v.as_u64().unwrap() <= 65535));
        // 1024 random uint16 values: all equal would be a broken generator.
        assert!(data.iter().any(|v| v != &data[0]));
        let (status, json) = fetch("/API/jsonI.php?length=0&type=uint16");
        assert_eq!((status, json["success"].as_bool()), (400, Some(false)));
        let (status, _) = fetch("/api/v1/random?length=4&type=uint8&raw=true");
        assert_eq!(status, 403);
        let (status, json) =
            fetch("/api/v1/random?length=2&type=hex16&size=16&conditioning=sha256");
        assert_eq!(status, 200);
        let hex = json["data"][0].as_str().unwrap();
        assert!(
            hex.len() == 32
                && hex
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
    // A 64 KB query string is refused (by our limit or by the HTTP parser) and the server
    // keeps serving.
    let huge = format!(
        "{base}/api/v1/random?length=1&type=uint8&x={}",
        "a".repeat(64 * 1024)
    );
    let status = agent
        .get(&huge)
        .call()
        .map(|r| r.status().as_u16())
        .unwrap_or(400);
    assert!((400..500).contains(&status), "{status}");
    let (status, json) = fetch("/rng");
    assert_eq!(status, 200);
    let x = json["random"].as_f64().unwrap();
    assert!((0.0..1.0).contains(&x));
    let _ = stop_tx.send(());
    runtime.block_on(server).unwrap().unwrap();
}
