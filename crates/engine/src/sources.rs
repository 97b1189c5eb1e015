//! The exports an order-line file was converted from, named in its metadata, and the rejects of
//! lines found to be copies once the lines are read: they name the export, its line and its
//! order id column, and show the line's text when the export is still there unchanged, as the
//! single-machine import's rejects do.
//!
//! Keys, for export `N` of a file (`N` is the lines' `source_file`):
//! `clientele.source.N` (the path as given, which rejects name), `clientele.source.N.absolute`
//! and `clientele.source.N.bytes` (where it was and how long, to read a line back),
//! `clientele.source.N.order_id_column` (the export's own name of the column).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use clientele_core::RowRef;
use clientele_ingest::pipeline::{ImportLimits, Reject, fill_raw_text};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::file::metadata::KeyValue;

use crate::EngineError;
use crate::schema::col;

const PREFIX: &str = "clientele.source.";

/// One export named in an order-line file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceExport {
    /// The path as given when it was converted: what rejects name.
    pub name: String,
    /// Its absolute path and length when converted.
    pub absolute: Option<PathBuf>,
    pub bytes: Option<u64>,
    /// The order id column as the export names it.
    pub order_id_column: Option<String>,
}

impl SourceExport {
    /// An export at `path` (as given), with its absolute path and length now.
    pub fn of_file(path: &Path, order_id_column: Option<String>) -> SourceExport {
        SourceExport {
            name: path.display().to_string(),
            absolute: std::path::absolute(path).ok(),
            bytes: std::fs::metadata(path).ok().map(|m| m.len()),
            order_id_column,
        }
    }

    /// An export known by name only (lines from the store, say).
    pub fn named(name: &str) -> SourceExport {
        SourceExport {
            name: name.to_string(),
            ..SourceExport::default()
        }
    }

    /// The export's path, when it is still there with the length it had when converted: its lines
    /// can be read back.
    fn readable(&self) -> Option<&Path> {
        let path = self.absolute.as_deref()?;
        let now = std::fs::metadata(path).ok()?.len();
        (Some(now) == self.bytes).then_some(path)
    }
}

/// The metadata naming `sources` (in `source_file` order).
pub fn key_values(sources: &[SourceExport]) -> Vec<KeyValue> {
    let mut out = Vec::new();
    for (n, s) in (0u32..).zip(sources) {
        out.push(KeyValue::new(format!("{PREFIX}{n}"), s.name.clone()));
        if let Some(a) = &s.absolute {
            out.push(KeyValue::new(
                format!("{PREFIX}{n}.absolute"),
                a.display().to_string(),
            ));
        }
        if let Some(b) = s.bytes {
            out.push(KeyValue::new(format!("{PREFIX}{n}.bytes"), b.to_string()));
        }
        if let Some(c) = &s.order_id_column {
            out.push(KeyValue::new(
                format!("{PREFIX}{n}.order_id_column"),
                c.clone(),
            ));
        }
    }
    out
}

/// The exports a Parquet file names, by `source_file` index (an index the file does not name is
/// an export without a name).
pub fn read_sources(path: &Path) -> Result<Vec<SourceExport>, EngineError> {
    let file = File::open(path).map_err(|e| EngineError::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| EngineError::parquet(path, e))?;
    let mut by_index: BTreeMap<u32, SourceExport> = BTreeMap::new();
    let pairs = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .into_iter()
        .flatten();
    for kv in pairs {
        let (Some(rest), Some(value)) = (kv.key.strip_prefix(PREFIX), kv.value.clone()) else {
            continue;
        };
        let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
        let Ok(index) = index.parse::<u32>() else {
            continue;
        };
        let s = by_index.entry(index).or_default();
        match field {
            "" => s.name = value,
            "absolute" => s.absolute = Some(PathBuf::from(value)),
            "bytes" => s.bytes = value.parse().ok(),
            "order_id_column" => s.order_id_column = Some(value),
            _ => {}
        }
    }
    let count = by_index.keys().next_back().map_or(0, |&n| n as usize + 1);
    let mut out = vec![SourceExport::default(); count];
    for (n, s) in by_index {
        out[n as usize] = s;
    }
    Ok(out)
}

