//! The real server on 127.0.0.1, spoken to over raw TCP: started on its own runtime, stopped
//! on drop; one request per connection, and the readers the hostile-client tests share.

#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;
use wellspring_server::{Backend, ServerConfig, serve_with_admin};

/// Longest any single read may block.
const READ_LIMIT: Duration = Duration::from_secs(15);

/// A server on its own runtime; stopped (and the runtime shut down) on drop.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: mpsc::Receiver<Result<(), String>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    pub(crate) fn start(backend: Arc<dyn Backend>, config: ServerConfig) -> Server {
        Server::start_with_admin(backend, config, false).0
    }

    /// A server with the operator routes on a second listener (also on 127.0.0.1), and that
    /// listener's address when `admin` is set.
    pub(crate) fn start_with_admin(
        backend: Arc<dyn Backend>,
        config: ServerConfig,
        admin: bool,
    ) -> (Server, Option<SocketAddr>) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let admin = admin.then(|| {
            runtime
                .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
                .unwrap()
        });
        let admin_addr = admin.as_ref().map(|l| l.local_addr().unwrap());
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done) = mpsc::channel();
        runtime.spawn(async move {
            let stopped = async {
                let _ = stop_rx.await;
            };
            let result = serve_with_admin(listener, admin, backend, config, stopped).await;
            let _ = done_tx.send(result.map_err(|e| e.to_string()));
        });
        let server = Server {
            addr,
            stop: Some(stop),
            done,
            runtime: Some(runtime),
        };
        (server, admin_addr)
    }

    /// Begins shutdown and returns how long `serve_on` took to return.
    pub(crate) fn shut_down(&mut self) -> Duration {
        let start = Instant::now();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = self
            .done
            .recv_timeout(Duration::from_secs(20))
            .expect("serve_on did not return within 20 s of shutdown");
        result.unwrap();
        start.elapsed()
    }

    pub(crate) fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(READ_LIMIT)).unwrap();
        stream.set_write_timeout(Some(READ_LIMIT)).unwrap();
        stream
    }

    /// One request on a fresh connection (`Connection: close`).
    pub(crate) fn get(&self, target: &str) -> (u16, Value) {
        self.request("GET", target)
    }

    pub(crate) fn request(&self, method: &str, target: &str) -> (u16, Value) {
        self.request_with_host(method, target, "t")
    }

    /// One request on a fresh connection, naming `host` in its `Host` header.
    pub(crate) fn request_with_host(&self, method: &str, target: &str, host: &str) -> (u16, Value) {
        let mut stream = self.connect();
        let request =
            format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let (status, body) = read_response(&mut stream).unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(500));
        }
    }
}

/// Reads one response (status and body, by `Content-Length`) from a keep-alive stream.
pub(crate) fn read_response(stream: &mut TcpStream) -> std::io::Result<(u16, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut byte)?;
        if n == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or(ErrorKind::InvalidData)?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut byte)?;
        if n == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(&byte[..n]);
    }
    body.truncate(length);
    Ok((status, body))
}

/// Waits until the server closes `stream` (EOF or reset), discarding what it sends; returns
/// the time taken and everything read.
pub(crate) fn wait_closed(stream: &mut TcpStream) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("still open after {:?}", start.elapsed())
            }
            Err(_) => break, // reset: closed as well
        }
    }
    (start.elapsed(), seen)
}

/// A connection to `addr` from `source`, one of this machine's loopback addresses
/// (127.0.0.2 is another client as far as the server can tell), with a receive buffer of
/// `receive_buffer` bytes when given; blocking, with [`READ_LIMIT`] on reads and writes.
pub(crate) fn connect_from(
    source: [u8; 4],
    addr: SocketAddr,
    receive_buffer: Option<u32>,
) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        if let Some(bytes) = receive_buffer {
            socket.set_recv_buffer_size(bytes).unwrap();
        }
        socket.bind(SocketAddr::from((source, 0))).unwrap();
        socket.connect(addr).await.unwrap().into_std().unwrap()
    });
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(READ_LIMIT)).unwrap();
    stream.set_write_timeout(Some(READ_LIMIT)).unwrap();
    stream
}

/// One `GET target` with `Host: localhost` on a fresh connection from `source`: the status,
/// or `None` when the server closed the connection without an answer it could read.
///
/// The request goes out in one write, and the answer is read even when that write fails: a
/// server refusing a connection answers and closes before reading, and a request split over
/// several writes would meet the reset its first part provoked (a broken pipe on the second
/// write) although the answer is already in the socket.
pub(crate) fn status_from(source: [u8; 4], addr: SocketAddr, target: &str) -> Option<u16> {
    let mut stream = connect_from(source, addr, None);
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let _ = stream.write_all(request.as_bytes());
    read_response(&mut stream).ok().map(|(status, _)| status)
}
