//! Arguments of the commands that make a company up: `generate` and `demo`.

use std::path::PathBuf;

use clap::Args;
use clientele_app::demo::DemoSettings;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of customers who buy.
    #[arg(long, default_value_t = 10_000)]
    pub customers: u64,
    /// Where to write the order log (CSV; ".gz" compresses).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write the customers file (profiles, prospects and visitors).
    #[arg(long, value_name = "FILE")]
    pub customers_out: Option<PathBuf>,
    /// Also write each customer's true purchase and dropout rates.
    #[arg(long, value_name = "FILE")]
    pub truth_out: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo database: sqlite://PATH or postgres://USER@HOST/DB. Deliberately not read from
    /// $CLIENTELE_DATABASE_URL, which names the real store.
    #[arg(long, value_name = "URL", default_value = "sqlite://clientele-demo.db")]
    pub db: String,
    /// Replace a demo database that already has data (SQLite: the file is deleted first).
    #[arg(long)]
    pub force: bool,
    /// Address to serve the dashboard on (port 0: any free port; the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Create and score the database, print the login, and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Number of customers who buy (a fifth as many prospects and visitors come on top).
    #[arg(long, default_value_t = 5_000)]
    pub customers: u64,
    /// The same seed gives the same people and purchase histories; their two years end
    /// yesterday, whenever the demo runs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Keep the generated orders.csv and customers.csv here (default: a temporary directory,
    /// removed afterwards).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

impl DemoArgs {
    /// The demo these arguments ask for.
    pub fn settings(&self) -> DemoSettings {
        DemoSettings {
            database_url: self.db.clone(),
            force: self.force,
            customers: self.customers,
            seed: self.seed,
            out: self.out.clone(),
        }
    }
}
