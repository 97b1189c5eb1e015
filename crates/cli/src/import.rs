//! `clientele import`: order exports (and a customers file) into the store.
//!
//! Each order file is one transaction: its rows are parsed by `clientele_ingest::rows` on one
//! thread and written in batches on another, and committed only when the whole file is in, so a
//! crash or `kill -9` half-way leaves the store as it was. Lines are identified by customer,
//! order id, product and return flag, so importing a file again changes nothing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use clientele_core::DayAmounts;
use clientele_ingest::columns::parse_map_arg;
use clientele_ingest::customers::read_customers;
use clientele_ingest::pipeline::{ImportOptions, Reject};
use clientele_ingest::sniff::SniffOverrides;
use clientele_ingest::values::DateFormat;
use clientele_store::{Day, Store, StreamError};

use crate::analyze::decimal_flag;

/// Where the store is: `--db`, else `CLIENTELE_DATABASE_URL`, else `clientele.db` here.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Default: $CLIENTELE_DATABASE_URL,
    /// else sqlite://clientele.db in the current directory.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

impl DbArgs {
    pub fn url(&self) -> String {
        self.db
            .clone()
            .or_else(|| std::env::var("CLIENTELE_DATABASE_URL").ok())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| clientele_store::DEFAULT_URL.to_string())
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Order exports: CSV, TSV, semicolon-separated, space-padded text or .xlsx, optionally gzipped.
    #[arg(required = true, value_name = "ORDERS")]
    pub orders: Vec<PathBuf>,
    /// Customers file: names, managers, referrers, image clients, birthdays, NPS, last touches.
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Name a column's meaning: COLUMN=FIELD (as for `analyze`).
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// Date format when it cannot be told from the data (as for `analyze`).
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Decimal mark when it cannot be told from the data: "." or ",".
    #[arg(long, value_name = "MARK")]
    pub decimal: Option<String>,
    /// Refuse a file with any bad row (nothing of it is written) and stop.
    #[arg(long)]
    pub strict: bool,
    /// Write rejected rows (line, column, reason, raw, file) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

fn options(args: &ImportArgs) -> Result<ImportOptions> {
    let map = args
        .map
        .iter()
        .map(|m| parse_map_arg(m).map_err(|e| anyhow!("--map {m}: {e}")))
        .collect::<Result<Vec<_>>>()?;
    let date_format = match &args.date_format {
        Some(f) => Some(
            f.parse::<DateFormat>()
                .map_err(|e| anyhow!("--date-format {f}: {e}"))?,
        ),
        None => None,
    };
    let decimal = decimal_flag(args.decimal.as_deref())?;
    Ok(ImportOptions {
        overrides: SniffOverrides {
            map,
            date_format,
            decimal,
            has_header: None,
        },
        strict: args.strict,
        as_of: None,
        day_amounts: DayAmounts::FirstOnly,
        ..ImportOptions::default()
    })
}

/// A tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub async fn open(db: &DbArgs) -> Result<Store> {
    let url = db.url();
    Store::connect(&url)
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))
}

/// The URL without a password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
            let user_end = s + 3 + url[s + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Today as a day number (UTC).
pub fn today() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Day::from_days_since_epoch((secs / 86_400) as i32)
}

pub fn run(args: ImportArgs) -> Result<()> {
    let options = options(&args)?;
    let rt = runtime()?;
    rt.block_on(async {
        let store = open(&args.db).await?;
        let mut all_rejects: Vec<Reject> = Vec::new();
        for (index, path) in args.orders.iter().enumerate() {
            let rejects = import_file(&store, path, index as u32, &options).await?;
            all_rejects.extend(rejects);
        }
        if let Some(path) = &args.customers {
            let (profiles, rejects) = read_customers(path, args.strict)
                .with_context(|| format!("reading {}", path.display()))?;
            let today = today();
            for p in &profiles {
                store
                    .apply_profile(p, today)
                    .await
                    .with_context(|| format!("{}: storing customer '{}'", path.display(), p.id))?;
            }
            eprintln!(
                "{}: {} customers stored, {} rejected",
                path.display(),
                profiles.len(),
                rejects.len()
            );
            all_rejects.extend(rejects);
        }
        if let Some(out) = &args.rejects {
            write_rejects(out, &all_rejects)?;
        } else if let Some(first) = all_rejects.first() {
            eprintln!(
                "{} row(s) rejected; the first: {}, line {}, column '{}': {} (use --rejects FILE for all)",
                all_rejects.len(),
                first.file.display(),
                first.row.line,
                first.column,
                first.reason
            );
        }
        store.close().await;
        Ok(())
    })
}

/// Imports one file in one transaction; returns its rejects.
async fn import_file(
    store: &Store,
    path: &Path,
    index: u32,
    options: &ImportOptions,
) -> Result<Vec<Reject>> {
    let started = Instant::now();
    let tx = store
        .begin_import(&path.display().to_string())
        .await
        .with_context(|| format!("{}: starting the import", path.display()))?;
    let (tx, outcome) = match tx
        .stream_file(path.to_path_buf(), index, options.clone())
        .await
    {
        Ok(streamed) => streamed,
        Err(StreamError::Read(e)) => {
            return Err(anyhow!(e)).context("nothing of this file was kept");
        }
        Err(e) => bail!("{}: {e}; nothing of this file was kept", path.display()),
    };
    if options.strict
        && let Some(r) = outcome.rejects.first()
    {
        tx.rollback().await.ok();
        bail!(
            "{}, line {}, column '{}': {}; --strict refuses the file ({} bad row(s)), nothing of it was written",
            path.display(),
            r.row.line,
            r.column,
            r.reason,
            outcome.rejects.len()
        );
    }
    let report = &outcome.report;
    let counts = tx
        .commit(report.rows, report.rejected)
        .await
        .with_context(|| format!("{}: committing", path.display()))?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{}: {} rows, {} lines written, {} already stored, {} rejected, {} new customers ({:.2} s, {:.0} rows/s)",
        path.display(),
        report.rows,
        counts.inserted,
        counts.unchanged,
        report.rejected,
        counts.new_customers,
        secs,
        report.rows as f64 / secs.max(1e-9)
    );
    Ok(outcome.rejects)
}

fn write_rejects(path: &Path, rejects: &[Reject]) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    w.write_record(["line", "column", "reason", "raw", "file"])?;
    for r in rejects {
        w.write_record([
            r.row.line.to_string(),
            r.column.clone(),
            r.reason.clone(),
            r.raw.clone(),
            r.file.display().to_string(),
        ])
        .with_context(|| format!("writing {}", path.display()))?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
