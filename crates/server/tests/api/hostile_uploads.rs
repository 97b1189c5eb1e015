//! Issue 23, item 1 at the upload endpoint: a 1.5 KB `.xlsx` whose cells are `A1` and
//! `XFD1048576` (which made calamine allocate 512 GiB and took the whole server down) and a gzip
//! compression bomb are each refused with 422 on `file`, saying why; nothing is written, and the
//! server goes on answering. The ratio is checked here from 1 MiB of expansion instead of
//! 64 MiB (`ImportLimits::ratio_checked_from`): at 64 MiB a debug build on a loaded machine
//! parses and stages the bomb's first 2.9 million rows for minutes before refusing it.

use std::io::Write;

use clientele_store::Role;
use reqwest::StatusCode;
use serde_json::Value;

use super::common::RunningServer;
use super::{TestApp, error_field};

async fn upload(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    app.send(
        app.client
            .post(format!("{}/api/v1/imports", app.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

#[tokio::test]
async fn an_xlsx_or_gzip_bomb_upload_is_refused_and_the_server_stays_up() {
    for backend in clientele_testdb::Backend::ALL {
        let app = TestApp {
            server: RunningServer::start_with(backend, |s| {
                s.import_limits.ratio_checked_from = 1 << 20;
            })
            .await,
            client: reqwest::Client::new(),
        };
        let token = app.user("ana", Role::Analyst).await;
        let dir = tempfile::tempdir().unwrap();
        let far = dir.path().join("far.xlsx");
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "customer_id").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        workbook.save(&far).unwrap();
        let bytes = std::fs::read(&far).unwrap();
        assert!(bytes.len() < 10_000, "{} bytes", bytes.len());
        let (s, answer) = upload(
            &app,
            &token,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(error_field(&answer), "file", "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains("XFD1048576"), "{message}");

        // 40 MB of one repeated order line, gzipped to well under 1 MB: past the ratio of 200.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(b"customer_id,order_id,date,amount\n").unwrap();
        let line = b"c1,o1,2025-01-05,10.50\n".repeat(100_000);
        for _ in 0..(40_000_000 / line.len()) {
            gz.write_all(&line).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 200_000, "{} bytes", bomb.len());
        let (s, answer) = upload(&app, &token, "application/gzip", bomb).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(error_field(&answer), "file", "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("ratio") || message.contains("times"),
            "{message}"
        );

        // Nothing written; the server answers as before.
        assert_eq!(app.store.count("order_lines").await.unwrap(), 0);
        let (s, _) = app.get("/api/health", "").await;
        assert_eq!(s, StatusCode::OK);
        let (s, r) = upload(
            &app,
            &token,
            "text/csv",
            b"customer_id,order_id,date,amount\nc1,o1,2025-01-05,10.50\n".to_vec(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["inserted"], 1);
        app.stop().await;
    }
}
