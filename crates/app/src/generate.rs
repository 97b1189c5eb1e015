//! A realistic company's files from a known stochastic process (`clientele generate`, the demo).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use clientele_synth::{SynthConfig, SynthStats, write_customers, write_orders, write_truth};

/// Opens `path` for writing, gzip-compressed when it ends in ".gz".
fn create(path: &Path) -> Result<Box<dyn Write>> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let buffered = BufWriter::with_capacity(1 << 20, file);
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(flate2::write::GzEncoder::new(
            buffered,
            flate2::Compression::fast(),
        )))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Writes the orders (and, if asked, customers and truth) files of the company `cfg`; returns
/// what was written.
pub fn generate_files(
    cfg: &SynthConfig,
    orders: &Path,
    customers: Option<&Path>,
    truth: Option<&Path>,
) -> Result<SynthStats> {
    cfg.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = create(orders)?;
    let stats =
        write_orders(cfg, &mut out).with_context(|| format!("writing {}", orders.display()))?;
    out.flush()
        .with_context(|| format!("writing {}", orders.display()))?;
    drop(out);
    if let Some(path) = customers {
        let mut out = create(path)?;
        write_customers(cfg, &mut out).with_context(|| format!("writing {}", path.display()))?;
        out.flush()?;
    }
    if let Some(path) = truth {
        let mut out = create(path)?;
        write_truth(cfg, &mut out).with_context(|| format!("writing {}", path.display()))?;
        out.flush()?;
    }
    Ok(stats)
}
