//! The accept loop (issue 23, item 5): every connection must send a request's whole header within
//! [`Settings::header_read_timeout_seconds`](crate::Settings) of opening or of its next request's
//! first byte; a kept-alive connection that moves no byte for
//! [`Settings::idle_timeout_seconds`](crate::Settings) after an answer is closed (both watched by
//! [`crate::conn_watch`]); and at most [`Settings::max_connections`](crate::Settings) are open at
//! once: past that, new connections are closed at once, so a flood of half-open connections can
//! neither exhaust the process's file descriptors nor hold the server's memory (300 of them stayed
//! open forever under `axum::serve`, which sets no timeout). HTTP/1.1 only, as before.
//!
//! Each request has [`Settings::request_timeout_seconds`](crate::Settings) from its header to
//! its answer's head (reading the body included): past that the handler is dropped (its
//! transaction rolls back) and the client gets 503 with the error body, so a stalled body or
//! a stuck query cannot hold a connection and its memory for ever. A download being streamed
//! is not cut: its head has been answered.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_service::Service;

use crate::conn_watch::{Activity, Timeouts, WatchedIo, expired};

/// How long requests in flight get to finish after the shutdown signal.
const DRAIN: Duration = Duration::from_secs(30);

/// The connection bounds of a server.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    /// How long a kept-alive connection may move no byte after an answer.
    pub idle_timeout: Duration,
    pub max_connections: usize,
    /// From a request's header to its answer's head.
    pub request_timeout: Duration,
}

/// The 503 a request gets when it has run out of time.
fn timed_out(limit: Duration) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = serde_json::json!({"error": {
        "code": "timeout",
        "message": format!(
            "the request took longer than {} s and was stopped; nothing of it was kept",
            limit.as_secs()
        ),
    }});
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(body),
    )
        .into_response()
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish (for at most [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            // At the limit: closed at once (the client sees the connection reset).
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = app.clone();
        let request_timeout = limits.request_timeout;
        let activity = Activity::opened();
        let handling = Arc::clone(&activity);
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            // The sign-in throttle reads the client's address from here.
            request.extensions_mut().insert(ConnectInfo(addr));
            let mut router = router.clone();
            let busy = handling.begin_request();
            async move {
                let _busy = busy;
                let answered =
                    tokio::time::timeout(request_timeout, router.call(request.map(Body::new)))
                        .await;
                Ok::<_, Infallible>(match answered {
                    Ok(response) => response.unwrap_or_else(|never| match never {}),
                    Err(_) => timed_out(request_timeout),
                })
            }
        });
        let watcher = graceful.watcher();
        let timeouts = Timeouts {
            header_read: limits.header_read_timeout,
            idle: limits.idle_timeout,
        };
        tokio::spawn(async move {
            let _slot = slot;
            let mut builder = hyper::server::conn::http1::Builder::new();
            // hyper's header timer also runs while a connection is idle: the watchdog keeps
            // both timeouts instead.
            builder.timer(TokioTimer::new()).header_read_timeout(None);
            let io = TokioIo::new(WatchedIo::new(stream, Arc::clone(&activity)));
            let connection = watcher.watch(builder.serve_connection(io, service));
            tokio::select! {
                // A client that goes away ends its connection: nothing to report.
                _ = connection => {}
                // Dropping the connection closes its socket; no request is being handled.
                why = expired(&activity, timeouts) => {
                    tracing::debug!(%addr, ?why, "connection closed by its timeout");
                }
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {
            tracing::warn!("requests still running {} s after the shutdown signal: stopped", DRAIN.as_secs());
        }
    }
    Ok(())
}
