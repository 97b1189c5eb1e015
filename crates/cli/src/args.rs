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
    /// Create a demo database of a generated company, score it and serve the dashboard over it.
    Demo(DemoArgs),
    /// Print the default ladder rules (a TOML file to copy, edit and pass with --rules).
    Rules,
    /// Fit customer-base models (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma, sBG) and score
    /// customers with them.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Import order exports (and a customers file) into the store; idempotent, atomic per file.
    Import(crate::import::ImportArgs),
    /// Score every customer from the store and write a dated snapshot.
    Score(crate::db::ScoreArgs),
    /// Ladder transitions between two snapshots, and churn per rung.
    Transitions(crate::db::TransitionsArgs),
    /// Copy the SQLite database to FILE while it stays in use.
    Backup(crate::db::BackupArgs),
    /// Manage users, their API tokens and passwords.
    #[command(subcommand)]
    Users(crate::db::UsersCommand),
    /// Serve the dashboard and the JSON API over the store (default 127.0.0.1:8080).
    Serve(crate::serve::ServeArgs),
    /// The old spelling of `users passwd`, kept for scripts written against it.
    #[command(hide = true)]
    Passwd(crate::db::PasswdArgs),
    /// Run a Ballista scheduler or executor with Clientele's functions (for --engine).
    #[cfg(feature = "distributed")]
    #[command(subcommand)]
    Cluster(crate::cluster::ClusterCommand),
    /// Convert order exports into Parquet order lines (the engine's input).
    #[cfg(feature = "distributed")]
    #[command(subcommand)]
    Export(crate::cluster::ExportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Fit a model by maximum likelihood and print its parameters as JSON.
    Fit(ModelFitArgs),
    /// Fit a model and write each customer's predictions as CSV.
    Score(ModelScoreArgs),
    /// Write the per-customer summary the models are fitted on (lifetimes' columns: frequency,
    /// recency, T, monetary_value), for `models fit --summary` or another library.
    Summary(ModelSummaryArgs),
}

/// The models `clientele models` fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelName {
    /// BG/NBD (Fader, Hardie & Lee 2005): one-time buyers always have P(alive) = 1.
    Bgnbd,
    /// MBG/NBD (Batislam et al. 2007): like BG/NBD, but one-time buyers can have left.
    Mbgnbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    Pnbd,
    /// BG/BB (Fader, Hardie & Shang 2010): discrete transaction opportunities.
    Bgbb,
    /// Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005).
    Gg,
    /// Shifted-beta-geometric retention of contracts (Fader & Hardie 2007).
    Sbg,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TimeUnit {
    #[default]
    Day,
    Week,
}

/// Where the model's data comes from: a summary file or order exports.
#[derive(Debug, Args)]
pub struct ModelInputArgs {
    #[arg(long, value_enum)]
    pub model: ModelName,
    /// A per-customer summary CSV: `x,t_x,T[,zbar]` or lifetimes-style
    /// `frequency,recency,T[,monetary_value]`, with an id column (for bgbb:
    /// `frequency,recency,periods,weights`; for sbg: `period,alive`). Times are in --time-unit.
    /// Read like exports: UTF-8 or Windows-1251, separated by `,` `;` tab or `|`, decimal point or
    /// comma (told from the values; --decimal settles it).
    #[arg(long, value_name = "FILE", conflicts_with = "orders")]
    pub summary: Option<PathBuf>,
    /// Order exports, read as `clientele analyze` reads them.
    #[arg(value_name = "ORDERS", required_unless_present = "summary")]
    pub orders: Vec<PathBuf>,
    /// Unit of t_x, T and horizons: for order exports the summary is computed in it, for a
    /// summary file it names the unit the file is in.
    #[arg(long, value_enum, default_value_t)]
    pub time_unit: TimeUnit,
    /// L2 penalty on the log-parameters (lifetimes' penalizer_coef); 0 is plain maximum likelihood.
    #[arg(long, default_value_t = 0.0)]
    pub penalty: f64,
    /// Fit on orders up to this day only (YYYY-MM-DD or DD.MM.YYYY); with order exports, the
    /// later orders are the holdout the forecast is checked against.
    #[arg(long, value_name = "DATE")]
    pub calibration_end: Option<String>,
    #[command(flatten)]
    pub import: ImportFlags,
}

