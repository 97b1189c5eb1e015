//! The portfolio from the store: monthly sales and buyers aggregated by the database, the
//! advocates from the latest snapshot, and the baskets streamed twice (the core's two passes)
//! so that memory holds the pair counters and one customer's lines, never the order lines.

use anyhow::{Result, anyhow};
use clientele_core::Day;
use clientele_core::portfolio::{ItemPass, MonthSales, PairPass, ProductId};
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
    let mut table = ProductTable::default();
    let months = store.product_months(as_of).await?;
    let sales: Vec<MonthSales> = months
        .iter()
        .map(|m| MonthSales {
            product: ProductId(table.id(&m.product)),
            month: m.month,
            revenue: m.revenue,
            margin: m.cost.map(|c| m.revenue - c),
            // Not read by the analysis, which counts buyers over the whole history.
            customers: 0,
        })
        .collect();
    drop(months);
    let buyers = store.product_buyers(as_of).await?;
    let mut advocates_known = false;
    for b in buyers {
        let i = table.id(&b.product) as usize;
        table.line_category[i] = b.category;
        table.customers[i] = Some(b.customers);
        table.advocates[i] = b.advocates;
        advocates_known |= b.advocates.is_some();
    }
    let bundles = {
        let products = table.names.len();
        let ids = &table.ids;
        let mut failure: Option<String> = None;
        let mut basket_ids: Vec<ProductId> = Vec::new();
        let to_ids = |basket: &[String], out: &mut Vec<ProductId>| -> bool {
            out.clear();
            for p in basket {
                match ids.get(p) {
                    Some(&i) => out.push(ProductId(i)),
                    None => return false,
                }
            }
            true
        };
        let mut items = ItemPass::new(products, settings.bundle_options());
        store
            .for_each_basket(as_of, &mut |basket: &[String]| {
                if failure.is_some() {
                    return;
                }
                if !to_ids(basket, &mut basket_ids) {
                    failure = Some(format!("{basket:?}"));
                } else if let Err(e) = items.add_basket(&basket_ids) {
                    failure = Some(e.to_string());
                }
            })
            .await?;
        let mut pairs: PairPass = items.into_pair_pass();
        store
            .for_each_basket(as_of, &mut |basket: &[String]| {
                if failure.is_some() {
                    return;
                }
                if !to_ids(basket, &mut basket_ids) {
                    failure = Some(format!("{basket:?}"));
                } else if let Err(e) = pairs.add_basket(&basket_ids) {
                    failure = Some(e.to_string());
                }
            })
            .await?;
        if let Some(f) = failure {
            return Err(anyhow!(
                "the order lines changed while the portfolio was read (a basket holds a product \
                 the sales did not: {f}); run it again"
            ));
        }
        pairs.finish()
    };
    Ok(finish(
        table,
        &known,
        sales,
        bundles,
        as_of,
        advocates_known,
    ))
}
