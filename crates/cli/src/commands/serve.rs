//! `clientele serve`: the dashboard and the JSON API over the store, until Ctrl-C.

use anyhow::{Context, Result};
use clientele_app::database::redact;
use clientele_server::{Server, Settings};

use crate::args::store::ServeArgs;
use crate::runtime::server_runtime;

/// Server logs (requests that failed, 5xx causes) to standard error.
pub fn init_logging() {
    // A second initialisation (a command calling another) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The line naming where the dashboard is, on standard output (scripts and the end-to-end tests
/// read it: with `--listen 127.0.0.1:0` it is the only way to learn the port).
pub fn print_dashboard_address(server: &Server) {
    println!("Dashboard: http://{}/", server.local_addr());
}

/// Serves until Ctrl-C, then finishes the requests in flight.
pub async fn serve_until_ctrl_c(server: Server) -> Result<()> {
    eprintln!("(API under /api/v1, described at /api/openapi.json; Ctrl-C stops)");
    server
        .run(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")
}

pub fn run(args: ServeArgs) -> Result<()> {
    init_logging();
    let url = args.db.url();
    let settings = Settings {
        listen: args.listen,
        database_url: url.clone(),
        secure_cookie: args.secure_cookie,
        header_read_timeout_seconds: args.header_read_timeout,
        idle_timeout_seconds: args.idle_timeout,
        request_timeout_seconds: args.request_timeout,
        max_connections: args.max_connections as usize,
        import_limits: args.gzip.limits(),
        ..Settings::default()
    };
    server_runtime()?.block_on(async {
        let server = clientele_server::build(settings)
            .await
            .with_context(|| format!("starting the server over {}", redact(&url)))?;
        print_dashboard_address(&server);
        serve_until_ctrl_c(server).await
    })
}