#[derive(Debug, Args)]
pub struct ModelFitArgs {
    #[command(flatten)]
    pub input: ModelInputArgs,
    /// With --calibration-end: write the holdout comparison (per customer) and the diagnostic
    /// charts (SVG) into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ModelScoreArgs {
    #[command(flatten)]
    pub input: ModelInputArgs,
    /// Forecast horizon in --time-unit (periods for bgbb).
    #[arg(long)]
    pub horizon: f64,
    /// Annual discount rate for CLV.
    #[arg(long, default_value_t = 0.1)]
    pub discount_rate: f64,
    /// Profit margin (a fraction of revenue, e.g. 0.3) for a `clv_profit` column.
    #[arg(long, value_name = "FRACTION")]
    pub margin: Option<f64>,
    /// Write the CSV here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Run the per-customer work on an engine: datafusion (this machine) or
    /// ballista://HOST:PORT (a cluster started with `clientele cluster`). Reads Parquet order
    /// lines (`clientele export parquet`); other exports are converted here first.
    #[cfg(feature = "distributed")]
    #[arg(long, value_name = "ENGINE")]
    pub engine: Option<String>,
}

#[derive(Debug, Args)]
pub struct ModelSummaryArgs {
    /// Order exports, read as `clientele analyze` reads them.
    #[arg(value_name = "ORDERS", required = true)]
    pub orders: Vec<PathBuf>,
    /// Unit of recency and T.
    #[arg(long, value_enum, default_value_t)]
    pub time_unit: TimeUnit,
    /// Summarise orders up to this day (YYYY-MM-DD or DD.MM.YYYY) and add each customer's
    /// purchases after it (`frequency_holdout`, over `duration_holdout`), as lifetimes'
    /// calibration_and_holdout_data does.
    #[arg(long, value_name = "DATE")]
    pub calibration_end: Option<String>,
    #[command(flatten)]
    pub import: ImportFlags,
    /// Write the CSV here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

/// How to read order exports (shared by every command that reads them).
#[derive(Debug, Args)]
pub struct ImportFlags {
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
    /// Use the state on this day (YYYY-MM-DD or DD.MM.YYYY); later orders are ignored.
    /// Default: the last order day in the data.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
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
    /// Write customers.csv, alerts.csv (late by their own rhythm) and rejects.csv here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub import: ImportFlags,
    /// The customer-base model behind P(alive), expected purchases and CLV: mbgnbd (one-time
    /// buyers get a P(alive) below 1), bgnbd, pnbd, or none.
    #[arg(long, value_enum, default_value_t = AnalyzeModel::Mbgnbd)]
    pub model: AnalyzeModel,
    /// Forecast horizon in days for expected purchases and CLV.
    #[arg(long, default_value_t = 365)]
    pub horizon: u32,
    /// Annual discount rate for CLV.
    #[arg(long, default_value_t = 0.1)]
    pub discount_rate: f64,
    /// Ladder rules (TOML); `clientele rules` prints the defaults.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Print phase timings and peak memory to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Run the per-customer work on an engine: datafusion (this machine) or
    /// ballista://HOST:PORT (a cluster started with `clientele cluster`). Reads Parquet order
    /// lines (`clientele export parquet`); other exports are converted here first.
    #[cfg(feature = "distributed")]
    #[arg(long, value_name = "ENGINE")]
    pub engine: Option<String>,
}

/// The transaction models `analyze` can run (or none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeModel {
    Bgnbd,
    Mbgnbd,
    Pnbd,
    None,
}

impl AnalyzeModel {
    pub fn transaction_kind(self) -> Option<crate::models::transaction::TransactionKind> {
        use crate::models::transaction::TransactionKind;
        match self {
            AnalyzeModel::Bgnbd => Some(TransactionKind::BgNbd),
            AnalyzeModel::Mbgnbd => Some(TransactionKind::MbgNbd),
            AnalyzeModel::Pnbd => Some(TransactionKind::ParetoNbd),
            AnalyzeModel::None => None,
        }
    }
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
