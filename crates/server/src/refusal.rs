//! The answer to a connection past a cap: a one-shot `503`, then a lingering close.
//!
//! Closing a socket whose receive buffer still holds the client's request makes the kernel
//! send a reset instead of a FIN, and a reset can discard the `503` at the client before it
//! is read: the client sees "connection reset" and no reason. So, like a web server's
//! lingering close, a refused connection has its write side shut (FIN after the answer) and
//! what the client sends is read and discarded until it closes, for at most [`LINGER`] and
//! [`LINGER_BYTES`]. At most [`MAX_LINGERING`] refusals linger at once; past that a refused
//! socket is closed at once, so a flood of refused connections costs bounded memory and
//! tasks.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a refused connection is drained before it is closed regardless.
pub(crate) const LINGER: Duration = Duration::from_secs(2);
/// How much of a refused client's request is read and discarded at most.
pub(crate) const LINGER_BYTES: usize = 64 * 1024;
/// How many refused connections may linger at once.
pub(crate) const MAX_LINGERING: usize = 64;

const BODY: &str = r#"{"success":false,"error":"too many connections; try again later"}"#;

/// Refuses connections past a cap; shared by the accept loop.
#[derive(Clone)]
pub(crate) struct Refusals {
    lingering: Arc<Semaphore>,
}

impl Refusals {
    pub(crate) fn new() -> Self {
        Self {
            lingering: Arc::new(Semaphore::new(MAX_LINGERING)),
        }
    }

    /// Answers `stream` with a `503` if its socket takes it at once, and closes it: after a
    /// lingering drain while fewer than [`MAX_LINGERING`] do, else at once.
    pub(crate) fn refuse(&self, stream: TcpStream) {
        let _ = stream.try_write(response().as_bytes());
        if let Ok(permit) = self.lingering.clone().try_acquire_owned() {
            tokio::spawn(linger(stream, permit));
        }
    }
}

fn response() -> String {
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{BODY}",
        BODY.len()
    )
}

/// Shuts the write side, then reads and discards until the client closes, [`LINGER`]
/// passes or [`LINGER_BYTES`] have been read.
async fn linger(mut stream: TcpStream, _permit: OwnedSemaphorePermit) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut buffer = [0u8; 4096];
        let mut read = 0;
        while read < LINGER_BYTES {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// The client has sent its whole request before the refusal: it still reads the `503`
    /// to its end, not a reset.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_client_that_already_sent_its_request_reads_the_whole_503() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            // Let the request reach the server's receive buffer before it is refused.
            std::thread::sleep(Duration::from_millis(200));
            let mut answer = Vec::new();
            let result = stream.read_to_end(&mut answer);
            (
                result.map_err(|e| e.kind()),
                String::from_utf8(answer).unwrap(),
            )
        });
        let refusals = Refusals::new();
        let (stream, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        refusals.refuse(stream);
        let (result, answer) = tokio::task::spawn_blocking(move || client.join().unwrap())
            .await
            .unwrap();
        assert!(result.is_ok(), "{result:?}, read {answer:?}");
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
        assert!(answer.ends_with(BODY), "{answer:?}");
    }

    #[tokio::test]
    async fn lingering_is_bounded() {
        let refusals = Refusals::new();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut clients = Vec::new();
        for _ in 0..MAX_LINGERING + 5 {
            clients.push(std::net::TcpStream::connect(addr).unwrap());
            let (stream, _) = listener.accept().await.unwrap();
            refusals.refuse(stream);
        }
        assert_eq!(refusals.lingering.available_permits(), 0);
        drop(clients);
    }
}
