//! Sampling customer ids across the files before they are read, so that the shards can be
//! ranges of ids ([`Sharding::ByRange`]).

use std::fs::File;
use std::io::{self, Seek};
use std::path::{Path, PathBuf};

use crate::encoding::TextEncoding;
use crate::layout::Layout;
use crate::records::{Cells, RecordVisitor, visit_block};

use super::input::{open_input, read_up_to, sniff_input};
use super::report::ImportOptions;
use super::row_parser::RowParser;
use super::shards::Sharding;

/// The shards of one import: ranges of ids sampled by [`PROBES`] probes spread over the files
/// in proportion to their sizes, or hashes when some file cannot be probed (compressed, `.xlsx`)
/// or its format not read (its import then says why).
pub(crate) fn sharding_for(paths: &[PathBuf], options: &ImportOptions) -> Sharding {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let Ok(mut input) = open_input(path, &options.limits) else {
            return Sharding::ByHash;
        };
        if !input.seekable() {
            return Sharding::ByHash;
        }
        let Ok((format, _)) = sniff_input(path, &mut input, &options.overrides, &options.limits)
        else {
            return Sharding::ByHash;
        };
        let len = std::fs::metadata(path).map_or(0, |m| m.len());
        files.push((path, format, len));
    }
    let total = files.iter().map(|(_, _, len)| len).sum::<u64>().max(1);
    let mut ids = Vec::new();
    for (path, format, len) in &files {
        let probes = (PROBES * len).div_ceil(total).max(1);
        let parser = RowParser::for_text(format);
        sample_customer_ids(
            path,
            &parser,
            &format.layout,
            format.encoding,
            probes,
            &mut ids,
        );
    }
    Sharding::from_sample(ids)
}

/// Probes of [`PROBE_BYTES`] that sample an import's customer ids for [`Sharding::ByRange`].
pub(crate) const PROBES: u64 = 512;
pub(crate) const PROBE_BYTES: u64 = 8 << 10;

/// Appends the customer ids of lines read by `probes` probes at evenly spaced places in a plain
/// file (all of it when it is small) to `ids`: a few megabytes read before the file is. Lines
/// that do not parse give no id; a probe that starts inside a quoted field may read nonsense,
/// which costs only balance between shards.
pub(crate) fn sample_customer_ids(
    path: &Path,
    parser: &RowParser,
    layout: &Layout,
    encoding: TextEncoding,
    probes: u64,
    ids: &mut Vec<Box<str>>,
) {
    let Ok(mut file) = File::open(path) else {
        return;
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return;
    };
    let (probes, probe_len) = if len <= probes * PROBE_BYTES {
        (1, len)
    } else {
        (probes, PROBE_BYTES)
    };
    let mut buf = vec![0u8; probe_len as usize];
    let mut record = csv::StringRecord::new();
    for k in 0..probes {
        let offset = len * k / probes;
        if file.seek(io::SeekFrom::Start(offset)).is_err() {
            break;
        }
        let Ok(n) = read_up_to(&mut file, &mut buf) else {
            break;
        };
        let bytes = &buf[..n];
        // Whole lines only: from after the first line end (but at the file's start) to after
        // the last (but at its end).
        let start = match offset {
            0 => Some(0),
            _ => memchr::memchr(b'\n', bytes).map(|i| i + 1),
        };
        let end = match offset + n as u64 >= len {
            true => Some(n),
            false => memchr::memrchr(b'\n', bytes).map(|i| i + 1),
        };
        let (Some(start), Some(end)) = (start, end) else {
            continue;
        };
        let skip_header = offset == 0 && parser.has_header;
        let mut sampler = IdSampler { parser, ids };
        visit_block(
            &bytes[start..end.max(start)],
            encoding,
            layout,
            1,
            skip_header,
            &mut record,
            &mut sampler,
        );
    }
}

