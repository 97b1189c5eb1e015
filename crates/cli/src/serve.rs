//! `clientele serve`: the dashboard and the JSON API over the store, until Ctrl-C.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::Args;
use clientele_server::{Server, Settings};

use crate::import::{DbArgs, redact};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// Mark the session cookie Secure (when served behind HTTPS).
    #[arg(long)]
    pub secure_cookie: bool,
}

/// A runtime for serving: the server's handlers run on every core.
pub fn server_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

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
