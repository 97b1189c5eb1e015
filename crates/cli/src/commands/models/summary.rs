//! `clientele models summary`: lifetimes' per-customer summary columns of order exports, cut at
//! the calibration end when there is one, as CSV.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Result;
use clientele_app::calibration::calibration;
use clientele_app::models::{ImportCut, TimeUnit, import_cut};
use clientele_core::{CustomerSummary, Day};
use rayon::prelude::*;

use super::rejects::report_rejects;
use crate::args::models::{ModelSummaryArgs, calibration_end};
use crate::output::write_file;
use crate::report::push_csv_text;

pub fn run(args: ModelSummaryArgs) -> Result<()> {
    let unit = TimeUnit::from(args.time_unit).days();
    let options = args.import.options()?;
    let calibration_end = calibration_end(args.calibration_end.as_deref())?;
    let ImportCut {
        import,
        cut,
        calibration_end,
    } = import_cut(&args.orders, &options, calibration_end, &mut report_rejects)?;
    let holdout_length = calibration_end.map(|c| f64::from(import.as_of.days_since(c)) / unit);
    let write =
        |w: &mut dyn Write| write_summary_csv(w, &import.customers, cut, unit, holdout_length);
    let written = match &args.out {
        Some(path) => write_file(path, write),
        None => {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            let written = write(&mut w).and_then(|()| Ok(w.flush()?));
            // A reader that stops early (`| head`) is not an error.
            match written {
                Err(e)
                    if e.downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
                {
                    Ok(())
                }
                other => other,
            }
        }
    };
    // Freeing a summary per customer one by one takes longer than the process exit that
    // reclaims them at once (a twentieth of the command's time at a million orders).
    std::mem::forget(import);
    written
}

/// Writes lifetimes' summary columns for every customer whose first purchase is by `cut`, in id
/// order: `frequency` (repeat purchase days), `recency` and `T` in units of `unit` days, and
/// `monetary_value` (the mean amount of the repeat purchase days, 0 without any); with
/// `holdout_length` (in units) also each customer's purchase days after `cut` and that length.
/// Rows are formatted in parallel, a chunk at a time.
pub fn write_summary_csv(
    out: &mut dyn Write,
    customers: &[(Box<str>, CustomerSummary)],
    cut: Day,
    unit: f64,
    holdout_length: Option<f64>,
) -> Result<()> {
    let mut header = vec!["customer_id", "frequency", "recency", "T", "monetary_value"];
    if holdout_length.is_some() {
        header.extend(["frequency_holdout", "duration_holdout"]);
    }
    writeln!(out, "{}", header.join(","))?;
    for batch in customers.chunks(1 << 20) {
        let parts = batch
            .par_chunks(1 << 14)
            .map(|chunk| summary_rows(chunk, cut, unit, holdout_length))
            .collect::<Result<Vec<Vec<u8>>>>()?;
        for part in parts {
            out.write_all(&part)?;
        }
    }
    Ok(())
}

/// [`write_summary_csv`]'s rows for `customers`, without the header: the fields as the `csv`
/// crate would write them (the id quoted when it must be), the numbers as `{}` writes them.
fn summary_rows(
    customers: &[(Box<str>, CustomerSummary)],
    cut: Day,
    unit: f64,
    holdout_length: Option<f64>,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(customers.len() * 48);
    let mut digits = ryu::Buffer::new();
    let mut field = |out: &mut Vec<u8>, v: f64| {
        out.push(b',');
        push_shortest(out, &mut digits, v);
    };
    for (id, s) in customers {
        let Some((inputs, n)) = calibration(s, cut, unit) else {
            continue;
        };
        let triple = inputs.triple;
        push_csv_text(&mut out, id);
        field(&mut out, triple.x);
        field(&mut out, triple.t_x);
        field(&mut out, triple.t);
        // lifetimes writes 0 where there is no repeat purchase, or none of any value.
        field(&mut out, inputs.mean_value.unwrap_or(0.0));
        if let Some(length) = holdout_length {
            field(&mut out, (s.days.len() - n) as f64);
            field(&mut out, length);
        }
        out.push(b'\n');
    }
    Ok(out)
}

/// `v` in the shortest digits that read back as `v`, never with an exponent, without `.0` on
/// whole numbers: what `format!("{v}")` writes, through `ryu`, which finds the digits in a
/// fraction of the time. When `v` lies exactly halfway between two shortest candidates
/// (−25559824101616.0625), `ryu` takes the even one, as Python's `repr` does (…062), where Rust's
/// `{}` rounds up (…063); either reads back as `v`. `ryu` writes an exponent outside
/// 10⁻⁵..10¹⁶: those values take `{}`.
fn push_shortest(out: &mut Vec<u8>, digits: &mut ryu::Buffer, v: f64) {
    if v == 0.0 || (v.is_finite() && (1e-5..1e16).contains(&v.abs())) {
        let text = digits.format_finite(v);
        let text = text.strip_suffix(".0").unwrap_or(text);
        // Display writes −0 as "-0", and ryu as "-0.0": the same once the suffix is gone.
        out.extend_from_slice(text.as_bytes());
    } else {
        let mut text = String::new();
        write!(text, "{v}").expect("writing to a String");
        out.extend_from_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shortest(v: f64) -> String {
        let mut out = Vec::new();
        push_shortest(&mut out, &mut ryu::Buffer::new(), v);
        String::from_utf8(out).unwrap()
    }

    /// What every written number must be: `v` again when read back, no exponent, and no
    /// longer than what `{}` writes.
    fn check(v: f64) -> Result<(), String> {
        let text = shortest(v);
        let display = format!("{v}");
        if !v.is_finite() {
            return (text == display).then_some(()).ok_or(text);
        }
        let back: f64 = text.parse().map_err(|_| text.clone())?;
        let ok =
            back.to_bits() == v.to_bits() && !text.contains('e') && text.len() <= display.len();
        ok.then_some(()).ok_or(format!("{text} against {display}"))
    }

    #[test]
    fn shortest_numbers_at_the_edges() {
        for v in [
            0.0,
            -0.0,
            1.0,
            23.0,
            0.1,
            1e-5,
            9.99e-6,
            1e15,
            9_999_999_999_999_998.0,
            1e16,
            1e300,
            5e-324,
            730.0 / 7.0,
            3899.5963636363635,
            f64::NAN,
            f64::INFINITY,
            -1.5,
        ] {
            assert_eq!(shortest(v), format!("{v}"), "{v:e}");
        }
        // Exactly halfway between two 17-digit candidates: the even one, as Python's repr.
        let tie = f64::from_bits(14_030_752_554_601_738_256); // −25559824101616.0625 exactly
        assert_eq!(shortest(tie), "-25559824101616.062");
        assert_eq!(format!("{tie}"), "-25559824101616.063");
    }

    proptest! {
        #[test]
        fn shortest_numbers_read_back_exactly(bits in any::<u64>()) {
            prop_assert_eq!(check(f64::from_bits(bits)), Ok(()));
        }

        #[test]
        fn summary_sized_numbers_read_back_exactly(
            whole in 0u32..100_000, part in 0u32..1_000_000, scale in 0u32..8,
        ) {
            // Counts, days, weeks (a seventh) and means of money, as the summary writes them.
            let v = f64::from(whole) + f64::from(part) / 10f64.powi(scale as i32);
            prop_assert_eq!(check(v), Ok(()));
            prop_assert_eq!(check(v / 7.0), Ok(()));
        }
    }
}
