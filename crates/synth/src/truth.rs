//! The truth file: each customer's latent parameters and what their process did, for checking
//! models against what really generated the data.

use std::io::{self, BufWriter, Write};

use crate::config::SynthConfig;
use crate::process::Model;
use crate::text::push_customer_id;

/// The header line of the truth file (without the line break).
pub const TRUTH_HEADER: &str =
    "customer_id,lambda_per_day,p_dropout,nu,dropout_day,purchases,purchase_days";

/// Writes one row per buyer: λ (purchases per day while alive), p (dropout probability after each
/// repeat purchase), ν (Gamma-Gamma spend rate: mean order value is spend p / ν), the day of the
/// purchase after which the customer dropped out (empty if still alive at `end`), the number of
/// BG/NBD transactions (the first included) and the number of distinct purchase days, which is
/// what a day-grained model sees when two transactions share a day. Returns the number of rows.
pub fn write_truth<W: Write>(cfg: &SynthConfig, out: W) -> io::Result<u64> {
    let model = Model::new(cfg)?;
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut buf: Vec<u8> = Vec::with_capacity(128);
    writeln!(out, "{TRUTH_HEADER}")?;
    for index in 0..cfg.customers {
        let mut life = model.customer(index);
        let mut days = 0u32;
        let mut last = None;
        while let Some(day) = life.next_purchase() {
            days += u32::from(last != Some(day));
            last = Some(day);
        }
        buf.clear();
        push_customer_id(&mut buf, index);
        // `{}` on f64 prints the shortest text that reads back to the same number.
        write!(buf, ",{},{},{},", life.lambda, life.p, life.nu)?;
        if let Some(day) = life.dropout() {
            write!(buf, "{day}")?;
        }
        writeln!(buf, ",{},{}", life.purchases(), days)?;
        out.write_all(&buf)?;
    }
    out.flush()?;
    Ok(cfg.customers)
}
