//! The `distributed` feature: `--engine datafusion|ballista://HOST:PORT` for `analyze` and
//! `models score`, `clientele export parquet`, and `clientele cluster scheduler|executor`
//! (Ballista nodes with Clientele's functions). The plans themselves live in `clientele-engine`.
//!
//! Exports that are not Parquet are read on this machine by `clientele-ingest` (the same
//! parsing and rejects as without `--engine`) and written to Parquet in a temporary directory
//! first; on a cluster of several machines, give Parquet files on storage every executor reads.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use clientele_core::Day;
use clientele_engine::cluster::{
    ExecutorArgs, SchedulerArgs, block_on, run_executor, run_scheduler,
};
use clientele_engine::job;
use clientele_engine::models::{TransactionKind, TransactionModel, gamma_gamma_params};
use clientele_engine::parquet_out::export_order_files;
use clientele_engine::plans::{MarginRule, ScoreSpec};
use clientele_engine::{Engine, Session};
use clientele_ingest::pipeline::{ImportOptions, OrderImport};

use crate::analyze::{import_options, write_file};
use crate::args::{ImportFlags, ModelName, ModelScoreArgs};
use crate::report::csv_out::{push_csv_text, push_fixed};

/// `clientele cluster …`.
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Run a Ballista scheduler that knows Clientele's functions; prints its URL for --engine.
    Scheduler(SchedulerArgs),
    /// Run a Ballista executor with Clientele's functions for a scheduler.
    Executor(ExecutorArgs),
}

pub fn run(command: ClusterCommand) -> Result<()> {
    match command {
        ClusterCommand::Scheduler(args) => {
            let settings = args.settings();
            println!("Scheduler: ballista://{}", settings.listen);
            block_on(run_scheduler(settings))?;
        }
        ClusterCommand::Executor(args) => {
            let settings = args.settings()?;
            println!(
                "Executor: {}:{} for scheduler {}:{}",
                settings.bind_host, settings.port, settings.scheduler_host, settings.scheduler_port
            );
            block_on(run_executor(settings))?;
        }
    }
    Ok(())
}

/// `clientele export …`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Convert order exports into one Parquet file of order lines (the engine's input): every
    /// accepted row as `analyze` parses it, money exact to four places.
    Parquet(ExportParquetArgs),
}

#[derive(Debug, Args)]
pub struct ExportParquetArgs {
    /// Order exports, read as `clientele analyze` reads them.
    #[arg(required = true, value_name = "ORDERS")]
    pub orders: Vec<PathBuf>,
    /// The Parquet file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Write rejected rows (line, column, reason, raw, file) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportFlags,
}

pub fn export(command: ExportCommand) -> Result<()> {
    let ExportCommand::Parquet(args) = command;
    let options = import_options(&args.import)?;
    let report = export_order_files(&args.orders, &options, &args.out)?;
    if let Some(path) = &args.rejects {
        write_file(path, |w| {
            crate::report::write_rejects_csv(w, &report.rejects)
        })?;
    }
    println!(
        "{}: {} order lines from {} file(s); {} row(s) rejected{}",
        args.out.display(),
        report.lines_written,
        report.files.len(),
        report.rejects.len(),
        match (&args.rejects, report.rejects.is_empty()) {
            (_, true) => String::new(),
            (Some(p), false) => format!(" (see {})", p.display()),
            (None, false) => " (--rejects FILE lists them)".to_string(),
        }
    );
    Ok(())
}

/// The order exports as Parquet files the engine reads: Parquet files as given, other exports
/// converted into one file in `tmp` (with their reports and rejects).
struct EngineInput {
    parquet: Vec<PathBuf>,
    converted: Option<clientele_engine::parquet_out::ExportReport>,
}

fn engine_input(orders: &[PathBuf], options: &ImportOptions, tmp: &Path) -> Result<EngineInput> {
    let is_parquet = |p: &PathBuf| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    };
    if orders.iter().all(is_parquet) {
        return Ok(EngineInput {
            parquet: orders.to_vec(),
            converted: None,
        });
    }
    if orders.iter().any(is_parquet) {
        bail!("--engine: give either Parquet files or other exports, not both");
    }
    let out = tmp.join("orders.parquet");
    let report = export_order_files(orders, options, &out)?;
    Ok(EngineInput {
        parquet: vec![out],
        converted: Some(report),
    })
}

/// `analyze --engine`: the per-customer summaries from the engine, as an import of the given
/// exports (their reports and rejects when they were converted here).
pub fn import_on_engine(
    engine: Option<&str>,
    orders: &[PathBuf],
    options: &ImportOptions,
) -> Result<Option<OrderImport>> {
    let Some(engine) = engine else {
        return Ok(None);
    };
    let engine: Engine = engine.parse()?;
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let input = engine_input(orders, options, tmp.path())?;
    let session = Session::open(&engine, &input.parquet)?;
    let mut import = job::import(&session, &input.parquet, options.as_of)?;
    if let Some(converted) = input.converted {
        // The exports' own reports, with the copies of lines the engine dropped counted where
        // they came from.
        let mut files = converted.files;
        for r in &import.rejects {
            if let Some(f) = files.iter_mut().find(|f| f.path == r.file) {
                f.duplicates += 1;
                f.accepted -= 1;
            }
        }
        let index = |p: &Path| files.iter().position(|f| f.path == p).unwrap_or(0);
        let mut rejects = converted.rejects;
        rejects.extend(import.rejects);
        rejects.sort_by_key(|r| (index(&r.file), r.row.line));
        import.files = files;
        import.rejects = rejects;
    }
    if options.strict
        && let Some(r) = import.rejects.first()
    {
        bail!(
            "{}, line {}, column '{}': {}; --strict refuses the whole import ({} bad row(s) in all)",
            r.file.display(),
            r.row.line,
            r.column,
            r.reason,
            import.rejects.len()
        );
    }
    Ok(Some(import))
}

