//! Issue 23, item 4: a request has `request_timeout_seconds` from its header to its answer; a
//! client that sends an order's header and then stalls its body gets 503 with the error body
//! once that time is out, nothing is written, and the server answers others meanwhile.

use std::time::{Duration, Instant};

use clientele_store::Role;
use clientele_testdb::Backend;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::TestApp;
use super::common::RunningServer;

#[tokio::test]
async fn a_stalled_body_is_answered_503_when_the_request_time_is_out() {
    let app = TestApp {
        server: RunningServer::start_with(Backend::Sqlite, |s| {
            s.request_timeout_seconds = 1;
        })
        .await,
        client: reqwest::Client::new(),
    };
    let token = app.user("ada", Role::Admin).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(
            format!(
                "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"customer\": "
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // The rest of the body never comes; the server answers anyway.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"}}}\n") || answer.ends_with(b"}}") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within 10 s");
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("\"code\":\"timeout\""), "{text}");
    assert!(text.contains("the request took longer than 1 s"), "{text}");
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5),
        "answered after {elapsed:?}"
    );
    // Nothing was written, and a quick request is answered as usual.
    assert_eq!(app.store.count("order_lines").await.unwrap(), 0);
    let (s, _) = app.get("/api/v1/customers", &token).await;
    assert_eq!(s, StatusCode::OK);
    app.stop().await;
}
