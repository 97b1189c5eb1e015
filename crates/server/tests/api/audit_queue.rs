//! Issue 23, item 3: the audit of a view never fails or holds up the view. With the audit log's
//! table locked by another writer (as a long import holds SQLite's write lock), card views answer
//! at once; their entries wait in the server's queue, stamped with the time of the view, and are
//! written once the lock is gone. A full queue sends entries to the log and counts them (none is
//! lost silently), and shutting down writes what is queued.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clientele_server::audit::AuditLog;
use clientele_store::{Role, Store};
use clientele_testdb::{Backend, TestDb};
use reqwest::StatusCode;

use super::TestApp;
use super::common::RunningServer;

/// Another writer holding the lock the audit log's inserts need: on SQLite the database's write
/// lock (`BEGIN IMMEDIATE`), on PostgreSQL an exclusive lock on `audit_log` (reads go on).
enum Lock {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Lock {
    async fn take(store: &Store) -> Lock {
        match store {
            Store::Sqlite(pool) => {
                let mut conn = pool.acquire().await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut *conn)
                    .await
                    .unwrap();
                Lock::Sqlite(conn)
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                Lock::Postgres(tx)
            }
        }
    }

    async fn release(self) {
        match self {
            Lock::Sqlite(mut conn) => {
                sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
            }
            Lock::Postgres(tx) => tx.commit().await.unwrap(),
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A client that gives up after 20 s: before the queue, a view waited for the lock (30 s on
/// SQLite, then a 500; for ever on PostgreSQL).
fn impatient_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn view_card(app: &TestApp, token: &str, id: i64) -> StatusCode {
    app.client
        .get(format!("{}/api/v1/customers/{id}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{:?}: the card view did not answer: {e}", app.backend))
        .status()
}

async fn views_in_log(app: &TestApp, customer: i64) -> Vec<(i64, String, String)> {
    app.store
        .audit_entries(Some(customer), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, _, e)| (e.at, e.actor, e.action))
        .collect()
}

async fn not_recorded(app: &TestApp) -> u64 {
    let (s, health) = app.get("/api/health", "").await;
    assert_eq!(s, StatusCode::OK);
    health["audit_not_recorded"].as_u64().unwrap()
}

#[tokio::test]
async fn card_views_answer_while_the_audit_log_is_locked_and_are_recorded_when_it_is_free() {
    for backend in Backend::ALL {
        let app = TestApp {
            server: RunningServer::start(backend, 20).await,
            client: impatient_client(),
        };
        let token = app.user("ada", Role::Admin).await;
        let customer = app.customer("C1", "Anna Petrova").await;

        let lock = Lock::take(&app.store).await;
        for _ in 0..3 {
            assert_eq!(view_card(&app, &token, customer).await, StatusCode::OK);
        }
        let viewed_by = unix_now();
        // Nothing could be written yet: the entries are queued, not lost and not failed.
        assert!(views_in_log(&app, customer).await.is_empty(), "{backend:?}");
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        lock.release().await;

        app.audit.flush().await;
        let views = views_in_log(&app, customer).await;
        assert_eq!(views.len(), 3, "{backend:?}: {views:?}");
        for (at, actor, action) in &views {
            assert_eq!((actor.as_str(), action.as_str()), ("ada", "view"));
            // Stamped when viewed, not when written (2.5 s later at least).
            assert!(*at <= viewed_by, "{backend:?}: at {at} > {viewed_by}");
        }
        assert_eq!(not_recorded(&app).await, 0, "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_full_audit_queue_logs_and_counts_what_it_cannot_hold_and_loses_nothing_else() {
    const VIEWS: u64 = 8;
    for backend in Backend::ALL {
        let app = TestApp {
            server: RunningServer::start_with(backend, |s| s.audit_queue_entries = 2).await,
            client: impatient_client(),
        };
        let token = app.user("ada", Role::Admin).await;
        let customer = app.customer("C1", "Anna Petrova").await;

        let lock = Lock::take(&app.store).await;
        for _ in 0..VIEWS {
            assert_eq!(view_card(&app, &token, customer).await, StatusCode::OK);
        }
        // The writer holds at most one queue's worth in its stuck batch, the queue two more.
        let overflowed = not_recorded(&app).await;
        assert!(overflowed >= VIEWS - 4, "{backend:?}: {overflowed}");
        lock.release().await;

        app.audit.flush().await;
        let written = views_in_log(&app, customer).await.len() as u64;
        assert_eq!(written + overflowed, VIEWS, "{backend:?}");
        assert_eq!(not_recorded(&app).await, overflowed, "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn shutting_the_audit_writer_down_writes_what_is_queued_and_logs_what_comes_after() {
    for backend in Backend::ALL {
        let db = TestDb::new(backend);
        let store = Store::connect(&db.url).await.unwrap();
        let audit = AuditLog::start(store.clone(), 100).unwrap();
        for i in 0..50 {
            audit.record("ada", "view", None, &format!("card {i}"));
        }
        audit.shut_down().await;
        assert_eq!(store.count("audit_log").await.unwrap(), 50, "{backend:?}");
        assert_eq!(audit.not_recorded(), 0);

        audit.record("ada", "view", None, "after the end");
        assert_eq!(audit.not_recorded(), 1, "{backend:?}");
        assert_eq!(store.count("audit_log").await.unwrap(), 50, "{backend:?}");
        audit.shut_down().await; // a second call does nothing
        store.close().await;
    }
}
