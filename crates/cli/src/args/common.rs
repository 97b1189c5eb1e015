//! Arguments several commands share — how to read order exports, where the store is — and the
//! parsers of what a person types (dates, decimal marks, column maps).

use anyhow::{Result, anyhow, bail};
use clap::Args;
use clientele_core::{Day, DayAmounts};
use clientele_ingest::columns::parse_map_arg;
use clientele_ingest::limits::ImportLimits;
use clientele_ingest::pipeline::ImportOptions;
use clientele_ingest::sniff::SniffOverrides;
use clientele_ingest::values::{DateFormat, parse_date};

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
    #[command(flatten)]
    pub gzip: GzipFlags,
}

/// What a gzipped export may expand to (issue 23, item 1): beyond either bound the file is
/// refused as a compression bomb, naming the bound.
#[derive(Clone, Copy, Debug, Args)]
pub struct GzipFlags {
    /// The most a gzipped file may expand relative to its compressed size (checked once it has
    /// expanded past 64 MiB; text compresses 3 to 20 times, a bomb a thousand).
    #[arg(long, value_name = "RATIO", default_value_t = ImportLimits::default().max_gzip_ratio,
          value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub max_gzip_ratio: u64,
    /// The most bytes a gzipped file may expand to (default 64 GiB).
    #[arg(long, value_name = "BYTES", default_value_t = ImportLimits::default().max_gzip_bytes,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_gzip_bytes: u64,
}

impl GzipFlags {
    /// The default limits with these gzip bounds.
    pub fn limits(self) -> ImportLimits {
        ImportLimits {
            max_gzip_ratio: self.max_gzip_ratio,
            max_gzip_bytes: self.max_gzip_bytes,
            ..ImportLimits::default()
        }
    }
}

impl ImportFlags {
    /// The import options these flags ask for.
    pub fn options(&self) -> Result<ImportOptions> {
        let overrides = overrides(
            &self.map,
            self.date_format.as_deref(),
            self.decimal.as_deref(),
        )?;
        let as_of = self.as_of.as_deref().map(parse_user_date).transpose()?;
        Ok(ImportOptions {
            overrides,
            strict: self.strict,
            as_of,
            // The models read the repeat purchases' value as of the as-of day, which the sums
            // give; `models` with a calibration end asks for every day's amount itself.
            day_amounts: DayAmounts::FirstOnly,
            limits: self.gzip.limits(),
        })
    }
}

/// `--map`, `--date-format` and `--decimal` as the reader's overrides.
pub fn overrides(
    map: &[String],
    date_format: Option<&str>,
    decimal: Option<&str>,
) -> Result<SniffOverrides> {
    let map = map
        .iter()
        .map(|m| parse_map_arg(m).map_err(|e| anyhow!("--map {m}: {e}")))
        .collect::<Result<Vec<_>>>()?;
    let date_format = match date_format {
        Some(f) => Some(
            f.parse::<DateFormat>()
                .map_err(|e| anyhow!("--date-format {f}: {e}"))?,
        ),
        None => None,
    };
    Ok(SniffOverrides {
        map,
        date_format,
        decimal: decimal_flag(decimal)?,
        has_header: None,
    })
}

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

/// Parses a date typed by a person: ISO or DD.MM.YYYY.
pub fn parse_user_date(text: &str) -> Result<Day> {
    parse_date(text, DateFormat::Iso)
        .or_else(|_| parse_date(text, DateFormat::DmyDot))
        .map_err(|e| anyhow!("'{text}' is not a date (use YYYY-MM-DD or DD.MM.YYYY): {e}"))
}

/// `--decimal`: the decimal mark, `.` or `,`.
pub fn decimal_flag(flag: Option<&str>) -> Result<Option<u8>> {
    match flag {
        None => Ok(None),
        Some(".") => Ok(Some(b'.')),
        Some(",") => Ok(Some(b',')),
        Some(other) => bail!("--decimal {other}: expected \".\" or \",\""),
    }
}
