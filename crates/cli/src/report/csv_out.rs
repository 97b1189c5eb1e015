//! `customers.csv` (one row per customer) and `rejects.csv` (`line, column, reason, raw`).

use std::fmt::{Display, Write as _};
use std::io::Write;

use rayon::prelude::*;

use anyhow::Result;
use clientele_core::CustomerResult;
use clientele_ingest::pipeline::Reject;

/// The fixed columns of `customers.csv`, in order; the forecast columns follow
/// ([`customer_columns`]). Scripts depend on these names.
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

/// All columns of `customers.csv` for a forecast horizon of `horizon_days`.
pub fn customer_columns(horizon_days: u32) -> Vec<String> {
    let mut columns: Vec<String> = CUSTOMER_COLUMNS.iter().map(|c| c.to_string()).collect();
    let h = horizon_days;
    columns.extend([
        "p_alive".to_string(),
        format!("expected_purchases_{h}"),
        format!("prob_no_purchase_{h}"),
        "expected_spend".to_string(),
        format!("clv_{h}"),
        format!("clv_profit_{h}"),
        "next_purchase_expected".to_string(),
        "days_late".to_string(),
    ]);
    columns
}

/// Writes `value` with `decimals` places, rounding half away from zero; empty when undefined.
/// (Integer formatting: `format!("{:.4}")` on floats is several times slower, and this file has
/// millions of rows.)
fn push_fixed(buf: &mut String, value: Option<f64>, decimals: u32) {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return;
    };
    let scale = 10i64.pow(decimals);
    let scaled = (v * scale as f64).round() as i64;
    if scaled < 0 {
        buf.push('-');
    }
    let abs = scaled.unsigned_abs();
    let _ = write!(buf, "{}", abs / scale as u64);
    if decimals > 0 {
        let _ = write!(
            buf,
            ".{:0width$}",
            abs % scale as u64,
            width = decimals as usize
        );
    }
}

fn push_opt(buf: &mut String, value: Option<impl Display>) {
    if let Some(v) = value {
        let _ = write!(buf, "{v}");
    }
}

/// One customer's row, field by field, through one reused text buffer.
fn write_customer(
    w: &mut csv::Writer<Vec<u8>>,
    buf: &mut String,
    c: &CustomerResult,
    categories: &[String],
) -> csv::Result<()> {
    let s = c
        .summary
        .as_ref()
        .filter(|s| !s.days.is_empty() || s.returns > 0);
    let p = &c.placement;
    let iv = s.and_then(|s| s.intervals());
    let profile = c.profile.as_ref();
    let mut field = |w: &mut csv::Writer<Vec<u8>>, fill: &dyn Fn(&mut String)| {
        buf.clear();
        fill(buf);
        w.write_field(buf.as_bytes())
    };
    w.write_field(c.id.as_bytes())?;
    w.write_field(p.rung.as_str())?;
    field(w, &|b| push_opt(b, Some(p.reason)))?;
    w.write_field(p.status().map_or("", |s| s.as_str()))?;
    field(w, &|b| push_opt(b, p.status.map(|(_, why)| why)))?;
    w.write_field(c.subgroup.map_or("", |g| g.as_str()))?;
    w.write_field(p.strategy().as_str())?;
    field(w, &|b| push_opt(b, Some(p.turn)))?;
    w.write_field(if p.is_returner() { "true" } else { "false" })?;
    w.write_field(p.previous_rung.map_or("", |r| r.as_str()))?;
    field(w, &|b| push_opt(b, s.map(|s| s.orders)))?;
    field(w, &|b| push_opt(b, s.map(|s| s.returns)))?;
    field(w, &|b| push_opt(b, s.map(|s| s.purchase_days())))?;
    field(w, &|b| push_opt(b, s.map(|s| s.frequency())))?;
    field(w, &|b| push_opt(b, s.and_then(|s| s.first_purchase)))?;
    field(w, &|b| push_opt(b, s.and_then(|s| s.last_purchase)))?;
    field(w, &|b| push_opt(b, s.and_then(|s| s.recency_days())))?;
    field(w, &|b| push_opt(b, s.and_then(|s| s.tenure_days())))?;
    field(w, &|b| push_opt(b, s.and_then(|s| s.days_since_last())))?;
    field(w, &|b| push_opt(b, s.map(|s| s.revenue)))?;
    field(w, &|b| push_opt(b, s.map(|s| s.cost)))?;
    field(w, &|b| push_opt(b, s.map(|s| s.profit())))?;
    field(w, &|b| push_opt(b, s.and_then(|s| s.average_order_value())))?;
    field(w, &|b| push_fixed(b, iv.map(|i| i.mean), 2))?;
    field(w, &|b| push_fixed(b, iv.map(|i| i.median), 1))?;
    field(w, &|b| push_fixed(b, iv.and_then(|i| i.cv), 4))?;
    field(w, &|b| push_fixed(b, c.stability, 4))?;
    field(w, &|b| {
        if let Some(s) = s {
            for (k, id) in s.categories.iter().enumerate() {
                if k > 0 {
                    b.push('|');
                }
                b.push_str(categories.get(id.0 as usize).map_or("", String::as_str));
            }
        }
    })?;
    field(w, &|b| push_fixed(b, s.and_then(|s| s.full_price_share), 4))?;
    w.write_field(c.abc.map_or("", |a| a.as_str()))?;
    field(w, &|b| {
        if let Some(r) = c.rfm {
            let _ = write!(b, "{}{}{}", r.recency, r.frequency, r.monetary);
        }
    })?;
    w.write_field(c.rfm.map_or("", |r| r.segment().as_str()))?;
    field(w, &|b| push_opt(b, Some(c.referrals)))?;
    field(w, &|b| {
        push_opt(b, (c.referrals > 0).then_some(c.referred_revenue))
    })?;
    w.write_field(if profile.is_some_and(|p| p.image_client) {
        "true"
    } else {
        "false"
    })?;
    w.write_field(profile.and_then(|p| p.manager.as_deref()).unwrap_or(""))?;
    field(w, &|b| {
        push_opt(b, profile.and_then(|p| p.nps.map(|n| n.get())))
    })?;
    let f = c.forecast.as_ref();
    field(w, &|b| push_fixed(b, f.map(|f| f.p_alive), 4))?;
    field(w, &|b| push_fixed(b, f.map(|f| f.expected_purchases), 4))?;
    field(w, &|b| push_fixed(b, f.map(|f| f.prob_no_purchase), 4))?;
    field(w, &|b| push_fixed(b, f.and_then(|f| f.expected_spend), 2))?;
    field(w, &|b| push_fixed(b, f.and_then(|f| f.clv), 2))?;
    field(w, &|b| push_fixed(b, f.and_then(|f| f.clv_profit), 2))?;
    field(w, &|b| push_opt(b, c.expected_next_purchase()))?;
    field(w, &|b| push_opt(b, c.days_late()))?;
    w.write_record(None::<&[u8]>)
}