/// `models score --engine`: fit inputs and scores on the engine, the fits here; the CSV is the
/// one `models score` writes without the engine.
pub fn score_on_engine(engine: &str, args: &ModelScoreArgs) -> Result<()> {
    let input = &args.input;
    if input.summary.is_some() || input.calibration_end.is_some() {
        bail!("--engine scores order exports up to their end: no --summary or --calibration-end");
    }
    let kind = match input.model {
        ModelName::Bgnbd => TransactionKind::BgNbd,
        ModelName::Mbgnbd => TransactionKind::MbgNbd,
        ModelName::Pnbd => TransactionKind::ParetoNbd,
        _ => bail!("--engine scores with bgnbd, mbgnbd or pnbd"),
    };
    let unit_days = input.time_unit.days();
    let horizon_note = crate::models::transaction::check_horizon(args.horizon, unit_days)
        .map_err(|e| anyhow!("--horizon {}: {e}", args.horizon))?;
    if !(args.discount_rate.is_finite() && args.discount_rate > -1.0) {
        bail!(
            "--discount-rate {}: expected an annual rate above -1",
            args.discount_rate
        );
    }
    if let Some(m) = args
        .margin
        .filter(|m| !(m.is_finite() && (-1.0..=1.0).contains(m)))
    {
        bail!("--margin {m}: expected a fraction of revenue between -1 and 1");
    }
    if !(input.penalty.is_finite() && input.penalty >= 0.0) {
        bail!("--penalty {}: expected a number ≥ 0", input.penalty);
    }
    let options = import_options(&input.import)?;
    let engine: Engine = engine.parse()?;
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let source = engine_input(&input.orders, &options, tmp.path())?;
    if let Some(converted) = &source.converted
        && !converted.rejects.is_empty()
    {
        eprintln!(
            "note: {} row(s) not used (a bad value); `clientele export parquet --rejects FILE` lists them",
            converted.rejects.len()
        );
    }
    let session = Session::open(&engine, &source.parquet)?;
    let as_of: Day = job::as_of_day(&session, options.as_of)?;
    let inputs = job::fit_inputs(&session, as_of, unit_days)?;
    if inputs.triples.is_empty() {
        bail!("no customer made a purchase by {as_of}");
    }
    let fit_options = clientele_models::FitOptions {
        penalty: input.penalty,
        ..clientele_models::FitOptions::default()
    };
    let (model, _) = TransactionModel::fit(kind, &inputs.triples, &fit_options)
        .with_context(|| format!("fitting {}", kind.name()))?;
    let gg = if inputs.spend.is_empty() {
        None
    } else {
        match clientele_models::gamma_gamma::fit_weighted(&inputs.spend, &fit_options) {
            Ok(f) => Some(f.model),
            Err(e) => {
                eprintln!("note: no spend or CLV columns: Gamma-Gamma refused: {e}");
                None
            }
        }
    };
    let mut header = vec![
        "customer_id",
        "p_alive",
        "expected_purchases",
        "prob_no_purchase",
    ];
    if gg.is_some() {
        if let Some(note) = &horizon_note {
            eprintln!("note: {note}");
        }
        header.extend(["expected_spend", "clv"]);
        if args.margin.is_some() {
            header.push("clv_profit");
        }
    }
    header.extend([
        "p_alive_at_horizon",
        "median_time_to_next_purchase_if_alive",
    ]);
    let spec = ScoreSpec {
        model,
        spend: gg.as_ref().map(gamma_gamma_params),
        unit_days,
        horizon: args.horizon,
        clv: crate::models::transaction::clv_options(
            args.horizon,
            unit_days,
            args.discount_rate,
            0.0,
        ),
        // `models score` reckons CLV's profit at --margin, and its revenue at any margin.
        margin: MarginRule::Fixed(Some(args.margin.unwrap_or(1.0))),
    };
    let scores = job::scores_by_id(&session, as_of, &spec)?;
    let longest = crate::models::transaction::LONGEST_WAIT_DAYS / unit_days;
    let mut out = Vec::with_capacity(scores.len() * 96 + 256);
    out.extend_from_slice(header.join(",").as_bytes());
    out.push(b'\n');
    for s in &scores {
        push_csv_text(&mut out, &s.customer_id);
        for v in [s.p_alive, s.expected_purchases, s.prob_no_purchase] {
            out.push(b',');
            push_fixed::<6>(&mut out, Some(v));
        }
        if gg.is_some() {
            out.push(b',');
            push_fixed::<4>(&mut out, s.expected_spend);
            out.push(b',');
            push_fixed::<4>(&mut out, s.clv);
            if args.margin.is_some() {
                out.push(b',');
                push_fixed::<4>(&mut out, s.clv_profit);
            }
        }
        out.push(b',');
        push_fixed::<6>(&mut out, Some(s.p_alive_at_horizon));
        out.push(b',');
        push_fixed::<2>(&mut out, s.median_wait.filter(|m| *m < longest));
        out.push(b'\n');
    }
    match &args.out {
        Some(path) => write_file(path, |w| Ok(w.write_all(&out)?)),
        None => Ok(std::io::stdout().lock().write_all(&out)?),
    }
}
