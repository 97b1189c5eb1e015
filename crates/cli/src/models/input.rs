//! The data a model is fitted on, from either a per-customer summary file or order exports.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clientele_core::{CustomerSummary, Day, DayAmounts};
use clientele_ingest::pipeline::{OrderImport, Reject, import_orders};
use clientele_models::{DiscreteTriple, Triple};
use rayon::prelude::*;

use super::summary_file;
use crate::analyze::{decimal_flag, import_options, parse_user_date};
use crate::args::{ImportFlags, ModelInputArgs, ModelName, TimeUnit};
use crate::report::push_csv_text;

impl TimeUnit {
    /// Days per unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
        }
    }
}

/// What a model needs of one customer: the calibration triple and the spend inputs. Kept apart
/// from [`CustomerRow`] so `analyze` can forecast millions of customers without copying their ids.
#[derive(Clone, Copy, Debug)]
pub struct ModelInputs {
    pub triple: Triple,
    /// Mean value of the repeat purchases (z̄), when known and positive.
    pub mean_value: Option<f64>,
    /// Profit / revenue, when the costs are known.
    pub margin: Option<f64>,
}

/// One customer's calibration summary in the chosen time unit.
#[derive(Clone, Debug)]
pub struct CustomerRow {
    pub id: String,
    pub triple: Triple,
    /// Mean value of the repeat purchases (z̄), when known and positive.
    pub mean_value: Option<f64>,
    /// Profit / revenue, when the costs are known.
    pub margin: Option<f64>,
    /// Purchase days after the calibration end (with order exports and --calibration-end).
    pub holdout: Option<f64>,
    /// The first purchase day (with order exports).
    pub first_purchase: Option<Day>,
    /// Every repeat purchase day, holdout included (only with --calibration-end, for tracking).
    pub repeat_days: Vec<Day>,
}

impl CustomerRow {
    pub fn inputs(&self) -> ModelInputs {
        ModelInputs {
            triple: self.triple,
            mean_value: self.mean_value,
            margin: self.margin,
        }
    }
}

/// What a model is fitted on.
pub enum ModelData {
    /// Continuous-time customers (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma).
    Customers {
        rows: Vec<CustomerRow>,
        /// With order exports: the calibration end and the end of the data (both days).
        split: Option<(Day, Day)>,
    },
    /// BG/BB patterns with weights, and an id per row when the file had one.
    Patterns(Vec<(String, DiscreteTriple, f64)>),
    /// sBG: customers alive at the start of each period, the first being the cohort size.
    Survival(Vec<f64>),
}

pub fn load(args: &ModelInputArgs) -> Result<ModelData> {
    let unit = args.time_unit.days();
    if let Some(path) = &args.summary {
        if args.calibration_end.is_some() {
            bail!("--calibration-end needs order exports: a summary file has no dates to split");
        }
        let decimal = decimal_flag(args.import.decimal.as_deref())?;
        return match args.model {
            ModelName::Bgbb => summary_file::read_patterns(path, decimal),
            ModelName::Sbg => summary_file::read_survival(path, decimal),
            _ => summary_file::read_summary(path, decimal),
        };
    }
    if matches!(args.model, ModelName::Bgbb | ModelName::Sbg) {
        bail!(
            "--model {}: order exports are continuous-time data; give a --summary file with {}",
            if args.model == ModelName::Bgbb {
                "bgbb"
            } else {
                "sbg"
            },
            if args.model == ModelName::Bgbb {
                "frequency,recency,periods,weights"
            } else {
                "period,alive"
            }
        );
    }
    let ImportCut {
        import,
        cut,
        calibration_end: cal_end,
    } = import_cut(&args.orders, &args.import, args.calibration_end.as_deref())?;
    let end = import.as_of;
    // In parallel: one row a customer, millions of them, each with an id of its own. (Collected
    // one by one, the vector grew by doubling: 12 % of `models fit` at 10M orders was copying it
    // and faulting in the pages of each new one.)
    let rows = import
        .customers
        .par_iter()
        .filter_map(|(id, s)| customer_row(id, s, cut, cal_end.is_some(), unit))
        .collect::<Vec<_>>();
    if rows.is_empty() {
        bail!("no customer made a purchase by {cut}");
    }
    Ok(ModelData::Customers {
        rows,
        split: cal_end.map(|c| (c, end)),
    })
}

/// Order exports imported for a summary up to `cut`: the calibration end when there is one, else
/// the end of the data.
pub struct ImportCut {
    pub import: OrderImport,
    pub cut: Day,
    pub calibration_end: Option<Day>,
}

