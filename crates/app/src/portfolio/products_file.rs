//! The products file: read (all or nothing, every refused row named) and kept in the store, or
//! used for one run over order files.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use clientele_ingest::limits::ImportLimits;
use clientele_ingest::pipeline::Reject;
use clientele_ingest::products::read_products;
use clientele_store::{NewProduct, Store};

use super::KnownProduct;

/// What importing a products file did: the products written, or the rows refused (then
/// nothing was written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductsImport {
    pub written: usize,
    pub rejects: Vec<Reject>,
}

/// Reads a products file into what the analysis knows of each product; refused rows fail the
/// whole file with the first few named.
pub fn read_products_file(path: &Path) -> Result<HashMap<String, KnownProduct>> {
    let (rows, rejects) = read_products(path, &ImportLimits::default())
        .with_context(|| format!("reading the products file {}", path.display()))?;
    if !rejects.is_empty() {
        anyhow::bail!(
            "the products file {} has {} refused row(s), so none is used: {}",
            path.display(),
            rejects.len(),
            describe(&rejects)
        );
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.product,
                KnownProduct {
                    name: r.name,
                    category: r.category,
                    launch: r.launch,
                    unit_cost: r.unit_cost,
                    partner: r.partner,
                },
            )
        })
        .collect())
}

/// The first refused rows as "line N, column: reason".
pub(crate) fn describe(rejects: &[Reject]) -> String {
    let mut shown: Vec<String> = rejects
        .iter()
        .take(5)
        .map(|r| format!("line {}, {}: {}", r.row.line, r.column, r.reason))
        .collect();
    if rejects.len() > 5 {
        shown.push(format!("and {} more", rejects.len() - 5));
    }
    shown.join("; ")
}

/// Imports a products file into the store: every product written, or — when any row is
/// refused — none, with the refused rows returned.
pub async fn import_products(store: &Store, path: &Path) -> Result<ProductsImport> {
    let (rows, rejects) = read_products(path, &ImportLimits::default())
        .with_context(|| format!("reading the products file {}", path.display()))?;
    if !rejects.is_empty() {
        return Ok(ProductsImport {
            written: 0,
            rejects,
        });
    }
    let products: Vec<NewProduct> = rows
        .into_iter()
        .map(|r| NewProduct {
            product: r.product,
            name: r.name,
            category: r.category,
            launch: r.launch,
            unit_cost: r.unit_cost,
            partner: r.partner,
        })
        .collect();
    let written = store.save_products(&products).await?;
    Ok(ProductsImport {
        written,
        rejects: Vec::new(),
    })
}

/// What the store's products table knows.
pub(crate) async fn stored_products(store: &Store) -> Result<HashMap<String, KnownProduct>> {
    Ok(store
        .products()
        .await?
        .into_iter()
        .map(|p| {
            (
                p.product,
                KnownProduct {
                    name: p.name,
                    category: p.category,
                    launch: p.launch,
                    unit_cost: p.unit_cost,
                    partner: p.partner,
                },
            )
        })
        .collect())
}
