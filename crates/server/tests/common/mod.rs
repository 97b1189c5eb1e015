//! What the HTTP test files share: the server built on port 0 over a fresh database, once per
//! backend, and stopped cleanly at the end of a test.

use clientele_server::Settings;
use clientele_store::Store;
use clientele_testdb::{Backend, TestDb};

/// A running server over a fresh database (a SQLite file, or a database on the test PostgreSQL).
pub struct RunningServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The server's own store, for setting up fixtures and checking what requests wrote.
    pub store: Store,
    /// The server's audit writer: flush it before reading what a view recorded.
    #[allow(dead_code)] // the page tests read no audit entries
    pub audit: clientele_server::audit::AuditLog,
    pub backend: Backend,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _db: TestDb,
}

impl RunningServer {
    /// Builds and starts the server; lists give `default_limit` items unless asked for more
    /// (up to 100).
    pub async fn start(backend: Backend, default_limit: u32) -> RunningServer {
        RunningServer::start_with(backend, |s| s.default_limit = default_limit).await
    }

    /// Builds and starts the server with settings changed by `change`.
    pub async fn start_with(backend: Backend, change: impl FnOnce(&mut Settings)) -> RunningServer {
        let db = TestDb::new(backend);
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: db.url.clone(),
            max_limit: 100,
            ..Settings::default()
        };
        change(&mut settings);
        let server = clientele_server::build(settings)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: building the server: {e}"));
        let store = server.store().clone();
        let audit = server.audit_log().clone();
        let base = format!("http://127.0.0.1:{}", server.port());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async {
            let _ = rx.await;
        }));
        RunningServer {
            base,
            store,
            audit,
            backend,
            shutdown: Some(tx),
            server: Some(handle),
            _db: db,
        }
    }

    /// Shuts the server down, waits until it has stopped (failing the test on a server error),
    /// and closes the store.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            h.await.unwrap().unwrap();
        }
        self.store.close().await;
    }
}