/// Imports order exports for the models, checking that a calibration end leaves a holdout.
pub fn import_cut(
    orders: &[PathBuf],
    flags: &ImportFlags,
    calibration_end: Option<&str>,
) -> Result<ImportCut> {
    let mut options = import_options(flags)?;
    if calibration_end.is_some() {
        // The spend inputs are the repeat purchases up to the calibration end, a part of the
        // purchase days that the sums alone cannot give.
        options.day_amounts = DayAmounts::Every;
    }
    let import = import_orders(orders, &options, &|_| {})?;
    report_rejects(&import.rejects);
    let end = import.as_of;
    let calibration_end = match calibration_end {
        Some(text) => {
            let day = parse_user_date(text).context("--calibration-end")?;
            if day >= end {
                bail!("--calibration-end {day} leaves no holdout: the data end on {end}");
            }
            Some(day)
        }
        None => None,
    };
    Ok(ImportCut {
        import,
        cut: calibration_end.unwrap_or(end),
        calibration_end,
    })
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

/// Rows the import did not use, where and why, on standard error (standard output carries the
/// command's result): the first few in full, then how many more.
fn report_rejects(rejects: &[Reject]) {
    const SHOWN: usize = 10;
    if rejects.is_empty() {
        return;
    }
    eprintln!(
        "note: {} row(s) not used (a bad value, or a line exported twice):",
        rejects.len()
    );
    for r in rejects.iter().take(SHOWN) {
        let column = if r.column.is_empty() {
            String::new()
        } else {
            format!(", column '{}'", r.column)
        };
        eprintln!(
            "  {}, line {}{column}: {}",
            r.file.display(),
            r.row.line,
            r.reason
        );
    }
    if rejects.len() > SHOWN {
        eprintln!(
            "  and {} more: `clientele analyze … --out DIR` writes every one to DIR/rejects.csv; --strict refuses such files",
            rejects.len() - SHOWN
        );
    }
}

/// The summary of one customer's purchase days up to `cut`, in units of `unit` days; `None` for
/// a customer whose first purchase comes later (they are not in the calibration cohort).
pub fn customer_row(
    id: &str,
    s: &CustomerSummary,
    cut: Day,
    with_holdout: bool,
    unit: f64,
) -> Option<CustomerRow> {
    let (inputs, n) = calibration(s, cut, unit)?;
    Some(CustomerRow {
        id: id.to_string(),
        triple: inputs.triple,
        mean_value: inputs.mean_value,
        margin: inputs.margin,
        holdout: with_holdout.then(|| (s.days.len() - n) as f64),
        first_purchase: s.days.first().copied(),
        repeat_days: if with_holdout {
            s.days[1..].to_vec()
        } else {
            Vec::new()
        },
    })
}

/// [`customer_row`] without the id and the holdout: what a fit and a forecast need.
pub fn model_inputs(s: &CustomerSummary, cut: Day, unit: f64) -> Option<ModelInputs> {
    calibration(s, cut, unit).map(|(inputs, _)| inputs)
}

/// The (x, t_x, T) of the purchase days up to `cut`, and how many purchase days that is.
fn calibration_triple(s: &CustomerSummary, cut: Day, unit: f64) -> Option<(Triple, usize)> {
    let first = *s.days.first()?;
    if first > cut {
        return None;
    }
    let n = s.days.partition_point(|&d| d <= cut);
    let last = s.days[n - 1];
    let triple = Triple::new(
        (n - 1) as f64,
        f64::from(last.days_since(first)) / unit,
        f64::from(cut.days_since(first)) / unit,
    );
    Some((triple, n))
}

/// The model inputs of purchases up to `cut`, and how many purchase days that is.
fn calibration(s: &CustomerSummary, cut: Day, unit: f64) -> Option<(ModelInputs, usize)> {
    let (triple, n) = calibration_triple(s, cut, unit)?;
    let x = triple.x;
    let repeat_value = s
        .repeat_value(n)
        .expect("a calibration end before the data's end imports every day's amount")
        .to_f64();
    let mean_value = (n > 1 && repeat_value > 0.0).then(|| repeat_value / x);
    let revenue = s.revenue.to_f64();
    let margin = (s.cost_complete && revenue > 0.0).then(|| s.profit().to_f64() / revenue);
    let inputs = ModelInputs {
        triple,
        mean_value,
        margin,
    };
    Some((inputs, n))
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
