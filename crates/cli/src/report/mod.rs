//! Everything `clientele analyze` writes: the terminal report, the JSON report and the CSV files.
//!
//! Domain types stay free of serialisation; this module owns the output formats and converts
//! explicitly. Column names of `customers.csv` and keys of the JSON report are an interface that
//! scripts depend on: add, never rename.

pub(crate) mod csv_out;
mod json;
mod text;

pub(crate) use csv_out::push_csv_text;
pub use csv_out::{write_alerts_csv, write_customers_csv, write_rejects_csv};
pub use json::json_report;
pub use text::text_report;

use clientele_core::Analysis;
use clientele_ingest::pipeline::{FileReport, Reject};

/// The analysis plus what the import saw, as the reports need it.
pub struct ReportInput<'a> {
    pub analysis: &'a Analysis,
    pub files: &'a [FileReport],
    pub rejects: &'a [Reject],
    pub categories: &'a [String],
    /// Where the CSV files went, if anywhere.
    pub out_dir: Option<&'a std::path::Path>,
    /// The customer-base model behind the forecasts.
    pub model: &'a crate::models::forecast::ModelOutcome,
    pub horizon_days: u32,
}

/// Groups digits in threes with a thin space-free comma, e.g. 1234567 → "1,234,567".
pub fn group_digits(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Money rounded to whole units with grouped digits, for tables a person reads.
pub fn whole_money(m: clientele_core::Money) -> String {
    let units = m.units();
    let scale = clientele_core::Money::SCALE;
    let rounded = if units >= 0 {
        (units + scale / 2) / scale
    } else {
        (units - scale / 2) / scale
    };
    group_digits(rounded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clientele_core::Money;

    #[test]
    fn digit_grouping() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(-1234567), "-1,234,567");
        assert_eq!(whole_money(Money::from_units(12_345_000)), "1,235");
        assert_eq!(whole_money(Money::from_units(-5_000)), "-1");
    }
}