/// One numbering of the exports of several order-line files, in input order (the files in the
/// order given, each file's exports in their order): what `RowRef::file` of a line read from
/// them holds, so that rejects sort in input order.
#[derive(Clone, Debug, Default)]
pub struct SourceNumbering {
    /// Per file: the number of its export 0.
    first: Vec<u32>,
    /// Per number: the file it is in and the export.
    exports: Vec<(usize, SourceExport)>,
}

impl SourceNumbering {
    /// Numbers the exports of `files` (their paths), each file counting at least `least[i]`
    /// exports (one more than its highest `source_file`, which a file without names still has).
    pub fn new(files: &[PathBuf], least: &[u32]) -> Result<SourceNumbering, EngineError> {
        let mut numbering = SourceNumbering::default();
        for (part, path) in files.iter().enumerate() {
            let mut named = read_sources(path)?;
            let count = (named.len() as u32).max(least.get(part).copied().unwrap_or(0));
            named.resize(count as usize, SourceExport::default());
            numbering.first.push(numbering.exports.len() as u32);
            numbering
                .exports
                .extend(named.into_iter().map(|s| (part, s)));
        }
        Ok(numbering)
    }

    /// The number of export `source` of file `part`.
    pub fn number(&self, part: usize, source: u32) -> u32 {
        self.first[part] + source
    }

    /// The file and export of a number.
    pub fn export(&self, number: u32) -> Option<&(usize, SourceExport)> {
        self.exports.get(number as usize)
    }

    /// The reject of a line dropped as a copy of an earlier one of the same export or another:
    /// `duplicate.file` and `first.file` are numbers of this numbering. It names the export (or
    /// the Parquet file, when the export has no name) and the export's order id column.
    pub fn duplicate_reject(&self, files: &[PathBuf], duplicate: RowRef, first: RowRef) -> Reject {
        let (file, column) = match self.export(duplicate.file) {
            Some((_, s)) if !s.name.is_empty() => {
                (PathBuf::from(&s.name), s.order_id_column.clone())
            }
            Some((part, s)) => (files[*part].clone(), s.order_id_column.clone()),
            None => (PathBuf::new(), None),
        };
        Reject {
            file,
            row: duplicate,
            column: column.unwrap_or_else(|| col::ORDER_ID.to_string()),
            reason: format!(
                "duplicate of line {} (same order id and product); counted once",
                first.line
            ),
            raw: String::new(),
        }
    }

    /// Puts `rejects` in input order and fills in the raw text of those without one whose export
    /// is still there unchanged (the single-machine import reads it back the same way).
    pub fn fill_raw_text(
        &self,
        rejects: &mut Vec<Reject>,
        limits: &ImportLimits,
    ) -> Result<(), EngineError> {
        rejects.sort_by_key(|r| r.row);
        let paths: Vec<Option<&Path>> = self.exports.iter().map(|(_, s)| s.readable()).collect();
        let readable = |r: &Reject| {
            r.raw.is_empty() && paths.get(r.row.file as usize).is_some_and(Option::is_some)
        };
        if !rejects.iter().any(readable) {
            return Ok(());
        }
        let (mut wanted, rest): (Vec<Reject>, Vec<Reject>) =
            std::mem::take(rejects).into_iter().partition(readable);
        // Unreadable exports are never opened: no reject in `wanted` points at them.
        let all: Vec<PathBuf> = paths
            .iter()
            .map(|p| p.map(Path::to_path_buf).unwrap_or_default())
            .collect();
        fill_raw_text(&mut wanted, &all, limits)?;
        rejects.extend(wanted);
        rejects.extend(rest);
        rejects.sort_by_key(|r| r.row);
        Ok(())
    }
}