/// Writes one row per customer, in the analysis order (by customer id). Rows are formatted in
/// parallel, a batch at a time, and written in order.
pub fn write_customers_csv(
    mut out: impl Write,
    customers: &[CustomerResult],
    categories: &[String],
    horizon_days: u32,
) -> Result<()> {
    let mut header = csv::WriterBuilder::new().from_writer(Vec::new());
    header.write_record(customer_columns(horizon_days))?;
    out.write_all(&header.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    const CHUNK: usize = 8_192;
    for batch in customers.chunks(CHUNK * 32) {
        let buffers: Vec<Result<Vec<u8>>> = batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut w =
                    csv::WriterBuilder::new().from_writer(Vec::with_capacity(chunk.len() * 200));
                let mut buf = String::new();
                for c in chunk {
                    write_customer(&mut w, &mut buf, c, categories)?;
                }
                w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
            })
            .collect();
        for b in buffers {
            out.write_all(&b?)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Writes `alerts.csv`: customers late by their own purchase rhythm, by value at stake.
pub fn write_alerts_csv(
    out: impl Write,
    alerts: &[&CustomerResult],
    horizon_days: u32,
) -> Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    let clv = format!("clv_{horizon_days}");
    w.write_record([
        "customer_id",
        "rung",
        "status",
        "reason",
        "last_purchase",
        "expected_purchase",
        "days_late",
        "mean_gap_days",
        "spread_days",
        "late_after_days",
        "regularity",
        "p_alive",
        clv.as_str(),
        "revenue",
        "strategy",
    ])?;
    let mut buf = String::new();
    for c in alerts {
        let Some((status, reason)) = c.placement.status else {
            continue;
        };
        let (Some(r), Some(s)) = (reason.rhythm(), c.summary.as_ref()) else {
            continue;
        };
        let (Some(last), Some(since)) = (s.last_purchase, s.days_since_last()) else {
            continue;
        };
        let fixed = |buf: &mut String, v: Option<f64>, d: u32| {
            buf.clear();
            push_fixed(buf, v, d);
            buf.clone()
        };
        let f = c.forecast.as_ref();
        w.write_record([
            c.id.clone(),
            c.placement.rung.as_str().to_string(),
            status.as_str().to_string(),
            reason.to_string(),
            last.to_string(),
            last.plus_days(r.mean_gap.round() as i32).to_string(),
            format!("{}", r.days_late(since).round().max(0.0) as i64),
            fixed(&mut buf, Some(r.mean_gap), 1),
            fixed(&mut buf, Some(r.spread), 1),
            fixed(&mut buf, Some(r.late_after), 1),
            fixed(&mut buf, Some(r.regularity), 2),
            fixed(&mut buf, f.map(|f| f.p_alive), 4),
            fixed(&mut buf, f.and_then(|f| f.clv), 2),
            c.revenue().to_string(),
            c.placement.strategy().as_str().to_string(),
        ])?;
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
