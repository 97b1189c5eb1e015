//! Command-line arguments. Doc comments are the help text; these types only validate shape,
//! the commands resolve them into options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Clientele: turn your own records into the daily work of keeping customers.
#[derive(Debug, Parser)]
#[command(name = "clientele", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read order exports and place every customer on the loyalty ladder.
    Analyze(AnalyzeArgs),
    /// Generate a realistic company's order log from a known stochastic process.
    Generate(GenerateArgs),
    /// Generate a demo company and print its ladder report.
    Demo(DemoArgs),
    /// Print the default ladder rules (a TOML file to copy, edit and pass with --rules).
    Rules,
    /// Serve the JSON API over the store (default 127.0.0.1:8080).
    Serve(crate::serve::ServeArgs),
    /// Set a user's password for browser sign-in, read from standard input.
    Passwd(crate::serve::PasswdArgs),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Order exports: CSV, TSV, semicolon-separated, space-padded text or .xlsx, optionally gzipped.
    #[arg(required = true, value_name = "ORDERS")]
    pub orders: Vec<PathBuf>,
    /// Customers file: prospects, visitors and profile data (nps, referred_by, image_client,
    /// manager, birthday, last_touch).
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    /// Analyse the state on this day (YYYY-MM-DD or DD.MM.YYYY); later orders are ignored.
    /// Default: the last order day in the data.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Write customers.csv and rejects.csv into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Name a column's meaning: COLUMN=FIELD, COLUMN a header name or a 1-based position
    /// (e.g. --map 1=customer_id --map "Сумма=amount"). Fields: order_id, customer_id, email,
    /// phone, name, date, amount, price, list_price, discount, cost, margin, quantity, product,
    /// category, channel, ignore.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// Date format when it cannot be told from the data: iso, dd.mm.yyyy, yyyymmdd, dd/mm/yyyy,
    /// mm/dd/yyyy, dd-mm-yyyy.
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Decimal mark when it cannot be told from the data: "." or ",".
    #[arg(long, value_name = "MARK")]
    pub decimal: Option<String>,
    /// Refuse the whole import on the first bad row instead of writing it to rejects.csv.
    #[arg(long)]
    pub strict: bool,
    /// Ladder rules (TOML); `clientele rules` prints the defaults.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Print phase timings and peak memory to stderr.
    #[arg(long)]
    pub timings: bool,
}

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
    /// Number of customers who buy.
    #[arg(long, default_value_t = 5_000)]
    pub customers: u64,
    /// Keep the generated files and customers.csv here (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
