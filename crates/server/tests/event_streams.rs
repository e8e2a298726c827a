//! Event streams share one status a second: however many dashboards are open, the engine's
//! status is read (under its lock) and serialised once per tick, not once per stream.

mod common;

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::raw_server::{Server, connect_from};
use wellspring_core::engine::EngineStatus;
use wellspring_core::pool::Conditioning;
use wellspring_server::{Backend, BackendError, ServerConfig};

/// The counting backend, counting how often its status is read.
struct CountingStatus {
    inner: Arc<common::Counting>,
    reads: AtomicUsize,
}

impl Backend for CountingStatus {
    fn try_take(&self, mode: Conditioning, n: usize) -> Option<Vec<u8>> {
        self.inner.try_take(mode, n)
    }
    fn take(&self, mode: Conditioning, n: usize) -> Result<Vec<u8>, BackendError> {
        self.inner.take(mode, n)
    }
    fn status(&self) -> EngineStatus {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.status()
    }
}

/// Reads from `stream` until `n` status events have arrived.
fn wait_for_statuses(stream: &mut std::net::TcpStream, n: usize) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 16384];
    while seen.windows(13).filter(|w| *w == b"event: status").count() < n {
        let got = stream.read(&mut buf).expect("the stream ended or stalled");
        assert!(got > 0, "the stream ended");
        seen.extend_from_slice(&buf[..got]);
    }
}

#[test]
fn twenty_streams_share_one_status_read_a_second() {
    let backend = Arc::new(CountingStatus {
        inner: common::Counting::new(),
        reads: AtomicUsize::new(0),
    });
    let server = Server::start(backend.clone(), ServerConfig::default());
    const STREAMS: usize = 20;
    let mut streams: Vec<_> = (0..STREAMS)
        .map(|_| {
            let mut s = connect_from([127, 0, 0, 1], server.addr, None);
            s.write_all(b"GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            s
        })
        .collect();
    for s in &mut streams {
        wait_for_statuses(s, 2);
    }
    // Read per stream, it would be at least two reads each (40); shared, one per tick, and
    // fewer than 40 ticks pass unless the machine stalls for 40 s.
    let reads = backend.reads.load(Ordering::SeqCst);
    assert!(
        reads < 2 * STREAMS,
        "{reads} status reads for {STREAMS} streams"
    );
    println!("{reads} status reads for {STREAMS} streams of 2+ statuses each");
    // Once every stream is closed, the ticker stops reading.
    drop(streams);
    std::thread::sleep(std::time::Duration::from_secs(3));
    let after = backend.reads.load(Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(
        backend.reads.load(Ordering::SeqCst),
        after,
        "still reading with no stream open"
    );
}
