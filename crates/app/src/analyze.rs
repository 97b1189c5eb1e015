//! Analysing order exports without a store (`clientele analyze`): read the files, fit the
//! customer-base model beside putting the customers in id order, forecast every customer, and
//! place them on the loyalty ladder. Writing the reports is the caller's.

use std::path::PathBuf;

use anyhow::Result;
use clientele_core::{Analysis, CustomerProfile, LadderRules, analyze_columns};
use clientele_ingest::customers::read_customers;
use clientele_ingest::pipeline::{
    FileReport, ImportOptions, OrderImport, Reject, import_unordered,
};

use crate::forecast::{FitInputs, Fits, ForecastSettings, ModelOutcome, forecast_all};

/// What to analyse, and how.
#[derive(Clone, Debug)]
pub struct AnalyzeSettings {
    /// Order exports: CSV, TSV, semicolon-separated, space-padded text or .xlsx, maybe gzipped.
    pub orders: Vec<PathBuf>,
    /// A customers file: prospects, visitors and profile data.
    pub customers: Option<PathBuf>,
    /// How the order exports are read (and the as-of day).
    pub import: ImportOptions,
    pub rules: LadderRules,
    pub forecast: ForecastSettings,
}

/// The stages of an analysis, reported as each ends (a caller times them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalyzeStage {
    /// The order files are read and every customer summarised.
    Read,
    /// The customers are in id order, and the models fitted beside that.
    IdOrderAndFits,
    /// The customers file is read and every customer forecast.
    Forecasts,
    /// Every customer is placed on the ladder, with the aggregates.
    Analysis,
}

/// What an analysis tells its caller as it goes. Called from the reading threads too.
pub trait AnalyzeProgress: Sync {
    /// Bytes of the order files read so far.
    fn bytes_read(&self, _bytes: u64) {}
    /// `stage` has just ended.
    fn stage_done(&self, _stage: AnalyzeStage) {}
}

/// No progress reported.
impl AnalyzeProgress for () {}

/// The analysis and what the import saw.
#[derive(Debug)]
pub struct Analyzed {
    pub analysis: Analysis,
    /// Per order file: rows read, accepted, rejected and how its format was understood.
    pub files: Vec<FileReport>,
    /// The rejected rows of the order files, then those of the customers file.
    pub rejects: Vec<Reject>,
    pub categories: Vec<String>,
    /// The customer-base model behind the forecasts.
    pub model: ModelOutcome,
}

/// Reads the order exports (and the customers file) and analyses every customer.
pub fn analyze(settings: &AnalyzeSettings, progress: &dyn AnalyzeProgress) -> Result<Analyzed> {
    settings.forecast.check()?;
    let unordered = import_unordered(&settings.orders, &settings.import, &|bytes| {
        progress.bytes_read(bytes)
    })?;
    progress.stage_done(AnalyzeStage::Read);
    // Putting the customers in id order keeps about one core busy; the model fits, which need no
    // order, take the other.
    let fit_inputs = FitInputs::gather(
        unordered.customers(),
        unordered.as_of(),
        settings.forecast.kind,
    );
    let (import, fits) = rayon::join(|| unordered.into_id_order(), || fit_inputs.fit());
    let import = import?;
    progress.stage_done(AnalyzeStage::IdOrderAndFits);
    forecast_and_place(settings, import, fits, progress)
}

/// [`analyze`] of customers summarised elsewhere: `import` holds every customer's summary in id
/// order, with the files' reports and rejects, as `clientele_ingest::pipeline::import_orders`
/// answers (the distributed engine summarises on a cluster what `analyze` reads on this
/// machine). `settings.orders` and `settings.import` are not read again; the customers file is.
pub fn analyze_summarised(
    settings: &AnalyzeSettings,
    import: OrderImport,
    progress: &dyn AnalyzeProgress,
) -> Result<Analyzed> {
    settings.forecast.check()?;
    progress.stage_done(AnalyzeStage::Read);
    let fits = FitInputs::gather(&import.customers, import.as_of, settings.forecast.kind).fit();
    progress.stage_done(AnalyzeStage::IdOrderAndFits);
    forecast_and_place(settings, import, fits, progress)
}

/// The customers file read, every customer forecast with `fits` and placed on the ladder.
fn forecast_and_place(
    settings: &AnalyzeSettings,
    import: OrderImport,
    fits: Fits,
    progress: &dyn AnalyzeProgress,
) -> Result<Analyzed> {
    let (profiles, customer_rejects): (Vec<CustomerProfile>, Vec<Reject>) =
        match &settings.customers {
            Some(path) => read_customers(path, settings.import.strict)?,
            None => (Vec::new(), Vec::new()),
        };
    let (forecasts, model) = forecast_all(&import.customers, import.as_of, settings.forecast, fits);
    progress.stage_done(AnalyzeStage::Forecasts);
    // Same size with and without the `Some`, so this reuses the vector in place.
    let summaries = import
        .customers
        .into_iter()
        .map(|(id, summary)| (id, Some(summary)))
        .collect();
    let analysis = analyze_columns(
        summaries,
        forecasts,
        profiles,
        &settings.rules,
        import.as_of,
    );
    progress.stage_done(AnalyzeStage::Analysis);
    let mut rejects = import.rejects;
    rejects.extend(customer_rejects);
    Ok(Analyzed {
        analysis,
        files: import.files,
        rejects,
        categories: import.categories,
        model,
    })
}
