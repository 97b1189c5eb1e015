//! `customers.csv` (one row per customer) and `rejects.csv` (`line, column, reason, raw`).

use std::fmt::{Display, Write as _};
use std::io::Write;

use clientele_core::Day;

use rayon::prelude::*;

use anyhow::Result;
use clientele_core::{Analysis, CustomerResult, Forecast, stability};
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
fn push_fixed(buf: &mut Vec<u8>, value: Option<f64>, decimals: u32) {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return;
    };
    let scale = 10i64.pow(decimals);
    let scaled = (v * scale as f64).round() as i64;
    if scaled < 0 {
        buf.push(b'-');
    }
    let abs = scaled.unsigned_abs();
    push_uint(buf, abs / scale as u64);
    if decimals > 0 {
        buf.push(b'.');
        push_zero_padded(buf, abs % scale as u64, decimals as usize);
    }
}

fn push_uint(buf: &mut Vec<u8>, value: u64) {
    buf.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn push_int(buf: &mut Vec<u8>, value: i64) {
    buf.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// `value` in at least `width` digits, zeros in front.
fn push_zero_padded(buf: &mut Vec<u8>, value: u64, width: usize) {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(value);
    buf.extend(std::iter::repeat_n(
        b'0',
        width.saturating_sub(digits.len()),
    ));
    buf.extend_from_slice(digits.as_bytes());
}

/// As `Money`'s `Display` (two decimals, half away from zero), without the formatter.
fn push_money(buf: &mut Vec<u8>, m: clientele_core::Money) {
    let cents = (m.units().abs() + 50) / 100;
    if m.units() < 0 && cents != 0 {
        buf.push(b'-');
    }
    push_uint(buf, (cents / 100) as u64);
    buf.push(b'.');
    push_zero_padded(buf, (cents % 100) as u64, 2);
}

/// As `Day`'s `Display` (`YYYY-MM-DD`), without the formatter.
fn push_day(buf: &mut Vec<u8>, day: Day) {
    let (y, m, d) = day.ymd();
    if !(0..=9999).contains(&y) {
        let _ = write!(buf, "{day}");
        return;
    }
    push_zero_padded(buf, y as u64, 4);
    buf.push(b'-');
    push_zero_padded(buf, u64::from(m), 2);
    buf.push(b'-');
    push_zero_padded(buf, u64::from(d), 2);
}

/// [`push_fixed`] as text, for the small files written through the `csv` crate.
fn fixed_text(value: Option<f64>, decimals: u32) -> String {
    let mut bytes = Vec::new();
    push_fixed(&mut bytes, value, decimals);
    String::from_utf8(bytes).expect("ASCII digits")
}

/// One `customers.csv` row being written straight into a byte buffer: numbers, days and fixed
/// words (which never need quotes) go in as they are; free text is quoted exactly as the `csv`
/// crate quotes it (only when it holds a comma, a quote or a line break; quotes doubled), which
/// a test checks against the crate.
struct RowWriter<'a> {
    out: &'a mut Vec<u8>,
    /// Scratch for text produced by `Display`, checked for quoting before it is copied.
    scratch: String,
    first: bool,
}

impl RowWriter<'_> {
    fn next_field(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out
    }

    fn text(&mut self, text: &str) {
        let out = self.next_field();
        push_csv_text(out, text);
    }

    /// A word from a fixed vocabulary (rung, status, ...): no quoting needed.
    fn word(&mut self, word: &'static str) {
        debug_assert!(!needs_quotes(word.as_bytes()));
        self.next_field().extend_from_slice(word.as_bytes());
    }

    fn display(&mut self, value: Option<impl Display>) {
        let Some(value) = value else {
            self.next_field();
            return;
        };
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let _ = write!(scratch, "{value}");
        self.text(&scratch);
        self.scratch = scratch;
    }

    fn uint(&mut self, value: Option<u64>) {
        let out = self.next_field();
        if let Some(v) = value {
            push_uint(out, v);
        }
    }

    fn int(&mut self, value: Option<i64>) {
        let out = self.next_field();
        if let Some(v) = value {
            push_int(out, v);
        }
    }

    fn money(&mut self, value: Option<clientele_core::Money>) {
        let out = self.next_field();
        if let Some(m) = value {
            push_money(out, m);
        }
    }

    fn day(&mut self, value: Option<Day>) {
        let out = self.next_field();
        if let Some(d) = value {
            push_day(out, d);
        }
    }

    fn fixed(&mut self, value: Option<f64>, decimals: u32) {
        let out = self.next_field();
        push_fixed(out, value, decimals);
    }

    fn end(self) {
        self.out.push(b'\n');
    }
}

