//! `clientele analyze`: import order exports, run the ladder and value analysis, write reports.

use std::fs::{self, File};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clientele_core::{CustomerProfile, Day, DayAmounts, LadderRules, analyze_columns};
use clientele_ingest::columns::parse_map_arg;
use clientele_ingest::customers::read_customers;
use clientele_ingest::pipeline::{ImportOptions, Reject, import_unordered};
use clientele_ingest::sniff::SniffOverrides;
use clientele_ingest::values::{DateFormat, parse_date};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::{AnalyzeArgs, ImportFlags, OutputFormat};
use crate::models::forecast::{FitInputs, ForecastSettings, forecast_all};
use crate::report::{self, ReportInput};
use crate::rules::parse_rules;

/// Parses a date typed by a person: ISO or DD.MM.YYYY.
pub fn parse_user_date(text: &str) -> Result<Day> {
    parse_date(text, DateFormat::Iso)
        .or_else(|_| parse_date(text, DateFormat::DmyDot))
        .map_err(|e| anyhow::anyhow!("'{text}' is not a date (use YYYY-MM-DD or DD.MM.YYYY): {e}"))
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

pub fn import_options(args: &ImportFlags) -> Result<ImportOptions> {
    let map = args
        .map
        .iter()
        .map(|m| parse_map_arg(m).map_err(|e| anyhow::anyhow!("--map {m}: {e}")))
        .collect::<Result<Vec<_>>>()?;
    let date_format = match &args.date_format {
        Some(f) => Some(
            f.parse::<DateFormat>()
                .map_err(|e| anyhow::anyhow!("--date-format {f}: {e}"))?,
        ),
        None => None,
    };
    let decimal = decimal_flag(args.decimal.as_deref())?;
    let as_of = args.as_of.as_deref().map(parse_user_date).transpose()?;
    Ok(ImportOptions {
        overrides: SniffOverrides {
            map,
            date_format,
            decimal,
            has_header: None,
        },
        strict: args.strict,
        as_of,
        // The models read the repeat purchases' value as of the as-of day, which the sums give;
        // `models` with a calibration end asks for every day's amount itself.
        day_amounts: DayAmounts::FirstOnly,
    })
}

pub fn load_rules(path: Option<&Path>) -> Result<LadderRules> {
    match path {
        None => Ok(LadderRules::default()),
        Some(p) => {
            let text = fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            parse_rules(&text).with_context(|| format!("in {}", p.display()))
        }
    }
}

pub fn progress_bar(total: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() || total < (32 << 20) {
        return None;
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .expect("valid template"),
    );
    Some(bar)
}

/// Peak resident memory of this process, from /proc (Linux); `None` elsewhere.
fn peak_rss_bytes() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub fn run(args: AnalyzeArgs) -> Result<()> {
    let started = Instant::now();
    let options = import_options(&args.import)?;
    let rules = load_rules(args.rules.as_deref())?;
    let total_bytes: u64 = args
        .orders
        .iter()
        .map(|p| {
            fs::metadata(p)
                .map(|m| m.len())
                .with_context(|| format!("reading {}", p.display()))
        })
        .sum::<Result<u64>>()?;
    let bar = progress_bar(total_bytes);
    let report_progress = |bytes: u64| {
        if let Some(b) = &bar {
            b.set_position(bytes);
        }
    };
    let settings = ForecastSettings {
        kind: args.model.transaction_kind(),
        horizon_days: f64::from(args.horizon),
        annual_discount_rate: args.discount_rate,
    };
    if settings.kind.is_some() {
        let note = crate::models::transaction::check_horizon(settings.horizon_days, 1.0)
            .map_err(|e| anyhow::anyhow!("--horizon {}: {e}", args.horizon))?;
        if let Some(note) = note {
            eprintln!("note: {note}");
        }
    }
    if !(args.discount_rate.is_finite() && args.discount_rate > -1.0) {
        bail!(
            "--discount-rate {}: expected an annual rate above -1",
            args.discount_rate
        );
    }
    #[cfg(feature = "distributed")]
    let on_engine =
        crate::cluster::import_on_engine(args.engine.as_deref(), &args.orders, &options)?;
    #[cfg(not(feature = "distributed"))]
    let on_engine: Option<clientele_ingest::pipeline::OrderImport> = None;
    let (import, fits, summarised) = match on_engine {
        // The engine summarised the customers; the fits and forecasts are this machine's.
        Some(import) => {
            let summarised = started.elapsed();
            let fits = FitInputs::gather(&import.customers, import.as_of, settings.kind).fit();
            (import, fits, summarised)
        }
        None => {
            let unordered = import_unordered(&args.orders, &options, &report_progress)?;
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            let summarised = started.elapsed();
            // Putting the customers in id order keeps about one core busy; the model fits, which need no
            // order, take the other.
            let fit_inputs =
                FitInputs::gather(unordered.customers(), unordered.as_of(), settings.kind);
            let (import, fits) = rayon::join(|| unordered.into_id_order(), || fit_inputs.fit());
            (import?, fits, summarised)
        }
    };
    let imported = started.elapsed();
    let peak_imported = peak_rss_bytes();

    let (profiles, customer_rejects): (Vec<CustomerProfile>, Vec<Reject>) = match &args.customers {
        Some(path) => read_customers(path, options.strict)?,
        None => (Vec::new(), Vec::new()),
    };
    let (forecasts, model) = forecast_all(&import.customers, import.as_of, settings, fits);
    let modelled = started.elapsed();
    let peak_modelled = peak_rss_bytes();
    let customers = import.customers;
    // Same size with and without the `Some`, so this reuses the vector in place.
    let summaries = customers
        .into_iter()
        .map(|(id, summary)| (id, Some(summary)))
        .collect();
    let analysis = analyze_columns(summaries, forecasts, profiles, &rules, import.as_of);
    let analysed = started.elapsed();
    let peak_analysed = peak_rss_bytes();

    let mut rejects = import.rejects;
    rejects.extend(customer_rejects);
    let input = ReportInput {
        analysis: &analysis,
        files: &import.files,
        rejects: &rejects,
        categories: &import.categories,
        out_dir: args.out.as_deref(),
        model: &model,
        horizon_days: args.horizon,
    };
    if let Some(dir) = &args.out {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        // The small files are written beside the large one, filling the moments its writing
        // leaves a core idle.
        std::thread::scope(|scope| -> Result<()> {
            let small_files = scope.spawn(|| -> Result<()> {
                write_file(&dir.join("rejects.csv"), |w| {
                    report::write_rejects_csv(w, &rejects)
                })?;
                write_file(&dir.join("alerts.csv"), |w| {
                    report::write_alerts_csv(w, &analysis.rhythm_alerts(), args.horizon)
                })
            });
            write_file(&dir.join("customers.csv"), |w| {
                report::write_customers_csv(w, &analysis, &import.categories, args.horizon)
            })?;
            small_files
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Text => out.write_all(report::text_report(&input).as_bytes())?,
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report::json_report(&input))?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    // Freeing millions of small allocations one by one takes longer than the process exit that
    // reclaims them at once.
    std::mem::forget(analysis);
    std::mem::forget(rejects);
    if args.timings {
        let mib = |b: Option<u64>| b.map_or("unknown".to_string(), |b| (b >> 20).to_string());
        eprintln!(
            "timings: import {:.3} s, id order beside the model fits {:.3} s, forecasts {:.3} s, analysis {:.3} s, output {:.3} s, total {:.3} s; peak memory {} MB",
            summarised.as_secs_f64(),
            (imported - summarised).as_secs_f64(),
            (modelled - imported).as_secs_f64(),
            (analysed - modelled).as_secs_f64(),
            (started.elapsed() - analysed).as_secs_f64(),
            started.elapsed().as_secs_f64(),
            mib(peak_rss_bytes()),
        );
        // The high-water mark only rises, so the stage that raised it to the peak is the first
        // whose figure equals it.
        eprintln!(
            "peak memory (MiB) by the end of: id order and fits {}, forecasts {}, analysis {}, output {}",
            mib(peak_imported),
            mib(peak_modelled),
            mib(peak_analysed),
            mib(peak_rss_bytes()),
        );
    }
    Ok(())
}

/// Writes a file through a buffer, naming the file in any error.
pub fn write_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    write(&mut w).with_context(|| format!("writing {}", path.display()))?;
    w.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
