//! `clientele score`: a dated snapshot of every customer in the store, and the ladder it gives.

use anyhow::Result;
use clientele_app::ModelOutcome;
use clientele_app::database::open_store;
use clientele_app::score::score_store;

use crate::args::store::ScoreArgs;
use crate::report::group_digits;
use crate::runtime::runtime;

pub fn run(args: ScoreArgs) -> Result<()> {
    let settings = args.settings()?;
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let scored = score_store(&store, &settings, &|_| {}).await?;
        print_model_note(&scored.model);
        outln!(
            "snapshot {}: {} customers",
            scored.as_of,
            group_digits(scored.customers as i64)
        );
        for row in &scored.analysis.ladder {
            outln!(
                "  {:<9} {:>10} customers  {:>16} revenue",
                row.rung.as_str(),
                group_digits(row.total.customers as i64),
                row.total.revenue.to_string()
            );
        }
        store.close().await;
        Ok(())
    })
}

/// What to know about the model behind a snapshot (refused, not converged), on standard error.
pub fn print_model_note(model: &ModelOutcome) {
    if let Some(note) = model.note() {
        eprintln!("note: {note}");
    }
}
