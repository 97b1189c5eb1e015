//! `customers.csv` (one row per customer) and `rejects.csv` (`line, column, reason, raw`).

use std::io::Write;

use clientele_core::{Day, round_half_away_to_i64};

use rayon::prelude::*;

use anyhow::Result;
use clientele_core::{Analysis, CustomerResult, Forecast, stability};
use clientele_ingest::matching_bytes;
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

/// Writes `value` with `DECIMALS` places, rounding half away from zero; empty when undefined.
/// (Integer formatting: `format!("{:.4}")` on floats is several times slower, and this file has
/// millions of rows. The places are a constant so that the divisions by 10^DECIMALS become
/// multiplications.)
pub fn push_fixed<const DECIMALS: u32>(buf: &mut Vec<u8>, value: Option<f64>) {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return;
    };
    let scaled = round_half_away_to_i64(v * 10u64.pow(DECIMALS) as f64);
    push_decimal::<DECIMALS>(buf, scaled < 0, scaled.unsigned_abs());
}

/// The two digits of every number below 100.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `scaled` / 10^DECIMALS with exactly `DECIMALS` places, after a minus sign when `negative`.
/// Written right to left into one small buffer, two digits at a time, and copied once as a
/// fixed 24 bytes, of which the surplus is cut off again: a copy of a length known only at run
/// time is a call to `memcpy`, which costs more than the digits.
fn push_decimal<const DECIMALS: u32>(buf: &mut Vec<u8>, negative: bool, scaled: u64) {
    // The text ends at `END`; at most 22 bytes (20 digits, a point, a sign) precede it, and the
    // fixed-size copy reads `COPY` bytes from where the text starts.
    const END: usize = 40;
    const COPY: usize = 24;
    let mut text = [0u8; END + COPY];
    let mut at = END;
    let scale = 10u64.pow(DECIMALS);
    // The digits are cut off in 32-bit arithmetic where the value allows (nearly always), whose
    // divisions by constants are cheaper than 64-bit ones.
    let (mut whole, mut fraction) = (scaled / scale, (scaled % scale) as u32);
    if DECIMALS > 0 {
        let mut places = DECIMALS;
        while places >= 2 {
            let pair = (fraction % 100) as usize * 2;
            fraction /= 100;
            at -= 2;
            text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
            places -= 2;
        }
        if places == 1 {
            at -= 1;
            text[at] = b'0' + fraction as u8;
        }
        at -= 1;
        text[at] = b'.';
    }
    while whole > u64::from(u32::MAX) {
        let pair = (whole % 100) as usize * 2;
        whole /= 100;
        at -= 2;
        text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    let mut whole = whole as u32;
    while whole >= 100 {
        let pair = (whole % 100) as usize * 2;
        whole /= 100;
        at -= 2;
        text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if whole >= 10 {
        let pair = whole as usize * 2;
        at -= 2;
        text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        text[at] = b'0' + whole as u8;
    }
    if negative {
        at -= 1;
        text[at] = b'-';
    }
    let start = buf.len();
    buf.extend_from_slice(&text[at..at + COPY]);
    buf.truncate(start + (END - at));
}

/// Appends `bytes`. Short ones (most fields: ids, words, numbers) go in as two overlapping
/// fixed-size copies, because a copy of a length known only at run time is a call to `memcpy`,
/// which costs more than the copy for a few bytes, and a row has dozens of fields.
fn push_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    let start = buf.len();
    if (8..=16).contains(&n) {
        buf.extend_from_slice(&bytes[..8]);
        buf.truncate(start + n - 8);
        buf.extend_from_slice(&bytes[n - 8..]);
    } else if (4..8).contains(&n) {
        buf.extend_from_slice(&bytes[..4]);
        buf.truncate(start + n - 4);
        buf.extend_from_slice(&bytes[n - 4..]);
    } else if n < 4 {
        for &b in bytes {
            buf.push(b);
        }
    } else {
        buf.extend_from_slice(bytes);
    }
}

fn push_uint(buf: &mut Vec<u8>, value: u64) {
    // Most counts in a row are below 100; their bytes go in without a copy call.
    if value < 10 {
        buf.push(b'0' + value as u8);
    } else if value < 100 {
        buf.extend_from_slice(&[b'0' + (value / 10) as u8, b'0' + (value % 10) as u8]);
    } else {
        push_decimal::<0>(buf, false, value);
    }
}

fn push_int(buf: &mut Vec<u8>, value: i64) {
    if value < 0 {
        buf.push(b'-');
    }
    push_uint(buf, value.unsigned_abs());
}

/// As `Money`'s `Display` (two decimals, half away from zero), without the formatter.
fn push_money(buf: &mut Vec<u8>, m: clientele_core::Money) {
    let cents = (m.units().unsigned_abs() + 50) / 100;
    push_decimal::<2>(buf, m.units() < 0 && cents != 0, cents);
}

/// As `Day`'s `Display` (`YYYY-MM-DD`), without the formatter: ten bytes in one copy.
fn push_day(buf: &mut Vec<u8>, day: Day) {
    let (y, m, d) = day.ymd();
    if !(0..=9999).contains(&y) {
        let _ = write!(buf, "{day}");
        return;
    }
    let digit = |v: u32| b'0' + (v % 10) as u8;
    let y = y as u32;
    buf.extend_from_slice(&[
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(d / 10),
        digit(d),
    ]);
}

/// [`push_fixed`] as text, for the small files written through the `csv` crate.
fn fixed_text<const DECIMALS: u32>(value: Option<f64>) -> String {
    let mut bytes = Vec::new();
    push_fixed::<DECIMALS>(&mut bytes, value);
    String::from_utf8(bytes).expect("ASCII digits")
}

/// One `customers.csv` row being written straight into a byte buffer: numbers, days and fixed
/// words (which never need quotes) go in as they are; free text is quoted exactly as the `csv`
/// crate quotes it (only when it holds a comma, a quote or a line break; quotes doubled), which
/// a test checks against the crate.
struct RowWriter<'a> {
    out: &'a mut Vec<u8>,
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
        push_bytes(self.next_field(), word.as_bytes());
    }

    /// Free text that `write` appends, quoted afterwards in the rare case it must be.
    fn written(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        let out = self.next_field();
        let start = out.len();
        write(out);
        if needs_quotes(&out[start..]) {
            let text = out.split_off(start);
            push_quoted(out, &text);
        }
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

    fn fixed<const DECIMALS: u32>(&mut self, value: Option<f64>) {
        let out = self.next_field();
        push_fixed::<DECIMALS>(out, value);
    }

    fn end(self) {
        self.out.push(b'\n');
    }
}

