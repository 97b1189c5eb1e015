//! `clientele demo`: generate a realistic company and print its ladder report.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clientele_synth::SynthConfig;

use crate::args::{AnalyzeArgs, AnalyzeModel, DemoArgs, ImportFlags, OutputFormat};

pub fn run(args: DemoArgs) -> Result<()> {
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("clientele-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let orders = dir.join("orders.csv");
    let customers = dir.join("customers.csv");
    let cfg = SynthConfig::new(args.customers, args.seed);
    cfg.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::generate::generate_files(&cfg, &orders, Some(&customers), None)?;
    eprintln!(
        "Generated a demo company in {}: orders.csv and customers.csv ({} buyers).",
        dir.display(),
        args.customers
    );
    let report_dir: PathBuf = dir.join("report");
    crate::analyze::run(AnalyzeArgs {
        orders: vec![orders],
        customers: Some(customers),
        out: Some(report_dir.clone()),
        format: OutputFormat::Text,
        import: ImportFlags {
            map: Vec::new(),
            date_format: None,
            decimal: None,
            strict: false,
            as_of: None,
        },
        model: AnalyzeModel::Mbgnbd,
        horizon: 365,
        discount_rate: 0.1,
        rules: None,
        timings: false,
    })?;
    eprintln!(
        "Per-customer results: {}",
        report_dir.join("customers.csv").display()
    );
    Ok(())
}
