//! `clientele export parquet` (feature `distributed`): order exports converted into one Parquet
//! file of order lines, the engine's input, with the rows not converted written aside.

use anyhow::Result;
use clientele_engine::parquet_out::export_order_files;

use crate::args::distributed::{ExportCommand, ExportParquetArgs};
use crate::output::write_file;
use crate::report::write_rejects_csv;

pub fn run(command: ExportCommand) -> Result<()> {
    let ExportCommand::Parquet(args) = command;
    parquet(&args)
}

fn parquet(args: &ExportParquetArgs) -> Result<()> {
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
    println!(
        "{}: {} order lines from {} file(s); {} row(s) rejected{rejected}",
        args.out.display(),
        report.lines_written,
        report.files.len(),
        report.rejects.len(),
    );
    Ok(())
}
