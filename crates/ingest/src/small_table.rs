//! The part every small-table export reader shares (survey answers, complaints and wishes): the
//! file read whole within a row bound, the header row found, the columns named by `--map` and
//! then by the headers (Russian or English, through the field enum's own words), a column named
//! twice refused, the required fields checked — and, per data row, its trimmed cells and a reject
//! naming its line and column. Each reader keeps only what its rows mean.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};

use clientele_core::RowRef;

use crate::columns::ColumnRef;
use crate::customers::{header_row, read_rows};
use crate::limits::ImportLimits;
use crate::pipeline::{ImportError, Reject};

/// The columns one kind of export can have.
pub trait TableField: Copy + Eq + Hash {
    /// The field `--map COLUMN=ignore` names: the column is read as nobody's.
    const IGNORE: Self;
    /// The name `--map COLUMN=FIELD` takes, also used in messages.
    fn as_str(self) -> &'static str;
    /// The field a header names, in Russian or English.
    fn from_header(header: &str) -> Option<Self>;
}

/// A small table read, with its columns understood.
#[derive(Clone, Debug)]
pub struct SmallTable<F: TableField> {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub columns: HashMap<F, usize>,
    /// How the columns were understood, for the user.
    pub notes: Vec<String>,
    /// (line, cells) of the rows after the header, blank rows left out.
    pub data: Vec<(u64, Vec<String>)>,
}

impl<F: TableField> SmallTable<F> {
    /// The trimmed cell of `field` in `row`; `None` when the column is absent or the cell blank.
    pub fn cell<'a>(&self, row: &'a [String], field: F) -> Option<&'a str> {
        self.columns
            .get(&field)
            .and_then(|&i| row.get(i))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// A reject of the row on `line`, naming the column of `field` (or none: the whole row).
    pub fn reject(&self, line: u64, row: &[String], field: Option<F>, reason: String) -> Reject {
        Reject {
            file: self.path.clone(),
            row: RowRef { file: 0, line },
            column: field
                .and_then(|f| self.columns.get(&f))
                .map_or(String::new(), |&i| self.header[i].clone()),
            reason,
            raw: row.join(";"),
        }
    }
}

/// Reads `path` whole (at most `max_rows` rows), finds its header and names its columns: first
/// those `map` names, then those whose headers say what they are. `Ok(None)`: the file has no
/// non-blank row. Every field of `required` must have a column.
pub fn read_small_table<F: TableField>(
    path: &Path,
    map: &[(ColumnRef, F)],
    limits: &ImportLimits,
    max_rows: usize,
    required: &[F],
) -> Result<Option<SmallTable<F>>, ImportError> {
    let mut rows = read_rows(path, limits)?;
    let format_err = |message: String| ImportError::Format {
        path: path.to_path_buf(),
        message,
    };
    if rows.len() > max_rows {
        return Err(ImportError::TooCostly {
            path: path.to_path_buf(),
            message: format!(
                "{} rows; at most {max_rows} are read from one file",
                rows.len()
            ),
        });
    }
    let Some(header_index) = header_row(&rows) else {
        return Ok(None);
    };
    let mut data = rows.split_off(header_index + 1);
    let header = rows.pop().map(|(_, h)| h).unwrap_or_default();
    let mut columns: HashMap<F, usize> = HashMap::new();
    let mut notes = Vec::new();
    let mut mapped: Vec<usize> = Vec::new();
    for (column, field) in map {
        let index = match column {
            ColumnRef::Position(p) if *p >= 1 && *p <= header.len() => p - 1,
            ColumnRef::Position(p) => {
                return Err(format_err(format!(
                    "--map names column {p}, but the header has {} columns",
                    header.len()
                )));
            }
            ColumnRef::Header(h) => header
                .iter()
                .position(|c| c.trim() == h.trim())
                .ok_or_else(|| {
                    format_err(format!(
                        "--map names the column '{h}', which is not among the headers: {}",
                        header.join(", ")
                    ))
                })?,
        };
        mapped.push(index);
        if *field != F::IGNORE {
            columns.insert(*field, index);
            notes.push(format!(
                "column '{}' is {} (--map)",
                header[index],
                field.as_str()
            ));
        }
    }
    for (i, name) in header.iter().enumerate() {
        if mapped.contains(&i) {
            continue;
        }
        if let Some(f) = F::from_header(name) {
            if let Some(&j) = columns.get(&f) {
                return Err(format_err(format!(
                    "columns '{}' and '{}' both look like {}; name one with --map COLUMN={} and the other COLUMN=ignore",
                    header[j],
                    name,
                    f.as_str(),
                    f.as_str()
                )));
            }
            columns.insert(f, i);
            notes.push(format!("column '{name}' is {}", f.as_str()));
        }
    }
    for needed in required {
        if !columns.contains_key(needed) {
            return Err(format_err(format!(
                "no {} column among the headers: {} (name it with --map COLUMN={})",
                needed.as_str(),
                header.join(", "),
                needed.as_str()
            )));
        }
    }
    data.retain(|(_, row)| row.iter().any(|c| !c.trim().is_empty()));
    Ok(Some(SmallTable {
        path: path.to_path_buf(),
        header,
        columns,
        notes,
        data,
    }))
}