/// Whether `text` holds a comma, a quote or a line break, the bytes that make a CSV field need
/// quotes. Read eight bytes at a time with the importer's [`matching_bytes`]: almost no field
/// needs quotes, so every byte of every text field (ids, reasons, categories) is read, a few
/// hundred million at 10M orders.
fn needs_quotes(text: &[u8]) -> bool {
    let special = |word: u64| {
        matching_bytes(word, b',')
            | matching_bytes(word, b'"')
            | matching_bytes(word, b'\n')
            | matching_bytes(word, b'\r')
    };
    let mut words = text.chunks_exact(8);
    for word in &mut words {
        if special(u64::from_ne_bytes(word.try_into().expect("eight bytes"))) != 0 {
            return true;
        }
    }
    // The tail: as the last eight bytes (overlapping bytes already read) when the text has
    // eight, else byte by byte; a copy into a padded word would be a call to `memcpy`.
    let tail = words.remainder();
    if text.len() >= 8 {
        let last: [u8; 8] = text[text.len() - 8..].try_into().expect("eight bytes");
        special(u64::from_ne_bytes(last)) != 0
    } else {
        tail.iter()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    }
}

/// `text` as one CSV field, quoted when it must be (the `csv` crate's `QuoteStyle::Necessary`).
pub fn push_csv_text(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if needs_quotes(bytes) {
        push_quoted(out, bytes);
    } else {
        push_bytes(out, bytes);
    }
}

