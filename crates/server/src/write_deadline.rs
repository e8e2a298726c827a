//! A connection whose writes stall is closed: a client that stops reading cannot keep a
//! response (and its memory) on the server.
//!
//! hyper's HTTP/1 connection has a timeout for reading a request head but none for writing a
//! response. A client that asks for a large answer and reads it through a tiny receive
//! window (or not at all) held a slot and the response's buffers for as long as it liked: 200
//! such connections each reading 2 MiB through a 4 KiB buffer were still open after 20 s
//! (+70 MB RSS). [`WriteDeadline`] wraps the socket: once a write cannot go on at once (the
//! socket's buffers are full), the client has the timeout to take [`MIN_PROGRESS`] bytes, else
//! the write fails and hyper drops the connection. A client reading at least that much per
//! timeout (6.4 KiB/s at the defaults) is never cut off, and neither is an event stream whose
//! reader keeps up: its writes never wait, so the clock never starts. The clock stops when
//! hyper flushes a whole message.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// Bytes a client must take within the timeout once writes to it wait.
pub(crate) const MIN_PROGRESS: usize = 64 * 1024;

/// `S` with a deadline on stalled writes.
pub(crate) struct WriteDeadline<S> {
    inner: S,
    timeout: Duration,
    min_progress: usize,
    /// Running since a write first had to wait; `None` once `min_progress` bytes were taken
    /// or a message was flushed.
    stalled: Option<Pin<Box<Sleep>>>,
    /// Bytes taken since the clock started.
    progress: usize,
}

impl<S> WriteDeadline<S> {
    /// `inner`, whose client must take [`MIN_PROGRESS`] bytes within `timeout` once writes
    /// to it wait.
    pub(crate) fn new(inner: S, timeout: Duration) -> Self {
        WriteDeadline::with_min_progress(inner, timeout, MIN_PROGRESS)
    }

    fn with_min_progress(inner: S, timeout: Duration, min_progress: usize) -> Self {
        WriteDeadline {
            inner,
            timeout,
            min_progress,
            stalled: None,
            progress: 0,
        }
    }

    fn stop_clock(&mut self) {
        self.stalled = None;
        self.progress = 0;
    }

    /// Counts a write's progress (stopping the clock once enough was taken); on `Pending`,
    /// starts the clock or checks it.
    fn watch_write(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        if let Poll::Ready(Ok(n)) = poll
            && self.stalled.is_some()
        {
            self.progress += n;
            if self.progress >= self.min_progress {
                self.stop_clock();
            }
        }
        self.check_clock(cx, poll)
    }

    /// On `Pending`, starts the clock or fails the call once it has run out.
    fn check_clock<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => {
                let timeout = self.timeout;
                let clock = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match clock.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the client took fewer than {} bytes in {timeout:?}",
                            self.min_progress
                        ),
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch_write(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch_write(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        if poll.is_ready() {
            // A whole message is out: whatever waited before it is done.
            self.stop_clock();
        }
        self.check_clock(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.check_clock(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn a_write_nobody_reads_fails_after_the_timeout_and_one_that_is_read_does_not() {
        // A pipe of 1 KiB: writes stall once it is full and nobody reads.
        let (client, server) = tokio::io::duplex(1024);
        let mut guarded = WriteDeadline::new(server, Duration::from_millis(200));
        let err = guarded.write_all(&[7u8; 64 * 1024]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        drop(client);

        // The same amount through the same pipe with a reader: no error.
        let (mut client, server) = tokio::io::duplex(1024);
        let reader = tokio::spawn(async move {
            let mut sink = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut client, &mut sink)
                .await
                .unwrap();
            sink.len()
        });
        let mut guarded = WriteDeadline::new(server, Duration::from_millis(200));
        guarded.write_all(&[7u8; 64 * 1024]).await.unwrap();
        guarded.shutdown().await.unwrap();
        drop(guarded);
        assert_eq!(reader.await.unwrap(), 64 * 1024);
    }

    /// Writes 64 KiB through a 1 KiB pipe read 1 KiB at a time, `pause` apart.
    async fn through_a_slow_reader(pause: Duration) -> io::Result<()> {
        let (mut client, server) = tokio::io::duplex(1024);
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            while let Ok(n) = tokio::io::AsyncReadExt::read(&mut client, &mut buf).await {
                if n == 0 {
                    break;
                }
                tokio::time::sleep(pause).await;
            }
        });
        // At least 8 KiB per 400 ms.
        let mut guarded =
            WriteDeadline::with_min_progress(server, Duration::from_millis(400), 8 * 1024);
        let result = guarded.write_all(&[7u8; 64 * 1024]).await;
        drop(guarded);
        reader.await.unwrap();
        result
    }

    #[tokio::test]
    async fn a_reader_slower_than_the_minimum_progress_is_cut_off_and_a_faster_one_is_not() {
        // 1 KiB per 200 ms: 2 KiB per 400 ms, under the minimum of 8 KiB.
        let err = through_a_slow_reader(Duration::from_millis(200))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        // Unpaced: far over it.
        through_a_slow_reader(Duration::ZERO).await.unwrap();
    }
}
