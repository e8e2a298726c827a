//! One client cannot take the server from another: half-sent request heads, and every event
//! stream held open, each from one address (127.0.0.1), while another client (127.0.0.2,
//! another address as far as the server can tell) is answered. The security review's
//! replays, with bounded counts; every wait is generous. (A client that stops reading is cut
//! off by the write deadline, tested in `write_deadline`: on loopback the kernel's socket
//! buffers take a whole 2 MiB answer, so the server's writes never wait.)

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::raw_server::{Server, connect_from, status_from};
use wellspring_server::ServerConfig;

const ATTACKER: [u8; 4] = [127, 0, 0, 1];
const OTHER: [u8; 4] = [127, 0, 0, 2];

/// `n` connections from the attacker, each holding half of a request head.
fn half_sent_heads(server: &Server, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|_| {
            let mut stream = connect_from(ATTACKER, server.addr, None);
            // The server may already have closed it (past the cap): that is the point.
            let _ =
                stream.write_all(b"GET /api/v1/random?length=1&type=uint8 HTTP/1.1\r\nHost: x\r\n");
            stream
        })
        .collect()
}

#[test]
fn one_address_holding_half_sent_heads_leaves_another_client_answered() {
    let config = ServerConfig {
        // Long enough that the heads are still held however busy the machine is.
        header_read_timeout: Duration::from_secs(120),
        // Fewer than the default 512, to keep the test's open files well under 1,024.
        max_connections: 200,
        ..ServerConfig::default()
    };
    let server = Server::start(common::Counting::new(), config.clone());
    // As many as the whole server serves: before the per-client cap, they took every slot.
    let held = half_sent_heads(&server, config.max_connections);
    let statuses: Vec<_> = (0..20)
        .map(|_| status_from(OTHER, server.addr, "/api/v1/random?length=4&type=uint8"))
        .collect();
    assert!(statuses.iter().all(|s| *s == Some(200)), "{statuses:?}");
    // The attacker's own next connection is refused.
    assert_eq!(
        status_from(ATTACKER, server.addr, "/api/v1/random?length=4&type=uint8"),
        Some(503)
    );
    drop(held);
}

#[test]
fn every_event_stream_held_open_still_leaves_the_admin_port_for_metrics() {
    let config = ServerConfig::default();
    let (server, admin) = Server::start_with_admin(common::Counting::new(), config.clone(), true);
    let admin = admin.unwrap();
    // Every event stream the server allows, from one address, each with its first bytes read.
    let streams: Vec<_> = (0..config.max_event_streams)
        .map(|_| {
            let mut s = connect_from(ATTACKER, admin, None);
            s.write_all(b"GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            let mut first = [0u8; 12];
            s.read_exact(&mut first).unwrap();
            assert_eq!(&first, b"HTTP/1.1 200", "an event stream was refused");
            s
        })
        .collect();
    for _ in 0..5 {
        assert_eq!(status_from(OTHER, admin, "/metrics"), Some(200));
    }
    drop(streams);
    drop(server);
}
