//! What one input file may cost: bounds on lines, decompression and spreadsheets, so that no
//! file — hostile or broken — can take the memory or the time of the process reading it (the
//! server reads uploads with these). Each bound refused names itself in the error.

/// Bounds on reading one file; [`Default`] holds the documented values. Set through
/// `ImportOptions::limits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportLimits {
    /// The longest line of a text file, in bytes (1 MiB). A longer line stops the import with
    /// "line too long": no export has one, and holding it would cost its whole length.
    pub max_line_bytes: usize,
    /// The most bytes a gzip file may expand to (64 GiB: ten times the largest export read in
    /// the benchmarks).
    pub max_gzip_bytes: u64,
    /// The most a gzip file may expand relative to its compressed size, checked once it has
    /// expanded past [`ImportLimits::ratio_checked_from`] (200: text compresses 3–20 times, a
    /// column of repeated values up to a few dozen; a compression bomb a thousand times).
    pub max_gzip_ratio: u64,
    /// The most bytes the parts of an `.xlsx` workbook may expand to together, as declared in
    /// the zip directory and as actually inflated (512 MiB: a sheet of a million rows of ten
    /// columns is about 300 MB of XML).
    pub max_xlsx_bytes: u64,
    /// The most one part of an `.xlsx` may expand relative to its compressed size (200), past
    /// [`ImportLimits::ratio_checked_from`].
    pub max_xlsx_ratio: u64,
    /// Expansion below this many bytes is never refused for its ratio (64 MiB): a small file
    /// may compress very well without costing anything.
    pub ratio_checked_from: u64,
    /// The most rows a sheet may have, by its declared dimension and by its cells (1,048,576,
    /// Excel's own limit).
    pub max_xlsx_rows: u32,
    /// The most columns a sheet may have, by its declared dimension and by its cells (1,024:
    /// exports have tens; Excel allows 16,384, and one cell in column XFD would make every row
    /// that wide).
    pub max_xlsx_columns: u32,
    /// The most cells held for a sheet (10 million, a million rows of ten columns: a few hundred
    /// megabytes), counting every row up to its last cell.
    pub max_xlsx_cells: u64,
    /// The largest customers file, once inflated (1 GiB): it is read whole.
    pub max_customers_bytes: u64,
}

impl Default for ImportLimits {
    fn default() -> ImportLimits {
        ImportLimits {
            max_line_bytes: 1 << 20,
            max_gzip_bytes: 64 << 30,
            max_gzip_ratio: 200,
            max_xlsx_bytes: 512 << 20,
            max_xlsx_ratio: 200,
            ratio_checked_from: 64 << 20,
            max_xlsx_rows: 1 << 20,
            max_xlsx_columns: 1 << 10,
            max_xlsx_cells: 10_000_000,
            max_customers_bytes: 1 << 30,
        }
    }
}
