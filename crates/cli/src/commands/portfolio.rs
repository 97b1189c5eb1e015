//! `clientele portfolio`: the product portfolio of order files or of the store — life-cycle
//! stages with their reasons, tags and bundles — as text for people, JSON in the shape the
//! issue fixes, or CSV of the products.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Result, bail};
use clientele_app::clock::today;
use clientele_app::database::open_store;
use clientele_app::portfolio::{
    CustomerSuggestions, PortfolioAnswer, ProductLine, RungAnswer, import_products,
    portfolio_from_files, portfolio_from_store, read_products_file, rungs_and_model,
};
use clientele_store::Scope;
use serde_json::{Value, json};

use crate::args::portfolio::{PortfolioArgs, PortfolioFormat};
use crate::runtime::runtime;

pub fn run(args: PortfolioArgs) -> Result<()> {
    if args.by_rung || args.suggest.is_some() {
        return run_rungs(&args);
    }
    let settings = args.settings()?;
    let answer = if args.orders.is_empty() {
        runtime()?.block_on(async {
            let store = open_store(&args.db.url()).await?;
            let result = async {
                if let Some(path) = &args.products {
                    let imported = import_products(&store, path).await?;
                    if !imported.rejects.is_empty() {
                        for r in imported.rejects.iter().take(20) {
                            eprintln!("{}, line {}, {}: {}", path.display(), r.row.line, r.column, r.reason);
                        }
                        bail!(
                            "{} bad row(s) in the products file: nothing was stored; fix them and run again",
                            imported.rejects.len()
                        );
                    }
                    eprintln!("stored {} product(s) from {}", imported.written, path.display());
                }
                portfolio_from_store(&store, &settings, today()).await
            }
            .await;
            store.close().await;
            result
        })?
    } else {
        let known = match &args.products {
            Some(p) => read_products_file(p)?,
            None => HashMap::new(),
        };
        let outcome = portfolio_from_files(&args.orders, &known, &settings)?;
        if !outcome.rejects.is_empty() {
            eprintln!(
                "{} row(s) refused (not in the portfolio); the first: {}",
                outcome.rejects.len(),
                outcome
                    .rejects
                    .iter()
                    .take(3)
                    .map(|r| format!(
                        "{}, line {}, {}: {}",
                        r.file.display(),
                        r.row.line,
                        r.column,
                        r.reason
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        if outcome.without_product > 0 {
            eprintln!(
                "{} row(s) name no product: counted in no product's sales",
                outcome.without_product
            );
        }
        outcome.answer
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        PortfolioFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &portfolio_json(&answer))?;
            writeln!(out)?;
        }
        PortfolioFormat::Csv => write_csv(&mut out, &answer)?,
        PortfolioFormat::Text => write_text(&mut out, &answer)?,
    }
    Ok(())
}

/// The stage's reason: the rule and the numbers it read.
pub fn stage_reason(p: &ProductLine) -> String {
    let e = &p.report.evidence;
    let pct =
        |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), |v| format!("{:+.0}%", v * 100.0));
    format!(
        "{}: {} month(s) old; smoothed monthly revenue {:.2} now, {:.2} six months before ({}); peak {:.2} {} month(s) ago",
        e.rule.as_str(),
        e.age_months,
        e.smoothed_last,
        e.smoothed_before,
        pct(e.change),
        e.peak,
        e.months_since_peak
    )
}

fn tags(p: &ProductLine) -> Vec<&'static str> {
    p.report.tags.iter().map(|t| t.as_str()).collect()
}

/// `{"products": [...], "bundles": [...]}` plus the report's date and bounds.
pub fn portfolio_json(a: &PortfolioAnswer) -> Value {
    let products: Vec<Value> = a
        .products
        .iter()
        .map(|p| {
            let r = &p.report;
            json!({
                "product": p.product,
                "name": p.name,
                "category": p.category,
                "partner": p.partner,
                "stage": r.stage.as_str(),
                "stage_reason": stage_reason(p),
                "revenue": r.revenue.to_f64(),
                "revenue_12m": r.revenue_12m.to_f64(),
                "margin": r.margin.map(|m| m.to_f64()),
                "margin_rate": r.margin_rate,
                "customers": r.customers,
                "advocates_share": r.advocates_share,
                "tags": tags(p),
            })
        })
        .collect();
    let bundles: Vec<Value> = a
        .bundles
        .iter()
        .map(|b| {
            json!({
                "a": b.a,
                "b": b.b,
                "baskets": b.bundle.baskets,
                "support": b.bundle.support,
                "confidence": b.bundle.confidence,
                "lift": b.bundle.lift,
            })
        })
        .collect();
    json!({
        "as_of": a.as_of.to_string(),
        "last_month": PortfolioAnswer::month_label(a.last_month),
        "first_month": a.first_month.map(PortfolioAnswer::month_label),
        "advocates_known": a.advocates_known,
        "baskets": a.baskets,
        "bundle_min_baskets": a.bundle_min_baskets,
        "bundles_complete_from_baskets": a.bundle_complete_from,
        "products_without_sales": a.without_sales,
        "products": products,
        "bundles": bundles,
    })
}

