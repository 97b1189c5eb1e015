//! The `distributed` feature's `analyze` and `models score`: the per-customer work on an engine
//! (`--engine datafusion|ballista://HOST:PORT`), or order lines read from Parquet on this
//! machine (`analyze orders.parquet`). The plans themselves live in `clientele-engine`; after the
//! summaries, `analyze` is the single-machine code (`clientele_app::analyze::analyze_summarised`),
//! and `models score` writes the CSV `models score` writes without the engine.
//!
//! Exports that are not Parquet are read on this machine by `clientele-ingest` (the same
//! parsing and rejects as without `--engine`) and written to Parquet in a temporary directory
//! first; on a cluster of several machines, give Parquet files on storage every executor reads.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clientele_app::SpendModel;
use clientele_app::analyze::{AnalyzeProgress, AnalyzeSettings, Analyzed, analyze_summarised};
use clientele_app::models::{CustomerScore, Model, ModelSource, ValueScore, fit_for_scores};
use clientele_engine::parquet_in::import_order_files;
use clientele_engine::parquet_out::{ExportReport, export_order_files};
use clientele_engine::plans::{MarginRule, ScoreSpec};
use clientele_engine::{Engine, Session, job};
use clientele_ingest::pipeline::{ImportOptions, OrderImport};
use clientele_models::transaction;

use super::analyze::run_with;
use super::models::score::{transaction_header, write_output, write_row};
use crate::args::analyze::AnalyzeArgs;
use crate::args::models::ModelScoreArgs;

pub use clientele_engine::parquet_in::is_parquet;

/// `clientele analyze` on `engine`, or from Parquet files on this machine when `engine` is
/// `None`.
pub fn analyze(args: AnalyzeArgs) -> Result<()> {
    let engine = args.engine.clone();
    let timeout = Duration::from_secs(args.engine_timeout);
    run_with(args, &|settings, progress| {
        analyze_with(engine.as_ref(), timeout, settings, progress)
    })
}

fn analyze_with(
    engine: Option<&Engine>,
    timeout: Duration,
    settings: &AnalyzeSettings,
    progress: &dyn AnalyzeProgress,
) -> Result<Analyzed> {
    let import = match engine {
        Some(engine) => {
            let import = import_on_engine(engine, timeout, &settings.orders, &settings.import)?;
            refuse_when_strict(&settings.import, &import)?;
            import
        }
        None => import_order_files(&settings.orders, &settings.import)?,
    };
    analyze_summarised(settings, import, progress)
}

/// The order exports as Parquet files the engine reads: Parquet files as given, other exports
/// converted into one file in `tmp` (with their reports and rejects).
struct EngineInput {
    parquet: Vec<PathBuf>,
    converted: Option<ExportReport>,
}

fn engine_input(orders: &[PathBuf], options: &ImportOptions, tmp: &Path) -> Result<EngineInput> {
    if orders.iter().all(|p| is_parquet(p)) {
        return Ok(EngineInput {
            parquet: orders.to_vec(),
            converted: None,
        });
    }
    if orders.iter().any(|p| is_parquet(p)) {
        bail!("--engine: give either Parquet files or other exports, not both");
    }
    let out = tmp.join("orders.parquet");
    let report = export_order_files(orders, options, &out)?;
    Ok(EngineInput {
        parquet: vec![out],
        converted: Some(report),
    })
}

/// The per-customer summaries from the engine, as an import of the given exports (with their
/// reports and rejects when they were converted here).
fn import_on_engine(
    engine: &Engine,
    timeout: Duration,
    orders: &[PathBuf],
    options: &ImportOptions,
) -> Result<OrderImport> {
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let input = engine_input(orders, options, tmp.path())?;
    let session = Session::open_with_timeout(engine, &input.parquet, timeout)?;
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
        rejects.append(&mut import.rejects);
        rejects.sort_by_key(|r| (index(&r.file), r.row.line));
        import.files = files;
        import.rejects = rejects;
    }
    Ok(import)
}

/// `--strict` refuses the whole import on its first rejected row, as without the engine.
fn refuse_when_strict(options: &ImportOptions, import: &OrderImport) -> Result<()> {
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
    Ok(())
}

