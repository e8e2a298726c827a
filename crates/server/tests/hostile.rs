//! The real server on 127.0.0.1 against odd and hostile clients, spoken to over raw TCP:
//! cache-busting and percent-encoded queries, JSON 404/405/414, a 1 MB header, more
//! connections than the cap, a client that sends nothing, and shutdown with requests in
//! flight. Every wait is bounded and generous (the machine may be busy); the figures the
//! design aims at (1 s timeouts, 1 s grace) are printed with `--nocapture`.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::raw_server::{Server, read_response, wait_closed};
use wellspring_core::engine::EngineStatus;
use wellspring_core::pool::Conditioning;
use wellspring_server::{Backend, BackendError, ServerConfig};

fn config() -> ServerConfig {
    ServerConfig::default()
}

#[test]
fn legacy_route_ignores_cache_busters_and_v1_rejects_them() {
    let server = Server::start(common::Counting::new(), config());
    let (status, json) = server.get("/API/jsonI.php?length=3&type=uint8&_=123");
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["success"], true);
    assert_eq!(json["data"].as_array().unwrap().len(), 3);
    // Anything a browser or a proxy may add, repeated or odd, is skipped.
    let (status, _) = server.get("/API/jsonI.php?_=1&length=1&type=uint16&_=2&cb&x=%FF");
    assert_eq!(status, 200);

    let (status, json) = server.get("/api/v1/random?length=1&type=uint8&_=1");
    assert_eq!(status, 400);
    assert_eq!(json["success"], false);
    assert!(json["error"].as_str().unwrap().contains("'_'"), "{json}");

    // Known parameters still may not repeat, on either route, however they are spelled.
    for target in [
        "/API/jsonI.php?length=1&type=uint8&len%67th=2",
        "/api/v1/random?length=1&type=uint8&type=uint16",
    ] {
        let (status, json) = server.get(target);
        assert_eq!(status, 400, "{target}");
        assert_eq!(json["success"], false);
    }
}

#[test]
fn percent_encoded_names_and_values_are_decoded() {
    let server = Server::start(common::Counting::new(), config());
    let (status, json) = server.get("/api/v1/random?length=2&type=uint%38");
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["type"], "uint8");
    assert_eq!(json["data"].as_array().unwrap().len(), 2);
    let (status, json) = server.get("/API/jsonI.php?%6Cength=%32&type=hex%316&size=%32");
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["type"], "string");
    assert_eq!(json["data"][0].as_str().unwrap().len(), 4);
    // A value that decodes to nonsense is named, with the control character escaped.
    let (status, json) = server.get("/api/v1/random?length=1&type=uint8%0A");
    assert_eq!(status, 400);
    assert!(
        json["error"].as_str().unwrap().contains("uint8\\n"),
        "{json}"
    );
}

#[test]
fn unknown_routes_wrong_methods_and_long_queries_answer_json() {
    let server = Server::start(common::Counting::new(), config());
    let (status, json) = server.get("/no/such/route");
    assert_eq!(status, 404);
    assert_eq!(json["success"], false);
    assert!(json["error"].is_string());
    for method in ["POST", "DELETE", "PUT"] {
        let (status, json) = server.request(method, "/API/jsonI.php?length=1&type=uint8");
        assert_eq!(status, 405, "{method}");
        assert_eq!(json["success"], false, "{method}");
    }
    let long = format!(
        "/api/v1/random?length=1&type=uint8&x={}",
        "a".repeat(5 * 1024)
    );
    let (status, json) = server.get(&long);
    assert_eq!(status, 414);
    assert_eq!(json["success"], false);
    assert!(json["error"].as_str().unwrap().contains("query string"));
    let long = format!(
        "/API/jsonI.php?length=1&type=uint8&_={}",
        "1".repeat(5 * 1024)
    );
    assert_eq!(
        server.get(&long).0,
        414,
        "the legacy route has the limit too"
    );
    // Large responses still flow through the small read buffer: 1024 × 1024 bytes as hex.
    let (status, json) = server.get("/API/jsonI.php?length=1024&type=hex16&size=1024");
    assert_eq!(status, 200);
    assert_eq!(json["data"][1023].as_str().unwrap().len(), 2048);
}

#[test]
fn a_megabyte_header_is_refused_quickly() {
    let server = Server::start(common::Counting::new(), config());
    let mut stream = server.connect();
    let mut writer = stream.try_clone().unwrap();
    let start = Instant::now();
    // Written from another thread: the server stops reading long before the end, so the
    // write may block or fail (broken pipe, reset), which is fine.
    let write = std::thread::spawn(move || {
        let mut request = b"GET /rng HTTP/1.1\r\nHost: t\r\nX-Big: ".to_vec();
        request.extend(std::iter::repeat_n(b'a', 1 << 20));
        request.extend_from_slice(b"\r\n\r\n");
        let _ = writer.write_all(&request);
    });
    let (elapsed, seen) = wait_closed(&mut stream);
    let text = String::from_utf8_lossy(&seen);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 431"),
        "{text}"
    );
    println!(
        "1 MB header: {} after {:?}",
        text.lines().next().unwrap_or("closed without a response"),
        start.elapsed().max(elapsed)
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    write.join().unwrap();
    // The server is unharmed.
    assert_eq!(server.get("/rng").0, 200);
}

