//! `customers.csv` (one row per customer) and `rejects.csv` (`line, column, reason, raw`).

use std::io::Write;

use anyhow::Result;
use clientele_core::CustomerResult;
use clientele_ingest::pipeline::Reject;

/// The columns of `customers.csv`, in order. Scripts depend on these names.
pub const CUSTOMER_COLUMNS: &[&str] = &[
    "customer_id",
    "rung",
    "rung_reason",
    "status",
    "status_reason",
    "subgroup",
    "strategy",
    "turn",
    "returner",
    "previous_rung",
    "orders",
    "returns",
    "purchase_days",
    "frequency",
    "first_purchase",
    "last_purchase",
    "recency_days",
    "tenure_days",
    "days_since_last",
    "revenue",
    "cost",
    "profit",
    "average_order_value",
    "interval_mean_days",
    "interval_median_days",
    "interval_cv",
    "stability",
    "categories",
    "full_price_share",
    "abc",
    "rfm",
    "rfm_segment",
    "referrals",
    "referred_revenue",
    "image_client",
    "manager",
    "nps",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

fn ratio(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.4}"))
}

/// Writes one row per customer, in the analysis order (by customer id).
pub fn write_customers_csv(
    out: impl Write,
    customers: &[CustomerResult],
    categories: &[String],
) -> Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(CUSTOMER_COLUMNS)?;
    let mut row: Vec<String> = Vec::with_capacity(CUSTOMER_COLUMNS.len());
    for c in customers {
        row.clear();
        let s = c
            .summary
            .as_ref()
            .filter(|s| !s.days.is_empty() || s.returns > 0);
        let p = &c.placement;
        let iv = s.and_then(|s| s.intervals());
        let profile = c.profile.as_ref();
        row.push(c.id.clone());
        row.push(p.rung.as_str().into());
        row.push(p.reason.to_string());
        row.push(opt(p.status().map(|s| s.as_str())));
        row.push(opt(p.status.map(|(_, why)| why)));
        row.push(opt(c.subgroup.map(|g| g.as_str())));
        row.push(p.strategy().as_str().into());
        row.push(p.turn.to_string());
        row.push(p.is_returner().to_string());
        row.push(opt(p.previous_rung.map(|r| r.as_str())));
        row.push(opt(s.map(|s| s.orders)));
        row.push(opt(s.map(|s| s.returns)));
        row.push(opt(s.map(|s| s.purchase_days())));
        row.push(opt(s.map(|s| s.frequency())));
        row.push(opt(s.and_then(|s| s.first_purchase)));
        row.push(opt(s.and_then(|s| s.last_purchase)));
        row.push(opt(s.and_then(|s| s.recency_days())));
        row.push(opt(s.and_then(|s| s.tenure_days())));
        row.push(opt(s.and_then(|s| s.days_since_last())));
        row.push(opt(s.map(|s| s.revenue)));
        row.push(opt(s.map(|s| s.cost)));
        row.push(opt(s.map(|s| s.profit())));
        row.push(opt(s.and_then(|s| s.average_order_value())));
        row.push(iv.map_or_else(String::new, |i| format!("{:.2}", i.mean)));
        row.push(iv.map_or_else(String::new, |i| format!("{:.1}", i.median)));
        row.push(ratio(iv.and_then(|i| i.cv)));
        row.push(ratio(c.stability));
        row.push(s.map_or_else(String::new, |s| {
            s.categories
                .iter()
                .filter_map(|id| categories.get(id.0 as usize))
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("|")
        }));
        row.push(ratio(s.and_then(|s| s.full_price_share)));
        row.push(opt(c.abc.map(|a| a.as_str())));
        row.push(opt(c.rfm.map(|r| r.code())));
        row.push(opt(c.rfm.map(|r| r.segment().as_str())));
        row.push(c.referrals.to_string());
        row.push(if c.referrals > 0 {
            c.referred_revenue.to_string()
        } else {
            String::new()
        });
        row.push(profile.is_some_and(|p| p.image_client).to_string());
        row.push(opt(profile.and_then(|p| p.manager.clone())));
        row.push(opt(profile.and_then(|p| p.nps.map(|n| n.get()))));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the rejected rows: `line, column, reason, raw, file` (line numbers are 1-based lines of
/// the file, or sheet rows of a workbook).
pub fn write_rejects_csv(out: impl Write, rejects: &[Reject]) -> Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(["line", "column", "reason", "raw", "file"])?;
    for r in rejects {
        w.write_record([
            r.row.line.to_string().as_str(),
            r.column.as_str(),
            r.reason.as_str(),
            r.raw.as_str(),
            r.file.display().to_string().as_str(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