/// `bytes` in quotes, with quotes doubled.
fn push_quoted(out: &mut Vec<u8>, bytes: &[u8]) {
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
fn write_customer(out: &mut Vec<u8>, c: &CustomerResult, categories: &[String]) {
    let s = c.summary.filter(|s| !s.days.is_empty() || s.returns > 0);
    let p = c.placement();
    let iv = s.and_then(|s| s.intervals());
    let profile = c.profile;
    let mut w = RowWriter { out, first: true };
    w.text(c.id);
    w.word(p.rung.as_str());
    w.written(|out| p.reason.write_bytes(out));
    w.word(p.status().map_or("", |s| s.as_str()));
    w.written(|out| {
        if let Some((_, why)) = p.status {
            why.write_bytes(out);
        }
    });
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
    w.fixed::<2>(iv.map(|i| i.mean));
    w.fixed::<1>(iv.map(|i| i.median));
    w.fixed::<4>(iv.and_then(|i| i.cv));
    // The stability from the gap statistics already at hand (`c.stability()` would compute them
    // again).
    w.fixed::<4>(stability(iv.and_then(|i| i.cv)));
    w.written(|out| {
        if let Some(s) = s {
            for (k, id) in s.categories.iter().enumerate() {
                if k > 0 {
                    out.push(b'|');
                }
                push_bytes(
                    out,
                    categories
                        .get(id.0 as usize)
                        .map_or("", String::as_str)
                        .as_bytes(),
                );
            }
        }
    });
    w.fixed::<4>(s.and_then(|s| s.full_price_share));
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
    w.uint(profile.and_then(|p| p.nps.map(|n| u64::from(n.get()))));
    let f = c.forecast;
    w.fixed::<4>(f.map(|f| f.p_alive));
    w.fixed::<4>(f.map(|f| f.expected_purchases));
    w.fixed::<4>(f.map(|f| f.prob_no_purchase));
    w.fixed::<2>(f.and_then(Forecast::expected_spend));
    w.fixed::<2>(f.and_then(Forecast::clv));
    w.fixed::<2>(f.and_then(Forecast::clv_profit));
    w.day(c.expected_next_purchase(p.rhythm()));
    w.int(c.days_late(p.rhythm()));
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
                        for k in chunk {
                            write_customer(&mut buf, &analysis.customer(k), categories);
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

/// Writes `alerts.csv`: customers late by their own purchase rhythm, by value at stake (the CLV
/// over the horizon expected to be lost: `value_at_stake_{days}`), in `at_stake_order`.
pub fn write_alerts_csv(
    out: impl Write,
    alerts: &[CustomerResult],
    horizon_days: u32,
) -> Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    let clv = format!("clv_{horizon_days}");
    let stake = format!("value_at_stake_{horizon_days}");
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
        stake.as_str(),
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
            fixed_text::<1>(Some(r.mean_gap)),
            fixed_text::<1>(Some(r.spread)),
            fixed_text::<1>(Some(r.late_after)),
            fixed_text::<2>(Some(r.regularity)),
            fixed_text::<4>(f.map(|f| f.p_alive)),
            fixed_text::<2>(f.and_then(Forecast::clv)),
            fixed_text::<2>(c.value_at_stake()),
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

    #[test]
    fn integers_at_every_change_of_length() {
        let mut values = vec![0, u64::MAX, u64::MAX - 1];
        for k in 0..20 {
            let p = 10u64.pow(k);
            values.extend([p - 1, p, p + 1, p.saturating_mul(5)]);
        }
        for v in values {
            let mut ours = b"x".to_vec();
            push_uint(&mut ours, v);
            assert_eq!(String::from_utf8(ours).unwrap(), format!("x{v}"));
        }
    }

    proptest! {
        #[test]
        fn quotes_are_needed_exactly_for_commas_quotes_and_line_breaks(
            text in proptest::collection::vec(
                prop_oneof![40 => any::<u8>(), 1 => Just(b','), 1 => Just(b'"'), 1 => Just(b'\n'), 1 => Just(b'\r')],
                0..40,
            )
        ) {
            let expected = text.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
            prop_assert_eq!(needs_quotes(&text), expected);
        }

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
        fn integers_match_their_display(v in prop_oneof![any::<i64>(), -1000i64..1000]) {
            let mut ours = Vec::new();
            push_int(&mut ours, v);
            prop_assert_eq!(String::from_utf8(ours).unwrap(), v.to_string());
            let mut ours = Vec::new();
            push_uint(&mut ours, v.unsigned_abs());
            prop_assert_eq!(String::from_utf8(ours).unwrap(), v.unsigned_abs().to_string());
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
            match decimals {
                0 => push_fixed::<0>(&mut bytes, Some(v)),
                1 => push_fixed::<1>(&mut bytes, Some(v)),
                2 => push_fixed::<2>(&mut bytes, Some(v)),
                3 => push_fixed::<3>(&mut bytes, Some(v)),
                _ => push_fixed::<4>(&mut bytes, Some(v)),
            }
            let expected = format!("{:.*}", decimals as usize, v);
            // Rounding differs from `format!` only within an ulp of a tie (`v * 10^d` is rounded
            // before it is rounded to an integer); below 1e6 × 10^4 that is ~1e-6 of the cases.
            prop_assert_eq!(String::from_utf8(bytes).unwrap(), expected);
        }
    }
}