#[test]
fn connections_past_the_cap_are_closed_and_freed_slots_serve_again() {
    const CAP: usize = 8;
    let server = Server::start(
        common::Counting::new(),
        ServerConfig {
            max_connections: CAP,
            ..config()
        },
    );
    // CAP keep-alive connections, each answered once so it is surely accepted and counted.
    let mut held: Vec<TcpStream> = (0..CAP)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /rng HTTP/1.1\r\nHost: t\r\n\r\n")
                .unwrap();
            assert_eq!(read_response(&mut s).unwrap().0, 200);
            s
        })
        .collect();
    for _ in 0..3 {
        let mut extra = server.connect();
        // The request may or may not reach the server before it closes the connection.
        let _ = extra.write_all(b"GET /rng HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        let (elapsed, seen) = wait_closed(&mut extra);
        let text = String::from_utf8_lossy(&seen);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 503"),
            "{text}"
        );
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }
    // Held connections still work.
    held[0]
        .write_all(b"GET /rng HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut held[0]).unwrap().0, 200);
    held.clear();
    // Closed connections give their slots back (asynchronously: retry for a while).
    let start = Instant::now();
    loop {
        let mut s = server.connect();
        let ok = s
            .write_all(b"GET /rng HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .and_then(|()| read_response(&mut s))
            .is_ok_and(|(status, _)| status == 200);
        if ok {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "slots never freed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn silent_slow_and_idle_clients_are_cut_off_after_the_header_timeout() {
    let server = Server::start(
        common::Counting::new(),
        ServerConfig {
            header_read_timeout: Duration::from_secs(1),
            ..config()
        },
    );
    // Sends nothing at all.
    let mut silent = server.connect();
    let (elapsed, _) = wait_closed(&mut silent);
    println!("silent client closed after {elapsed:?} (timeout 1 s)");
    assert!(elapsed >= Duration::from_millis(500), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");

    // Starts a request head and stalls (slowloris).
    let mut slow = server.connect();
    slow.write_all(b"GET /rng HTTP/1.1\r\nHost: t\r\n").unwrap();
    let (elapsed, _) = wait_closed(&mut slow);
    println!("stalled head closed after {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");

    // A keep-alive connection left idle after a response.
    let mut idle = server.connect();
    idle.write_all(b"GET /rng HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut idle).unwrap().0, 200);
    let (elapsed, _) = wait_closed(&mut idle);
    println!("idle keep-alive connection closed after {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

/// Counting bytes, but every request waits `delay` on the blocking path first.
struct Slow {
    inner: Arc<common::Counting>,
    delay: Duration,
    started: Mutex<mpsc::Sender<()>>,
}

impl Backend for Slow {
    fn try_take(&self, _mode: Conditioning, _n: usize) -> Option<Vec<u8>> {
        None
    }
    fn take(&self, mode: Conditioning, n: usize) -> Result<Vec<u8>, BackendError> {
        let _ = self.started.lock().unwrap().send(());
        std::thread::sleep(self.delay);
        self.inner.take(mode, n)
    }
    fn status(&self) -> EngineStatus {
        self.inner.status()
    }
}

fn slow_server(delay: Duration) -> (Server, mpsc::Receiver<()>) {
    let (started, rx) = mpsc::channel();
    let backend = Arc::new(Slow {
        inner: common::Counting::new(),
        delay,
        started: Mutex::new(started),
    });
    (Server::start(backend, config()), rx)
}

#[test]
fn shutdown_lets_a_short_request_finish() {
    let (mut server, started) = slow_server(Duration::from_millis(300));
    let mut stream = server.connect();
    stream
        .write_all(b"GET /rng HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    started.recv_timeout(Duration::from_secs(10)).unwrap();
    let took = server.shut_down();
    println!("shutdown with a 300 ms request in flight: {took:?}");
    let (status, _) = read_response(&mut stream).unwrap();
    assert_eq!(status, 200, "the request in flight is answered");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // The listener is closed: new connections are refused.
    assert!(TcpStream::connect(server.addr).is_err());
}

#[test]
fn shutdown_drops_a_request_stuck_on_the_engine_after_the_grace() {
    let (mut server, started) = slow_server(Duration::from_secs(60));
    let mut stream = server.connect();
    stream
        .write_all(b"GET /rng HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    started.recv_timeout(Duration::from_secs(10)).unwrap();
    let took = server.shut_down();
    println!("shutdown with a stuck request in flight: {took:?} (grace 1 s)");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    let (elapsed, seen) = wait_closed(&mut stream);
    assert!(seen.is_empty(), "{}", String::from_utf8_lossy(&seen));
    assert!(elapsed < Duration::from_secs(5));
}
