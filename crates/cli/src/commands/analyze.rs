//! `clientele analyze`: the analysis of order exports, with a progress bar, phase timings and
//! the reports (terminal, JSON, CSV files).

use std::fs;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clientele_app::analyze::{AnalyzeProgress, AnalyzeSettings, AnalyzeStage, Analyzed, analyze};
use clientele_server::web::i18n::Tr;
use indicatif::ProgressBar;

use crate::args::analyze::{AnalyzeArgs, OutputFormat, report_lang};
use crate::output::{progress_bar, write_file};
use crate::report::{self, ReportInput};

/// The progress bar, and when each stage ended with the peak memory by then.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    stages: Mutex<Vec<(AnalyzeStage, Duration, Option<u64>)>>,
}

impl AnalyzeProgress for Progress {
    fn bytes_read(&self, bytes: u64) {
        if let Some(b) = &self.bar {
            b.set_position(bytes);
        }
    }

    fn stage_done(&self, stage: AnalyzeStage) {
        if stage == AnalyzeStage::Read
            && let Some(b) = &self.bar
        {
            b.finish_and_clear();
        }
        // The import's figure is its time alone: the high-water mark is read from the stage
        // after it on.
        let peak = (stage != AnalyzeStage::Read).then(peak_rss_bytes).flatten();
        let mut stages = self.stages.lock().unwrap_or_else(|p| p.into_inner());
        stages.push((stage, self.started.elapsed(), peak));
    }
}

impl Progress {
    /// When `stage` ended, and the peak memory by then.
    fn at(&self, stage: AnalyzeStage) -> (Duration, Option<u64>) {
        let stages = self.stages.lock().unwrap_or_else(|p| p.into_inner());
        stages
            .iter()
            .find(|(s, _, _)| *s == stage)
            .map_or((Duration::ZERO, None), |(_, at, peak)| (*at, *peak))
    }
}

/// Peak resident memory of this process, from /proc (Linux); `None` elsewhere.
fn peak_rss_bytes() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub fn run(args: AnalyzeArgs) -> Result<()> {
    run_with(args, &|settings, progress| analyze(settings, progress))
}

/// How the customers are analysed: on this machine ([`analyze`]), or from order lines summarised
/// elsewhere (the `distributed` feature's engine).
pub type Analyse<'a> = &'a dyn Fn(&AnalyzeSettings, &dyn AnalyzeProgress) -> Result<Analyzed>;

/// `clientele analyze` with the customers analysed by `analyse`: the same progress, timings and
/// reports whichever it is.
pub fn run_with(args: AnalyzeArgs, analyse: Analyse<'_>) -> Result<()> {
    let started = Instant::now();
    let settings = args.settings()?;
    let total_bytes: u64 = args
        .orders
        .iter()
        .map(|p| {
            fs::metadata(p)
                .map(|m| m.len())
                .with_context(|| format!("reading {}", p.display()))
        })
        .sum::<Result<u64>>()?;
    if let Some(note) = settings.forecast.check()? {
        eprintln!("note: {note}");
    }
    let progress = Progress {
        bar: progress_bar(total_bytes),
        started,
        stages: Mutex::new(Vec::new()),
    };
    let analyzed = analyse(&settings, &progress)?;
    let analysis = &analyzed.analysis;
    let input = ReportInput {
        analysis,
        files: &analyzed.files,
        rejects: &analyzed.rejects,
        categories: &analyzed.categories,
        out_dir: args.out.as_deref(),
        model: &analyzed.model,
        horizon_days: args.horizon,
    };
    if let Some(dir) = &args.out {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        // The small files are written beside the large one, filling the moments its writing
        // leaves a core idle.
        std::thread::scope(|scope| -> Result<()> {
            let small_files = scope.spawn(|| -> Result<()> {
                write_file(&dir.join("rejects.csv"), |w| {
                    report::write_rejects_csv(w, &analyzed.rejects)
                })?;
                write_file(&dir.join("alerts.csv"), |w| {
                    report::write_alerts_csv(w, &analysis.rhythm_alerts(), args.horizon)
                })
            });
            write_file(&dir.join("customers.csv"), |w| {
                report::write_customers_csv(w, analysis, &analyzed.categories, args.horizon)
            })?;
            small_files
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Text => {
            let tr = Tr::new(report_lang(args.lang));
            out.write_all(report::text_report(&input, &tr).as_bytes())?
        }
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report::json_report(&input))?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    // Freeing millions of small allocations one by one takes longer than the process exit that
    // reclaims them at once.
    std::mem::forget(analyzed);
    if args.timings {
        print_timings(&progress, started.elapsed());
    }
    Ok(())
}

/// Phase timings and the peak memory by the end of each, on standard error.
fn print_timings(progress: &Progress, total: Duration) {
    let mib = |b: Option<u64>| b.map_or("unknown".to_string(), |b| (b >> 20).to_string());
    let (summarised, _) = progress.at(AnalyzeStage::Read);
    let (imported, peak_imported) = progress.at(AnalyzeStage::IdOrderAndFits);
    let (modelled, peak_modelled) = progress.at(AnalyzeStage::Forecasts);
    let (analysed, peak_analysed) = progress.at(AnalyzeStage::Analysis);
    eprintln!(
        "timings: import {:.3} s, id order beside the model fits {:.3} s, forecasts {:.3} s, analysis {:.3} s, output {:.3} s, total {:.3} s; peak memory {} MB",
        summarised.as_secs_f64(),
        (imported - summarised).as_secs_f64(),
        (modelled - imported).as_secs_f64(),
        (analysed - modelled).as_secs_f64(),
        (total - analysed).as_secs_f64(),
        total.as_secs_f64(),
        mib(peak_rss_bytes()),
    );
    // The high-water mark only rises, so the stage that raised it to the peak is the first whose
    // figure equals it.
    eprintln!(
        "peak memory (MiB) by the end of: id order and fits {}, forecasts {}, analysis {}, output {}",
        mib(peak_imported),
        mib(peak_modelled),
        mib(peak_analysed),
        mib(peak_rss_bytes()),
    );
}
