//! `clientele export parquet` (feature `distributed`): order exports converted into one Parquet
//! file of order lines, the engine's input, with the rows not converted written aside; or the
//! order lines stored in the database (`--from-store`).

use anyhow::{Context, Result};
use clientele_app::database::open_store;
use clientele_core::{OrderLine, RowRef};
use clientele_engine::EngineError;
use clientele_engine::parquet_out::{LineWriter, export_order_files};
use clientele_engine::sources::SourceExport;
use clientele_ingest::rows::OrderRow;
use clientele_store::StoredLine;

use crate::args::distributed::{ExportCommand, ExportParquetArgs};
use crate::output::write_file;
use crate::report::write_rejects_csv;
use crate::runtime::runtime;

pub fn run(command: ExportCommand) -> Result<()> {
    let ExportCommand::Parquet(args) = command;
    parquet(&args)
}

fn parquet(args: &ExportParquetArgs) -> Result<()> {
    if args.from_store {
        return from_store(args);
    }
    let options = args.import.options()?;
    let report = export_order_files(&args.orders, &options, &args.out)?;
    if let Some(path) = &args.rejects {
        write_file(path, |w| write_rejects_csv(w, &report.rejects))?;
    }
    let rejected = match (&args.rejects, report.rejects.is_empty()) {
        (_, true) => String::new(),
        (Some(p), false) => format!(" (see {})", p.display()),
        (None, false) => " (--rejects FILE lists them)".to_string(),
    };
    outln!(
        "{}: {} order lines from {} file(s); {} row(s) rejected{rejected}",
        args.out.display(),
        report.lines_written,
        report.files.len(),
        report.rejects.len(),
    );
    Ok(())
}

/// Lines read from the store per batch handed to the Parquet writer.
const STORE_BATCH: usize = 16 * 1024;

/// The store's order lines to `args.out`. The lines are numbered in the order they were stored
/// (the file's one source is named `store`, never the database's URL, which may hold a
/// password); a half-written file is removed.
fn from_store(args: &ExportParquetArgs) -> Result<()> {
    let written = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let mut writer = LineWriter::create(&args.out)?;
        let mut failed: Option<EngineError> = None;
        let mut number = 0u64;
        let read = store
            .for_each_order_line(STORE_BATCH, &mut |batch| {
                for line in batch {
                    number += 1;
                    if let Err(e) = writer.push(order_row(line, number)) {
                        failed = Some(e);
                        return false;
                    }
                }
                true
            })
            .await;
        store.close().await;
        read.context("reading the stored order lines")?;
        if let Some(e) = failed {
            return Err(e.into());
        }
        let written = writer.finish(&[SourceExport::named("store")])?;
        if written == 0 {
            anyhow::bail!("the store holds no order lines: nothing to export");
        }
        Ok::<_, anyhow::Error>(written)
    });
    let written = match written {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&args.out);
            return Err(e);
        }
    };
    outln!(
        "{}: {written} order lines from the store",
        args.out.display()
    );
    Ok(())
}

/// A stored line as the Parquet writer takes it: export 0, line `number`.
fn order_row(line: StoredLine, number: u64) -> OrderRow {
    OrderRow {
        customer: line.customer,
        line: OrderLine {
            row: RowRef {
                file: 0,
                line: number,
            },
            day: line.day,
            amount: line.amount,
            cost: line.cost,
            category: None,
            full_price: line.full_price,
            line_key: None,
            order_key: None,
        },
        order_id: line.order_id,
        product: line.product,
        category: line.category,
        quantity: line.quantity,
        price: line.price,
        list_price: line.list_price,
        occurrence: 0,
    }
}
