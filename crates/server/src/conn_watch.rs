//! A per-connection watchdog for the header-read and idle timeouts (issue 23, item 5): hyper's
//! own header-read timer also runs while a kept-alive connection waits for its next request, so
//! it cannot tell a client that is slow to send a header from one that is simply idle. Here the
//! connection's socket is wrapped ([`WatchedIo`]) to note when bytes move, and the service notes
//! when a request is being handled ([`Activity::begin_request`]); [`expired`] then closes:
//! - a connection that has not sent a whole header within the header-read timeout of opening, or
//!   of the first byte of its next request;
//! - a kept-alive connection that moved no byte for the idle timeout since its last answer.
//!
//! A request being handled is governed by the request timeout alone, and bytes that keep moving
//! (a slow upload, a download being read) keep a connection from being idle.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

/// What a connection has been doing, shared by its socket wrapper, its service and its
/// watchdog (all in the connection's one task, so the lock is never contended).
#[derive(Debug)]
pub struct Activity(Mutex<Clock>);

#[derive(Debug)]
struct Clock {
    /// When a byte was last read or written.
    last_moved: Instant,
    /// Requests whose handler has not answered yet.
    in_flight: usize,
    /// When the header now being read began: the connection's opening, or the first byte read
    /// after the previous answer; `None` while idle or handling a request.
    header_since: Option<Instant>,
}

/// Why [`expired`] closed a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// A header was not complete within the header-read timeout.
    HeaderRead,
    /// Nothing moved for the idle timeout since the last answer.
    Idle,
}

/// The two timeouts a connection is watched for.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub header_read: Duration,
    pub idle: Duration,
}

impl Activity {
    /// A connection opened now: its first header is expected from now on.
    pub fn opened() -> Arc<Activity> {
        let now = Instant::now();
        Arc::new(Activity(Mutex::new(Clock {
            last_moved: now,
            in_flight: 0,
            header_since: Some(now),
        })))
    }

    fn clock(&self) -> MutexGuard<'_, Clock> {
        // A panic while holding the lock leaves plain timestamps behind: still usable.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read(&self) {
        let mut c = self.clock();
        let now = Instant::now();
        c.last_moved = now;
        if c.in_flight == 0 && c.header_since.is_none() {
            c.header_since = Some(now);
        }
    }

    fn wrote(&self) {
        self.clock().last_moved = Instant::now();
    }

    /// A request's header has been read and its handler starts; the returned guard ends it
    /// when dropped (answered, failed or stopped by the request timeout).
    pub fn begin_request(self: &Arc<Activity>) -> RequestGuard {
        let mut c = self.clock();
        c.in_flight += 1;
        c.header_since = None;
        RequestGuard(Arc::clone(self))
    }

    /// The instant past which the connection is to be closed, and why; `None` while a request
    /// is being handled.
    fn deadline(&self, timeouts: Timeouts) -> Option<(Instant, Expiry)> {
        let c = self.clock();
        if c.in_flight > 0 {
            return None;
        }
        Some(match c.header_since {
            Some(since) => (since + timeouts.header_read, Expiry::HeaderRead),
            None => (c.last_moved + timeouts.idle, Expiry::Idle),
        })
    }
}

/// Marks a request as being handled while alive.
#[derive(Debug)]
pub struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let mut c = self.0.clock();
        c.in_flight = c.in_flight.saturating_sub(1);
        // The idle time counts from the answer.
        c.last_moved = Instant::now();
    }
}

/// Completes when the connection is to be closed, saying why; never while a request is being
/// handled.
pub async fn expired(activity: &Activity, timeouts: Timeouts) -> Expiry {
    loop {
        match activity.deadline(timeouts) {
            // Looked at again a little later: the handler's own timeout bounds it.
            None => tokio::time::sleep(timeouts.idle.min(timeouts.header_read)).await,
            Some((at, why)) if at <= Instant::now() => return why,
            // Bytes may move meanwhile and push the deadline on: computed again on waking.
            Some((at, _)) => tokio::time::sleep_until(at).await,
        }
    }
}

/// A socket that tells its connection's [`Activity`] when bytes move.
#[derive(Debug)]
pub struct WatchedIo<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> WatchedIo<T> {
    pub fn new(inner: T, activity: Arc<Activity>) -> WatchedIo<T> {
        WatchedIo { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WatchedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    //! With real, short timeouts (tokio's paused clock needs a feature the workspace does not
    //! build); each expected instant gets a tolerance of a busy machine's scheduling.
    use super::*;

    const T: Timeouts = Timeouts {
        header_read: Duration::from_millis(200),
        idle: Duration::from_millis(500),
    };
    const SLACK: Duration = Duration::from_millis(150);

    fn about(elapsed: Duration, expected: Duration) {
        assert!(
            elapsed >= expected && elapsed < expected + SLACK,
            "{elapsed:?} instead of {expected:?}"
        );
    }

    #[tokio::test]
    async fn a_fresh_connection_has_the_header_timeout() {
        let a = Activity::opened();
        let start = Instant::now();
        assert_eq!(expired(&a, T).await, Expiry::HeaderRead);
        about(start.elapsed(), T.header_read);
    }

    #[tokio::test]
    async fn after_an_answer_the_idle_timeout_counts_and_a_first_byte_starts_the_header_one() {
        let a = Activity::opened();
        drop(a.begin_request());
        let answered = Instant::now();
        tokio::time::sleep(Duration::from_millis(400)).await;
        // Not idle for 500 ms yet: the next request's first byte arrives.
        a.read();
        let first_byte = Instant::now();
        assert_eq!(expired(&a, T).await, Expiry::HeaderRead);
        about(first_byte.elapsed(), T.header_read);
        assert!(answered.elapsed() >= Duration::from_millis(600));

        let b = Activity::opened();
        drop(b.begin_request());
        let answered = Instant::now();
        assert_eq!(expired(&b, T).await, Expiry::Idle);
        about(answered.elapsed(), T.idle);
    }

    #[tokio::test]
    async fn bytes_written_after_the_answer_push_the_idle_deadline_on() {
        let a = Activity::opened();
        drop(a.begin_request());
        // A download still being written: 3 writes 300 ms apart, each under the idle time.
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            a.wrote();
        }
        let last_write = Instant::now();
        assert_eq!(expired(&a, T).await, Expiry::Idle);
        about(last_write.elapsed(), T.idle);
    }

    #[tokio::test]
    async fn a_request_being_handled_is_never_expired() {
        let a = Activity::opened();
        let busy = a.begin_request();
        let waited = tokio::time::timeout(Duration::from_millis(1200), expired(&a, T)).await;
        assert!(waited.is_err(), "expired while a request was handled");
        drop(busy);
        let answered = Instant::now();
        assert_eq!(expired(&a, T).await, Expiry::Idle);
        about(answered.elapsed(), T.idle);
    }
}
