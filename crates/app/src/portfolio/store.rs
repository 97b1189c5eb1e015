//! The portfolio from the store: one pass over the order lines (`Store::scan_portfolio`) gives
//! monthly sales, buyers, advocates and the baskets; the baskets are spilled to an anonymous
//! temporary file (4 bytes a line) and read back for the core's two bundle passes, so memory
//! holds the per-product sums and the pair counters, never the order lines.

use std::io::{BufReader, BufWriter, Read, Seek, Write};

use anyhow::{Context, Result};
use clientele_core::Day;
use clientele_core::portfolio::{BundleError, ItemPass, MonthSales, PairPass, ProductId};
use clientele_store::Store;

use super::products_file::stored_products;
use super::{PortfolioAnswer, PortfolioSettings, ProductTable, finish};

/// The portfolio of the store's order lines up to `settings.as_of` (default: the last order
/// day). An empty store answers an empty portfolio dated today's last order day or `as_of`.
pub async fn portfolio_from_store(
    store: &Store,
    settings: &PortfolioSettings,
    today: Day,
) -> Result<PortfolioAnswer> {
    settings.check()?;
    let as_of = match settings.as_of {
        Some(d) => d,
        None => store.last_order_day().await?.unwrap_or(today),
    };
    let known = stored_products(store).await?;
    // One pass over the order lines; the baskets go to a spill file, read back twice by the
    // core's two bundle passes.
    let mut spill = BasketSpill::new()?;
    let scan = store
        .scan_portfolio(as_of, &mut |basket: &[u32]| spill.push(basket))
        .await?;
    let mut table = ProductTable::default();
    for p in &scan.products {
        let i = table.id(&p.product) as usize;
        table.line_category[i] = p.category.clone();
        table.customers[i] = p.customers;
        table.advocates[i] = p.advocates;
    }
    let sales: Vec<MonthSales> = scan
        .months
        .iter()
        .map(|m| MonthSales {
            product: ProductId(m.product),
            month: m.month,
            revenue: m.revenue,
            margin: m.cost.map(|c| m.revenue - c),
            // Not read by the analysis, which counts buyers over the whole history.
            customers: 0,
        })
        .collect();
    let products = table.names.len();
    let mut baskets = spill.finish()?;
    let mut items = ItemPass::new(products, settings.bundle_options());
    baskets.for_each(&mut |b| items.add_basket(b))?;
    let mut pairs: PairPass = items.into_pair_pass();
    baskets.for_each(&mut |b| pairs.add_basket(b))?;
    let bundles = pairs.finish();
    Ok(finish(
        table,
        &known,
        sales,
        bundles,
        as_of,
        scan.advocates_known,
    ))
}

/// Baskets written to an anonymous temporary file as they stream by: each a length, then its
/// product indices (little-endian u32). Write errors are kept and reported by `finish`.
struct BasketSpill {
    out: BufWriter<std::fs::File>,
    failed: Option<std::io::Error>,
}

impl BasketSpill {
    fn new() -> Result<BasketSpill> {
        let file = tempfile::tempfile().context("creating a temporary file for the baskets")?;
        Ok(BasketSpill {
            out: BufWriter::with_capacity(1 << 20, file),
            failed: None,
        })
    }

    fn push(&mut self, basket: &[u32]) {
        if self.failed.is_some() {
            return;
        }
        let mut write = || -> std::io::Result<()> {
            self.out.write_all(&(basket.len() as u32).to_le_bytes())?;
            for p in basket {
                self.out.write_all(&p.to_le_bytes())?;
            }
            Ok(())
        };
        if let Err(e) = write() {
            self.failed = Some(e);
        }
    }

    fn finish(self) -> Result<SpilledBaskets> {
        if let Some(e) = self.failed {
            return Err(e).context("writing the baskets to a temporary file");
        }
        let file = self
            .out
            .into_inner()
            .map_err(|e| e.into_error())
            .context("writing the baskets to a temporary file")?;
        Ok(SpilledBaskets { file })
    }
}

/// The spilled baskets, read from the start on each pass.
struct SpilledBaskets {
    file: std::fs::File,
}

impl SpilledBaskets {
    fn for_each(
        &mut self,
        each: &mut dyn FnMut(&[ProductId]) -> Result<(), BundleError>,
    ) -> Result<()> {
        let reading = "reading the baskets back from their temporary file";
        self.file.rewind().context(reading)?;
        let mut input = BufReader::with_capacity(1 << 20, &self.file);
        let mut word = [0u8; 4];
        let mut bytes: Vec<u8> = Vec::new();
        let mut basket: Vec<ProductId> = Vec::new();
        loop {
            match input.read_exact(&mut word) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e).context(reading),
            }
            let len = u32::from_le_bytes(word) as usize;
            bytes.resize(4 * len, 0);
            input.read_exact(&mut bytes).context(reading)?;
            basket.clear();
            basket.extend(
                bytes
                    .chunks_exact(4)
                    .map(|b| ProductId(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
            );
            each(&basket)?;
        }
    }
}
