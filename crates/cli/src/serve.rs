//! `clientele serve`: the HTTP API over the store; `clientele passwd`: a user's password for
//! browser sign-in, read from standard input (never from the command line, where it would stay
//! in the shell history and the process list).

use std::io::Read;
use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use clap::Args;
use clientele_server::Settings;
use clientele_store::Store;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Default: $CLIENTELE_DATABASE_URL,
    /// else sqlite://clientele.db in the current directory.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Mark the session cookie Secure (when served behind HTTPS).
    #[arg(long)]
    pub secure_cookie: bool,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// The user whose password to set.
    pub name: String,
    /// Database URL (as for `serve`).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// `--db`, else `CLIENTELE_DATABASE_URL`, else the store's default (the same order as every
/// command that touches the store).
fn database_url(db: &Option<String>) -> String {
    db.clone()
        .or_else(|| std::env::var("CLIENTELE_DATABASE_URL").ok())
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| clientele_store::DEFAULT_URL.to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub fn run(args: ServeArgs) -> Result<()> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .init();
    let settings = Settings {
        listen: args.listen,
        database_url: database_url(&args.db),
        secure_cookie: args.secure_cookie,
        ..Settings::default()
    };
    runtime()?.block_on(async {
        let server = clientele_server::build(settings)
            .await
            .context("starting the server")?;
        eprintln!(
            "serving http://{}/ (API under /api/v1, description at /api/openapi.json); Ctrl-C stops",
            server.local_addr()
        );
        server
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving")
    })
}

pub fn passwd(args: PasswdArgs) -> Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        bail!("no password on standard input (e.g. `clientele passwd NAME < file`)");
    }
    runtime()?.block_on(async {
        let url = database_url(&args.db);
        let store = Store::connect(&url)
            .await
            .with_context(|| format!("opening {url}"))?;
        let user = store
            .user_by_name(&args.name)
            .await
            .with_context(|| format!("finding user '{}'", args.name))?;
        store
            .set_password(user.id, password)
            .await
            .with_context(|| format!("setting the password of '{}'", args.name))?;
        eprintln!("password set for {}", user.name);
        Ok(())
    })
}
