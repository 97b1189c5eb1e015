//! Splitting a block of records (CSV, semicolon, TSV, quoted or not, any bytes) into rows, as
//! every reader does: no panic; every row and refused record has a line within the block, handed
//! over in line order (lines are counted by line feeds: records the csv reader ends at a bare
//! carriage return share their line).
#![no_main]

use clientele_ingest::encoding::TextEncoding;
use clientele_ingest::fuzzing::split_records;
use clientele_ingest::layout::Layout;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, block)) = data.split_first() else {
        return;
    };
    let encoding = [
        TextEncoding::Utf8,
        TextEncoding::Utf8Bom,
        TextEncoding::Windows1251,
    ][usize::from(choice % 3)];
    let layout = match (choice / 3) % 4 {
        0 => Layout::Delimited {
            delimiter: b',',
            quote: Some(b'"'),
        },
        1 => Layout::Delimited {
            delimiter: b';',
            quote: None,
        },
        2 => Layout::Delimited {
            delimiter: b'\t',
            quote: Some(b'"'),
        },
        _ => Layout::Whitespace,
    };
    let found = split_records(block, encoding, &layout, choice & 0x80 != 0);
    let last_line = 1 + block.iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(
        found.order.iter().all(|&l| (1..=last_line).contains(&l)),
        "{:?} of {last_line}",
        found.order
    );
    assert!(
        found.order.windows(2).all(|w| w[0] <= w[1]),
        "out of order: {:?}",
        found.order
    );
    assert_eq!(found.order.len(), found.rows.len() + found.refused.len());
});