/// `models score --engine` (or of Parquet files): fit inputs and scores on the engine, the fits
/// here; the CSV is the one `models score` writes without the engine.
pub fn score(args: ModelScoreArgs) -> Result<()> {
    // Parquet order lines without an engine are scored by DataFusion on this machine.
    let engine = args.engine.clone().unwrap_or(Engine::DataFusion);
    let engine = &engine;
    let settings = args.input.settings()?;
    let ModelSource::Orders {
        paths,
        import: options,
    } = &settings.source
    else {
        bail!("--engine scores order exports: no --summary");
    };
    if settings.calibration_end.is_some() {
        bail!("--engine scores order exports up to their end: no --calibration-end");
    }
    let Model::Transaction(kind) = settings.model else {
        bail!("--engine scores with bgnbd, mbgnbd or pnbd");
    };
    let horizon = args.horizon();
    let horizon_note = horizon.check(settings.model, settings.time_unit)?;
    let fit_options = settings.fit_options()?;
    let unit_days = settings.time_unit.days();
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let source = engine_input(paths, options, tmp.path())?;
    if let Some(converted) = &source.converted {
        if options.strict
            && let Some(r) = converted.rejects.first()
        {
            bail!(
                "{}, line {}, column '{}': {}; --strict refuses the whole import",
                r.file.display(),
                r.row.line,
                r.column,
                r.reason
            );
        }
        if !converted.rejects.is_empty() {
            eprintln!(
                "note: {} row(s) not used (a bad value); `clientele export parquet --rejects FILE` lists them",
                converted.rejects.len()
            );
        }
    }
    let timeout = Duration::from_secs(args.engine_timeout);
    let session = Session::open_with_timeout(engine, &source.parquet, timeout)?;
    let as_of = job::as_of_day(&session, options.as_of)?;
    let inputs = job::fit_inputs(&session, as_of, unit_days)?;
    if inputs.triples.is_empty() {
        bail!("no customer made a purchase by {as_of}");
    }
    let fits = fit_for_scores(kind, &inputs.triples, &inputs.spend, &fit_options)?;
    let with_profit = args.margin.is_some();
    let header = transaction_header(
        fits.spend_note.as_deref(),
        fits.spend.is_some(),
        with_profit,
        horizon_note.as_deref(),
    );
    let spec = ScoreSpec {
        model: fits.model,
        spend: match &fits.spend {
            Some(SpendModel::GammaGamma(gg)) => Some(gg.params()),
            Some(SpendModel::Constant(_)) => bail!(
                "spend does not vary between customers: the engine scores with a fitted \
                 Gamma-Gamma only; score without --engine"
            ),
            None => None,
        },
        unit_days,
        horizon: horizon.horizon,
        clv: transaction::clv_options(horizon.horizon, unit_days, horizon.discount_rate, 0.0),
        margin: MarginRule::Fixed(args.margin),
    };
    let scores = job::scores_by_id(&session, as_of, &spec)?;
    // Medians of a century or more are left empty, as without the engine.
    let longest = transaction::LONGEST_WAIT_DAYS / unit_days;
    let mut head = header.join(",").into_bytes();
    head.push(b'\n');
    let rows: Vec<Vec<u8>> = scores
        .chunks(4096)
        .map(|chunk| {
            let mut out = Vec::with_capacity(chunk.len() * 96);
            for s in chunk {
                let score = CustomerScore {
                    p_alive: s.p_alive,
                    expected_purchases: s.expected_purchases,
                    prob_no_purchase: s.prob_no_purchase,
                    value: fits.spend.as_ref().map(|_| ValueScore {
                        expected_spend: s.expected_spend,
                        clv: s.clv,
                        clv_profit: s.clv_profit,
                    }),
                    p_alive_at_horizon: s.p_alive_at_horizon,
                    median_time_to_next_purchase_if_alive: s.median_wait.filter(|m| *m < longest),
                };
                write_row(&mut out, &s.customer_id, &score, with_profit);
            }
            out
        })
        .collect();
    write_output(args.out.as_deref(), &head, &rows)
}