pub(crate) struct IdSampler<'p, 'i> {
    parser: &'p RowParser,
    ids: &'i mut Vec<Box<str>>,
}

impl RecordVisitor for IdSampler<'_, '_> {
    fn row<'a>(&mut self, cells: &impl Cells<'a>, _raw: &str, _line: u64) {
        if let Ok(id) = self.parser.customer_id(cells) {
            self.ids.push(id.into());
        }
    }

    fn unsplittable(&mut self, _line: u64, _error: &csv::Error) {}

    fn undecodable(&mut self, _line: u64, _reason: &str, _raw: &str) {}
}

#[cfg(test)]
mod tests {
    use super::super::shards::{SHARDS, Sharding};

    /// 100,000 order lines of about 50 bytes (past the 4 MiB read whole), customer = line / 10.
    fn hundred_thousand_lines() -> String {
        let mut text = String::from("order_id,customer_id,order_date,amount\n");
        for i in 0..100_000u32 {
            text.push_str(&format!("O{i:09},C{:07},2024-01-01,1234567.50\n", i / 10));
        }
        text
    }

    #[test]
    fn ids_are_sampled_across_a_large_file() {
        use crate::sniff::{SniffOverrides, sniff_text};
        let text = hundred_thousand_lines();
        assert!(text.len() > 4 << 20);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, &text).unwrap();
        let format = sniff_text(
            &text.as_bytes()[..64 << 10],
            false,
            &SniffOverrides::default(),
        )
        .unwrap();
        let parser = super::RowParser::for_text(&format);
        let mut ids = Vec::new();
        super::sample_customer_ids(
            &path,
            &parser,
            &format.layout,
            format.encoding,
            64,
            &mut ids,
        );
        // 64 probes, each losing its partial first and last lines.
        let per_probe = super::PROBE_BYTES as usize / (text.len() / 100_000);
        assert!(ids.len() > 60 * (per_probe - 2), "{}", ids.len());
        assert!(ids.len() <= 64 * per_probe, "{}", ids.len());
        assert_eq!(
            &*ids[0], "C0000000",
            "the first probe starts after the header"
        );
        let last = ids.iter().max().unwrap();
        assert!(&**last >= "C0009800", "{last}");
        let Sharding::ByRange { bounds, .. } = Sharding::from_sample(ids) else {
            panic!("ranges")
        };
        assert_eq!(bounds.len(), SHARDS - 1);
        assert!(bounds.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn every_file_of_an_import_is_sampled_by_its_size() {
        use crate::pipeline::ImportOptions;
        let dir = tempfile::tempdir().unwrap();
        // A small first file of other customers must not decide the bounds alone.
        let small = dir.path().join("small.csv");
        std::fs::write(
            &small,
            "order_id,customer_id,order_date,amount\n1,A1,2024-01-01,5\n2,A2,2024-01-01,5\n",
        )
        .unwrap();
        let text = hundred_thousand_lines();
        let large = dir.path().join("large.csv");
        std::fs::write(&large, &text).unwrap();
        let options = ImportOptions::default();
        let sharding = super::sharding_for(&[small.clone(), large.clone()], &options);
        let Sharding::ByRange { bounds, .. } = &sharding else {
            panic!("{sharding:?}")
        };
        assert!(bounds.len() >= SHARDS - 2, "{}", bounds.len());
        assert!(bounds.iter().filter(|b| b.starts_with('C')).count() >= SHARDS - 3);
        assert!(&*bounds[bounds.len() - 1] >= "C0009000", "{bounds:?}");
        // A compressed file cannot be probed: hashes for the whole import.
        let gz = dir.path().join("more.csv.gz");
        let mut encoder = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::fast(),
        );
        std::io::Write::write_all(&mut encoder, text.as_bytes()).unwrap();
        encoder.finish().unwrap();
        assert!(matches!(
            super::sharding_for(&[large, gz], &options),
            Sharding::ByHash
        ));
    }
}