fn write_csv(out: &mut impl Write, a: &PortfolioAnswer) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "product",
        "category",
        "stage",
        "stage_reason",
        "revenue",
        "margin",
        "customers",
        "advocates_share",
        "tags",
    ])?;
    for p in &a.products {
        let r = &p.report;
        w.write_record([
            p.product.clone(),
            p.category.clone().unwrap_or_default(),
            r.stage.as_str().to_string(),
            stage_reason(p),
            r.revenue.to_string(),
            r.margin.map(|m| m.to_string()).unwrap_or_default(),
            r.customers.map(|c| c.to_string()).unwrap_or_default(),
            r.advocates_share
                .map(|s| format!("{s:.4}"))
                .unwrap_or_default(),
            tags(p).join(" "),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_text(out: &mut impl Write, a: &PortfolioAnswer) -> Result<()> {
    writeln!(
        out,
        "Product portfolio as of {} (months {} to {}; revenue and margin in the data's currency)",
        a.as_of,
        a.first_month
            .map_or_else(|| "-".to_string(), PortfolioAnswer::month_label),
        PortfolioAnswer::month_label(a.last_month)
    )?;
    if a.products.is_empty() {
        writeln!(
            out,
            "No order line names a product up to that month: nothing to analyse."
        )?;
        return Ok(());
    }
    if !a.advocates_known {
        writeln!(
            out,
            "Advocates unknown (no scored snapshot): no product can be a line-cut candidate."
        )?;
    }
    writeln!(
        out,
        "{:<24} {:<16} {:<12} {:>14} {:>14} {:>9} {:>9}  tags",
        "product", "category", "stage", "revenue 12m", "margin", "buyers", "advocates"
    )?;
    for p in &a.products {
        let r = &p.report;
        writeln!(
            out,
            "{:<24} {:<16} {:<12} {:>14} {:>14} {:>9} {:>9}  {}",
            p.product,
            p.category.as_deref().unwrap_or("-"),
            r.stage.as_str(),
            r.revenue_12m.to_string(),
            r.margin.map_or_else(|| "-".to_string(), |m| m.to_string()),
            r.customers
                .map_or_else(|| "-".to_string(), |c| c.to_string()),
            r.advocates_share
                .map_or_else(|| "-".to_string(), |s| format!("{:.0}%", s * 100.0)),
            tags(p).join(", ")
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Bundles from {} basket(s), minimum support {} basket(s){}:",
        a.baskets,
        a.bundle_min_baskets,
        if a.bundle_complete_from > a.bundle_min_baskets {
            format!(" (complete from {} baskets up)", a.bundle_complete_from)
        } else {
            String::new()
        }
    )?;
    if a.bundles.is_empty() {
        writeln!(out, "  none reaches the minimum support")?;
    }
    for b in &a.bundles {
        writeln!(
            out,
            "  {} + {}: {} basket(s), support {:.4}, confidence {:.2}, lift {:.2}",
            b.a, b.b, b.bundle.baskets, b.bundle.support, b.bundle.confidence, b.bundle.lift
        )?;
    }
    if !a.without_sales.is_empty() {
        writeln!(out, "Listed but not sold: {}", a.without_sales.join(", "))?;
    }
    Ok(())
}

/// `--by-rung` and `--suggest CUSTOMER`: which rungs buy what, or one customer's suggestions.
fn run_rungs(args: &PortfolioArgs) -> Result<()> {
    let settings = args.cross_sell_settings()?;
    if let Some(c) = &args.suggest
        && (c.trim().is_empty() || c.chars().count() > 256)
    {
        bail!("--suggest: expected a customer's external id (1 to 256 characters)");
    }
    let (answer, suggestions) = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let result = async {
            let (answer, model) = rungs_and_model(&store, &settings, today()).await?;
            let suggestions = match &args.suggest {
                Some(external) => {
                    let id = store.customer_id(external.trim()).await?;
                    Some(model.for_customer(&store, Scope::All, id).await?)
                }
                None => None,
            };
            anyhow::Ok((answer, suggestions))
        }
        .await;
        store.close().await;
        result
    })?;
    let mut out = std::io::stdout().lock();
    match (&suggestions, args.format) {
        (Some(s), PortfolioFormat::Json) => {
            serde_json::to_writer_pretty(&mut out, &suggestions_json(args, s))?;
            writeln!(out)?;
        }
        (Some(s), PortfolioFormat::Csv) => {
            writeln!(out, "category,because_of,share_of_peers,peers,lift")?;
            for x in &s.suggestions {
                writeln!(
                    out,
                    "{},{},{:.4},{},{:.4}",
                    csv_field(&x.category),
                    csv_field(&x.because_of),
                    x.share_of_peers,
                    x.peers,
                    x.lift
                )?;
            }
        }
        (Some(s), PortfolioFormat::Text) => {
            let who = args.suggest.as_deref().unwrap_or_default();
            match s.rung {
                None => writeln!(
                    out,
                    "customer {who} is not in the latest snapshot: no suggestions"
                )?,
                Some(rung) => {
                    writeln!(
                        out,
                        "customer {who} ({}) bought: {}",
                        rung.as_str(),
                        s.bought.join(", ")
                    )?;
                    if s.suggestions.is_empty() {
                        writeln!(
                            out,
                            "nothing to suggest: no category passes the thresholds for this rung"
                        )?;
                    }
                    for x in &s.suggestions {
                        writeln!(
                            out,
                            "  {}: {:.0}% of the {} {} customer(s) who bought {} (lift {:.2})",
                            x.category,
                            x.share_of_peers * 100.0,
                            x.peers,
                            rung.as_str(),
                            x.because_of,
                            x.lift
                        )?;
                    }
                }
            }
        }
        (None, PortfolioFormat::Json) => {
            serde_json::to_writer_pretty(&mut out, &rungs_json(&answer))?;
            writeln!(out)?;
        }
        (None, PortfolioFormat::Csv) => {
            writeln!(out, "rung,customers,category,buyers,share")?;
            for r in &answer.rungs {
                for c in &r.categories {
                    writeln!(
                        out,
                        "{},{},{},{},{:.4}",
                        r.rung.as_str(),
                        r.customers,
                        csv_field(&c.category),
                        c.buyers,
                        c.share
                    )?;
                }
            }
        }
        (None, PortfolioFormat::Text) => match answer.snapshot {
            None => writeln!(
                out,
                "no scored snapshot on or before {}: run `clientele score` first",
                answer.as_of
            )?,
            Some(d) => {
                writeln!(
                    out,
                    "which rungs buy what (snapshot of {d}, purchases up to {})",
                    answer.as_of
                )?;
                for r in &answer.rungs {
                    writeln!(out, "{} ({} customer(s))", r.rung.as_str(), r.customers)?;
                    for c in r.categories.iter().take(10) {
                        writeln!(
                            out,
                            "  {}: {} ({:.1}%)",
                            c.category,
                            c.buyers,
                            c.share * 100.0
                        )?;
                    }
                }
            }
        },
    }
    Ok(())
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn rungs_json(a: &RungAnswer) -> Value {
    json!({
        "as_of": a.as_of.to_string(),
        "snapshot": a.snapshot.map(|d| d.to_string()),
        "rungs": a.rungs.iter().map(|r| json!({
            "rung": r.rung.as_str(),
            "customers": r.customers,
            "categories": r.categories.iter().map(|c| json!({
                "category": c.category,
                "buyers": c.buyers,
                "share": c.share,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn suggestions_json(args: &PortfolioArgs, s: &CustomerSuggestions) -> Value {
    json!({
        "customer": args.suggest,
        "rung": s.rung.map(|r| r.as_str()),
        "bought": s.bought,
        "suggestions": s.suggestions.iter().map(|x| json!({
            "category": x.category,
            "because_of": x.because_of,
            "share_of_peers": x.share_of_peers,
            "peers": x.peers,
            "lift": x.lift,
        })).collect::<Vec<_>>(),
    })
}
