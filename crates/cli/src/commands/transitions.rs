//! `clientele transitions`: the moves between two snapshots, and churn per rung.

use anyhow::Result;
use clientele_app::database::open_store;
use clientele_app::transitions::transitions;
use clientele_core::Rung;
use clientele_store::Transitions;

use crate::args::store::TransitionsArgs;
use crate::report::group_digits;
use crate::runtime::runtime;

pub fn run(args: TransitionsArgs) -> Result<()> {
    let (from, to) = args.days()?;
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let report = transitions(&store, from, to).await?;
        print_transitions(&report.transitions)?;
        outln!("\nchurn per rung over all consecutive snapshots:");
        for c in report.churn.iter().filter(|c| c.at_risk > 0) {
            outln!(
                "  {:<9} {:>6.1}%  ({} of {} lost per {:.0}-day period)",
                c.rung.as_str(),
                c.rate.unwrap_or(0.0) * 100.0,
                c.lost,
                c.at_risk,
                c.mean_period_days.unwrap_or(0.0)
            );
        }
        store.close().await;
        Ok(())
    })
}

fn rung_name(r: Option<Rung>, none: &'static str) -> &'static str {
    r.map_or(none, Rung::as_str)
}

fn print_transitions(t: &Transitions) -> anyhow::Result<()> {
    outln!("ladder transitions {} → {}", t.from, t.to);
    outln!(
        "  up {}  down {}  out (lost) {}  back (returners) {}  same {}  new {}",
        t.up,
        t.down,
        t.out,
        t.back,
        t.same,
        t.new
    );
    outln!(
        "  {:<9} → {:<9} {:>10} {:>16} {:>16}",
        "from",
        "to",
        "customers",
        "revenue",
        "in period"
    );
    for c in &t.matrix {
        outln!(
            "  {:<9} → {:<9} {:>10} {:>16} {:>16}",
            rung_name(c.from, "(new)"),
            rung_name(c.to, "(gone)"),
            group_digits(c.customers as i64),
            c.revenue.to_string(),
            c.period_revenue.to_string()
        );
    }
    Ok(())
}