fn needs_quotes(text: &[u8]) -> bool {
    text.iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// `text` as one CSV field, quoted when it must be (the `csv` crate's `QuoteStyle::Necessary`).
fn push_csv_text(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !needs_quotes(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for &b in bytes {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// One customer's row, field by field, in [`customer_columns`] order.
fn write_customer(
    out: &mut Vec<u8>,
    scratch: &mut String,
    c: &CustomerResult,
    categories: &[String],
) {
    let s = c.summary.filter(|s| !s.days.is_empty() || s.returns > 0);
    let p = c.placement();
    let iv = s.and_then(|s| s.intervals());
    let profile = c.profile;
    let mut w = RowWriter {
        out,
        scratch: std::mem::take(scratch),
        first: true,
    };
    w.text(c.id);
    w.word(p.rung.as_str());
    w.display(Some(p.reason));
    w.word(p.status().map_or("", |s| s.as_str()));
    w.display(p.status.map(|(_, why)| why));
    w.word(c.subgroup.map_or("", |g| g.as_str()));
    w.word(p.strategy().as_str());
    w.uint(Some(u64::from(p.turn)));
    w.word(if p.is_returner() { "true" } else { "false" });
    w.word(p.previous_rung.map_or("", |r| r.as_str()));
    w.uint(s.map(|s| u64::from(s.orders)));
    w.uint(s.map(|s| u64::from(s.returns)));
    w.uint(s.map(|s| u64::from(s.purchase_days())));
    w.uint(s.map(|s| u64::from(s.frequency())));
    w.day(s.and_then(|s| s.first_purchase()));
    w.day(s.and_then(|s| s.last_purchase()));
    w.int(s.and_then(|s| s.recency_days()).map(i64::from));
    w.int(s.and_then(|s| s.tenure_days()).map(i64::from));
    w.int(s.and_then(|s| s.days_since_last()).map(i64::from));
    w.money(s.map(|s| s.revenue));
    w.money(s.map(|s| s.cost));
    w.money(s.map(|s| s.profit()));
    w.money(s.and_then(|s| s.average_order_value()));
    w.fixed(iv.map(|i| i.mean), 2);
    w.fixed(iv.map(|i| i.median), 1);
    w.fixed(iv.and_then(|i| i.cv), 4);
    // The stability from the gap statistics already at hand (`c.stability()` would compute them
    // again).
    w.fixed(stability(iv.and_then(|i| i.cv)), 4);
    {
        let mut joined = std::mem::take(&mut w.scratch);
        joined.clear();
        if let Some(s) = s {
            for (k, id) in s.categories.iter().enumerate() {
                if k > 0 {
                    joined.push('|');
                }
                joined.push_str(categories.get(id.0 as usize).map_or("", String::as_str));
            }
        }
        w.text(&joined);
        w.scratch = joined;
    }
    w.fixed(s.and_then(|s| s.full_price_share), 4);
    w.word(c.abc.map_or("", |a| a.as_str()));
    {
        let out = w.next_field();
        if let Some(r) = c.rfm {
            push_uint(out, u64::from(r.recency));
            push_uint(out, u64::from(r.frequency));
            push_uint(out, u64::from(r.monetary));
        }
    }
    w.word(c.rfm.map_or("", |r| r.segment().as_str()));
    w.uint(Some(u64::from(c.referrals)));
    w.money((c.referrals > 0).then_some(c.referred_revenue));
    w.word(if profile.is_some_and(|p| p.image_client) {
        "true"
    } else {
        "false"
    });
    w.text(profile.and_then(|p| p.manager.as_deref()).unwrap_or(""));
    w.display(profile.and_then(|p| p.nps.map(|n| n.get())));
    let f = c.forecast;
    w.fixed(f.map(|f| f.p_alive), 4);
    w.fixed(f.map(|f| f.expected_purchases), 4);
    w.fixed(f.map(|f| f.prob_no_purchase), 4);
    w.fixed(f.and_then(Forecast::expected_spend), 2);
    w.fixed(f.and_then(Forecast::clv), 2);
    w.fixed(f.and_then(Forecast::clv_profit), 2);
    w.day(c.expected_next_purchase(p.rhythm()));
    w.int(c.days_late(p.rhythm()));
    *scratch = std::mem::take(&mut w.scratch);
    w.end();
}

/// Writes one row per customer, in the analysis order (by customer id). Rows are formatted in
/// parallel, a chunk per task, on another thread while this one writes the finished chunks in
/// order: the file's writing overlaps the formatting of what follows.
pub fn write_customers_csv(
    mut out: impl Write,
    analysis: &Analysis,
    categories: &[String],
    horizon_days: u32,
) -> Result<()> {
    let mut header = csv::WriterBuilder::new().from_writer(Vec::new());
    header.write_record(customer_columns(horizon_days))?;
    out.write_all(&header.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    const CHUNK: usize = 8_192;
    // Room for a typical row (280-340 bytes with the forecast columns), so that a chunk's buffer
    // is not copied into a larger one halfway through.
    const ROW_BYTES: usize = 384;
    // Written buffers go back to the formatters: a fresh multi-megabyte buffer per chunk would
    // cost its page faults again and again.
    let pool: &std::sync::Mutex<Vec<Vec<u8>>> = &std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| -> Result<()> {
        // A few batches in flight bound the memory held by formatted text.
        let (formatted, to_write) = std::sync::mpsc::sync_channel::<Vec<u8>>(64);
        scope.spawn(move || {
            let n = analysis.len();
            for batch in (0..n).step_by(CHUNK * 32) {
                let buffers: Vec<Vec<u8>> = (batch..n.min(batch + CHUNK * 32))
                    .into_par_iter()
                    .step_by(CHUNK)
                    .map(|chunk| {
                        let chunk = chunk..n.min(chunk + CHUNK);
                        let mut buf = pool
                            .lock()
                            .expect("no formatter panicked")
                            .pop()
                            .unwrap_or_default();
                        buf.clear();
                        buf.reserve(chunk.len() * ROW_BYTES);
                        let mut scratch = String::new();
                        for k in chunk {
                            write_customer(
                                &mut buf,
                                &mut scratch,
                                &analysis.customer(k),
                                categories,
                            );
                        }
                        buf
                    })
                    .collect();
                for b in buffers {
                    if formatted.send(b).is_err() {
                        return; // the writer stopped on an error, which it reports
                    }
                }
            }
        });
        for b in to_write {
            out.write_all(&b)?;
            pool.lock().expect("no formatter panicked").push(b);
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(())
}

/// Writes `alerts.csv`: customers late by their own purchase rhythm, by value at stake.
pub fn write_alerts_csv(
    out: impl Write,
    alerts: &[CustomerResult],
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
    for c in alerts {
        let placement = c.placement();
        let Some((status, reason)) = placement.status else {
            continue;
        };
        let (Some(r), Some(s)) = (reason.rhythm(), c.summary) else {
            continue;
        };
        let (Some(last), Some(expected), Some(days_late)) = (
            s.last_purchase(),
            c.expected_next_purchase(Some(r)),
            c.days_late(Some(r)),
        ) else {
            continue;
        };
        let f = c.forecast;
        w.write_record([
            c.id.to_string(),
            placement.rung.as_str().to_string(),
            status.as_str().to_string(),
            reason.to_string(),
            last.to_string(),
            expected.to_string(),
            days_late.to_string(),
            fixed_text(Some(r.mean_gap), 1),
            fixed_text(Some(r.spread), 1),
            fixed_text(Some(r.late_after), 1),
            fixed_text(Some(r.regularity), 2),
            fixed_text(f.map(|f| f.p_alive), 4),
            fixed_text(f.and_then(Forecast::clv), 2),
            c.revenue().to_string(),
            placement.strategy().as_str().to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use clientele_core::Money;
    use proptest::prelude::*;

    /// How the `csv` crate writes `text` as the first of two fields (the reference).
    fn csv_crate_field(text: &str) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record([text, "x"]).unwrap();
        let mut bytes = w.into_inner().unwrap();
        assert!(bytes.ends_with(b",x\n"));
        bytes.truncate(bytes.len() - 3);
        bytes
    }

    #[test]
    fn quotes_like_the_csv_crate_on_known_cases() {
        for text in [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            "Иванов, ООО",
        ] {
            let mut ours = Vec::new();
            push_csv_text(&mut ours, text);
            assert_eq!(ours, csv_crate_field(text), "{text:?}");
        }
        let mut ours = Vec::new();
        push_csv_text(&mut ours, "a,\"b\"");
        assert_eq!(ours, b"\"a,\"\"b\"\"\"");
    }

    proptest! {
        #[test]
        fn text_fields_match_the_csv_crate(text in "[a-zЖ ,\"\r\n|;'#]{0,12}") {
            let mut ours = Vec::new();
            push_csv_text(&mut ours, &text);
            prop_assert_eq!(ours, csv_crate_field(&text));
        }

        #[test]
        fn money_matches_its_display(units in any::<i64>().prop_map(|u| u / 4)) {
            let m = Money::from_units(units);
            let mut ours = Vec::new();
            push_money(&mut ours, m);
            prop_assert_eq!(String::from_utf8(ours).unwrap(), m.to_string());
        }

        #[test]
        fn days_match_their_display(n in -800_000i32..3_000_000) {
            let day = Day::from_ymd(1970, 1, 1).unwrap().plus_days(n);
            let mut ours = Vec::new();
            push_day(&mut ours, day);
            prop_assert_eq!(String::from_utf8(ours).unwrap(), day.to_string());
        }

        #[test]
        fn fixed_point_matches_format(v in -1e6f64..1e6, decimals in 0u32..5) {
            let mut bytes = Vec::new();
            push_fixed(&mut bytes, Some(v), decimals);
            let expected = format!("{:.*}", decimals as usize, v);
            // Rounding differs from `format!` only within an ulp of a tie (`v * 10^d` is rounded
            // before it is rounded to an integer); below 1e6 × 10^4 that is ~1e-6 of the cases.
            prop_assert_eq!(String::from_utf8(bytes).unwrap(), expected);
        }
    }
}
